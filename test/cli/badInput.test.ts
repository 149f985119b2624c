// Bad input on the read side (ls, cat, restore): unknown selectors and paths are one clear line
// and exit status 1; and a malicious repository, whose tree blocks hold names like "..", "a/b"
// or a symlink followed by a folder of the same name, restores nothing outside the target.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readFile, readdir, readlink, lstat, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { addressToHex } from '../../src/core/address.js';
import { snapshotId, writeSnapshotFile, type Snapshot } from '../../src/catalog/snapshotRecord.js';
import { BlockType } from '../../src/core/blocks.js';
import type { TreeEntry } from '../../src/tree/entry.js';
import { encodeTree } from '../../src/tree/treeCodec.js';
import { runCli } from '../helpers/cli.js';
import { openTestRepo } from '../helpers/repo.js';
import { tempDir } from '../helpers/tempDir.js';

function assertOneLineError(stderr: string) {
  assert.ok(stderr.startsWith('dedupfs: '), stderr);
  assert.ok(!/\n\s+at /.test(stderr), `no stack trace: ${stderr}`);
  assert.ok(stderr.trim().split('\n').length <= 2, `one line plus a hint: ${stderr}`);
}

const T = 1_600_000_000_000_000_000n;

function entry(name: string | Buffer, kind: TreeEntry['kind'], extra: Partial<TreeEntry> = {}): TreeEntry {
  const mode = { file: 0o100644, dir: 0o40755, symlink: 0o120777 }[kind as 'file' | 'dir' | 'symlink'] ?? 0o100644;
  return { name: Buffer.isBuffer(name) ? name : Buffer.from(name), kind, mode, uid: 0, gid: 0, size: 0, mtimeNs: T, atimeNs: T, ctimeNs: T, ino: 1, nlink: 1, ...extra };
}

/** A repository whose only snapshot holds the hostile tree built here, by hand. */
async function hostileRepository(t: import('node:test').TestContext, repoDir: string, outside: string): Promise<void> {
  const repo = await openTestRepo(t, repoDir);
  const data = Buffer.from('pwned\n');
  const chunk = repo.store.add(BlockType.Data, data).address;
  const file = (name: string | Buffer) => entry(name, 'file', { size: data.length, content: { chunks: [{ address: chunk, length: data.length }] } });
  const inner = repo.store.add(BlockType.Tree, encodeTree([file('x'), file('y')])).address;
  const dir = (name: string | Buffer) => entry(name, 'dir', { subtree: inner });
  const root = repo.store.add(BlockType.Tree, encodeTree([
    dir('..'), dir('.'), file('a/b'), dir('c/..'), file(''), file(Buffer.from('nul\0name')), file('/abs'),
    // A symlink out of the target, then a folder of the same name whose files would follow it.
    entry('evil', 'symlink', { target: Buffer.from(outside), size: outside.length }),
    dir('evil'),
    dir('ok'), file('fine.txt'),
  ])).address;
  await repo.store.flush();
  const fields: Omit<Snapshot, 'id'> = {
    time: new Date().toISOString(), host: 'attacker', user: 'root', paths: ['/'], tags: [], root: addressToHex(root),
    files: 3, dirs: 3, bytes: 18, added: { blocks: 3, rawBytes: 0, storedBytes: 0 }, partial: false, warnings: 0,
  };
  await writeSnapshotFile(repo.layout.snapshots, { id: snapshotId(fields), ...fields });
  await repo.close();
}

