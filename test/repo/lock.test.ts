// Repository locks on real files in a temporary repository: shared and exclusive conflicts,
// waiting, staleness (a killed process, an unrefreshed lock, an unreadable file), refreshing,
// cleanup on exit, `unlock`, and two exclusive requesters racing each other.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { acquireLock, listLocks, removeLocks, type LockOptions } from '../../src/repo/lock.js';
import { DedupfsError } from '../../src/core/errors.js';

const lockModule = fileURLToPath(new URL('../../src/repo/lock.js', import.meta.url));

async function tempRepo(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'dedupfs-lock-'));
}

const shared = (extra: Partial<LockOptions> = {}): LockOptions => ({ kind: 'shared', command: 'ingest', ...extra });
const exclusive = (extra: Partial<LockOptions> = {}): LockOptions => ({ kind: 'exclusive', command: 'gc', ...extra });

function isLocked(err: unknown): boolean {
  return err instanceof DedupfsError && err.code === 'LOCKED';
}

async function lockFileNames(repo: string): Promise<string[]> {
  return (await readdir(join(repo, 'locks'))).filter((name) => !name.startsWith('.'));
}

// Runs a node child that takes a shared lock through the compiled module, then either keeps
// running (until killed) or exits without releasing.
function lockingChild(repo: string, then: 'wait' | 'exit') {
  const script = `
    const { acquireLock } = await import(process.argv[1]);
    await acquireLock(process.argv[2], { kind: 'shared', command: 'child-ingest' });
    process.stdout.write('locked\\n');
    if (process.argv[3] === 'wait') setInterval(() => {}, 1000);`;
  return spawn(process.execPath, ['--input-type=module', '-e', script, lockModule, repo, then], { stdio: ['ignore', 'pipe', 'inherit'] });
}

async function writeForeignLock(repo: string, name: string, record: Record<string, unknown>): Promise<string> {
  await acquireLock(repo, shared()).then((l) => l.release());   // creates locks/
  const path = join(repo, 'locks', name);
  await writeFile(path, JSON.stringify(record));
  return path;
}

test('shared locks coexist; files are owner-only; release is idempotent', async () => {
  const repo = await tempRepo();
  const a = await acquireLock(repo, shared());
  const b = await acquireLock(repo, shared({ command: 'restore' }));
  assert.equal(a.kind, 'shared');
  const locks = await listLocks(repo);
  assert.deepEqual(locks.map((l) => l.record?.command).sort(), ['ingest', 'restore']);
  assert.ok(locks.every((l) => !l.stale && l.record?.pid === process.pid));
  assert.equal((await stat(join(repo, 'locks'))).mode & 0o777, 0o700);
  for (const l of locks) assert.equal((await stat(l.path)).mode & 0o777, 0o600);
  await a.release();
  await a.release();
  assert.equal((await lockFileNames(repo)).length, 1);
  await b.release();
  assert.deepEqual(await lockFileNames(repo), []);
});

test('an exclusive lock is refused while a shared one is held, and vice versa', async () => {
  const repo = await tempRepo();
  const s = await acquireLock(repo, shared());
  await assert.rejects(acquireLock(repo, exclusive()), (err: unknown) => {
    assert.ok(isLocked(err));
    const e = err as DedupfsError;
    assert.match(e.message, new RegExp(`^repository ${repo} is locked by ingest \\(pid ${process.pid} on host .+ since \\d{4}-.+Z\\)$`));
    assert.match(e.hint!, /dedupfs unlock/);
    return true;
  });
  assert.equal((await lockFileNames(repo)).length, 1, 'the refused requester left no file');
  await s.release();

  const x = await acquireLock(repo, exclusive());
  await assert.rejects(acquireLock(repo, shared()), isLocked);
  await assert.rejects(acquireLock(repo, exclusive({ command: 'repair' })), isLocked);
  await x.release();
  await (await acquireLock(repo, shared())).release();
});

test('waitMs waits for a conflicting lock to be released', async () => {
  const repo = await tempRepo();
  const s = await acquireLock(repo, shared());
  const started = Date.now();
  setTimeout(() => void s.release(), 200);
  const x = await acquireLock(repo, exclusive({ waitMs: 5_000 }));
  assert.ok(Date.now() - started >= 150);
  await x.release();
});

test('waitMs gives up with LOCKED once the wait is over', async () => {
  const repo = await tempRepo();
  const x = await acquireLock(repo, exclusive());
  const started = Date.now();
  await assert.rejects(acquireLock(repo, shared({ waitMs: 300 })), isLocked);
  const waited = Date.now() - started;
  assert.ok(waited >= 300 && waited < 3_000, `waited ${waited} ms`);
  await x.release();
});

test('the lock of a killed process is stale: removed with a warning', async () => {
  const repo = await tempRepo();
  const child = lockingChild(repo, 'wait');
  const [line] = await once(child.stdout!, 'data');
  assert.equal(String(line), 'locked\n');
  child.kill('SIGKILL');
  await once(child, 'exit');

  const [left] = await listLocks(repo);
  assert.equal(left.record?.pid, child.pid);
  assert.equal(left.stale, true);
  assert.equal(left.staleReason, `process ${child.pid} is gone`);

  const warnings: string[] = [];
  const x = await acquireLock(repo, exclusive({ onWarning: (msg) => warnings.push(msg) }));
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], new RegExp(`^removed stale shared lock by child-ingest \\(pid ${child.pid} .*\\): process ${child.pid} is gone$`));
  assert.equal((await lockFileNames(repo)).length, 1);
  await x.release();
});

