// The writable mount (`mount --writable`) through the real CLI and real tools: cp -a in and
// diff -r out, through unmount, remount and restore of the committed snapshot; rsync -a and an
// editor-style save (new name, fsync, rename over); a second copy of the same tree stores < 1%
// new; `dedupfs commit`; gc waits; /.snapshots is read-only and renames out of the tree are EXDEV;
// extended attributes; times set by utimens (with fuse-native fixed by scripts/patch-fuse-native.mjs);
// names that are not UTF-8 refused.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { link, lstat, mkdir, mkdtemp, open, readFile, readdir, rename, rm, rmdir, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runCli, runCommand } from '../helpers/cli.js';
import { describeTree, type EntryFacts } from '../helpers/sourceTree.js';
import { startMount, type MountProcess } from './mountProcess.js';

let work: string, src: string;
let counter = 0;

/** A tree of the kinds cp -a and rsync meet: data, small files, links, modes, nesting. */
async function buildTree(dir: string): Promise<void> {
  await mkdir(join(dir, 'a', 'b', 'c'), { recursive: true });
  await writeFile(join(dir, 'hello.txt'), 'hello, world\n');
  await writeFile(join(dir, 'empty'), '');
  await writeFile(join(dir, 'random.bin'), randomBytes(3 << 20));
  await writeFile(join(dir, 'a', 'b', 'c', 'deep.txt'), 'deep\n'.repeat(1000));
  for (let i = 0; i < 40; i++) await writeFile(join(dir, 'a', `f${i}.txt`), `file ${i}\n`.repeat(i + 1));
  await symlink('hello.txt', join(dir, 'link-to-hello'));
  await link(join(dir, 'hello.txt'), join(dir, 'a', 'hardlink-to-hello'));
  await mkdir(join(dir, 'private'), { mode: 0o700 });
  await writeFile(join(dir, 'private', 'secret'), 'secret\n', { mode: 0o600 });
  await writeFile(join(dir, 'script.sh'), '#!/bin/sh\necho hi\n', { mode: 0o755 });
}

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'dedupfs-writable-'));
  src = join(work, 'src');
  await mkdir(src);
  await buildTree(src);
});

after(() => rm(work, { recursive: true, force: true }));

async function freshRepo(): Promise<string> {
  const repo = join(work, `repo${counter++}`);
  const r = await runCli(['init'], { repo });
  assert.equal(r.code, 0, r.stderr);
  return repo;
}

async function freshDir(name: string): Promise<string> {
  const dir = join(work, `${name}${counter++}`);
  await mkdir(dir);
  return dir;
}

function mountWritable(t: Parameters<typeof startMount>[0], repo: string, mountpoint: string, args: string[] = []): Promise<MountProcess> {
  return startMount(t, { repo, mountpoint, args: ['--writable', '--json', ...args] });
}

/** Unmounts with `dedupfs umount` and waits for the mount process to commit and exit 0. */
async function unmount(m: MountProcess, repo: string): Promise<void> {
  const r = await runCli(['umount', m.mountpoint], { repo });
  assert.equal(r.code, 0, r.stderr);
  const { code } = await m.exited;
  assert.equal(code, 0, m.stderr());
}

/** What diff -r checks and more (kind, mode, size, content hash, symlink target); not times. */
function contentFacts(facts: Map<string, EntryFacts>): Record<string, unknown> {
  return Object.fromEntries([...facts].map(([path, f]) => [path, { kind: f.kind, mode: f.mode, size: f.size, sha256: f.sha256, target: f.target }]));
}

async function assertSameTree(actual: string, expected: string): Promise<void> {
  const diff = await runCommand('diff', ['-r', '--no-dereference', expected, actual]);
  assert.equal(diff.code, 0, `diff -r ${expected} ${actual}:\n${diff.stdout}${diff.stderr}`);
  assert.deepEqual(contentFacts(await describeTree(actual)), contentFacts(await describeTree(expected)));
}

function liveSnapshots(stdout: string): Array<{ id: string; tags: string[]; added: { rawBytes: number }; bytes: number }> {
  return JSON.parse(stdout) as Array<{ id: string; tags: string[]; added: { rawBytes: number }; bytes: number }>;
}

