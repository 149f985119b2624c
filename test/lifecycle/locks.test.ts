// Commands that overlap, as cron jobs do, through the real CLI: two ingests at once both land;
// an ingest meets gc's exclusive lock and fails with exit status 11 or waits (--lock-wait); a
// lock left by a killed process is found stale and removed; `dedupfs unlock` removes stale
// locks (or all); Ctrl-C and SIGTERM release the lock and exit with 130.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { acquireLock } from '../../src/repo/lock.js';
import { writeLargeRandomFile } from '../helpers/sourceTree.js';
import { CLI_PATH, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tempDir.js';
import { assertRestoresIdentical, checkJson, contentFacts, ingestAt } from './fixtures.js';

// A folder of `files` random files of `size` bytes each, in two subfolders.
async function randomTree(dir: string, files: number, size: number): Promise<string> {
  for (let i = 0; i < files; i++) {
    const sub = join(dir, `d${i % 2}`);
    await mkdir(sub, { recursive: true });
    await writeFile(join(sub, `f${i}.bin`), randomBytes(size));
  }
  return dir;
}

async function lockFiles(repo: string): Promise<string[]> {
  return (await readdir(join(repo, 'locks'))).filter((n) => n.endsWith('.lock') && !n.startsWith('.'));
}

function startCli(repo: string, args: string[]): { child: ChildProcess; exited: Promise<[number | null, NodeJS.Signals | null]>; stderr: () => string } {
  const child = spawn(process.execPath, [CLI_PATH, ...args], { env: { ...process.env, DEDUPFS_REPO: repo }, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
  return { child, exited: once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>, stderr: () => err };
}

async function waitForLock(repo: string, exited: Promise<unknown>): Promise<void> {
  let done = false;
  void exited.then(() => { done = true; });
  for (;;) {
    if ((await lockFiles(repo).catch(() => [])).length) return;
    assert.ok(!done, 'the command ended before its lock was seen');
    await sleep(2);
  }
}

// A repository with one snapshot, and a big file to ingest slowly enough to be caught at it.
async function setup(t: Parameters<typeof tempDir>[0]): Promise<{ dir: string; repo: string; big: string }> {
  const dir = await tempDir(t);
  const repo = join(dir, 'repo');
  await ingestAt(repo, await randomTree(join(dir, 'first'), 2, 1000));
  const big = join(dir, 'big');
  await mkdir(big);
  await writeLargeRandomFile(join(big, 'large.bin'), 96 << 20);
  return { dir, repo, big };
}

test('two ingests of different trees at once both land complete', async (t) => {
  const dir = await tempDir(t);
  const repo = join(dir, 'repo');
  await ingestAt(repo, await randomTree(join(dir, 'seed'), 1, 100));
  const a = await randomTree(join(dir, 'a'), 12, 1 << 20);
  const b = await randomTree(join(dir, 'b'), 12, 1 << 20);
  const [ra, rb] = await Promise.all([runCli(['ingest', '--init', '--json', a], { repo }), runCli(['ingest', '--init', '--json', b], { repo })]);
  assert.equal(ra.code, 0, ra.stderr);
  assert.equal(rb.code, 0, rb.stderr);
  const check = await checkJson(repo, '--read-data');
  assert.equal(check.code, 0, JSON.stringify(check.report));
  assert.equal(check.report.snapshots, 3);
  await assertRestoresIdentical(repo, { id: JSON.parse(ra.stdout).id, facts: await contentFacts(a) });
  await assertRestoresIdentical(repo, { id: JSON.parse(rb.stdout).id, facts: await contentFacts(b) });
  assert.deepEqual(await lockFiles(repo), []);
});

test("an ingest meets gc's exclusive lock: it fails with exit status 11, or waits with --lock-wait", async (t) => {
  const dir = await tempDir(t);
  const repo = join(dir, 'repo');
  await ingestAt(repo, await randomTree(join(dir, 'seed'), 1, 100));
  const src = await randomTree(join(dir, 'src'), 2, 1000);
  const gcLock = await acquireLock(repo, { kind: 'exclusive', command: 'gc' });
  const refused = await runCli(['ingest', '--init', src], { repo });
  assert.equal(refused.code, 11);
  assert.match(refused.stderr, /repository .* is locked by gc \(pid \d+ on host/);
  assert.match(refused.stderr, /--lock-wait/);
  const json = await runCli(['ingest', '--init', '--json', src], { repo });
  assert.equal(JSON.parse(json.stderr).code, 'LOCKED');
  for (const cmd of [['gc'], ['repair'], ['forget', 'latest'], ['check']]) {
    assert.equal((await runCli(cmd, { repo })).code, 11, `${cmd[0]} is refused too`);
  }

  const started = Date.now();
  const waiting = runCli(['ingest', '--init', '--lock-wait', '30s', src], { repo });
  await sleep(1500);
  await gcLock.release();
  const waited = await waiting;
  assert.equal(waited.code, 0, waited.stderr);
  assert.ok(Date.now() - started >= 1500, 'it waited for the lock');
  assert.equal((await checkJson(repo)).report.snapshots, 2);
});

test('an ingest and a real gc started together, both waiting for each other, lose nothing', async (t) => {
  const dir = await tempDir(t);
  const repo = join(dir, 'repo');
  await ingestAt(repo, await randomTree(join(dir, 'seed'), 1, 100));
  const old = await ingestAt(repo, await randomTree(join(dir, 'old'), 6, 1 << 20));
  assert.equal((await runCli(['forget', old.id], { repo })).code, 0);
  const src = await randomTree(join(dir, 'new'), 6, 1 << 20);
  const [gc, ingest] = await Promise.all([
    runCli(['gc', '--lock-wait', '1min'], { repo }),
    runCli(['ingest', '--init', '--json', '--lock-wait', '1min', src], { repo }),
  ]);
  assert.equal(gc.code, 0, gc.stderr);
  assert.equal(ingest.code, 0, ingest.stderr);
  const check = await checkJson(repo, '--read-data');
  assert.equal(check.code, 0, JSON.stringify(check.report));
  await assertRestoresIdentical(repo, { id: JSON.parse(ingest.stdout).id, facts: await contentFacts(src) });
});

test('the lock of a killed ingest is stale: the next command removes it with a warning', async (t) => {
  const { repo, big } = await setup(t);
  const ingest = startCli(repo, ['ingest', '--init', big]);
  await waitForLock(repo, ingest.exited);
  ingest.child.kill('SIGKILL');
  await ingest.exited;
  assert.equal((await lockFiles(repo)).length, 1, 'a killed process leaves its lock');
  const gc = await runCli(['gc'], { repo });
  assert.equal(gc.code, 0, gc.stderr);
  assert.match(gc.stderr, /removed stale shared lock by ingest \(pid \d+ .*\): process \d+ is gone/);
  assert.deepEqual(await lockFiles(repo), []);
  assert.equal((await checkJson(repo, '--read-data')).code, 0);
});

test('dedupfs unlock removes stale locks, and with --all every lock', async (t) => {
  const dir = await tempDir(t);
  const repo = join(dir, 'repo');
  await ingestAt(repo, await randomTree(join(dir, 'seed'), 1, 100));
  const now = new Date().toISOString();
  const record = (pid: number) => JSON.stringify({ kind: 'shared', pid, host: hostname(), command: 'ingest', created: now, refreshed: now });
  await writeFile(join(repo, 'locks', 'dead.lock'), record(2 ** 22 + 12345));   // above pid_max: no such process
  await writeFile(join(repo, 'locks', 'alive.lock'), record(process.pid));
  const stale = await runCli(['unlock', '--json'], { repo });
  assert.equal(stale.code, 0, stale.stderr);
  const removed = JSON.parse(stale.stdout).removed as string[];
  assert.equal(removed.length, 1);
  assert.match(removed[0], /process \d+ is gone/);
  assert.deepEqual(await lockFiles(repo), ['alive.lock']);
  const none = await runCli(['unlock'], { repo });
  assert.match(none.stdout, /no stale locks/);
  const all = await runCli(['unlock', '--all'], { repo });
  assert.match(all.stdout, /removed shared lock by ingest/);
  assert.deepEqual(await lockFiles(repo), []);
  assert.equal((await runCli(['unlock'], { repo: join(dir, 'no-such-repo') })).code, 10);
});

for (const [signal, status] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  test(`${signal} stops an ingest with exit status ${status} and releases its lock`, async (t) => {
    const { repo, big } = await setup(t);
    const ingest = startCli(repo, ['ingest', '--init', big]);
    await waitForLock(repo, ingest.exited);
    ingest.child.kill(signal);
    const [code] = await ingest.exited;
    assert.equal(code, status, ingest.stderr());
    assert.deepEqual(await lockFiles(repo), []);
    assert.equal((await checkJson(repo)).code, 0, 'the repository is intact');
  });
}
