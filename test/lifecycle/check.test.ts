// `dedupfs check` against repositories damaged on purpose: each case starts from a copy of the
// same two-snapshot repository (fixtures.ts: twoSnapshots) and asserts that check reports
// exactly the damage done: the blocks, the snapshots and the paths in them that need those.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { readPackEntries } from '../../src/store/pack/readPackEntries.js';
import { HEADER_BYTES } from '../../src/store/pack/format.js';
import { deletePack, dropCatalog, dropIndex, flipBlockByte, locateBlocks, truncatePack } from '../helpers/damage.js';
import { NON_UTF8_NAME } from '../helpers/sourceTree.js';
import { tempDir } from '../helpers/tempDir.js';
import { assertRestoresIdentical, checkJson, ingestAt, sharedTwoSnapshots } from './fixtures.js';

const shared = sharedTwoSnapshots('dedupfs-check-');
const freshRepo = shared.freshRepo;

// snapshot id -> sorted paths, from a check report
function dependents(report: any): Record<string, string[]> {
  const out: Record<string, Set<string>> = {};
  for (const b of report.damagedBlocks) for (const s of b.snapshots) for (const p of s.paths) (out[s.id] ??= new Set()).add(p);
  return Object.fromEntries(Object.entries(out).map(([id, paths]) => [id, [...paths].sort()]));
}

test('an intact repository passes, with and without --read-data', async (t) => {
  const repo = await freshRepo(t);
  const plain = await checkJson(repo);
  assert.equal(plain.code, 0, plain.stderr);
  assert.equal(plain.report.ok, true);
  assert.equal(plain.report.snapshots, 2);
  assert.equal(plain.report.packs, 2);
  assert.equal(plain.report.readData, undefined);
  const full = await checkJson(repo, '--read-data');
  assert.equal(full.code, 0);
  assert.equal(full.report.readData.blocks, full.report.indexEntries);
  assert.equal(full.report.unreferencedBlocks, 0);
  const text = await runCli(['check', '--read-data'], { repo });
  assert.match(text.stdout, /no errors found/);
});

test('a flipped byte in a file block: --read-data names that block, its snapshot and file', async (t) => {
  const repo = await freshRepo(t);
  const blocks = await locateBlocks(repo, shared.fx.s1.id, '/a.bin');
  assert.ok(blocks.length > 1, 'a.bin has several chunks');
  await flipBlockByte(blocks[1]);
  assert.equal((await checkJson(repo)).code, 0, 'the structure is intact: only reading the data finds it');
  const { code, report } = await checkJson(repo, '--read-data');
  assert.equal(code, 1);
  assert.equal(report.ok, false);
  assert.deepEqual(report.damagedBlocks.map((b: any) => [b.address, b.pack, b.offset]), [[blocks[1].address, blocks[1].packId, blocks[1].offset]]);
  assert.match(report.damagedBlocks[0].reason, /content does not match its hash/);
  assert.deepEqual(dependents(report), { [shared.fx.s1.id]: ['/a.bin'] });
  assert.deepEqual(report.damagedSnapshots, [shared.fx.s1.id]);
  const text = await runCli(['check', '--read-data'], { repo });
  assert.match(text.stdout, new RegExp(`snapshot ${shared.fx.s1.id.slice(0, 8)} .* needs 1 of them, in 1 path:\\n    /a.bin\\n`));
  await assertRestoresIdentical(repo, shared.fx.s2);
});

test('a flipped byte in a shared block is charged to every snapshot that needs it', async (t) => {
  const repo = await freshRepo(t);
  const [block] = await locateBlocks(repo, shared.fx.s2.id, '/shared.bin');
  await flipBlockByte(block);
  const { code, report } = await checkJson(repo, '--read-data');
  assert.equal(code, 1);
  assert.equal(report.damagedBlocks.length, 1);
  assert.deepEqual(dependents(report), { [shared.fx.s1.id]: ['/shared.bin'], [shared.fx.s2.id]: ['/shared.bin'] });
});

