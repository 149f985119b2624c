// Unsealed packs left by a killed writer are sealed and indexed with the records that verify,
// by the next ingest or by repair; those of a live writer (its lock is held) are never touched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { appendFile, readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { repair } from '../../src/lifecycle/repair.js';
import { acquireLock, listLocks } from '../../src/repo/lock.js';
import { packPath } from '../../src/core/layout.js';
import { recoverUnsealedPacks } from '../../src/store/recoverUnsealedPacks.js';
import { Compression, HEADER_BYTES, encodeHeader } from '../../src/store/pack/format.js';
import { BlockType } from '../../src/core/blocks.js';
import { PackWriter } from '../../src/store/pack/packWriter.js';
import { readPackEntries } from '../../src/store/pack/readPackEntries.js';
import type { Repository } from '../../src/repo/repository.js';
import { formatRepair } from '../../src/ui/formatRepair.js';
import { openTestRepo, tempRepoPath } from '../helpers/repo.js';

/** An unsealed pack of `n` raw blocks, as a writer killed after writing them leaves it. */
async function leaveUnsealed(repo: Repository, owner: string | undefined, n: number): Promise<{ path: string; blocks: Buffer[] }> {
  const writer = await PackWriter.create(repo.layout, owner);
  const blocks: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    const raw = randomBytes(1000 + i);
    blocks.push(raw);
    writer.append({ address: repo.store.hash(raw), type: BlockType.Data, compression: Compression.None, rawLength: raw.length, storedLength: raw.length }, raw);
  }
  await writer.drain();
  const name = (await readdir(repo.layout.packsTmp)).find((f) => f.startsWith(writer.packId))!;
  return { path: join(repo.layout.packsTmp, name), blocks };
}

const liveLocks = (repo: Repository) => async () => new Set((await listLocks(repo.dir)).filter((l) => !l.stale).map((l) => basename(l.path, '.lock')));

test('a dead writer\'s unsealed pack is sealed and indexed with its valid records; a live one\'s is left alone', async (t) => {
  const repo = await openTestRepo(t, await tempRepoPath(t));
  const me = repo.store.owner!;
  assert.match(me, /^[0-9a-f]{32}$/);

  // dead: its owner's lock file does not exist. Its 3rd record is damaged, and a torn record follows the 5th.
  const dead = await leaveUnsealed(repo, randomBytes(16).toString('hex'), 5);
  const bytes = await readFile(dead.path);
  const third = 8 + 2 * HEADER_BYTES + 1000 + 1001;
  bytes[third + HEADER_BYTES + 10] ^= 0xff;
  await writeFile(dead.path, bytes);
  await appendFile(dead.path, Buffer.concat([encodeHeader({ address: repo.store.hash(Buffer.from('x')), type: 0, compression: 0, rawLength: 500, storedLength: 500 }), Buffer.alloc(100)]));

  // live: another process holds its lock; legacy (no owner in the name): left while another lock lives.
  const other = await acquireLock(repo.dir, { kind: 'shared', command: 'other' });
  const live = await leaveUnsealed(repo, other.id, 2);
  const legacy = await leaveUnsealed(repo, undefined, 2);
  // empty: a writer killed before it wrote anything
  const empty = join(repo.layout.packsTmp, `${randomBytes(16).toString('hex')}-${randomBytes(16).toString('hex')}.tmp`);
  await writeFile(empty, '');

  const first = await recoverUnsealedPacks({ layout: repo.layout, index: repo.store.index, hash: repo.store.hash, owner: me, liveLocks: liveLocks(repo) });
  assert.deepEqual({ ...first, rawBytes: 0, storedBytes: 0 }, { packs: 1, blocks: 4, rawBytes: 0, storedBytes: 0, damaged: 1, removed: 1 });
  assert.equal(first.rawBytes, 1000 + 1001 + 1003 + 1004);
  for (const [i, raw] of dead.blocks.entries()) {
    const addr = repo.store.hash(raw);
    if (i === 2) assert.equal(repo.store.has(addr), false, 'the damaged record is not indexed');
    else assert.deepEqual(await repo.store.get(addr), raw);
  }
  const packId = basename(dead.path).slice(0, 32);
  const sealed = await readPackEntries(packPath(repo.layout, packId));
  assert.equal(sealed.sealed, true);
  assert.equal(sealed.entries.length, 4);
  assert.deepEqual((await readdir(repo.layout.packsTmp)).sort(), [basename(live.path), basename(legacy.path)].sort());
  for (const raw of [...live.blocks, ...legacy.blocks]) assert.equal(repo.store.has(repo.store.hash(raw)), false);

  await other.release();
  const second = await recoverUnsealedPacks({ layout: repo.layout, index: repo.store.index, hash: repo.store.hash, owner: me, liveLocks: liveLocks(repo) });
  assert.equal(second.packs, 2);
  assert.equal(second.blocks, 4);
  assert.deepEqual(await readdir(repo.layout.packsTmp), []);
  for (const raw of [...live.blocks, ...legacy.blocks]) assert.deepEqual(await repo.store.get(repo.store.hash(raw)), raw);
});

test('a pack sealed by a writer killed before it indexed it is indexed, and its packs/tmp name removed', async (t) => {
  const repo = await openTestRepo(t, await tempRepoPath(t));
  const writer = await PackWriter.create(repo.layout, randomBytes(16).toString('hex'));
  const raw = randomBytes(3000);
  writer.append({ address: repo.store.hash(raw), type: BlockType.Data, compression: Compression.None, rawLength: raw.length, storedLength: raw.length }, raw);
  await writer.seal({ keepTmp: true });
  assert.equal((await readdir(repo.layout.packsTmp)).length, 1);
  const before = await readFile(packPath(repo.layout, writer.packId));

  const r = await recoverUnsealedPacks({ layout: repo.layout, index: repo.store.index, hash: repo.store.hash, owner: repo.store.owner!, liveLocks: liveLocks(repo) });
  assert.equal(r.blocks, 1);
  assert.deepEqual(await repo.store.get(repo.store.hash(raw)), raw);
  assert.deepEqual(await readdir(repo.layout.packsTmp), []);
  assert.deepEqual(await readFile(packPath(repo.layout, writer.packId)), before, 'the sealed pack is not rewritten');
});

test('repair seals and indexes what a killed writer left in packs/tmp', async (t) => {
  const dir = await tempRepoPath(t);
  const repo = await openTestRepo(t, dir);
  const left = await leaveUnsealed(repo, randomBytes(16).toString('hex'), 3);
  await repo.close();
  const report = await repair(dir);
  assert.deepEqual([report.unsealed.packs, report.unsealed.blocks], [1, 3]);
  assert.match(formatRepair(report), /kept 3 blocks \(.*\) from 1 unsealed pack left by interrupted writers/);
  const again = await openTestRepo(t, dir);
  assert.deepEqual(await readdir(again.layout.packsTmp), []);
  for (const raw of left.blocks) assert.deepEqual(await again.store.get(again.store.hash(raw)), raw);
});
