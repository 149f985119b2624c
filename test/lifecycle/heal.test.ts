// Damage is healed, not amputated: a damaged block shared by both snapshots of the fixture
// (fixtures.ts: twoSnapshots) costs no snapshot. repair keeps them (or rewrites them without the
// damaged file), check --read-data takes the bad copy out of the index so a re-ingest heals
// every snapshot, a truncated pack is salvaged, damaged snapshot records and unsafe names are
// reported, a wrong config.json changes nothing, and forget says what it removed before gc fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { snapshotId, writeSnapshotFile, type Snapshot } from '../../src/catalog/snapshotRecord.js';
import { acquireLock } from '../../src/repo/lock.js';
import { openRepository } from '../../src/repo/repository.js';
import { BlockType } from '../../src/core/blocks.js';
import { decodeTree, encodeTree } from '../../src/tree/treeCodec.js';
import { addressFromHex, addressToHex } from '../../src/core/address.js';
import { runCli } from '../helpers/cli.js';
import { flipBlockByte, locateBlocks, truncatePack } from '../helpers/damage.js';
import { assertRestoresIdentical, checkJson, contentFacts, ingestAt, sharedTwoSnapshots } from './fixtures.js';

const shared = sharedTwoSnapshots('dedupfs-heal-');
const freshRepo = shared.freshRepo;

async function repairJson(repo: string, ...args: string[]): Promise<{ code: number | null; report: any; stderr: string }> {
  const r = await runCli(['repair', '--json', ...args], { repo });
  return { code: r.code, report: r.stdout ? JSON.parse(r.stdout) : null, stderr: r.stderr };
}

