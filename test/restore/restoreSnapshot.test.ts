// restoreSnapshot on real repositories: sub-paths, existing files and --overwrite (more in rerun.test.ts), --include and
// --exclude, --dry-run, holes for runs of zeros, and metadata of folders applied after their
// contents.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lstat, mkdir, readFile, readdir, readlink, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { runCli } from '../helpers/cli.js';
import { describeTree } from '../helpers/sourceTree.js';
import { ingestedTree, restoreWith } from './fixtures.js';

async function smallTree(src: string): Promise<void> {
  await mkdir(join(src, 'etc', 'conf.d'), { recursive: true });
  await writeFile(join(src, 'etc', 'hosts'), '127.0.0.1 localhost\n');
  await writeFile(join(src, 'etc', 'conf.d', 'a.conf'), 'a\n');
  await writeFile(join(src, 'etc', 'conf.d', 'b.txt'), 'b\n');
  await mkdir(join(src, 'var', 'cache'), { recursive: true });
  await writeFile(join(src, 'var', 'cache', 'big.tmp'), 'cache\n');
  await writeFile(join(src, 'var', 'log.conf'), 'log\n');
  await writeFile(join(src, 'top.txt'), 'top\n');
}

test('a file path lands as TARGET/name, a folder path as TARGET/folder, the root into TARGET', async (t) => {
  const fx = await ingestedTree(t, smallTree);
  const one = await restoreWith(t, fx.repoDir, { path: '/etc/hosts', target: join(fx.dir, 'one') });
  assert.deepEqual(await readdir(join(fx.dir, 'one')), ['hosts']);
  assert.equal(await readFile(join(fx.dir, 'one', 'hosts'), 'utf8'), '127.0.0.1 localhost\n');
  assert.equal(one.files, 1);
  assert.equal(one.dirs, 0);

  await restoreWith(t, fx.repoDir, { path: '/etc', target: join(fx.dir, 'two') });
  assert.deepEqual(await readdir(join(fx.dir, 'two')), ['etc']);
  const srcEtc = await describeTree(join(fx.src, 'etc'));
  assert.deepEqual(await describeTree(join(fx.dir, 'two', 'etc')), srcEtc);
  assert.equal((await stat(join(fx.dir, 'two', 'etc'))).mtimeMs | 0, (await stat(join(fx.src, 'etc'))).mtimeMs | 0);

  await restoreWith(t, fx.repoDir, { target: join(fx.dir, 'all') });
  assert.deepEqual(await describeTree(join(fx.dir, 'all')), await describeTree(fx.src));
});

test('existing files that differ are kept with one warning, replaced with --overwrite; folders merge', async (t) => {
  const fx = await ingestedTree(t, smallTree);
  const target = join(fx.dir, 'target');
  await mkdir(join(target, 'etc'), { recursive: true });
  await writeFile(join(target, 'etc', 'hosts'), 'mine\n');
  await writeFile(join(target, 'keep.txt'), 'not in the snapshot\n');

  const first = await restoreWith(t, fx.repoDir, { target });
  assert.equal(first.warnings, 1);
  assert.equal(first.kept, 1);
  assert.match(first.messages[0], /1 entry in .*target differs from the snapshot and was kept; use --overwrite if-changed/);
  assert.equal(await readFile(join(target, 'etc', 'hosts'), 'utf8'), 'mine\n');
  assert.equal(await readFile(join(target, 'etc', 'conf.d', 'a.conf'), 'utf8'), 'a\n');

  const cli = await runCli(['restore', 'latest', target], { repo: fx.repoDir });
  assert.equal(cli.code, 3);
  assert.equal(cli.stderr.split('\n').filter((l) => l.startsWith('warning:')).length, 1, cli.stderr);

  const over = await runCli(['restore', 'latest', target, '--overwrite', 'always', '--json'], { repo: fx.repoDir });
  assert.equal(over.code, 0, over.stderr);
  const summary = JSON.parse(over.stdout);
  assert.equal(summary.type, 'summary');
  assert.equal(summary.files, 6);
  assert.equal(summary.warnings, 0);
  assert.equal(await readFile(join(target, 'etc', 'hosts'), 'utf8'), '127.0.0.1 localhost\n');
  assert.equal(await readFile(join(target, 'keep.txt'), 'utf8'), 'not in the snapshot\n');
});

test('overwrite never replaces a folder with a file, and never follows a symlink planted in the target', async (t) => {
  const fx = await ingestedTree(t, smallTree);
  const target = join(fx.dir, 'target');
  const elsewhere = join(fx.dir, 'elsewhere');
  await mkdir(join(target, 'top.txt'), { recursive: true });
  await mkdir(elsewhere);
  await symlink(elsewhere, join(target, 'etc'));
  const result = await restoreWith(t, fx.repoDir, { target });
  assert.equal((await lstat(join(target, 'top.txt'))).isDirectory(), true);
  assert.equal(await readlink(join(target, 'etc')), elsewhere);
  assert.deepEqual(await readdir(elsewhere), []);
  assert.equal(result.warnings, 2);
  assert.ok(result.messages.some((m) => /\/etc exists and is a symlink/.test(m)), result.messages.join('\n'));

  const again = await restoreWith(t, fx.repoDir, { target, overwrite: 'if-changed' });
  assert.deepEqual(await readdir(elsewhere), []);
  assert.equal((await lstat(join(target, 'etc'))).isDirectory(), true);
  assert.equal(await readFile(join(target, 'etc', 'hosts'), 'utf8'), '127.0.0.1 localhost\n');
  assert.equal((await lstat(join(target, 'top.txt'))).isDirectory(), true);
  assert.equal(again.warnings, 1);
});