test('cp -a in, diff -r; unmount commits a live snapshot; restore and remount give the same tree', { timeout: 60_000 }, async (t) => {
  const repo = await freshRepo();
  const mnt = await freshDir('mnt');
  const m = await mountWritable(t, repo, mnt);
  const cp = await runCommand('cp', ['-a', src, join(mnt, 'copy')]);
  assert.equal(cp.code, 0, cp.stderr);
  await assertSameTree(join(mnt, 'copy'), src);
  const [a, b] = await Promise.all([stat(join(mnt, 'copy', 'hello.txt')), stat(join(mnt, 'copy', 'a', 'hardlink-to-hello'))]);
  assert.equal(a.ino, b.ino, 'a hard link is one file');
  assert.equal(a.nlink, 2);
  await unmount(m, repo);

  const list = await runCli(['snapshots', '--json'], { repo });
  const snaps = liveSnapshots(list.stdout);
  assert.equal(snaps.length, 1, list.stdout);
  assert.deepEqual(snaps[0].tags, ['live']);
  const out = join(work, `restored${counter++}`);
  const restored = await runCli(['restore', `${snaps[0].id}:/copy`, out], { repo });
  assert.equal(restored.code, 0, restored.stderr);
  await assertSameTree(join(out, 'copy'), src);
  assert.equal((await stat(join(out, 'copy', 'hello.txt'))).ino, (await stat(join(out, 'copy', 'a', 'hardlink-to-hello'))).ino, 'restored as a hard link');

  const check = await runCli(['check', '--read-data'], { repo });
  assert.equal(check.code, 0, `check finds the committed snapshot whole: ${check.stdout}${check.stderr}`);

  const again = await mountWritable(t, repo, mnt);
  await assertSameTree(join(mnt, 'copy'), src);
  await unmount(again, repo);
  assert.equal(liveSnapshots((await runCli(['snapshots', '--json'], { repo })).stdout).length, 1, 'an unchanged tree makes no snapshot');
});

test('rsync -a (temp file, rename) and an editor save (new name, fsync, rename over); a second copy stores < 1% new', { timeout: 60_000 }, async (t) => {
  const repo = await freshRepo();
  const mnt = await freshDir('mnt');
  const m = await mountWritable(t, repo, mnt);
  const rsync = await runCommand('rsync', ['-a', `${src}/`, join(mnt, 'first/')]);
  assert.equal(rsync.code, 0, rsync.stderr);
  await assertSameTree(join(mnt, 'first'), src);
  const commit = await runCli(['commit', mnt, '--json'], { repo });
  assert.equal(commit.code, 0, commit.stderr);
  const first = JSON.parse(commit.stdout) as { snapshot: string; added: { rawBytes: number } };
  assert.ok(first.added.rawBytes > 3 << 20, `the first copy is stored: ${commit.stdout}`);

  // An editor: write the new version under a temporary name, fsync it, rename it over the old.
  const file = join(mnt, 'first', 'hello.txt');
  const fh = await open(join(mnt, 'first', '.hello.txt.swp'), 'w');
  await fh.writeFile('hello, edited world\n');
  await fh.sync();
  await fh.close();
  await rename(join(mnt, 'first', '.hello.txt.swp'), file);
  assert.equal(await readFile(file, 'utf8'), 'hello, edited world\n');
  assert.equal(await readFile(join(mnt, 'first', 'a', 'hardlink-to-hello'), 'utf8'), 'hello, world\n', 'the other name keeps the old file');

  const cp = await runCommand('cp', ['-a', src, join(mnt, 'second')]);
  assert.equal(cp.code, 0, cp.stderr);
  // An ingest and a read-only mount run beside the commit: they share the repository.
  const roMnt = await freshDir('ro');
  await startMount(t, { repo, mountpoint: roMnt });
  const [second, ingest] = await Promise.all([runCli(['commit', mnt, '--json'], { repo }), runCli(['ingest', src], { repo })]);
  assert.equal(second.code, 0, second.stderr);
  assert.equal(ingest.code, 0, ingest.stderr);
  const liveDirs = await readdir(join(roMnt, 'tags', 'live'));
  assert.equal(liveDirs.length, 2, `the read-only mount shows both commits: ${liveDirs}`);
  assert.equal(await readFile(join(roMnt, 'tags', 'live', liveDirs.sort()[1], 'first', 'hello.txt'), 'utf8'), 'hello, edited world\n');
  assert.deepEqual((await readdir(join(mnt, '.snapshots', 'tags', 'live'))).sort(), liveDirs.sort(), '/.snapshots shows them too');
  const added = (JSON.parse(second.stdout) as { added: { rawBytes: number } }).added.rawBytes;
  assert.ok(added < first.added.rawBytes / 100, `a second copy adds ${added} bytes against ${first.added.rawBytes}`);
  const none = await runCli(['commit', mnt, '--json'], { repo });
  assert.equal(JSON.parse(none.stdout).snapshot, null, 'nothing changed: no snapshot');
  await unmount(m, repo);
  const out = join(work, `restored${counter++}`);
  const restored = await runCli(['restore', `${(JSON.parse(second.stdout) as { snapshot: string }).snapshot}:/second`, out], { repo });
  assert.equal(restored.code, 0, restored.stderr);
  await assertSameTree(join(out, 'second'), src);
});

