// A restore can be run again and never clobbers by surprise: identical files are left alone,
// --overwrite never|if-changed|always decides about the others, --delete removes what the
// snapshot does not hold (inside the target only), the snapshot root's own mode and times land
// on TARGET, and an --include that matches nothing is an error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, lstat, mkdir, readFile, readdir, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { describeTree } from '../helpers/sourceTree.js';
import { ingestedTree, restoreWith } from './fixtures.js';

async function tree(src: string): Promise<void> {
  await mkdir(join(src, 'etc'));
  await writeFile(join(src, 'etc', 'hosts'), '127.0.0.1 localhost\n');
  await writeFile(join(src, 'etc', 'motd'), 'hello\n');
  await symlink('hosts', join(src, 'etc', 'hosts.link'));
  await writeFile(join(src, 'big'), Buffer.alloc(300_000, 7));
  await chmod(src, 0o750);
  await utimes(src, new Date('2020-01-02T03:04:05Z'), new Date('2020-01-02T03:04:05Z'));
}

const summaryOf = (stdout: string) => JSON.parse(stdout) as Record<string, number>;

test('a second restore of the same snapshot into the same folder has nothing to do', async (t) => {
  const fx = await ingestedTree(t, tree);
  const target = join(fx.dir, 'target');
  const first = await runCli(['restore', 'latest', target, '--json'], { repo: fx.repoDir });
  assert.equal(first.code, 0, first.stderr);
  const inode = (await stat(join(target, 'etc', 'hosts'))).ino;
  const again = await runCli(['restore', 'latest', target, '--json'], { repo: fx.repoDir });
  assert.equal(again.code, 0, again.stderr);
  const s = summaryOf(again.stdout);
  assert.deepEqual([s.files, s.symlinks, s.unchanged, s.kept, s.warnings, s.bytes], [0, 0, 4, 0, 0, 0]);
  assert.equal((await stat(join(target, 'etc', 'hosts'))).ino, inode, 'the identical file was not rewritten');
  const text = await runCli(['restore', 'latest', target], { repo: fx.repoDir });
  assert.equal(text.code, 0);
  assert.match(text.stdout, /4 already in place and identical, left alone/);
  assert.deepEqual(await describeTree(target), await describeTree(fx.src));
});

test('--overwrite: never keeps what differs (one warning, exit 3), if-changed replaces it, always replaces everything', async (t) => {
  const fx = await ingestedTree(t, tree);
  const target = join(fx.dir, 'target');
  assert.equal((await runCli(['restore', 'latest', target], { repo: fx.repoDir })).code, 0);
  // Same size and same mtime, other content: only the content hash tells them apart.
  const motd = join(target, 'etc', 'motd');
  const { mtime } = await stat(motd);
  await writeFile(motd, 'HELLO\n');
  await utimes(motd, mtime, mtime);
  await writeFile(join(target, 'etc', 'hosts'), 'mine\n');
  // Rewriting a file (unlink, create) may reuse its inode number, but always gives it a new ctime.
  const bigCtime = async () => (await stat(join(target, 'big'), { bigint: true })).ctimeNs;
  const bigBefore = await bigCtime();

  const never = await runCli(['restore', 'latest', target, '--json'], { repo: fx.repoDir });
  assert.equal(never.code, 3, never.stderr);
  assert.deepEqual(never.stderr.trim().split('\n'), [`warning: 2 entries in ${target} differ from the snapshot and were kept; use --overwrite if-changed to replace them`]);
  assert.equal(summaryOf(never.stdout).kept, 2);
  assert.equal(await readFile(motd, 'utf8'), 'HELLO\n');

  const changed = await runCli(['restore', 'latest', target, '--overwrite', 'if-changed', '--json'], { repo: fx.repoDir });
  assert.equal(changed.code, 0, changed.stderr);
  assert.deepEqual([summaryOf(changed.stdout).files, summaryOf(changed.stdout).unchanged], [2, 2]);
  assert.equal(await readFile(motd, 'utf8'), 'hello\n');
  assert.equal(await readFile(join(target, 'etc', 'hosts'), 'utf8'), '127.0.0.1 localhost\n');
  assert.equal(await bigCtime(), bigBefore, 'identical files are left alone');

  const always = await runCli(['restore', 'latest', target, '--overwrite', 'always', '--json'], { repo: fx.repoDir });
  assert.equal(always.code, 0, always.stderr);
  assert.equal(summaryOf(always.stdout).files, 3);
  assert.notEqual(await bigCtime(), bigBefore, 'always rewrites identical files too');
  assert.deepEqual(await describeTree(target), await describeTree(fx.src));
});

