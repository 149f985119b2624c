// A repository that cannot be written can still be read: on a read-only bind mount and on a
// full disk, every command that only reads (snapshots, ls, stats, cat, check, restore, mount)
// works without a lock file, saying so in one note (none with -q); every writer stops with one
// line that names the repository and what to do. The same holds for another user's repository
// that is readable but not writable. Mounting and switching users need root, as CI has.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_PATH, runCli, runCommand } from '../helpers/cli.js';
import { startMount } from '../mount/mountProcess.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

interface Scratch { dir: string; undo: Array<() => Promise<unknown>> }

// A temporary folder whose mounts are undone (last first) before it is removed.
async function scratch(t: TestContext): Promise<Scratch> {
  const dir = await mkdtemp(join(tmpdir(), 'dedupfs-unwritable-'));
  const s: Scratch = { dir, undo: [] };
  t.after(async () => {
    for (const undo of s.undo.reverse()) await undo();
    await rm(dir, { recursive: true, force: true });
  });
  return s;
}

async function mount(s: Scratch, args: string[], target: string): Promise<void> {
  await mkdir(target);
  const r = await runCommand('mount', [...args, target]);
  assert.equal(r.code, 0, r.stderr);
  s.undo.push(() => runCommand('umount', ['-l', target]));
}

async function sourceAndRepo(dir: string, repo: string): Promise<{ src: string; data: Buffer }> {
  const src = join(dir, 'src');
  await mkdir(join(src, 'sub'), { recursive: true });
  const data = randomBytes(500_000);
  await writeFile(join(src, 'sub', 'data.bin'), data);
  await writeFile(join(src, 'note.txt'), 'note\n');
  assert.equal((await runCli(['ingest', '--init', '-q', src], { repo })).code, 0);
  return { src, data };
}

/** Runs every reader against `repo`; each must succeed and print `note` (or nothing with -q). */
async function assertReadersWork(repo: string, dir: string, data: Buffer, note: RegExp): Promise<void> {
  const snaps = await runCli(['snapshots', '--json'], { repo });
  assert.equal(snaps.code, 0, snaps.stderr);
  assert.equal(JSON.parse(snaps.stdout).length, 1);
  assert.match(snaps.stderr, note);
  assert.equal(snaps.stderr.split('\n').length, 2, 'one line');
  for (const args of [['ls', 'latest:/sub'], ['stats'], ['check', '--read-data']]) {
    const r = await runCli(args, { repo });
    assert.equal(r.code, 0, `${args[0]}: ${r.stderr}`);
    assert.match(r.stderr, note, args[0]);
  }
  const quiet = await runCli(['cat', '-q', 'latest:/sub/data.bin'], { repo });
  assert.equal(quiet.code, 0, quiet.stderr);
  assert.equal(sha(quiet.stdoutBytes), sha(data));
  assert.equal(quiet.stderr, '', '-q prints no note');
  const out = join(dir, `restored-${Math.random().toString(36).slice(2)}`);
  const restored = await runCli(['restore', 'latest', out], { repo });
  assert.equal(restored.code, 0, restored.stderr);
  assert.equal(sha(await readFile(join(out, 'sub', 'data.bin'))), sha(data));
}

async function assertWritersRefused(repo: string, src: string, line: RegExp): Promise<void> {
  for (const args of [['ingest', src], ['forget', '--keep-last', '1'], ['gc']]) {
    const r = await runCli(args, { repo });
    assert.equal(r.code, 1, `${args[0]}: ${r.stderr}`);
    assert.match(r.stderr, line, args[0]);
    assert.doesNotMatch(r.stderr, /internal error|damaged|dedupfs repair/, args[0]);
  }
}

const asRoot = process.getuid?.() === 0;

test('a repository on a read-only bind mount can be read; writers say why they cannot', { skip: !asRoot && 'mounting needs root' }, async (t) => {
  const s = await scratch(t);
  const dir = s.dir;
  const repo = join(dir, 'repo');
  const { src, data } = await sourceAndRepo(dir, repo);
  const ro = join(dir, 'ro');
  await mount(s, ['--bind', '-o', 'ro', repo], ro);
  await assertReadersWork(ro, dir, data, /^repository .*ro cannot be written \(read-only file system\): reading it without a lock\n/);
  await assertWritersRefused(ro, src, /^dedupfs: repository .*ro is on a read-only file system\n/);

  const mountpoint = join(dir, 'mnt');
  await mkdir(mountpoint);
  const fuse = await startMount({ after: (fn) => { s.undo.push(fn); } }, { repo: ro, mountpoint, args: ['--snapshot', 'latest'] });
  assert.equal(sha(await readFile(join(mountpoint, 'sub', 'data.bin'))), sha(data));
  assert.match(fuse.stderr(), /read-only file system/);
  assert.deepEqual(await readdir(join(repo, 'locks')), [], 'no lock was written anywhere');
});

test('on a full disk readers work and writers say "no space left"', { skip: !asRoot && 'mounting a small tmpfs needs root' }, async (t) => {
  const s = await scratch(t);
  const dir = s.dir;
  const disk = join(dir, 'disk');
  await mount(s, ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs'], disk);
  const built = join(dir, 'built');
  const { src, data } = await sourceAndRepo(dir, built);
  const repo = join(disk, 'repo');
  await cp(built, repo, { recursive: true });
  // fill the disk to its last few KiB
  await runCommand('dd', ['if=/dev/zero', `of=${join(disk, 'fill')}`, 'bs=4k']);
  await runCommand('truncate', ['-s', '-8K', join(disk, 'fill')]);
  await assertReadersWork(repo, dir, data, /^repository .*repo cannot be written \(no space left on device\): reading it without a lock\n/);
  await assertWritersRefused(repo, src, /^dedupfs: no space left on device at .*repo; free space and run again\n/);
});

test("another user's repository, readable but not writable, can be read", { skip: !asRoot && 'switching users needs root' }, async (t) => {
  const s = await scratch(t);
  const repo = join(s.dir, 'repo');
  const { src, data } = await sourceAndRepo(s.dir, repo);
  await runCommand('chmod', ['-R', 'a+rX', s.dir]);
  const asNobody = (args: string[]) => runCommand('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, CLI_PATH, ...args],
    { env: { ...process.env, DEDUPFS_REPO: repo, HOME: s.dir } });
  const cat = await asNobody(['cat', 'latest:/sub/data.bin']);
  assert.equal(cat.code, 0, cat.stderr);
  assert.equal(sha(cat.stdoutBytes), sha(data));
  assert.match(cat.stderr, /^repository .*repo cannot be written \(permission denied\): reading it without a lock\n$/);
  const snaps = await asNobody(['snapshots', '--json', '-q']);
  assert.equal(snaps.code, 0, snaps.stderr);
  assert.equal(JSON.parse(snaps.stdout).length, 1);
  const ingest = await asNobody(['ingest', src]);
  assert.equal(ingest.code, 1);
  assert.match(ingest.stderr, /^dedupfs: repository .*repo cannot be written: permission denied\n/);
});
