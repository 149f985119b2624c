// The lock protocol on both backends (src/backend/backendLock.ts), with real processes racing
// each other: two exclusives never overlap, shared ones do, shared and exclusive wait for each
// other, two records locks (tag, forget) wait for each other while a shared one goes beside them, a killed holder's lock expires, a deleted or unrefreshed lock is known to be lost, and
// on S3 a lock is refreshed while uploads fill the transfer queue, and every 30 s by default.
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_REFRESH_MS, DEFAULT_STALE_MS, acquireBackendLock, readLocks, type LockKind } from '../../src/backend/backendLock.js';
import { openBackend } from '../../src/backend/openBackend.js';
import { formatS3Location } from '../../src/backend/parseRepoLocation.js';
import { DedupfsError } from '../../src/core/errors.js';
import { tempDir } from '../helpers/tempDir.js';
import { skipS3, testBucket } from './s3TestServer.js';

const backendModule = fileURLToPath(new URL('../../src/backend/openBackend.js', import.meta.url));
const lockModule = fileURLToPath(new URL('../../src/backend/backendLock.js', import.meta.url));

interface Held { ok: boolean; from: number; to: number; code?: string }

// A child process that opens the repository, waits until `startAt` so that its rival races it,
// takes a lock, holds it for holdMs and releases it; prints one JSON line with what happened.
async function lockingChild(repo: string, kind: LockKind, opts: { startAt: number; holdMs: number; waitMs: number }): Promise<Held> {
  const script = `
    const [backendModule, lockModule, repo, kind, startAt, holdMs, waitMs] = process.argv.slice(1);
    const { openBackend } = await import(backendModule);
    const { acquireBackendLock } = await import(lockModule);
    const b = await openBackend(repo);
    await new Promise((r) => setTimeout(r, Math.max(0, Number(startAt) - Date.now())));
    try {
      const lock = await acquireBackendLock(b, { kind, command: 'race', waitMs: Number(waitMs) });
      const from = Date.now();
      await new Promise((r) => setTimeout(r, Number(holdMs)));
      const to = Date.now();
      await lock.release();
      console.log(JSON.stringify({ ok: true, from, to }));
    } catch (err) {
      console.log(JSON.stringify({ ok: false, code: err.code }));
    }
    await b.close();`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script, backendModule, lockModule, repo, kind,
    String(opts.startAt), String(opts.holdMs), String(opts.waitMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  await once(child, 'exit');
  return JSON.parse(out) as Held;
}

async function race(repo: string, kinds: [LockKind, LockKind], holdMs: number, waitMs: number): Promise<Held[]> {
  const startAt = Date.now() + 2500;   // both children have loaded and opened by then
  return Promise.all(kinds.map((kind) => lockingChild(repo, kind, { startAt, holdMs, waitMs })));
}

const overlap = (a: Held, b: Held): boolean => a.from < b.to && b.from < a.to;

const kinds = [
  { name: 'folder', skip: false as const, repo: (t: TestContext) => tempDir(t, 'dedupfs-lock-') },
  { name: 's3', skip: skipS3, repo: async (t: TestContext) => formatS3Location(await testBucket(t)) },
];

for (const kind of kinds) {
  describe(`locks on a ${kind.name} backend`, { skip: kind.skip }, () => {
    test('two processes racing for an exclusive lock: exactly one gets it when neither waits', async (t) => {
      const repo = await kind.repo(t);
      const results = await race(repo, ['exclusive', 'exclusive'], 4000, 0);
      assert.equal(results.filter((r) => r.ok).length, 1, JSON.stringify(results));
      assert.equal(results.find((r) => !r.ok)?.code, 'LOCKED');
      const b = await openBackend(repo);
      assert.deepEqual(await readLocks(b), [], 'both lock objects are gone');
      await b.close();
    });

    test('racing exclusive and shared with waiting: both get it, one after the other', async (t) => {
      const repo = await kind.repo(t);
      const [x, s] = await race(repo, ['exclusive', 'shared'], 1000, 30_000);
      assert.ok(x!.ok && s!.ok, JSON.stringify([x, s]));
      assert.ok(!overlap(x!, s!), `held at the same time: ${JSON.stringify([x, s])}`);
    });

    test('two shared locks are held at the same time', async (t) => {
      const repo = await kind.repo(t);
      const [a, b] = await race(repo, ['shared', 'shared'], 2000, 0);
      assert.ok(a!.ok && b!.ok && overlap(a!, b!), JSON.stringify([a, b]));
    });

    test('records locks: two wait for each other, exclusive waits for one, shared goes beside one', async (t) => {
      const repo = await kind.repo(t);
      const [a, b] = await race(repo, ['records', 'records'], 1000, 30_000);
      assert.ok(a!.ok && b!.ok && !overlap(a!, b!), `two records locks: ${JSON.stringify([a, b])}`);
      const [r, x] = await race(repo, ['records', 'exclusive'], 1000, 30_000);
      assert.ok(r!.ok && x!.ok && !overlap(r!, x!), `records and exclusive: ${JSON.stringify([r, x])}`);
      const [r2, s] = await race(repo, ['records', 'shared'], 2000, 0);
      assert.ok(r2!.ok && s!.ok && overlap(r2!, s!), `records and shared: ${JSON.stringify([r2, s])}`);
      const b2 = await openBackend(repo);
      t.after(() => b2.close());
      const held = await acquireBackendLock(b2, { kind: 'records', command: 'tag' });
      assert.match(held.key, /-r\.lock$/);
      assert.deepEqual((await readLocks(b2)).map((l) => l.kind), ['records']);
      await assert.rejects(acquireBackendLock(b2, { kind: 'records', command: 'forget' }),
        (err: unknown) => err instanceof DedupfsError && err.code === 'LOCKED' && /locked by tag \(pid/.test(err.message));
      await held.release();
    });

    test('a killed holder\'s lock blocks until it is stale, then is removed with a warning', async (t) => {
      const repo = await kind.repo(t);
      const b = await openBackend(repo);
      t.after(() => b.close());
      const child = spawn(process.execPath, ['--input-type=module', '-e', `
        const { openBackend } = await import(process.argv[1]);
        const { acquireBackendLock } = await import(process.argv[2]);
        await acquireBackendLock(await openBackend(process.argv[3]), { kind: 'exclusive', command: 'doomed' });
        console.log('held');
        setInterval(() => {}, 1000);`, backendModule, lockModule, repo], { stdio: ['ignore', 'pipe', 'inherit'] });
      await once(child.stdout, 'data');
      child.kill('SIGKILL');
      await once(child, 'exit');
      await assert.rejects(acquireBackendLock(b, { kind: 'shared', command: 'ingest', staleMs: 3000 }),
        (err) => err instanceof DedupfsError && err.code === 'LOCKED' && /locked by doomed \(pid \d+/.test(err.message));
      await sleep(4200);
      const warnings: string[] = [];
      const lock = await acquireBackendLock(b, { kind: 'shared', command: 'ingest', staleMs: 3000, onWarning: (w) => warnings.push(w) });
      assert.match(warnings.join('\n'), /removed stale exclusive lock locks\//);
      await lock.release();
    });

    test('a lock deleted by someone else, or not refreshed for staleMs/2, is lost: assertHeld throws', async (t) => {
      const b = await openBackend(await kind.repo(t));
      t.after(() => b.close());
      const lock = await acquireBackendLock(b, { kind: 'exclusive', command: 'gc', refreshMs: 100 });
      lock.assertHeld();
      await b.delete(lock.key);
      await sleep(600);
      assert.throws(() => lock.assertHeld(), (err) => err instanceof DedupfsError && err.code === 'LOCKED' && /deleted by another process/.test(err.message));
      await lock.release();

      const slow = await acquireBackendLock(b, { kind: 'exclusive', command: 'gc', staleMs: 400, refreshMs: 60_000 });
      slow.assertHeld();
      await sleep(300);
      assert.throws(() => slow.assertHeld(), (err) => err instanceof DedupfsError && err.code === 'LOCKED' && /was not refreshed since/.test(err.message));
      await slow.release();
      assert.deepEqual(await readLocks(b), []);
    });

    if (kind.name === 's3') {
      test('a held lock is refreshed while uploads fill the transfer queue', async (t) => {
        const repo = await kind.repo(t);
        const b = await openBackend(repo, { s3: { concurrency: 1 } });
        t.after(() => b.close());
        const lock = await acquireBackendLock(b, { kind: 'shared', command: 'ingest', refreshMs: 150 });
        let uploading = true;
        const uploads = Promise.all(Array.from({ length: 6 }, (_, i) => b.put(`packs/00/${i}.pack`, randomBytes(16 << 20))))
          .finally(() => { uploading = false; });
        const seen = new Set<number>();
        while (uploading) {
          seen.add(lock.refreshed.getTime());
          await sleep(50);
        }
        await uploads;
        lock.assertHeld();
        await lock.release();
        assert.ok(seen.size >= 3, `refreshed ${seen.size - 1} times during the uploads`);
      });

      test('by default a held lock is rewritten every 30 s, and a killed holder\'s blocks for 3 minutes at most', async (t) => {
        // Stale after six refresh periods: a holder declares its lock lost after three without a successful one.
        assert.ok(DEFAULT_STALE_MS <= 3 * 60_000 && DEFAULT_STALE_MS >= 6 * DEFAULT_REFRESH_MS, `stale ${DEFAULT_STALE_MS} ms, refresh ${DEFAULT_REFRESH_MS} ms`);
        const b = await openBackend(await kind.repo(t));
        t.after(() => b.close());
        const lock = await acquireBackendLock(b, { kind: 'exclusive', command: 'gc' });
        const written = (await b.head(lock.key))!.modified.getTime();
        await sleep(DEFAULT_REFRESH_MS + 10_000); // room for a slow refresh on a busy machine
        const rewritten = (await b.head(lock.key))!.modified.getTime();
        lock.assertHeld();
        await lock.release();
        assert.ok(rewritten > written, `the lock object was last written at ${new Date(rewritten).toISOString()}, as when taken`);
      });
    }
  });
}