test('--delete removes what the snapshot does not hold, inside the target only', async (t) => {
  const fx = await ingestedTree(t, tree);
  const target = join(fx.dir, 'target');
  const outside = join(fx.dir, 'outside');
  await mkdir(join(outside, 'keep'), { recursive: true });
  await writeFile(join(outside, 'keep', 'file'), 'outside\n');
  await mkdir(join(target, 'etc', 'extra.d'), { recursive: true });
  await writeFile(join(target, 'etc', 'extra.d', 'x'), 'x');
  await writeFile(join(target, 'stray'), 'stray');
  await symlink(outside, join(target, 'etc', 'out'));
  await symlink(join(outside, 'keep'), join(target, 'extra-link'));

  const dry = await runCli(['restore', 'latest', target, '--delete', '--dry-run', '--json'], { repo: fx.repoDir });
  assert.equal(dry.code, 0, dry.stderr);
  assert.equal(summaryOf(dry.stdout).deleted, 4);
  assert.ok((await readdir(target)).includes('stray'), 'a dry run deletes nothing');

  // if-changed: existing folders get the snapshot's times back after the deletions.
  const r = await runCli(['restore', 'latest', target, '--delete', '--overwrite', 'if-changed', '--json'], { repo: fx.repoDir });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(summaryOf(r.stdout).deleted, 4);
  assert.deepEqual(await describeTree(target), await describeTree(fx.src));
  assert.equal(await readFile(join(outside, 'keep', 'file'), 'utf8'), 'outside\n', 'nothing outside the target was touched');

  // A path inside the snapshot: only the restored folder is cleared, not the rest of TARGET.
  const sub = join(fx.dir, 'sub');
  await mkdir(join(sub, 'etc'), { recursive: true });
  await writeFile(join(sub, 'mine'), 'mine');
  await writeFile(join(sub, 'etc', 'old'), 'old');
  const part = await runCli(['restore', 'latest:/etc', sub, '--delete'], { repo: fx.repoDir });
  assert.equal(part.code, 0, part.stderr);
  assert.deepEqual((await readdir(sub)).sort(), ['etc', 'mine']);
  assert.deepEqual((await readdir(join(sub, 'etc'))).sort(), ['hosts', 'hosts.link', 'motd']);

  const mixed = await runCli(['restore', 'latest', target, '--delete', '--include', '*.conf'], { repo: fx.repoDir });
  assert.equal(mixed.code, 2, mixed.stderr);
});

test('the snapshot root\'s own mode and times land on TARGET; an --include that matches nothing is exit 1', async (t) => {
  const fx = await ingestedTree(t, tree);
  const target = join(fx.dir, 'target');
  const r = await restoreWith(t, fx.repoDir, { target });
  assert.equal(r.warnings, 0);
  const st = await lstat(target);
  assert.equal(st.mode & 0o7777, 0o750);
  assert.equal(st.mtime.toISOString(), '2020-01-02T03:04:05.000Z');

  const none = await runCli(['restore', 'latest', join(fx.dir, 'none'), '--include', '*.nothing'], { repo: fx.repoDir });
  assert.equal(none.code, 1, none.stderr);
  assert.match(none.stderr, /--include '\*\.nothing' matches nothing in snapshot [0-9a-f]{8}/);
  await assert.rejects(stat(join(fx.dir, 'none')), 'nothing was created');
});