test('folders: rmdir of a full one is ENOTEMPTY, renames of folders and over folders, truncate and writes at offsets', { timeout: 60_000 }, async (t) => {
  const repo = await freshRepo();
  const mnt = await freshDir('mnt');
  const m = await mountWritable(t, repo, mnt);
  await mkdir(join(mnt, 'x', 'y'), { recursive: true });
  await writeFile(join(mnt, 'x', 'y', 'f'), 'abcdef');
  await assert.rejects(rmdir(join(mnt, 'x')), { code: 'ENOTEMPTY' });
  await mkdir(join(mnt, 'empty'));
  await rename(join(mnt, 'x'), join(mnt, 'empty')); // a folder over an empty folder
  assert.deepEqual(await readdir(join(mnt, 'empty')), ['y']);
  await mkdir(join(mnt, 'full', 'z'), { recursive: true });
  await assert.rejects(rename(join(mnt, 'empty'), join(mnt, 'full')), { code: 'ENOTEMPTY' });
  await assert.rejects(rename(join(mnt, 'empty'), join(mnt, 'empty', 'y', 'inside')), { code: 'EINVAL' });
  const fh = await open(join(mnt, 'empty', 'y', 'f'), 'r+');
  await fh.write(Buffer.from('XY'), 0, 2, 2);
  await fh.write(Buffer.from('!'), 0, 1, 10); // past the end: a hole of zeros
  await fh.close();
  assert.deepEqual(await readFile(join(mnt, 'empty', 'y', 'f')), Buffer.from('abXYef\0\0\0\0!'));
  await runCommand('truncate', ['-s', '3', join(mnt, 'empty', 'y', 'f')]);
  await unmount(m, repo);
  const again = await mountWritable(t, repo, mnt);
  assert.equal(await readFile(join(mnt, 'empty', 'y', 'f'), 'utf8'), 'abX');
  assert.equal((await lstat(join(mnt, 'full', 'z'))).isDirectory(), true);
  // truncate of a stored file (copy-up) to a size within it
  await runCommand('truncate', ['-s', '1', join(mnt, 'empty', 'y', 'f')]);
  assert.equal(await readFile(join(mnt, 'empty', 'y', 'f'), 'utf8'), 'a');
  await unmount(again, repo);
});

test('/.snapshots is the read-only catalog; renames and links out of the live tree are EXDEV; gc waits', { timeout: 60_000 }, async (t) => {
  const repo = await freshRepo();
  assert.equal((await runCli(['ingest', src], { repo })).code, 0);
  const mnt = await freshDir('mnt');
  const m = await mountWritable(t, repo, mnt);
  assert.deepEqual((await readdir(mnt)), ['.snapshots'], 'an empty live tree: no live snapshot yet');
  const [snapDir] = await readdir(join(mnt, '.snapshots', 'snapshots'));
  const stored = join(mnt, '.snapshots', 'snapshots', snapDir, 'hello.txt');
  assert.equal(await readFile(stored, 'utf8'), 'hello, world\n');
  await assert.rejects(writeFile(stored, 'no'), { code: 'EROFS' });
  await assert.rejects(mkdir(join(mnt, '.snapshots', 'new')), { code: 'EROFS' });
  await writeFile(join(mnt, 'mine'), 'mine\n');
  await assert.rejects(rename(join(mnt, 'mine'), join(mnt, '.snapshots', 'mine')), { code: 'EXDEV' });
  await assert.rejects(link(stored, join(mnt, 'linked')), { code: 'EXDEV' });
  const gc = await runCli(['gc'], { repo });
  assert.equal(gc.code, 11, `gc waits for the writable mount's shared lock: ${gc.stderr}`);
  const second = await runCli(['mount', '--writable', await freshDir('mnt')], { repo });
  assert.equal(second.code, 11, `one writable mount per host: ${second.stderr}`);
  assert.match(second.stderr, new RegExp(`already mounted at ${mnt}`));
  const df = await runCommand('df', ['--output=size', mnt]);
  assert.equal(df.code, 0, df.stderr);
  assert.ok(Number(df.stdout.split('\n')[1]) > 0, `statfs shows the repository's disk: ${df.stdout}`);
  await unmount(m, repo);
  const gone = await runCli(['commit', mnt], { repo });
  assert.equal(gone.code, 1);
  assert.match(gone.stderr, /no writable mount of .* is at /);
});

