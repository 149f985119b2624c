// The fault matrix: every kind of damage a disk, a crash or a person does to a repository,
// each followed by what the user would do, which is what dedupfs says: the "hint:" line it
// prints on stderr is parsed and obeyed (re-ingest the sources, or run the quoted command),
// until check --read-data passes. Then every snapshot is still listed (a damaged record is the
// only way to lose one, and it is kept quarantined), and every file that the damage did not take
// restores identical (a file may only be missing if the repair that rewrote its snapshot lists
// it as dropped). Hints that forget snapshots are never followed: none should be needed.
// The index and catalog are deleted, replaced whole, or (the index) have their meta pages
// overwritten; finer damage to their pages is pinned in test/repo/damagedIndex.test.ts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, open, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openRepository } from '../../src/repo/repository.js';
import { restoreSnapshot } from '../../src/restore/restoreSnapshot.js';
import { CLI_PATH, runCli } from '../helpers/cli.js';
import { deletePack, dropCatalog, dropIndex, flipBlockByte, garbleCatalog, locateBlocks, truncatePack } from '../helpers/damage.js';
import { contentFacts, copyRepo, ingestAt, type IngestedSnapshot } from './fixtures.js';

const KiB = 1024;
let work: string;
let base: string;
const sources: string[] = [];
/** t1 (src1, old), t2 (src1, current), t3 (src2) */
const snaps: IngestedSnapshot[] = [];

// Reads every file and lists every folder twice, so that (relatime) no later read moves an
// atime: re-ingesting an unchanged source then gives the very same trees, and a lost tree heals.
async function settle(dir: string): Promise<void> {
  for (let i = 0; i < 2; i++) {
    for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
      const path = join(e.parentPath ?? (e as unknown as { path: string }).path, e.name);
      if (e.isFile()) readFileSync(path);
      else if (e.isDirectory()) readdirSync(path);
    }
    readdirSync(dir);
  }
}

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'dedupfs-faults-'));
  base = join(work, 'repo');
  const src1 = join(work, 'src1');
  const src2 = join(work, 'src2');
  sources.push(src1, src2);
  await mkdir(join(src1, 'sub'), { recursive: true });
  await mkdir(src2);
  const shared = randomBytes(160 * KiB);
  for (let i = 0; i < 4; i++) await writeFile(join(src1, `f${i}.bin`), randomBytes(96 * KiB));
  await writeFile(join(src1, 'shared.bin'), shared);
  await writeFile(join(src1, 'sub', 'note.txt'), 'a note\n');
  await settle(src1);
  snaps.push(await ingestAt(base, src1, { time: new Date('2025-01-01T00:00:00Z') }));
  await writeFile(join(src1, 'f0.bin'), randomBytes(96 * KiB));
  await writeFile(join(src1, 'big.bin'), randomBytes(3072 * KiB));
  await settle(src1);
  snaps.push(await ingestAt(base, src1, { time: new Date('2025-01-02T00:00:00Z') }));
  await cp(join(base, 'index'), join(work, 'index-before-t3'), { recursive: true });
  await writeFile(join(src2, 'shared.bin'), shared);
  await writeFile(join(src2, 'own.bin'), randomBytes(128 * KiB));
  await settle(src2);
  snaps.push(await ingestAt(base, src2, { time: new Date('2025-01-03T00:00:00Z') }));
});

after(() => rm(work, { recursive: true, force: true }));

// The "hint: ..." line of a command that finished, or the hint line under an error (with the
// error, which names what is damaged).
function hintOf(stderr: string): string | undefined {
  const done = /^hint: (.*)$/m.exec(stderr);
  if (done) return done[1];
  const failed = /^dedupfs: (.*)\n {2}(.*)$/m.exec(stderr);
  return failed ? `${failed[2]} (${failed[1]})` : undefined;
}

// Does what the hints say until check --read-data passes; returns the steps taken.
async function followHints(repo: string, fixConfig: () => Promise<void>): Promise<string[]> {
  const steps: string[] = [];
  let reingested = false;
  let hint: string | undefined;
  for (let round = 0; round < 8; round++) {
    if (!hint) {
      const check = await runCli(['check', '--read-data'], { repo });
      if (check.code === 0) return steps;
      hint = hintOf(check.stderr);
      assert.ok(hint, `check failed without a hint: ${check.stdout}${check.stderr}`);
    }
    const command = /'dedupfs ([^']+)'/.exec(hint)?.[1];
    if (/config\.json/.test(hint)) {
      steps.push('put back config.json from a copy');
      await fixConfig();
    } else if (/^re-ingest/.test(hint) && !reingested) {
      steps.push('re-ingest');
      for (const src of sources) await ingestAt(repo, src);
      reingested = true;
    } else if (command) {
      assert.doesNotMatch(command, /forget/, `a hint would forget snapshots: ${hint}`);
      steps.push(command);
      const r = await runCli(command.split(' '), { repo });
      assert.notEqual(r.code, 1, `dedupfs ${command} failed: ${r.stderr}`);
      const next = hintOf(r.stderr);
      if (next && !(reingested && /^re-ingest/.test(next))) {
        hint = next;
        continue;
      }
    } else {
      assert.fail(`a hint with nothing to do: ${hint}`);
    }
    hint = undefined;
  }
  assert.fail(`check --read-data still fails after ${steps.join(', ')}`);
}