test('a malicious tree restores nothing outside the target, with or without --overwrite', async (t) => {
  const dir = await tempDir(t);
  const outside = await mkdtemp('/tmp/outside-xyz-');
  t.after(() => rm(outside, { recursive: true, force: true }));
  const repoDir = join(dir, 'repo');
  await hostileRepository(t, repoDir, outside);
  const parent = join(dir, 'parent');
  const target = join(parent, 'target');
  await mkdir(target, { recursive: true });

  const r = await runCli(['restore', 'latest', target], { repo: repoDir });
  assert.equal(r.code, 3, r.stderr);
  assert.deepEqual(await readdir(outside), [], 'nothing written through the symlink');
  assert.deepEqual(await readdir(parent), ['target'], 'nothing written next to the target');
  assert.deepEqual((await readdir(target)).sort(), ['evil', 'fine.txt', 'ok']);
  assert.equal(await readlink(join(target, 'evil')), outside);
  assert.equal(await readFile(join(target, 'ok', 'x'), 'utf8'), 'pwned\n');
  for (const name of ['..', '.', 'a/b', 'c/..', '', 'nul\\x00name', '/abs']) {
    assert.ok(r.stderr.includes(`an entry named '${name}' is not a safe name`), `${name}: ${r.stderr}`);
  }
  assert.match(r.stderr, /\/evil exists and is a symlink; skipped \(use --overwrite if-changed/);

  const again = await runCli(['restore', 'latest', target, '--overwrite', 'if-changed'], { repo: repoDir });
  assert.equal(again.code, 3, again.stderr);
  assert.deepEqual(await readdir(outside), []);
  assert.deepEqual(await readdir(parent), ['target']);
  // --overwrite replaced the symlink by the folder, inside the target.
  assert.equal((await lstat(join(target, 'evil'))).isDirectory(), true);
  assert.equal(await readFile(join(target, 'evil', 'x'), 'utf8'), 'pwned\n');

  const sub = await runCli(['restore', 'latest:/evil/x', join(dir, 'sub')], { repo: repoDir });
  assert.equal(sub.code, 1);
  assertOneLineError(sub.stderr);
  assert.match(sub.stderr, /\/evil is not a folder/);
});

async function smallRepository(t: import('node:test').TestContext): Promise<{ dir: string; repo: string }> {
  const dir = await tempDir(t);
  await mkdir(join(dir, 'src', 'sub'), { recursive: true });
  await writeFile(join(dir, 'src', 'sub', 'f.txt'), 'f\n');
  const repo = join(dir, 'repo');
  const r = await runCli(['ingest', '--init', join(dir, 'src')], { repo });
  assert.equal(r.code, 0, r.stderr);
  return { dir, repo };
}

test('unknown selectors and missing paths: one line, exit 1, nothing written', async (t) => {
  const { dir, repo } = await smallRepository(t);
  const target = join(dir, 'target');
  const cases: Array<[string[], RegExp]> = [
    [['ls', 'ffff'], /no snapshot matches 'ffff'/],
    [['ls', 'latest~5'], /there is only 1 snapshot$/m],
    [['ls', 'nonsense'], /'nonsense' is not a snapshot selector/],
    [['ls', 'latest:/nope'], /\/nope does not exist in snapshot [0-9a-f]{8}/],
    [['ls', 'latest:/sub/f.txt/deeper'], /\/sub\/f\.txt is not a folder/],
    [['cat', 'latest:/sub'], /\/sub in snapshot [0-9a-f]{8} is a folder, not a file/],
    [['cat', 'latest:/sub/nope.txt'], /\/sub\/nope\.txt does not exist/],
    [['cat', 'ffff:/sub/f.txt'], /no snapshot matches 'ffff'/],
    [['restore', 'latest:/nope', target], /\/nope does not exist/],
    [['restore', 'abcd', target], /no snapshot matches 'abcd'/],
  ];
  for (const [args, message] of cases) {
    const r = await runCli(args, { repo });
    assert.equal(r.code, 1, `${args.join(' ')}: ${r.stderr}`);
    assertOneLineError(r.stderr);
    assert.match(r.stderr.split('\n')[0], message);
    assert.equal(r.stdout, '');
  }
  await assert.rejects(lstat(target), { code: 'ENOENT' });

  const json = await runCli(['cat', 'latest:/nope', '--json'], { repo });
  assert.equal(json.code, 1);
  assert.equal(JSON.parse(json.stderr).code, 'NOT_FOUND');
});

test('a target that is a file, and a missing repository, are refused', async (t) => {
  const { dir, repo } = await smallRepository(t);
  await writeFile(join(dir, 'afile'), 'keep');
  const r = await runCli(['restore', 'latest', join(dir, 'afile')], { repo });
  assert.equal(r.code, 1);
  assertOneLineError(r.stderr);
  assert.match(r.stderr, /is not a folder/);
  assert.equal(await readFile(join(dir, 'afile'), 'utf8'), 'keep');

  const none = await runCli(['ls', 'latest'], { repo: join(dir, 'no-repo') });
  assert.equal(none.code, 10);
  assertOneLineError(none.stderr);
});