test('--commit-every commits on its own when something changed, and only then', { timeout: 60_000 }, async (t) => {
  const repo = await freshRepo();
  const mnt = await freshDir('mnt');
  for (const args of [['--commit-every', '10'], ['--commit-every', '0s'], ['--snapshot', 'latest']]) {
    const bad = await runCli(['mount', '--writable', ...args, mnt], { repo });
    assert.equal(bad.code, 2, `${args.join(' ')}: ${bad.stderr}`);
  }
  const m = await mountWritable(t, repo, mnt, ['--commit-every', '1s']);
  await writeFile(join(mnt, 'note.txt'), 'written\n');
  const count = async () => liveSnapshots((await runCli(['snapshots', '--json'], { repo })).stdout).length;
  for (let i = 0; i < 50 && (await count()) === 0; i++) await new Promise((r) => setTimeout(r, 200));
  assert.equal(await count(), 1, 'committed without being asked');
  assert.match(m.stdout(), /"type":"committed"/);
  await new Promise((r) => setTimeout(r, 2500));
  assert.equal(await count(), 1, 'nothing changed since: no new snapshot');
  await unmount(m, repo);
  assert.equal(await count(), 1, 'the unmount had nothing left to commit');
});

test('a full repository disk fails writes with ENOSPC; the mount stays up and works once there is room', { timeout: 60_000 }, async (t) => {
  const disk = await freshDir('disk');
  const mounted = await runCommand('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', disk]);
  t.after(async () => {
    if (mounted.code === 0) await runCommand('umount', ['-l', disk]);
  });
  assert.equal(mounted.code, 0, mounted.stderr);
  const repo = join(disk, 'repo');
  assert.equal((await runCli(['init'], { repo })).code, 0);
  const mnt = await freshDir('mnt');
  const m = await mountWritable(t, repo, mnt);
  const dd = await runCommand('dd', ['if=/dev/urandom', `of=${join(mnt, 'big.bin')}`, 'bs=1M', 'count=16']);
  assert.notEqual(dd.code, 0);
  assert.match(dd.stderr, /No space left on device/);
  await rm(join(mnt, 'big.bin'));
  await writeFile(join(mnt, 'small.txt'), 'fits\n');
  assert.equal(await readFile(join(mnt, 'small.txt'), 'utf8'), 'fits\n');
  await unmount(m, repo);
  const out = join(work, `restored${counter++}`);
  const restored = await runCli(['restore', 'latest', out], { repo });
  assert.equal(restored.code, 0, restored.stderr);
  assert.deepEqual(await readdir(out), ['small.txt']);
});

