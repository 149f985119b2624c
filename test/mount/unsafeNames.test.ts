// A stored name no file system can hold (one with '/', NUL, '.', '..', empty: a hostile or
// damaged tree) must not make its whole folder unlistable through the mount (the kernel fails
// a listing with EIO on one such name): it is shown escaped, and logged once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Snapshot } from '../../src/catalog/snapshotRecord.js';
import { addressToHex } from '../../src/core/address.js';
import { InodeAllocator } from '../../src/mount/inodes.js';
import { snapshotRoot } from '../../src/mount/snapshotTree.js';
import { BlockType } from '../../src/core/blocks.js';
import type { TreeEntry } from '../../src/tree/entry.js';
import { encodeTree } from '../../src/tree/treeCodec.js';
import { unescapeName } from '../../src/tree/nameEscape.js';
import { openTestRepo, tempRepoPath } from '../helpers/repo.js';

const STORED = ['ok.txt', 'a/b', 'nul\0byte', '.', '..', ''].map((n) => Buffer.from(n));

function fileEntry(name: Buffer): TreeEntry {
  return { name, kind: 'file', mode: 0o100644, uid: 0, gid: 0, size: 0, mtimeNs: 0n, atimeNs: 0n, ctimeNs: 0n, ino: 1, nlink: 1, content: { chunks: [] } };
}

test('names that cannot be file names are shown escaped, each logged once, and read back to their bytes', async (t) => {
  const repo = await openTestRepo(t, await tempRepoPath(t));
  const root = repo.store.add(BlockType.Tree, encodeTree(STORED.map(fileEntry))).address;
  await repo.store.flush();
  const snapshot = { id: 'f'.repeat(64), time: new Date().toISOString(), root: addressToHex(root) } as Snapshot;
  const log: string[] = [];
  const dir = snapshotRoot({ snapshot, store: repo.store, inodes: new InodeAllocator(), log: (line) => log.push(line) });
  const shown = [...(await dir.children()).keys()].sort();
  assert.deepEqual(shown, ['\\x', '\\x2e', '\\x2e\\x2e', 'a\\x2fb', 'nul\\x00byte', 'ok.txt']);
  for (const name of shown) assert.ok(!name.includes('/') && !name.includes('\0') && name !== '.' && name !== '..' && name !== '');
  assert.deepEqual(shown.filter((n) => n !== '\\x').map((n) => unescapeName(n).toString()).sort(),
    ['.', '..', 'a/b', 'nul\0byte', 'ok.txt'].sort());
  assert.equal(log.length, 5, log.join('\n'));
  assert.match(log.find((l) => l.includes('a\\x2fb'))!, /^ffffffff:\/a\\x2fb: a stored name that cannot be a file name/);
  await dir.children();
  assert.equal(log.length, 5, 'a folder is logged once');
});