test('a process that exits without releasing leaves no lock', async () => {
  const repo = await tempRepo();
  const child = lockingChild(repo, 'exit');
  const [code] = await once(child, 'exit');
  assert.equal(code, 0);
  assert.deepEqual(await lockFileNames(repo), []);
});

test('a lock on another host is stale only once it has not been refreshed for staleMs', async () => {
  const repo = await tempRepo();
  const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
  const now = new Date().toISOString();
  const record = { kind: 'exclusive', pid: 999_999_999, host: 'elsewhere.example', command: 'gc', created: hourAgo };
  const fresh = await writeForeignLock(repo, 'fresh.lock', { ...record, refreshed: now });
  await assert.rejects(acquireLock(repo, shared()), (err: unknown) => isLocked(err) && /locked by gc \(pid 999999999 on host elsewhere\.example since/.test((err as Error).message));
  await writeFile(fresh, JSON.stringify({ ...record, refreshed: hourAgo }));

  const warnings: string[] = [];
  const s = await acquireLock(repo, shared({ staleMs: 30 * 60_000, onWarning: (msg) => warnings.push(msg) }));
  assert.deepEqual(warnings, [`removed stale exclusive lock by gc (pid 999999999 on host elsewhere.example since ${hourAgo}): not refreshed since ${hourAgo}`]);
  assert.equal((await lockFileNames(repo)).length, 1);
  await s.release();
});

test('an unreadable lock file conflicts until it is older than staleMs', async () => {
  const repo = await tempRepo();
  const path = await writeForeignLock(repo, 'garbage.lock', {});
  await writeFile(path, '{"kind": "excl');
  await assert.rejects(acquireLock(repo, shared()), (err: unknown) => isLocked(err) && /an unreadable lock file/.test((err as Error).message));
  const old = new Date(Date.now() - 2 * 3_600_000);
  await utimes(path, old, old);
  const warnings: string[] = [];
  const s = await acquireLock(repo, shared({ onWarning: (msg) => warnings.push(msg) }));
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /unreadable lock file .*garbage\.lock.*: unreadable and not modified since/);
  await s.release();
});

test('removeLocks removes the stale locks, or all of them', async () => {
  const repo = await tempRepo();
  const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
  const live = await acquireLock(repo, shared());
  await writeForeignLock(repo, 'old.lock', { kind: 'shared', pid: 42, host: 'elsewhere.example', command: 'mount', created: hourAgo, refreshed: hourAgo });
  assert.equal((await listLocks(repo)).length, 2);

  const removed = await removeLocks(repo, { all: false });
  assert.equal(removed.length, 1);
  assert.match(removed[0], /^shared lock by mount \(pid 42 on host elsewhere\.example since .*\): not refreshed since /);
  assert.equal((await listLocks(repo)).length, 1);

  const [mine] = await listLocks(repo);
  const removedAll = await removeLocks(repo, { all: true });
  assert.deepEqual(removedAll, [`shared lock by ingest (pid ${process.pid} on host ${mine.record!.host} since ${mine.record!.created})`]);
  assert.deepEqual(await listLocks(repo), []);
  await live.release();
});

test('a held lock is refreshed, and never brought back after release', async () => {
  const repo = await tempRepo();
  const s = await acquireLock(repo, shared({ refreshMs: 20 }));
  await sleep(150);
  const [info] = await listLocks(repo);
  assert.ok(Date.parse(info.record!.refreshed) > Date.parse(info.record!.created), 'refreshed moved on');
  await s.release();
  await sleep(100);
  assert.deepEqual(await lockFileNames(repo), []);
  assert.deepEqual(await readdir(join(repo, 'locks')), [], 'no temporary files left');
});

test('a held lock removed by someone else is reported, not recreated', async () => {
  const repo = await tempRepo();
  const warnings: string[] = [];
  const s = await acquireLock(repo, shared({ refreshMs: 20, onWarning: (msg) => warnings.push(msg) }));
  await removeLocks(repo, { all: true });
  await sleep(100);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /was removed by someone else/);
  assert.deepEqual(await lockFileNames(repo), []);
  await s.release();
});

test('two exclusive requesters that wait both get the lock, one after the other', async () => {
  const repo = await tempRepo();
  const spans: Array<[number, number]> = [];
  const work = async () => {
    const x = await acquireLock(repo, exclusive({ waitMs: 10_000 }));
    const start = Date.now();
    await sleep(100);
    spans.push([start, Date.now()]);
    await x.release();
  };
  await Promise.all([work(), work(), work()]);
  spans.sort((a, b) => a[0] - b[0]);
  assert.equal(spans.length, 3);
  for (let i = 1; i < spans.length; i++) assert.ok(spans[i][0] >= spans[i - 1][1], 'holds do not overlap');
  assert.deepEqual(await lockFileNames(repo), []);
});

test('a missing repository is reported as such', async () => {
  const repo = join(await tempRepo(), 'nope');
  await assert.rejects(acquireLock(repo, shared()), (err: unknown) => err instanceof DedupfsError && err.code === 'NO_REPOSITORY');
});