test('tar x and git clone into the mount; the clone is whole after a remount', { timeout: 60_000 }, async (t) => {
  const repo = await freshRepo();
  const mnt = await freshDir('mnt');
  const m = await mountWritable(t, repo, mnt);
  await mkdir(join(mnt, 'untarred'));
  const tar = await runCommand('sh', ['-c', `tar cf - -C ${src} . | tar xf - -C ${join(mnt, 'untarred')}`]);
  assert.equal(tar.code, 0, tar.stderr);
  await assertSameTree(join(mnt, 'untarred'), src);

  const origin = await freshDir('origin');
  const git = (args: string[], cwd: string) => runCommand('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd });
  assert.equal((await git(['init', '-q'], origin)).code, 0);
  await runCommand('cp', ['-a', `${src}/.`, origin]);
  assert.equal((await git(['add', '-A'], origin)).code, 0);
  assert.equal((await git(['commit', '-qm', 'one'], origin)).code, 0);
  const clone = await git(['clone', '-q', origin, join(mnt, 'clone')], work);
  assert.equal(clone.code, 0, clone.stderr);
  await unmount(m, repo);

  const again = await mountWritable(t, repo, mnt);
  const fsck = await git(['fsck', '--strict'], join(mnt, 'clone'));
  assert.equal(fsck.code, 0, fsck.stderr);
  const status = await git(['status', '--porcelain'], join(mnt, 'clone'));
  assert.equal(status.stdout, '', 'the work tree matches its index');
  await unmount(again, repo);
});

test('--from starts the live tree from an ingested snapshot; the commit keeps its unchanged folders as they were', { timeout: 60_000 }, async (t) => {
  const repo = await freshRepo();
  const ingest = await runCli(['ingest', '--json', src], { repo });
  assert.equal(ingest.code, 0, ingest.stderr);
  const base = JSON.parse(ingest.stdout) as { id: string; root: string };
  const mnt = await freshDir('mnt');
  const m = await mountWritable(t, repo, mnt, ['--from', base.id.slice(0, 8)]);
  await assertSameTree(join(mnt, 'a'), join(src, 'a'));
  await writeFile(join(mnt, 'added.txt'), 'added\n');
  await unmount(m, repo);
  const [, live] = JSON.parse((await runCli(['snapshots', '--json'], { repo })).stdout) as Array<{ id: string; parent: string; tags: string[]; added: { blocks: number } }>;
  assert.deepEqual(live.tags, ['live']);
  assert.equal(live.parent, base.id);
  assert.equal(live.added.blocks, 2, 'only the new file and the new root tree are stored');
  const diff = await runCli(['diff', base.id, live.id], { repo });
  assert.match(diff.stdout, /added\.txt/);
  const out = join(work, `restored${counter++}`);
  assert.equal((await runCli(['restore', live.id, out], { repo })).code, 0);
  assert.equal(await readFile(join(out, 'added.txt'), 'utf8'), 'added\n');
  await rm(join(out, 'added.txt'));
  await assertSameTree(out, src);
});

test('extended attributes: set, list, get, remove through the mount; stored in the snapshot like ingest stores them; cp -a of a mode-only ACL is a chmod', { timeout: 60_000 }, async (t) => {
  const xattr = await import('@napi-rs/xattr');
  const repo = await freshRepo();
  const source = await freshDir('xsrc');
  await writeFile(join(source, 'tagged.txt'), 'tagged\n');
  await xattr.setAttribute(join(source, 'tagged.txt'), 'user.origin', Buffer.from([0, 1, 2, 255]));
  assert.equal((await runCli(['ingest', source], { repo })).code, 0);
  const mnt = await freshDir('mnt');
  const m = await mountWritable(t, repo, mnt, ['--from', 'latest']);
  assert.deepEqual(await xattr.getAttribute(join(mnt, 'tagged.txt'), 'user.origin'), Buffer.from([0, 1, 2, 255]), 'an ingested xattr shows');
  await writeFile(join(mnt, 'new.txt'), 'new\n');
  await mkdir(join(mnt, 'dir'));
  await xattr.setAttribute(join(mnt, 'new.txt'), 'user.b', 'second');
  await xattr.setAttribute(join(mnt, 'new.txt'), 'user.a', Buffer.from('first'));
  await xattr.setAttribute(join(mnt, 'dir'), 'user.dir', 'on a folder');
  await xattr.setAttribute(join(mnt, 'tagged.txt'), 'user.gone', 'removed below');
  await xattr.removeAttribute(join(mnt, 'tagged.txt'), 'user.gone');
  assert.deepEqual(await xattr.listAttributes(join(mnt, 'new.txt')), ['user.a', 'user.b']);
  assert.equal((await xattr.getAttribute(join(mnt, 'new.txt'), 'user.b'))?.toString(), 'second');
  await assert.rejects(xattr.removeAttribute(join(mnt, 'new.txt'), 'user.none'), 'removing a missing xattr fails');
  await assert.rejects(xattr.setAttribute(join(mnt, '.snapshots', 'x'), 'user.a', 'x'), '/.snapshots is read-only');
  // cp -a sets the ACL its source's mode amounts to: kept as the mode, not as an xattr.
  await writeFile(join(source, 'private.txt'), 'private\n', { mode: 0o640 });
  const cp = await runCommand('cp', ['-a', join(source, 'private.txt'), join(mnt, 'private.txt')]);
  assert.equal(cp.code, 0, cp.stderr);
  assert.equal((await stat(join(mnt, 'private.txt'))).mode & 0o777, 0o640);
  assert.deepEqual(await xattr.listAttributes(join(mnt, 'private.txt')), []);
  await unmount(m, repo);

  const out = join(work, `restored${counter++}`);
  assert.equal((await runCli(['restore', 'latest', out], { repo })).code, 0);
  assert.deepEqual(await xattr.listAttributes(join(out, 'new.txt')), ['user.a', 'user.b']);
  assert.equal((await xattr.getAttribute(join(out, 'new.txt'), 'user.a'))?.toString(), 'first');
  assert.equal((await xattr.getAttribute(join(out, 'dir'), 'user.dir'))?.toString(), 'on a folder');
  assert.deepEqual(await xattr.listAttributes(join(out, 'tagged.txt')), ['user.origin']);
  assert.equal((await stat(join(out, 'private.txt'))).mode & 0o777, 0o640);
  // A remount reads them from the committed snapshot.
  const again = await mountWritable(t, repo, mnt);
  assert.equal((await xattr.getAttribute(join(mnt, 'dir'), 'user.dir'))?.toString(), 'on a folder', 'after a remount');
  await unmount(again, repo);
});

const fuseNativeFixed = existsSync(join(dirname(createRequire(import.meta.url).resolve('fuse-native/package.json')), 'build', 'Release', 'dedupfs-utimens-fixed'));

test('utimens keeps the modification time: a second rsync -a copies nothing', {
  timeout: 60_000,
  skip: fuseNativeFixed ? false : 'fuse-native passes the access time as the modification time until scripts/patch-fuse-native.mjs (npm postinstall) rebuilt it',
}, async (t) => {
  const repo = await freshRepo();
  const mnt = await freshDir('mnt');
  const m = await mountWritable(t, repo, mnt);
  await writeFile(join(mnt, 'dated.txt'), 'dated\n');
  await utimes(join(mnt, 'dated.txt'), 1_000_000_000, 1_500_000_000);
  const st = await stat(join(mnt, 'dated.txt'));
  assert.equal(st.mtimeMs, 1_500_000_000_000);
  assert.equal(st.atimeMs, 1_000_000_000_000);
  const copy = () => runCommand('rsync', ['-a', '--out-format=%n', `${src}/`, join(mnt, 'copy/')]);
  assert.equal((await copy()).code, 0);
  const again = await copy();
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual(again.stdout.split('\n').filter((n) => n && !n.endsWith('/')), [], 'no file is copied again');
  await unmount(m, repo);
  const out = join(work, `restored${counter++}`);
  assert.equal((await runCli(['restore', 'latest', out], { repo })).code, 0);
  assert.equal((await stat(join(out, 'dated.txt'))).mtimeMs, 1_500_000_000_000);
  // fuse-native hands times over in milliseconds.
  assert.equal((await stat(join(out, 'copy', 'random.bin'))).mtimeMs, Math.floor((await stat(join(src, 'random.bin'))).mtimeMs));
});

test('a new name that is not UTF-8 is refused with EILSEQ (fuse-native would hand it over mangled); UTF-8 names work', { timeout: 60_000 }, async (t) => {
  const repo = await freshRepo();
  const mnt = await freshDir('mnt');
  const m = await mountWritable(t, repo, mnt);
  const raw = (...parts: Array<string | number[]>) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));
  await assert.rejects(writeFile(raw(`${mnt}/bad-`, [0xff]), 'x'), { code: 'EILSEQ' });
  await assert.rejects(mkdir(raw(`${mnt}/dir-`, [0xc3, 0x28])), { code: 'EILSEQ' });
  await writeFile(join(mnt, 'good.txt'), 'good\n');
  await assert.rejects(rename(join(mnt, 'good.txt'), raw(`${mnt}/moved-`, [0xfe])), { code: 'EILSEQ' });
  await assert.rejects(symlink(raw('target-', [0x80]), join(mnt, 'link')), { code: 'EILSEQ' });
  await writeFile(join(mnt, 'café-☕.txt'), 'utf-8\n');
  assert.deepEqual((await readdir(mnt)).sort(), ['.snapshots', 'café-☕.txt', 'good.txt']);
  await unmount(m, repo);
  const out = join(work, `restored${counter++}`);
  assert.equal((await runCli(['restore', 'latest', out], { repo })).code, 0);
  assert.equal(await readFile(join(out, 'café-☕.txt'), 'utf8'), 'utf-8\n');
});