test('a truncated pack: the pack, the lost index entries and the snapshot that needs them', async (t) => {
  const repo = await freshRepo(t);
  const b = await locateBlocks(repo, shared.fx.s2.id, '/b.bin');
  // Blocks land in a pack in the order their compression finishes: cut inside the first of
  // b.bin's blocks, and expect exactly the records that ended past the cut to be lost.
  const first = b.reduce((x, y) => (y.offset < x.offset ? y : x));
  const cut = first.offset + 100;
  const { entries } = await readPackEntries(first.path);
  const lost = entries.filter((e) => e.offset + HEADER_BYTES + e.storedLength > cut);
  await truncatePack(first.path, cut);
  const { code, report } = await checkJson(repo);
  assert.equal(code, 1);
  assert.deepEqual(report.packProblems.map((p: any) => p.pack), [first.packId, first.packId]);
  assert.match(report.packProblems.map((p: any) => p.problem).join('\n'), /cut short/);
  assert.ok(lost.length >= b.length, 'every chunk of b.bin is at or after the cut');
  assert.equal(report.indexProblems.length, lost.length, 'one index problem per record past the cut');
  assert.ok(report.indexProblems.every((p: any) => p.pack === first.packId && /holds no block at offset/.test(p.problem)));
  // Only s2 needs what was lost: b.bin, and the root tree when it was written after the cut.
  const needs = dependents(report);
  assert.deepEqual(Object.keys(needs), [shared.fx.s2.id]);
  assert.ok(needs[shared.fx.s2.id].every((p) => p === '/' || p === '/b.bin'), needs[shared.fx.s2.id].join(', '));
  assert.deepEqual(report.damagedSnapshots, [shared.fx.s2.id]);
  await assertRestoresIdentical(repo, shared.fx.s1);
});

test('a deleted pack: every snapshot needing its blocks, with the files that do', async (t) => {
  const repo = await freshRepo(t);
  const [a] = await locateBlocks(repo, shared.fx.s1.id, '/a.bin');
  await deletePack(a.path);
  const { code, report } = await checkJson(repo);
  assert.equal(code, 1);
  assert.ok(report.indexProblems.length > 0 && report.indexProblems.every((p: any) => /does not exist/.test(p.problem)));
  assert.deepEqual(dependents(report), {
    [shared.fx.s1.id]: ['/'],
    [shared.fx.s2.id]: ['/keep.txt', '/shared.bin', '/sub/deep.txt'],
  });
});

test('a deleted index: every snapshot is missing its root, and repair is the advice', async (t) => {
  const repo = await freshRepo(t);
  await dropIndex(repo);
  const { code, report } = await checkJson(repo);
  assert.equal(code, 1);
  assert.equal(report.indexEntries, 0);
  assert.ok(report.unindexedBlocks > 0);
  assert.deepEqual(dependents(report), { [shared.fx.s1.id]: ['/'], [shared.fx.s2.id]: ['/'] });
  assert.ok(report.damagedBlocks.every((b: any) => /missing from the index \(pack [0-9a-f]+ holds it/.test(b.reason)));
  const text = await runCli(['check'], { repo });
  assert.match(text.stdout, /'dedupfs repair' rebuilds the index/);
});

test('a deleted catalog comes back from the snapshot files by itself', async (t) => {
  const repo = await freshRepo(t);
  await dropCatalog(repo);
  const { code, report } = await checkJson(repo, '--read-data');
  assert.equal(code, 0);
  assert.equal(report.snapshots, 2);
  await assertRestoresIdentical(repo, shared.fx.s1);
});

test('--read-data-subset N/M: the M parts read every pack exactly once; N% reads that share', async (t) => {
  const repo = await freshRepo(t);
  const [block] = await locateBlocks(repo, shared.fx.s1.id, '/a.bin');
  await flipBlockByte(block);
  const packs = (await checkJson(repo)).report.packs;
  let read = 0, found = 0;
  for (let n = 1; n <= 3; n++) {
    const { code, report } = await checkJson(repo, '--read-data-subset', `${n}/3`);
    assert.equal(report.readData.subset, `${n}/3`);
    read += report.readData.packs;
    if (code === 1 && report.markedBad) found++;
  }
  assert.equal(read, packs);
  assert.equal(found, 1, 'exactly one part holds the damaged pack (and takes it out of the index; later checks see it missing)');
  const half = await checkJson(repo, '--read-data-subset', '50%');
  assert.equal(half.report.readData.packs, Math.ceil(packs / 2));
  for (const bad of ['0/3', '4/3', '0%', '101%', 'half']) {
    assert.equal((await runCli(['check', '--read-data-subset', bad], { repo })).code, 2, bad);
  }
});

test('a damaged file whose name is not UTF-8 is named as ls shows it', async (t) => {
  const dir = await tempDir(t);
  const src = join(dir, 'src');
  await mkdir(src);
  await writeFile(Buffer.concat([Buffer.from(`${src}/`), NON_UTF8_NAME]), randomBytes(100_000));
  const repo = join(dir, 'repo');
  const snap = await ingestAt(repo, src);
  const [block] = await locateBlocks(repo, snap.id, `/${NON_UTF8_NAME.toString('latin1')}`);
  await flipBlockByte(block);
  const { report } = await checkJson(repo, '--read-data');
  assert.deepEqual(dependents(report), { [snap.id]: ['/fo\\xff\\xfe.bin'] });
});
