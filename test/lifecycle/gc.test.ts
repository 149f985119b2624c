// gc on real repositories. Three snapshots of one folder share shared.bin (3 MiB) and each has
// its own unique.bin (1 MiB, random, so it neither deduplicates nor compresses); every ingest
// seals its own pack. Forgetting the first two leaves the first pack a quarter dead (rewritten
// at the default 5% threshold) and the second wholly dead (deleted).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addressFromHex } from '../../src/core/address.js';
import { markReachable } from '../../src/lifecycle/markReachable.js';
import { repoLayout } from '../../src/core/layout.js';
import { openRepository } from '../../src/repo/repository.js';
import { HEADER_BYTES } from '../../src/store/pack/format.js';
import { BlockType } from '../../src/core/blocks.js';
import { PackWriter } from '../../src/store/pack/packWriter.js';
import { runCli } from '../helpers/cli.js';
import { deletePack, flipBlockByte, locateBlocks, truncatePack } from '../helpers/damage.js';
import { tempDir } from '../helpers/tempDir.js';
import { assertRestoresIdentical, checkJson, copyRepo, ingestAt, packBytes, type IngestedSnapshot } from './fixtures.js';

const MiB = 1 << 20;
let work: string;
let base: string;
let snaps: IngestedSnapshot[] = [];

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'dedupfs-gc-'));
  base = join(work, 'repo');
  const src = join(work, 'src');
  await mkdir(src);
  await writeFile(join(src, 'shared.bin'), randomBytes(3 * MiB));
  await writeFile(join(src, 'small.txt'), 'the same in every snapshot\n');
  for (let i = 0; i < 3; i++) {
    await writeFile(join(src, 'unique.bin'), randomBytes(MiB));
    snaps.push(await ingestAt(base, src, { time: new Date(Date.UTC(2025, 0, i + 1)) }));
  }
});

after(() => rm(work, { recursive: true, force: true }));

async function freshRepo(t: Parameters<typeof tempDir>[0]): Promise<string> {
  const repo = join(await tempDir(t), 'repo');
  await copyRepo(base, repo);
  return repo;
}

// Stored bytes (record headers included) of the blocks that only `gone` need, not `kept`.
async function exclusiveBytes(repoDir: string, gone: string[], kept: string[]): Promise<number> {
  const repo = await openRepository(repoDir, { lock: 'none', command: 'test' });
  try {
    const pick = (ids: string[]) => repo.catalog.list().filter((s) => ids.includes(s.id));
    const goneBlocks = await markReachable(repo.store, pick(gone));
    const keptBlocks = await markReachable(repo.store, pick(kept));
    let n = 0;
    for (const hex of goneBlocks) {
      if (keptBlocks.has(hex)) continue;
      n += HEADER_BYTES + repo.store.index.get(addressFromHex(hex))!.storedLength;
    }
    return n;
  } finally {
    await repo.close();
  }
}

async function gcJson(repo: string, ...args: string[]): Promise<any> {
  const r = await runCli(['gc', '--json', ...args], { repo });
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test('forget + gc: the repository shrinks by what only the forgotten snapshots held', async (t) => {
  const repo = await freshRepo(t);
  const exclusive = await exclusiveBytes(repo, [snaps[0].id, snaps[1].id], [snaps[2].id]);
  assert.ok(exclusive > 2 * MiB && exclusive < 2.1 * MiB, `the two unique files: ${exclusive}`);
  const bytesBefore = await packBytes(repo);
  const f = await runCli(['forget', snaps[0].id, snaps[1].id], { repo });
  assert.equal(f.code, 0, f.stderr);
  const out = await gcJson(repo);
  assert.equal(out.deletePacks, 1);
  assert.equal(out.rewritePacks, 1);
  const bytesAfter = await packBytes(repo);
  assert.equal(out.result.freedBytes, bytesBefore - bytesAfter, 'the report measures the disk');
  const freed = bytesBefore - bytesAfter;
  assert.ok(Math.abs(freed - exclusive) < 16 * 1024, `freed ${freed}, only the forgotten held ${exclusive}`);
  await assertRestoresIdentical(repo, snaps[2]);
  const { code, report } = await checkJson(repo, '--read-data');
  assert.equal(code, 0, JSON.stringify(report));
  assert.equal(report.unreferencedBlocks, 0, 'nothing dead is left');
  const again = await gcJson(repo);
  assert.equal(again.result.freedBytes, 0, 'a second gc has nothing to do');
});

test('--max-unused decides which partly used packs are rewritten', async (t) => {
  const repo = await freshRepo(t);
  await runCli(['forget', snaps[0].id, snaps[1].id], { repo });
  const exclusive = await exclusiveBytes(base, [snaps[0].id, snaps[1].id], [snaps[2].id]);
  const lax = await gcJson(repo, '--max-unused', '30%');
  assert.equal(lax.rewritePacks, 0, 'a pack 25% unused stays at 30%');
  assert.ok(lax.result.freedBytes > MiB && lax.result.freedBytes < 1.1 * MiB, 'only the wholly unused pack went');
  const strict = await gcJson(repo, '--max-unused', '20%');
  assert.equal(strict.rewritePacks, 1);
  assert.ok(Math.abs(lax.result.freedBytes + strict.result.freedBytes - exclusive) < 16 * 1024);
  await assertRestoresIdentical(repo, snaps[2]);
  const bad = await runCli(['gc', '--max-unused', '5'], { repo });
  assert.equal(bad.code, 2);
});

test('--dry-run plans and changes nothing', async (t) => {
  const repo = await freshRepo(t);
  await runCli(['forget', snaps[0].id, snaps[1].id], { repo });
  const bytesBefore = await packBytes(repo);
  const r = await runCli(['gc', '--dry-run'], { repo });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /dry run: would delete 1 pack, rewrite 1 pack/);
  assert.equal(await packBytes(repo), bytesBefore);
});

