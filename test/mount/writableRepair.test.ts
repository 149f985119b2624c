// A writable mount killed (kill -9) at random moments of an `rsync -a`: every file rsync had
// finished is intact afterwards, whether the next mount replays what the killed one left or
// `dedupfs repair` commits it as a snapshot first; and after a repair the next mount has
// nothing left to replay.
//
// rsync runs as a pull ("remote" source through a --rsh that runs the remote side locally), so
// that its receiver, the process writing into the mount, is the one printing the names: it
// prints a file's name (--out-format) right before it renames the finished temp file over it,
// then goes on to the next file. So every name printed except the last is a file whose rename
// the mount acknowledged.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { forceUnmount, startMount, stopMount } from './mountProcess.js';

let work: string;

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'dedupfs-writable-repair-'));
});

after(() => rm(work, { recursive: true, force: true }));

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

interface Copy { names: string[]; code: number | null }

/** rsync -a SRC/ DEST/, pulled through a local "remote shell"; the names it printed, in order. */
function rsyncPull(rsh: string, src: string, dest: string): { done: Promise<Copy> } {
  const child = spawn('rsync', ['-a', `--rsh=${rsh}`, '--out-format=%n', `localhost:${src}/`, `${dest}/`], { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  return { done: new Promise((resolve) => child.on('close', (code) => resolve({ names: out.split('\n').filter((n) => n && !n.endsWith('/')), code }))) };
}

test('kill -9 during rsync -a: every file rsync finished is intact after repair or the next mount', { timeout: 120_000 }, async (t) => {
  const repo = join(work, 'repo');
  assert.equal((await runCli(['init'], { repo })).code, 0);
  const src = join(work, 'src');
  await mkdir(join(src, 'sub'), { recursive: true });
  const files = 400;
  for (let i = 0; i < files; i++) await writeFile(join(src, i % 4 ? `f${i}` : `sub/f${i}`), randomBytes(1000 + ((i * 7919) % 60_000)));
  const rsh = join(work, 'rsh');
  await writeFile(rsh, '#!/bin/sh\nshift\nexec "$@"\n');
  await chmod(rsh, 0o755);
  const mnt = join(work, 'mnt');
  await mkdir(mnt);

  const done: string[] = [];
  let repaired = false;
  for (let round = 0; round < 4; round++) {
    const m = await startMount(t, { repo, mountpoint: mnt, args: ['--writable'] });
    if (repaired) assert.doesNotMatch(m.stdout(), /replayed/, 'repair left nothing to replay');
    await mkdir(join(mnt, `r${round}`));
    const copy = rsyncPull(rsh, src, join(mnt, `r${round}`));
    await new Promise((r) => setTimeout(r, 200 + Math.floor(Math.random() * 1000)));
    m.child.kill('SIGKILL');
    await m.exited;
    const { names, code } = await copy.done;
    await forceUnmount(mnt);
    // The last name printed may not be renamed yet, unless rsync finished before the kill.
    for (const name of code === 0 ? names : names.slice(0, -1)) done.push(`r${round}/${name}`);
    repaired = round % 2 === 0;
    if (repaired) {
      const r = await runCli(['repair', '--json'], { repo });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      const live = (JSON.parse(r.stdout) as { live: Array<{ host: string; changes: number; snapshot?: string }> }).live;
      assert.equal(live.length, 1, r.stdout);
      assert.equal(live[0].host, hostname());
      assert.ok(live[0].changes > 0 && live[0].snapshot, r.stdout);
      const snaps = JSON.parse((await runCli(['snapshots', '--json'], { repo })).stdout) as Array<{ id: string; tags: string[] }>;
      assert.equal(snaps.at(-1)?.id, live[0].snapshot);
      assert.deepEqual(snaps.at(-1)?.tags, ['live']);
    }
  }
  assert.ok(done.length > 0, 'rsync got somewhere before the kills');
  t.diagnostic(`${done.length} files finished over 4 kills`);

  const m = await startMount(t, { repo, mountpoint: mnt, args: ['--writable'] });
  assert.match(m.stdout(), /uncommitted changes? replayed/, 'the last round is replayed by the mount');
  for (const path of done) {
    const name = path.slice(path.indexOf('/') + 1);
    assert.equal(sha(await readFile(join(mnt, path))), sha(await readFile(join(src, name))), `${path} is intact`);
  }
  await stopMount(m);
  const check = await runCli(['check'], { repo });
  assert.equal(check.code, 0, check.stdout + check.stderr);
  const out = join(work, 'out');
  const restored = await runCli(['restore', 'latest', out], { repo });
  assert.equal(restored.code, 0, restored.stderr);
  for (const path of done) {
    const name = path.slice(path.indexOf('/') + 1);
    assert.equal(sha(await readFile(join(out, path))), sha(await readFile(join(src, name))), `${path} is intact in the snapshot`);
  }
});

test('repair leaves a live tree whose base snapshot is gone as it is, and says why', { timeout: 60_000 }, async (t) => {
  const repo = join(work, 'repo-gone');
  assert.equal((await runCli(['init'], { repo })).code, 0);
  const mnt = join(work, 'mnt-gone');
  await mkdir(mnt);
  const first = await startMount(t, { repo, mountpoint: mnt, args: ['--writable'] });
  await writeFile(join(mnt, 'a.txt'), 'committed\n');
  await stopMount(first); // commits: the base of the next mount
  const second = await startMount(t, { repo, mountpoint: mnt, args: ['--writable'] });
  await writeFile(join(mnt, 'b.txt'), 'never committed\n');
  second.child.kill('SIGKILL');
  await second.exited;
  await forceUnmount(mnt);
  assert.equal((await runCli(['forget', 'latest'], { repo })).code, 0);
  const r = await runCli(['repair'], { repo });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /cannot commit the live tree of .* \(\d+ changes?\): .*which is gone/);
  assert.equal(JSON.parse((await runCli(['snapshots', '--json'], { repo })).stdout).length, 0, 'nothing was committed');
});