async function listed(repo: string): Promise<Snapshot[]> {
  const r = await runCli(['snapshots', '--json'], { repo });
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

/** Restores `id` and returns its content facts (path -> kind, size, hash). */
async function restoredFacts(repo: string, id: string, target: string): Promise<Map<string, string>> {
  const r = await runCli(['restore', id, target], { repo });
  assert.equal(r.code, 0, r.stderr);
  return contentFacts(target);
}

async function damageSharedBlock(repo: string) {
  const [block] = await locateBlocks(repo, shared.fx.s1.id, '/shared.bin');
  await flipBlockByte(block);
  return block;
}

test('a damaged block both snapshots share: repair keeps both, --drop-damaged rewrites them without the file and lists it', async (t) => {
  const repo = await freshRepo(t);
  const block = await damageSharedBlock(repo);
  const found = await repairJson(repo, '--read-data');
  assert.equal(found.code, 3, found.stderr);
  assert.deepEqual(found.report.index.damaged.map((d: any) => d.address), [block.address]);
  assert.deepEqual(found.report.damagedSnapshots.map((s: any) => [s.id, s.paths, s.action]),
    [[shared.fx.s1.id, ['/shared.bin'], 'kept'], [shared.fx.s2.id, ['/shared.bin'], 'kept']]);
  assert.match(found.stderr, /hint: re-ingest .*'dedupfs repair --drop-damaged'/);
  assert.doesNotMatch(found.stderr, /forget/);
  assert.equal((await listed(repo)).length, 2);

  const dropped = await repairJson(repo, '--drop-damaged');
  assert.equal(dropped.code, 0, dropped.stderr);
  assert.deepEqual(dropped.report.rewritten.map((w: any) => [w.from, w.dropped]), [[shared.fx.s1.id, ['/shared.bin']], [shared.fx.s2.id, ['/shared.bin']]]);
  assert.deepEqual(dropped.report.forgotten, []);
  const after = await listed(repo);
  assert.equal(after.length, 2, 'both snapshots are still there');
  for (const [i, old] of [shared.fx.s1, shared.fx.s2].entries()) {
    const snap = after.find((s) => s.repaired?.from === old.id)!;
    assert.ok(snap, `a snapshot replaces ${old.id.slice(0, 8)}`);
    assert.equal(snap.time, ['2025-01-01T00:00:00.000Z', '2025-01-02T00:00:00.000Z'][i]);
    assert.deepEqual(snap.repaired!.dropped, ['/shared.bin']);
    const expected = new Map(old.facts);
    expected.delete('/shared.bin');
    const got = await restoredFacts(repo, snap.id, join(repo, '..', `restored-${i}`));
    assert.deepEqual(got, expected, 'everything but the damaged file restores identical');
  }
  const check = await checkJson(repo, '--read-data');
  assert.equal(check.code, 0, JSON.stringify(check.report));
});

test('ingest heals: check --read-data takes a damaged shared block out of the index, one re-ingest makes both snapshots whole', async (t) => {
  const repo = await freshRepo(t);
  await damageSharedBlock(repo);
  const first = await runCli(['check', '--read-data'], { repo });
  assert.equal(first.code, 1);
  assert.match(first.stdout, /1 damaged copy was taken out of the index/);
  assert.match(first.stderr, /hint: re-ingest/);
  const again = await checkJson(repo);
  assert.equal(again.code, 1, 'the block stays reported (as missing) until it is stored again');
  assert.match(again.report.damagedBlocks[0].reason, /no intact copy/);
  assert.equal((await runCli(['repair'], { repo })).code, 3, 'a plain repair does not index the bad copy again');
  await ingestAt(repo, shared.fx.src1);
  await assertRestoresIdentical(repo, shared.fx.s1);
  await assertRestoresIdentical(repo, shared.fx.s2);
  assert.equal((await runCli(['gc', '--max-unused', '0%'], { repo })).code, 0);
  const clean = await checkJson(repo, '--read-data');
  assert.equal(clean.code, 0, JSON.stringify(clean.report));
  assert.equal(clean.report.damagedSpares, 0);
});

test('a truncated pack is salvaged by repair --read-data: check is clean again, nothing readable is lost', async (t) => {
  const repo = await freshRepo(t);
  const b = await locateBlocks(repo, shared.fx.s2.id, '/b.bin');
  await truncatePack(b[0].path, b[1].offset + 100);
  const r = await repairJson(repo, '--read-data');
  assert.equal(r.code, 3);
  assert.equal(r.report.salvaged.length, 1);
  assert.equal(r.report.salvaged[0].pack, b[0].packId);
  assert.ok(r.report.salvaged[0].newPack && r.report.salvaged[0].kept >= 1);
  assert.ok(!existsSync(b[0].path), 'the damaged pack is retired');
  const s2 = r.report.damagedSnapshots.find((s: any) => s.id === shared.fx.s2.id);
  assert.equal(s2.action, 'kept');
  const check = await checkJson(repo);
  assert.deepEqual(check.report.packProblems, [], 'no pack problem is left');
  await ingestAt(repo, shared.fx.src2);
  // The snapshot's root tree was in the lost tail: re-ingesting brings back its files, not
  // necessarily that exact tree (times differ); it can then be forgotten, on request only.
  const last = await repairJson(repo, '--forget-unreadable');
  assert.equal(last.code, 0, last.stderr);
  assert.equal((await runCli(['gc'], { repo })).code, 0);
  const clean = await checkJson(repo, '--read-data');
  assert.equal(clean.code, 0, JSON.stringify(clean.report));
  await assertRestoresIdentical(repo, shared.fx.s1);
});

test('a snapshot file cut in half, or with its root set to zeros, fails check; repair quarantines it', async (t) => {
  for (const damage of ['cut', 'zeros'] as const) {
    const repo = await freshRepo(t);
    const file = join(repo, 'snapshots', `${shared.fx.s2.id}.json`);
    const text = await readFile(file, 'utf8');
    await writeFile(file, damage === 'cut' ? text.slice(0, text.length >> 1) : text.replace(/"root": "[0-9a-f]{64}"/, `"root": "${'0'.repeat(64)}"`));
    for (const args of [[], ['--read-data']]) {
      const check = await checkJson(repo, ...args);
      assert.equal(check.code, 1, `${damage}: check ${args.join(' ')}`);
      assert.deepEqual(check.report.snapshotFiles.map((f: any) => f.id), [shared.fx.s2.id]);
    }
    const r = await repairJson(repo);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.report.catalog.setAside.map((s: any) => s.id), [shared.fx.s2.id]);
    assert.equal(await readFile(`${file}.damaged`, 'utf8'), damage === 'cut' ? text.slice(0, text.length >> 1) : text.replace(/"root": "[0-9a-f]{64}"/, `"root": "${'0'.repeat(64)}"`));
    assert.equal((await checkJson(repo, '--read-data')).code, 0);
    await assertRestoresIdentical(repo, shared.fx.s1);
  }
});

