// kill -9 of gc at many points: whatever moment the kill lands on (marking, copying blocks into
// new packs, sealing, updating the index, deleting packs), check --read-data passes afterwards,
// every remaining snapshot restores identical, and a gc run to the end then reaches the same
// size as one never interrupted. The kill points are spread over the measured length of a whole
// gc run after the CLI's start-up, with some randomness, so repeated runs hit different steps.
import { test, before, after, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, readdirSync, watch, type FSWatcher } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_PATH, runCli } from '../helpers/cli.js';
import { assertRestoresIdentical, checkJson, copyRepo, ingestAt, packBytes, type IngestedSnapshot } from './fixtures.js';

const MiB = 1 << 20;
const KILLS = 8;
let work: string;
let base: string;
let referenceBytes = 0;
const kept: IngestedSnapshot[] = [];

// s1: f0..f11 (2 MiB each); s2 replaces f0..f3; s3 replaces f4..f7. Forgetting s1 leaves its
// packs two thirds dead: gc deletes some and rewrites the others.
before(async () => {
  work = await mkdtemp(join(tmpdir(), 'dedupfs-gckill-'));
  base = join(work, 'repo');
  const src = join(work, 'src');
  await mkdir(src);
  const write = async (from: number, to: number) => {
    for (let i = from; i <= to; i++) await writeFile(join(src, `f${i}.bin`), randomBytes(2 * MiB));
  };
  await write(0, 11);
  const s1 = await ingestAt(base, src, { time: new Date('2025-01-01T00:00:00Z') });
  await write(0, 3);
  kept.push(await ingestAt(base, src, { time: new Date('2025-01-02T00:00:00Z') }));
  await write(4, 7);
  kept.push(await ingestAt(base, src, { time: new Date('2025-01-03T00:00:00Z') }));
  const r = await runCli(['forget', s1.id], { repo: base });
  assert.equal(r.code, 0, r.stderr);
});

after(() => rm(work, { recursive: true, force: true }));

// Starts gc and lets `arm` decide when to SIGKILL it; resolves to how it ended.
async function gcKilled(repo: string, arm: (kill: () => void) => (() => void) | void, when: string): Promise<string> {
  const child = spawn(process.execPath, [CLI_PATH, 'gc', '--quiet'], { env: { ...process.env, DEDUPFS_REPO: repo }, stdio: 'ignore' });
  const exited = once(child, 'exit');
  const disarm = arm(() => child.kill('SIGKILL'));
  const [code, signal] = await exited;
  disarm?.();
  return signal ? `killed at ${when}` : `finished (exit ${code}) before ${when}`;
}

// After a killed gc: check --read-data passes, every kept snapshot restores identical, and a
// gc run to the end leaves the repository as small as an uninterrupted one did.
async function assertNothingLost(t: TestContext, repo: string, what: string, expectedBytes: number): Promise<void> {
  const check = await checkJson(repo, '--read-data');
  const r = check.report;
  t.diagnostic(`${what}; left ${r.packs} packs, ${r.unsealedPacks} unsealed, `
    + `${r.unindexedBlocks} blocks not in the index, ${r.unreferencedBlocks} index entries no snapshot needs`);
  assert.equal(check.code, 0, `${what}: ${JSON.stringify(r)}`);
  for (const snap of kept) await assertRestoresIdentical(repo, snap);
  const rerun = await runCli(['gc'], { repo });
  assert.equal(rerun.code, 0, rerun.stderr);
  const bytes = await packBytes(repo);
  assert.ok(Math.abs(bytes - expectedBytes) < 64 * 1024, `${what}: ${bytes} bytes after a second gc, ${expectedBytes} after an uninterrupted one`);
  const final = await checkJson(repo, '--read-data');
  assert.equal(final.code, 0, `${what}, then a whole gc: ${JSON.stringify(final.report)}`);
  await rm(repo, { recursive: true, force: true });
}

test('gc killed with SIGKILL at random moments loses nothing', async (t) => {
  const reference = join(work, 'reference');
  await copyRepo(base, reference);
  const started = Date.now();
  const full = await runCli(['gc', '--json'], { repo: reference });
  const wholeRunMs = Date.now() - started;
  assert.equal(full.code, 0, full.stderr);
  const result = JSON.parse(full.stdout);
  assert.ok(result.deletePacks + result.rewritePacks >= 1, 'gc has packs to delete or rewrite');
  referenceBytes = await packBytes(reference);
  // Kills before the CLI has even started teach nothing: spread them over the rest of the run.
  const startedAt = Date.now();
  await runCli(['--version']);
  const startupMs = (Date.now() - startedAt) * 0.8;
  t.diagnostic(`a whole gc run takes ${wholeRunMs} ms (starting up ${Math.round(startupMs)}) and leaves ${referenceBytes} bytes`);

  for (let i = 0; i < KILLS; i++) {
    const repo = join(work, `kill-${i}`);
    await copyRepo(base, repo);
    const delay = startupMs + (wholeRunMs - startupMs) * (i + Math.random()) / KILLS;
    const ended = await gcKilled(repo, (kill) => {
      const timer = setTimeout(kill, delay);
      return () => clearTimeout(timer);
    }, `${Math.round(delay)} ms`);
    await assertNothingLost(t, repo, `run ${i}: gc ${ended}`, referenceBytes);
  }
});

// The steps that matter most, caught as they happen: inotify tells when gc creates a new pack in
// packs/tmp (copying), when that pack leaves packs/tmp (sealed, the index about to name it), and
// when an old pack is unlinked (the index already swept). The kill lands a moment after.
test('gc killed with SIGKILL while copying, sealing or deleting loses nothing', async (t) => {
  assert.ok(referenceBytes > 0, 'the random-kill test ran first');
  const moments: Array<[string, (repo: string, kill: () => void) => FSWatcher[]]> = [
    ['writing a new pack', (repo, kill) => [watchDir(join(repo, 'packs', 'tmp'), (present) => present && kill())]],
    ['sealing a new pack', (repo, kill) => [watchDir(join(repo, 'packs', 'tmp'), (present) => !present && kill())]],
    ['deleting old packs', (repo, kill) => packDirs(repo).map((dir) => watchDir(dir, (present) => !present && kill()))],
  ];
  for (const [moment, watchFor] of moments) {
    const repo = join(work, `kill-${moment.replace(/ /g, '-')}`);
    await copyRepo(base, repo);
    await mkdir(join(repo, 'packs', 'tmp'), { recursive: true });
    const ended = await gcKilled(repo, (kill) => {
      const watchers = watchFor(repo, kill);
      return () => watchers.forEach((w) => w.close());
    }, moment);
    await assertNothingLost(t, repo, `gc ${ended}`, referenceBytes);
  }
});

// Calls `onChange(present)` for every entry created or removed in `dir`.
function watchDir(dir: string, onChange: (present: boolean) => void): FSWatcher {
  return watch(dir, (_event, name) => { if (name) onChange(existsSync(join(dir, name))); });
}

function packDirs(repo: string): string[] {
  return readdirSync(join(repo, 'packs')).filter((d) => d !== 'tmp').map((d) => join(repo, 'packs', d));
}
