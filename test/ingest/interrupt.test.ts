// An interrupted ingest loses no work. SIGINT and SIGTERM stop it with 130 and 143, one line
// saying what was kept, and packs/tmp empty: what was stored is sealed and indexed, so the next
// ingest stores only the rest. After kill -9, the next ingest takes over the unsealed packs the
// killed one left and does not store their blocks again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { acquireLock } from '../../src/repo/lock.js';
import { openRepository } from '../../src/repo/repository.js';
import { listPacks } from '../../src/store/listPacks.js';
import { repoLayout } from '../../src/core/layout.js';
import { CLI_PATH, runCli } from '../helpers/cli.js';
import { tempRepoPath, verifySnapshotBlocks } from '../helpers/repo.js';
import { writeLargeRandomFile } from '../helpers/sourceTree.js';
import { tempDir } from '../helpers/tempDir.js';

const PART = 24 << 20;
const PARTS = 4;

/** Bytes in packs, sealed or not (a pack sealed but not yet indexed is both: counted once). */
async function packBytes(repo: string): Promise<number> {
  const l = await listPacks(repoLayout(repo));
  const sealed = new Set(l.sealed.map((p) => p.packId));
  return [...l.sealed, ...l.unsealed.filter((p) => !sealed.has(p.packId))].reduce((n, p) => n + p.size, 0);
}

/** Starts an ingest of `src` and sends it `signal` once its packs hold `atBytes`; returns its exit and stderr. */
async function ingestStoppedAt(repo: string, src: string, atBytes: number, signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  const child = spawn(process.execPath, [CLI_PATH, 'ingest', '--init', src], { env: { ...process.env, DEDUPFS_REPO: repo }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, sig) => resolve({ code, signal: sig })));
  let done = false;
  void exited.then(() => { done = true; });
  while (!done && await packBytes(repo).catch(() => 0) < atBytes) await sleep(20);
  assert.ok(!done, 'the ingest ended before it could be stopped: make the source larger');
  child.kill(signal);
  return { ...(await exited), stderr };
}

async function source(t: Parameters<typeof tempDir>[0]): Promise<string> {
  const src = await tempDir(t);
  for (let i = 0; i < PARTS; i++) await writeLargeRandomFile(join(src, `part${i}.bin`), PART);
  return src;
}

async function ingestAgain(repo: string, src: string): Promise<{ added: number; recovered?: { blocks: number } }> {
  const again = await runCli(['ingest', '--init', '--json', src], { repo });
  assert.equal(again.code, 0, again.stderr);
  const s = JSON.parse(again.stdout);
  return { added: s.added.rawBytes, recovered: s.recovered };
}

for (const [signal, status] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  test(`${signal} stops ingest with ${status}, keeps what it stored, and the next ingest stores only the rest`, async (t) => {
    const repo = await tempRepoPath(t);
    const src = await source(t);
    assert.equal((await runCli(['init'], { repo })).code, 0);
    const stopped = await ingestStoppedAt(repo, src, PART, signal);
    assert.equal(stopped.code, status, stopped.stderr);
    const m = /^dedupfs: interrupted: ([\d.]+) MiB in ([\d,]+) blocks kept; run the same ingest again to continue$/m.exec(stopped.stderr);
    assert.ok(m, stopped.stderr);
    assert.equal(stopped.stderr.trim().split('\n').length, 1, 'one line');
    assert.deepEqual(await readdir(repoLayout(repo).packsTmp), [], 'nothing is left unsealed');
    const kept = Number(m[1]) * 2 ** 20;
    assert.ok(kept >= PART / 2, `kept ${kept} bytes`);

    const again = await ingestAgain(repo, src);
    t.diagnostic(`${signal}: kept ${m[1]} MiB; the next ingest stored ${(again.added / 2 ** 20).toFixed(1)} MiB of ${PARTS * PART / 2 ** 20} MiB`);
    assert.ok(again.added <= PARTS * PART - kept + (1 << 20), `stored again: ${again.added} of ${PARTS * PART}`);
    const r = await openRepository(repo, { lock: 'none', command: 'test' });
    try {
      for (const s of r.catalog.list()) await verifySnapshotBlocks(r, s);
    } finally {
      await r.close();
    }
  });
}

test('after kill -9, the next ingest keeps the unsealed packs the killed one left', async (t) => {
  const repo = await tempRepoPath(t);
  const src = await source(t);
  assert.equal((await runCli(['init'], { repo })).code, 0);
  const killed = await ingestStoppedAt(repo, src, PART * 1.5, 'SIGKILL');
  assert.equal(killed.signal, 'SIGKILL');
  const onDisk = await packBytes(repo);
  const left = (await listPacks(repoLayout(repo))).unsealed.length;

  const again = await ingestAgain(repo, src);
  t.diagnostic(`kill -9 with ${(onDisk / 2 ** 20).toFixed(1)} MiB in packs (${left} unsealed): the next ingest stored ${(again.added / 2 ** 20).toFixed(1)} MiB of ${PARTS * PART / 2 ** 20} MiB, took over ${again.recovered?.blocks} blocks`);
  if (left) assert.ok((again.recovered?.blocks ?? 0) > 0, 'the unsealed packs were taken over');
  assert.ok(again.added <= PARTS * PART - onDisk + (2 << 20), `stored again: ${again.added} with ${onDisk} on disk`);
  assert.deepEqual(await readdir(repoLayout(repo).packsTmp), [], 'no leftovers');
  const check = await runCli(['check', '--read-data'], { repo });
  assert.equal(check.code, 0, check.stdout + check.stderr);
});

test('a signal while ingest waits for a lock ends it at once', async (t) => {
  const repo = await tempRepoPath(t);
  const src = await tempDir(t);
  assert.equal((await runCli(['init'], { repo })).code, 0);
  const held = await acquireLock(repo, { kind: 'exclusive', command: 'test' });
  t.after(() => held.release());
  const child = spawn(process.execPath, [CLI_PATH, 'ingest', '--init', '--lock-wait', '5min', src], { env: { ...process.env, DEDUPFS_REPO: repo }, stdio: 'ignore' });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await sleep(1000);
  const sent = Date.now();
  child.kill('SIGTERM');
  assert.equal(await exited, 143);
  assert.ok(Date.now() - sent < 2000, 'it did not wait for the lock');
});