// Every original snapshot (or the one a repair wrote in its place) is listed and restores what
// was ingested, but for the paths a repair says it dropped; `lost` names snapshots whose record
// itself was destroyed.
async function assertHistoryKept(repo: string, what: string, lost: string[] = []): Promise<void> {
  // Through the library: one open for every restore keeps the matrix fast (the CLI's restore is
  // tested on its own); the hints above all went through the CLI.
  const open = await openRepository(repo, { lock: 'shared', command: 'test' });
  try {
    const now = open.catalog.list();
    for (const snap of snaps) {
      if (lost.includes(snap.id)) continue;
      let current = now.find((s) => s.id === snap.id);
      const dropped = new Set<string>();
      for (let from = snap.id; !current;) {
        const next = now.find((s) => s.repaired?.from === from);
        assert.ok(next, `${what}: snapshot ${snap.id.slice(0, 8)} is no longer listed`);
        for (const p of next.repaired!.dropped) dropped.add(p);
        if (now.some((s) => s.id === next.id)) current = next;
        from = next.id;
      }
      const target = await mkdtemp(join(work, 'restored-'));
      try {
        await restoreSnapshot(open, { snapshot: current.id, target });
        const got = await contentFacts(target);
        for (const [path, fact] of snap.facts) {
          if (dropped.has(path) || [...dropped].some((d) => path.startsWith(`${d}/`))) continue;
          assert.equal(got.get(path), fact, `${what}: ${path} of snapshot ${snap.id.slice(0, 8)}`);
        }
      } finally {
        await rm(target, { recursive: true, force: true });
      }
    }
  } finally {
    await open.close();
  }
}

interface Case { name: string; damage: (repo: string) => Promise<string[] | void> }

const snapshotFile = (repo: string, i: number) => join(repo, 'snapshots', `${snaps[i].id}.json`);

const cases: Case[] = [
  { name: 'pack: flipped byte in a block all snapshots share', damage: async (repo) => flipBlockByte((await locateBlocks(repo, snaps[0].id, '/shared.bin'))[0]) },
  { name: 'pack: flipped byte in a block only the oldest snapshot has', damage: async (repo) => flipBlockByte((await locateBlocks(repo, snaps[0].id, '/f0.bin'))[0]) },
  { name: 'pack: flipped byte in a root tree', damage: async (repo) => flipBlockByte((await locateBlocks(repo, snaps[2].id, '/'))[0]) },
  {
    name: 'pack: truncated in the middle', damage: async (repo) => {
      const b = await locateBlocks(repo, snaps[1].id, '/big.bin');
      await truncatePack(b[0].path, b[Math.floor(b.length / 2)].offset + 100);
    },
  },
  { name: 'pack: deleted', damage: async (repo) => deletePack((await locateBlocks(repo, snaps[2].id, '/own.bin'))[0].path) },
  {
    name: 'pack: two packs swapped', damage: async (repo) => {
      const [a] = await locateBlocks(repo, snaps[0].id, '/f1.bin');
      const [b] = await locateBlocks(repo, snaps[2].id, '/own.bin');
      await rename(a.path, `${a.path}.x`);
      await rename(b.path, a.path);
      await rename(`${a.path}.x`, b.path);
    },
  },
  { name: 'index: deleted', damage: (repo) => dropIndex(repo) },
  {
    name: 'index: an older copy put back', damage: async (repo) => {
      await dropIndex(repo);
      await cp(join(work, 'index-before-t3'), join(repo, 'index'), { recursive: true });
    },
  },
  {
    name: 'index: its first 8 KiB (the meta pages) overwritten with garbage', damage: async (repo) => {
      const fh = await open(join(repo, 'index', 'data.mdb'), 'r+');
      await fh.write(randomBytes(8192), 0, 8192, 0);
      await fh.close();
    },
  },
  { name: 'catalog: deleted', damage: (repo) => dropCatalog(repo) },
  { name: 'catalog: garbage', damage: (repo) => garbleCatalog(repo) },
  {
    name: 'snapshot record: cut in half', damage: async (repo) => {
      const text = await readFile(snapshotFile(repo, 1), 'utf8');
      await writeFile(snapshotFile(repo, 1), text.slice(0, text.length >> 1));
      return [snaps[1].id];
    },
  },
  {
    name: 'snapshot record: cut in half, catalog deleted', damage: async (repo) => {
      const text = await readFile(snapshotFile(repo, 2), 'utf8');
      await writeFile(snapshotFile(repo, 2), text.slice(0, text.length >> 1));
      await dropCatalog(repo);
      return [snaps[2].id];
    },
  },
  {
    name: 'snapshot record: root set to zeros', damage: async (repo) => {
      const text = await readFile(snapshotFile(repo, 0), 'utf8');
      await writeFile(snapshotFile(repo, 0), text.replace(/"root": "[0-9a-f]{64}"/, `"root": "${'0'.repeat(64)}"`));
      return [snaps[0].id];
    },
  },
  {
    name: 'snapshot record: two records swapped', damage: async (repo) => {
      const [a, b] = [await readFile(snapshotFile(repo, 0)), await readFile(snapshotFile(repo, 2))];
      await writeFile(snapshotFile(repo, 0), b);
      await writeFile(snapshotFile(repo, 2), a);
      return [snaps[0].id, snaps[2].id];
    },
  },
  {
    name: 'config: hash changed', damage: async (repo) => {
      const path = join(repo, 'config.json');
      const text = await readFile(path, 'utf8');
      await writeFile(path, text.replace(/"hash": *"blake3"/, '"hash": "sha256"'));
    },
  },
  {
    name: 'config: cut in half', damage: async (repo) => {
      const path = join(repo, 'config.json');
      const text = await readFile(path, 'utf8');
      await writeFile(path, text.slice(0, text.length >> 1));
    },
  },
];