test('check flags trees with unsafe or repeated names', async (t) => {
  const repo = await freshRepo(t);
  const [first] = await listed(repo);
  const store = await openRepository(repo, { lock: 'shared', command: 'test' });
  try {
    const root = decodeTree(await store.store.get(addressFromHex(first.root)));
    const file = root.find((e) => e.kind === 'file')!;
    const hostile = [...root, { ...file, name: Buffer.from('..') }, { ...file, name: Buffer.from('a/b') }, { ...file, name: Buffer.from('') },
      { ...file, name: Buffer.from('x\0y') }, { ...file }];
    const address = store.store.add(BlockType.Tree, Buffer.from(encodeTree(hostile))).address;
    await store.store.flush();
    const { id: _id, ...fields } = first;
    const forged = { ...fields, root: addressToHex(address) };
    await writeSnapshotFile(store.layout.snapshots, { id: snapshotId(forged), ...forged });
  } finally {
    await store.close();
  }
  const check = await checkJson(repo);
  assert.equal(check.code, 1);
  assert.deepEqual(check.report.unsafeNames.map((n: any) => n.problem).sort(),
    ["'..' as a name", 'empty name', "name appears twice in one folder", "name holds '/'", 'name holds NUL'].sort());
});

test('a wrong hash in config.json: repair --read-data and check --read-data suspect the config and change nothing', async (t) => {
  const repo = await freshRepo(t);
  const config = join(repo, 'config.json');
  const good = await readFile(config, 'utf8');
  await writeFile(config, good.replace(/"hash": *"blake3"/, '"hash": "sha256"'));
  assert.notEqual(await readFile(config, 'utf8'), good, 'the fixture uses blake3');
  for (const args of [['repair', '--read-data', '--drop-damaged', '--forget-unreadable'], ['repair', '--drop-damaged']]) {
    const r = await runCli(args, { repo });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /config\.json .*more likely wrong than the data; nothing was changed/);
  }
  for (const args of [[], ['--read-data']]) {
    const check = await runCli(['check', '--json', ...args], { repo });
    assert.equal(check.code, 1);
    const report = JSON.parse(check.stdout);
    assert.match(report.configSuspect, /config\.json/);
    assert.equal(report.markedBad, 0);
    assert.match(check.stderr, /hint: put back the config\.json/);
  }
  await writeFile(config, good);
  assert.equal((await checkJson(repo, '--read-data')).code, 0, 'with the config put back, all is well');
  assert.equal((await listed(repo)).length, 2);
});

test('forget --gc says what it removed even when gc cannot get its lock', async (t) => {
  const repo = await freshRepo(t);
  const lock = await acquireLock(repo, { kind: 'shared', command: 'mount' });
  try {
    const r = await runCli(['forget', '--keep-last', '1', '--group-by', '', '--gc'], { repo });
    assert.equal(r.code, 11, r.stderr);
    assert.match(r.stdout, /removed 1 snapshot, kept 1/);
    const j = await runCli(['forget', '--keep-last', '1', '--group-by', '', '--gc', '--json'], { repo });
    assert.equal(j.code, 11);
    assert.deepEqual(JSON.parse(j.stdout).removed, []);
    assert.equal(JSON.parse(j.stdout).gc, null);
  } finally {
    await lock.release();
  }
});