test('include and exclude patterns pick paths inside the snapshot', async (t) => {
  const fx = await ingestedTree(t, smallTree);
  const a = join(fx.dir, 'a');
  await restoreWith(t, fx.repoDir, { target: a, include: ['*.conf'] });
  const names = [...(await describeTree(a)).keys()].sort();
  assert.deepEqual(names, ['/etc', '/etc/conf.d', '/etc/conf.d/a.conf', '/var', '/var/log.conf']);

  const b = join(fx.dir, 'b');
  await restoreWith(t, fx.repoDir, { target: b, include: ['/etc'], exclude: ['conf.d'] });
  assert.deepEqual([...(await describeTree(b)).keys()].sort(), ['/etc', '/etc/hosts']);

  const c = join(fx.dir, 'c');
  const r = await restoreWith(t, fx.repoDir, { target: c, exclude: ['/var/cache', '*.txt'] });
  assert.deepEqual([...(await describeTree(c)).keys()].sort(), ['/etc', '/etc/conf.d', '/etc/conf.d/a.conf', '/etc/hosts', '/var', '/var/log.conf']);
  assert.equal(r.files, 3);
});

test('dry run reports what would be restored and writes nothing', async (t) => {
  const fx = await ingestedTree(t, smallTree);
  const target = join(fx.dir, 'target');
  const items: string[] = [];
  const repoResult = await restoreWith(t, fx.repoDir, { target, dryRun: true, onItem: (i) => items.push(i.path) });
  await assert.rejects(stat(target), { code: 'ENOENT' });
  assert.equal(repoResult.files, 6);
  assert.equal(repoResult.dirs, 4);
  assert.ok(items.includes('/etc/conf.d/a.conf'));

  const cli = await runCli(['restore', 'latest:/etc', target, '--dry-run'], { repo: fx.repoDir });
  assert.equal(cli.code, 0, cli.stderr);
  assert.match(cli.stdout, /^would restore \/etc\/$/m);
  assert.match(cli.stdout, /^would restore \/etc\/hosts$/m);
  assert.match(cli.stdout, /dry run: would restore 3 files, 2 folders/);
  await assert.rejects(stat(target), { code: 'ENOENT' });
});

test('chunks of zeros become holes; the size and the bytes are exact', async (t) => {
  const head = randomBytes(100_000);
  const fx = await ingestedTree(t, async (src) => {
    await writeFile(join(src, 'zeros.bin'), Buffer.alloc(8 << 20));
    await writeFile(join(src, 'mixed.bin'), Buffer.concat([head, Buffer.alloc(4 << 20), head]));
    await writeFile(join(src, 'tail.bin'), Buffer.concat([head, Buffer.alloc(2 << 20)]));
  });
  const target = join(fx.dir, 'target');
  await restoreWith(t, fx.repoDir, { target });
  assert.deepEqual(await describeTree(target), await describeTree(fx.src));
  const zeros = await stat(join(target, 'zeros.bin'));
  assert.equal(zeros.size, 8 << 20);
  assert.equal(zeros.blocks, 0);
  const mixed = await stat(join(target, 'mixed.bin'));
  assert.ok(mixed.blocks * 512 < 2 << 20, `mixed.bin takes ${mixed.blocks * 512} bytes on disk`);
  assert.ok((await stat(join(target, 'tail.bin'))).blocks * 512 < 1 << 20);
});

test('folders get their mode and times after their contents are written', async (t) => {
  const fx = await ingestedTree(t, async (src) => {
    await mkdir(join(src, 'ro', 'inner'), { recursive: true });
    await writeFile(join(src, 'ro', 'inner', 'f'), 'x');
    await utimes(join(src, 'ro', 'inner'), new Date('2001-01-01T00:00:00Z'), new Date('2002-02-02T00:00:00Z'));
    await utimes(join(src, 'ro'), new Date('2003-01-01T00:00:00Z'), new Date('2004-02-02T00:00:00Z'));
    const { chmod } = await import('node:fs/promises');
    await chmod(join(src, 'ro', 'inner'), 0o500);
    await chmod(join(src, 'ro'), 0o555);
  });
  const target = join(fx.dir, 'target');
  const result = await restoreWith(t, fx.repoDir, { target });
  assert.equal(result.warnings + result.errors, 0, result.messages.join('\n'));
  const inner = await stat(join(target, 'ro', 'inner'));
  assert.equal(inner.mode & 0o777, 0o500);
  assert.equal(inner.mtime.toISOString(), '2002-02-02T00:00:00.000Z');
  assert.equal((await stat(join(target, 'ro'))).mtime.toISOString(), '2004-02-02T00:00:00.000Z');
  const { chmod } = await import('node:fs/promises');
  t.after(async () => {
    for (const d of [join(fx.src, 'ro'), join(fx.src, 'ro', 'inner'), join(target, 'ro'), join(target, 'ro', 'inner')]) await chmod(d, 0o755).catch(() => undefined);
  });
});