for (const c of cases) {
  test(`fault: ${c.name}`, async () => {
    const repo = join(await mkdtemp(join(work, 'case-')), 'repo');
    await copyRepo(base, repo);
    const config = await readFile(join(repo, 'config.json'));
    const lost = (await c.damage(repo)) ?? [];
    await followHints(repo, () => writeFile(join(repo, 'config.json'), config));
    await assertHistoryKept(repo, c.name, lost);
    for (const id of lost) assert.ok(existsSync(join(repo, 'snapshots', `${id}.json.damaged`)), `${c.name}: the damaged record is quarantined`);
  });
}

// kill -9 of a command `ms` after it starts: the repository must need at most what the hints say.
async function killed(repo: string, args: string[], ms: number): Promise<string> {
  const child = spawn(process.execPath, [CLI_PATH, ...args], { env: { ...process.env, DEDUPFS_REPO: repo }, stdio: 'ignore' });
  const timer = setTimeout(() => child.kill('SIGKILL'), ms);
  const [code, signal] = await once(child, 'exit');
  clearTimeout(timer);
  return signal ? `killed after ${ms} ms` : `finished (exit ${code})`;
}

const kills: Array<{ name: string; prepare?: (repo: string) => Promise<unknown>; args: (repo: string) => string[]; at: number[] }> = [
  { name: 'ingest', prepare: (repo) => writeFile(join(sources[1], 'late.bin'), randomBytes(2048 * KiB)).then(() => repo), args: () => ['ingest', '--init', '-q', sources[1]], at: [400, 900] },
  { name: 'gc', prepare: (repo) => runCli(['forget', snaps[0].id], { repo }), args: () => ['gc', '-q', '--max-unused', '0%'], at: [350, 700] },
  {
    name: 'repair', prepare: async (repo) => flipBlockByte((await locateBlocks(repo, snaps[1].id, '/big.bin'))[1]),
    args: () => ['repair', '-q', '--read-data'], at: [600],
  },
  {
    // a block no source holds any more: the snapshot is rewritten without the file, killed midway
    name: 'repair --drop-damaged', prepare: async (repo) => {
      await flipBlockByte((await locateBlocks(repo, snaps[0].id, '/f0.bin'))[0]);
      await runCli(['repair', '--read-data'], { repo });
    },
    args: () => ['repair', '-q', '--drop-damaged'], at: [450],
  },
];

for (const k of kills) {
  test(`fault: kill -9 of ${k.name}`, async () => {
    for (const ms of k.at) {
      const repo = join(await mkdtemp(join(work, 'kill-')), 'repo');
      await copyRepo(base, repo);
      await k.prepare?.(repo);
      const how = await killed(repo, k.args(repo), ms);
      const config = await readFile(join(repo, 'config.json'));
      await followHints(repo, () => writeFile(join(repo, 'config.json'), config));
      const forgotten = k.name === 'gc' ? [snaps[0].id] : [];
      await assertHistoryKept(repo, `${k.name} ${how}`, forgotten);
    }
    await rm(join(sources[1], 'late.bin'), { force: true });
  });
}
