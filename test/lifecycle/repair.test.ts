// `dedupfs repair` brings back what the packs and snapshot files still hold: the index and the
// catalog deleted or garbled, a snapshot file unreadable, a block damaged or lost. Each case
// starts from a copy of the same two-snapshot repository (fixtures.ts: twoSnapshots).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { dropCatalog, dropIndex, flipBlockByte, garbleCatalog, locateBlocks, truncatePack } from '../helpers/damage.js';
import { tempDir } from '../helpers/tempDir.js';
import { assertRestoresIdentical, checkJson, ingestAt, sharedTwoSnapshots } from './fixtures.js';

const shared = sharedTwoSnapshots('dedupfs-repair-');
const freshRepo = shared.freshRepo;

async function repairJson(repo: string, ...args: string[]): Promise<{ code: number | null; report: any; stderr: string }> {
  const r = await runCli(['repair', '--json', ...args], { repo });
  return { code: r.code, report: r.stdout ? JSON.parse(r.stdout) : null, stderr: r.stderr };
}

test('with the index and the catalog deleted outright, repair brings everything back', async (t) => {
  const repo = await freshRepo(t);
  const entries = (await checkJson(repo)).report.indexEntries;
  await dropIndex(repo);
  await dropCatalog(repo);
  const { code, report, stderr } = await repairJson(repo);
  assert.equal(code, 0, stderr);
  assert.equal(report.index.packs, 2);
  assert.equal(report.index.blocks, entries);
  assert.equal(report.catalog.snapshots, 2);
  assert.deepEqual(report.damagedSnapshots, []);
  const check = await checkJson(repo, '--read-data');
  assert.equal(check.code, 0, JSON.stringify(check.report));
  await assertRestoresIdentical(repo, shared.fx.s1);
  await assertRestoresIdentical(repo, shared.fx.s2);
  assert.ok(!existsSync(join(repo, 'index-rebuild')) && !existsSync(join(repo, 'index-old')), 'no leftovers of the swap');
});

test('a garbled catalog is set aside and rebuilt by the next command; repair is not needed', async (t) => {
  const repo = await freshRepo(t);
  await garbleCatalog(repo);
  const listed = await runCli(['snapshots', '--json'], { repo });
  assert.equal(listed.code, 0, listed.stderr);
  assert.equal(JSON.parse(listed.stdout).length, 2);
  assert.match(listed.stderr, /catalog .* was damaged .* set aside as .*\.damaged-/);
  const { code } = await repairJson(repo);
  assert.equal(code, 0);
});

test('an unreadable snapshot file is set aside; the others are kept', async (t) => {
  const repo = await freshRepo(t);
  const file = join(repo, 'snapshots', `${shared.fx.s2.id}.json`);
  await dropCatalog(repo);
  await writeFile(file, '{"id": "truncated');
  const { code, report } = await repairJson(repo);
  assert.equal(code, 0);
  assert.deepEqual(report.catalog.setAside.map((s: any) => s.id), [shared.fx.s2.id]);
  assert.ok(existsSync(`${file}.damaged`) && !existsSync(file));
  const check = await checkJson(repo, '--read-data');
  assert.equal(check.report.snapshots, 1);
  await assertRestoresIdentical(repo, shared.fx.s1);
});

test('a damaged block: repair --read-data drops it, the old --forget-damaged now rewrites its snapshot without the file, a new ingest heals', async (t) => {
  const repo = await freshRepo(t);
  const [, block] = await locateBlocks(repo, shared.fx.s1.id, '/a.bin');
  await flipBlockByte(block);
  const plain = await repairJson(repo);
  assert.equal(plain.code, 0, 'without reading the data, the index is whole again and nothing looks missing');
  const found = await repairJson(repo, '--read-data');
  assert.equal(found.code, 3, 'a snapshot still needs a block that is gone');
  assert.deepEqual(found.report.index.damaged.map((d: any) => d.address), [block.address]);
  assert.deepEqual(found.report.damagedSnapshots.map((s: any) => [s.id, s.paths]), [[shared.fx.s1.id, ['/a.bin']]]);
  assert.deepEqual(found.report.forgotten, []);
  assert.equal(found.report.salvaged.length, 1, 'the pack with the damaged copy is salvaged');
  const forgot = await repairJson(repo, '--read-data', '--forget-damaged');
  assert.equal(forgot.code, 0);
  assert.deepEqual(forgot.report.forgotten, [], 'no snapshot is forgotten for a damaged file');
  assert.deepEqual(forgot.report.rewritten.map((w: any) => [w.from, w.dropped]), [[shared.fx.s1.id, ['/a.bin']]]);
  const check = await checkJson(repo, '--read-data');
  assert.equal(check.code, 0, JSON.stringify(check.report));
  assert.equal(check.report.snapshots, 2);
  await assertRestoresIdentical(repo, shared.fx.s2);
  // The block is not in the index any more, so ingesting the same file stores it again.
  const again = await ingestAt(repo, shared.fx.src1);
  await assertRestoresIdentical(repo, again);
  const gc = await runCli(['gc', '--max-unused', '0%'], { repo });
  assert.equal(gc.code, 0, gc.stderr);
  const clean = await checkJson(repo, '--read-data');
  assert.equal(clean.code, 0);
  assert.equal(clean.report.damagedSpares, 0);
});

test('a truncated pack: repair keeps the blocks before the cut, forgets the snapshot whose root tree was in the rest only on request', async (t) => {
  const repo = await freshRepo(t);
  const b = await locateBlocks(repo, shared.fx.s2.id, '/b.bin');
  await truncatePack(b[0].path, b[1].offset + 100);
  const kept = await repairJson(repo, '--drop-damaged');
  assert.equal(kept.code, 3, 'a snapshot whose root tree cannot be read is kept unless asked');
  assert.equal(kept.report.damagedSnapshots[0].rootUnreadable, true);
  assert.match(kept.stderr, /--forget-unreadable/);
  assert.ok(kept.report.index.problems.some((p: any) => /cut short/.test(p.problem)));
  const { code, report } = await repairJson(repo, '--forget-unreadable');
  assert.equal(code, 0);
  assert.deepEqual(report.index.problems, [], 'the pack was salvaged by the first repair');
  assert.deepEqual(report.forgotten, [shared.fx.s2.id]);
  assert.equal((await runCli(['gc'], { repo })).code, 0);
  const check = await checkJson(repo, '--read-data');
  assert.equal(check.code, 0, JSON.stringify(check.report));
  await assertRestoresIdentical(repo, shared.fx.s1);
});

test('repair of a folder that is not a repository fails with exit status 10', async (t) => {
  const dir = await tempDir(t);
  const r = await runCli(['repair'], { repo: dir });
  assert.equal(r.code, 10);
  assert.ok(!existsSync(join(dir, 'locks')), 'nothing was created there');
});
