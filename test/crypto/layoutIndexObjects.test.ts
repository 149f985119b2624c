// Index objects of format 4 (src/store/indexObjects.ts with a sealing): what one host writes,
// another catches up with, envelope headers included; the object shows no address in the clear,
// and one changed, renamed, or sealed under another repository's keys is REPO_DAMAGED. Real
// objects in a folder (FolderBackend) and a real LMDB index.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FolderBackend } from '../../src/backend/folderBackend.js';
import { packSealing, writeOnlyView } from '../../src/crypto/index.js';
import { createKeyMaterial } from '../../src/crypto/keyMaterial.js';
import { DedupfsError } from '../../src/core/errors.js';
import { BlockIndex } from '../../src/store/index/blockIndex.js';
import { IndexObjects, INDEX_PREFIX } from '../../src/store/indexObjects.js';
import { BlockType } from '../../src/core/blocks.js';
import { Compression, type PackEntry } from '../../src/store/pack/format.js';
import { tempDir } from '../helpers/tempDir.js';

function entry(offset: number): PackEntry {
  return { address: randomBytes(32), offset, type: BlockType.Data, compression: Compression.Zstd, rawLength: 65_536, storedLength: 30_000 + offset, seal: randomBytes(46) };
}

test('format 4 index objects are sealed: another host reads them back whole; changed, renamed or foreign ones are damage', async (t) => {
  const dir = await tempDir(t);
  const material = createKeyMaterial();
  const sealing = packSealing(writeOnlyView(material));
  const backend = new FolderBackend(join(dir, 'bucket'));
  const hosts = await Promise.all(['a', 'b', 'c'].map(async (h) => {
    await mkdir(join(dir, h));
    const index = BlockIndex.open(join(dir, h, 'index'));
    t.after(() => index.close());
    return { index, cache: join(dir, h) };
  }));
  const writer = new IndexObjects(backend, hosts[0].index, hosts[0].cache, sealing);
  const packs = [{ packId: randomBytes(16).toString('hex'), entries: [entry(8), entry(40_000), entry(80_000)] }];
  await writer.add(packs);

  const [name] = await readdir(join(dir, 'bucket', 'index'));
  const object = await readFile(join(dir, 'bucket', 'index', name));
  assert.equal(object.subarray(0, 8).toString(), 'DDFSIX02');
  for (const e of packs[0].entries) {
    assert.equal(object.indexOf(e.address.subarray(0, 8)), -1, 'no address in the clear');
    assert.equal(object.indexOf(e.seal!.subarray(0, 8)), -1, 'no envelope header in the clear');
  }
  assert.equal(object.indexOf(Buffer.from(packs[0].packId, 'hex').subarray(0, 8)), -1, 'no pack id in the clear');

  const reader = new IndexObjects(backend, hosts[1].index, hosts[1].cache, sealing);
  assert.deepEqual(await reader.catchUp(), { fetched: 1, rebuilt: false });
  for (const e of packs[0].entries) {
    const loc = hosts[1].index.get(e.address)!;
    assert.deepEqual([loc.packId, loc.offset, loc.storedLength, loc.seal!.toString('hex')], [packs[0].packId, e.offset, e.storedLength, e.seal!.toString('hex')]);
  }

  const third = () => new IndexObjects(backend, hosts[2].index, hosts[2].cache, sealing);
  const path = join(dir, 'bucket', 'index', name);
  const damaged = async (what: string, open: () => IndexObjects = third) => {
    await assert.rejects(open().catchUp(), (err: unknown) => err instanceof DedupfsError && err.code === 'REPO_DAMAGED' && /do not authenticate/.test(err.message), what);
  };
  const flipped = Buffer.from(object);
  flipped[flipped.length - 40] ^= 1;
  await writeFile(path, flipped);
  await damaged('a flipped byte');
  await writeFile(path, object);
  const renamed = join(dir, 'bucket', INDEX_PREFIX, `${name.slice(0, 11)}${'0'.repeat(16)}`);
  await rename(path, renamed);
  await damaged('an object under another name');
  await rename(renamed, path);
  await damaged('sealed under another repository\'s keys', () => new IndexObjects(backend, hosts[2].index, hosts[2].cache, packSealing(createKeyMaterial())));
  assert.deepEqual(await third().catchUp(), { fetched: 1, rebuilt: false }, 'the object put back reads');
});