test('gc removes unsealed leftovers, packs the index never named, and index entries of vanished packs', async (t) => {
  const repo = await freshRepo(t);
  await mkdir(join(repo, 'packs', 'tmp'), { recursive: true });
  await writeFile(join(repo, 'packs', 'tmp', `${'ab'.repeat(16)}.tmp`), randomBytes(5000));
  // A sealed pack whose blocks never reached the index (an ingest killed right after sealing).
  const orphan = await PackWriter.create(repoLayout(repo));
  orphan.append({ address: randomBytes(32), type: BlockType.Data, compression: 0, rawLength: 1000, storedLength: 1000 }, randomBytes(1000));
  await orphan.seal();
  // The pack holding only snapshot 2's unique file disappears; snapshot 2 is forgotten.
  const [place] = await locateBlocks(repo, snaps[1].id, '/unique.bin');
  await deletePack(place.path);
  await runCli(['forget', snaps[1].id], { repo });
  const before = await checkJson(repo);
  assert.equal(before.code, 1, 'index entries name a missing pack');
  const out = await gcJson(repo);
  assert.equal(out.unsealed, 1);
  assert.ok(out.staleIndexEntries > 0);
  assert.equal(out.result.removedUnsealed, 1);
  assert.deepEqual(await readdir(join(repo, 'packs', 'tmp')), []);
  const after = await checkJson(repo, '--read-data');
  assert.equal(after.code, 0, JSON.stringify(after.report));
  assert.equal(after.report.unindexedBlocks, 0, 'the orphan pack is gone');
  await assertRestoresIdentical(repo, snaps[0]);
  await assertRestoresIdentical(repo, snaps[2]);
});

test('gc refuses to delete anything while blocks a snapshot needs are missing or its trees unreadable', async (t) => {
  const repo = await freshRepo(t);
  await runCli(['forget', snaps[0].id], { repo });
  // shared.bin lies in the first pack; cut off its last chunk (and what follows it).
  const shared = await locateBlocks(repo, snaps[2].id, '/shared.bin');
  await truncatePack(shared.at(-1)!.path, shared.at(-1)!.offset + 10);
  const bytesBefore = await packBytes(repo);
  const r = await runCli(['gc', '--json'], { repo });
  assert.equal(r.code, 1);
  const err = JSON.parse(r.stderr);
  assert.equal(err.code, 'REPO_DAMAGED');
  assert.match(err.message, /blocks that snapshots refer to are missing; gc deletes nothing/);
  assert.equal(await packBytes(repo), bytesBefore);
  const dry = await gcJson(repo, '--dry-run');
  assert.ok(dry.missing >= 1, 'a dry run reports the missing blocks');

  const other = await freshRepo(t);
  const [root] = await locateBlocks(other, snaps[2].id, '/');
  await deletePack(root.path);
  const r2 = await runCli(['gc'], { repo: other });
  assert.equal(r2.code, 1);
  assert.match(r2.stderr, /cannot read the trees of snapshot [0-9a-f]{8}/);
});

test('a pack to rewrite that holds a damaged block in use is kept, with a warning and exit status 3', async (t) => {
  const repo = await freshRepo(t);
  await runCli(['forget', snaps[0].id, snaps[1].id], { repo });
  const [block] = await locateBlocks(repo, snaps[2].id, '/shared.bin');
  await flipBlockByte(block);
  const r = await runCli(['gc', '--json'], { repo });
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, new RegExp(`warning: pack ${block.packId} is kept: block ${block.address} .* is damaged`));
  const out = JSON.parse(r.stdout);
  assert.deepEqual(out.result.keptDamaged.map((k: any) => k.pack), [block.packId]);
  assert.equal(out.result.deletedPacks, 1, 'the wholly unused pack still went');
  const { report } = await checkJson(repo, '--read-data');
  assert.deepEqual(report.damagedBlocks.map((b: any) => [b.address, b.pack]), [[block.address, block.packId]]);
});
