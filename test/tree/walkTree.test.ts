// resolvePath and walkTree over real tree blocks: paths with escapes, "." and "..", missing
// components, depth-first name order, pruning, and a damaged sub-tree reported, not fatal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { addressFromHex } from '../../src/core/address.js';
import { DedupfsError } from '../../src/core/errors.js';
import { ingest } from '../../src/ingest/ingest.js';
import { parseTreePath, resolvePath } from '../../src/tree/resolvePath.js';
import { walkTree } from '../../src/tree/walkTree.js';
import { flipBlockByte, locateBlocks } from '../helpers/damage.js';
import { openTestRepo, tempRepoPath } from '../helpers/repo.js';
import { tempDir } from '../helpers/tempDir.js';

async function tree(t: import('node:test').TestContext) {
  const src = await tempDir(t);
  await mkdir(join(src, 'a', 'b'), { recursive: true });
  await mkdir(join(src, 'c'));
  await writeFile(join(src, 'a', 'b', 'f'), 'f');
  await writeFile(join(src, 'a', 'g'), 'g');
  await writeFile(join(src, 'c', 'h'), 'h');
  await writeFile(Buffer.from(`${src}/odd\xff`, 'latin1'), 'odd');
  const repoDir = await tempRepoPath(t);
  const repo = await openTestRepo(t, repoDir);
  const { snapshot } = await ingest(repo, { paths: [src] });
  return { repo, repoDir, snapshot, root: addressFromHex(snapshot.root) };
}

test('parseTreePath applies "." and ".." lexically and never climbs above the root', () => {
  assert.deepEqual(parseTreePath('/a/./b/../c/').map(String), ['a', 'c']);
  assert.deepEqual(parseTreePath('../../x').map(String), ['x']);
  assert.deepEqual(parseTreePath('/'), []);
  assert.deepEqual(parseTreePath('/fo\\xff'), [Buffer.from([0x66, 0x6f, 0xff])]);
});

test('resolvePath finds entries and names what is missing', async (t) => {
  const { repo, root } = await tree(t);
  assert.equal((await resolvePath(repo.store, root, '/a/b/f')).entry.kind, 'file');
  const rootEntry = await resolvePath(repo.store, root, '/');
  assert.equal(rootEntry.isRoot, true);
  assert.deepEqual(rootEntry.entry.subtree, root);
  assert.equal((await resolvePath(repo.store, root, '/odd\\xff')).entry.size, 3);
  await assert.rejects(resolvePath(repo.store, root, '/a/nope/f'), (err: DedupfsError) => err.code === 'NOT_FOUND' && err.message === '/a/nope does not exist');
  await assert.rejects(resolvePath(repo.store, root, '/a/g/x'), (err: DedupfsError) => err.code === 'NOT_FOUND' && err.message === '/a/g is not a folder');
});

test('walkTree goes depth-first in name order and honours prune', async (t) => {
  const { repo, root } = await tree(t);
  const all: string[] = [];
  for await (const item of walkTree(repo.store, root, { recursive: true })) all.push(`${item.depth}:${item.path.toString('latin1')}`);
  assert.deepEqual(all, ['0:/a', '1:/a/b', '2:/a/b/f', '1:/a/g', '0:/c', '1:/c/h', '0:/odd\xff']);

  const pruned: string[] = [];
  for await (const item of walkTree(repo.store, root, { recursive: true })) {
    pruned.push(item.path.toString('latin1'));
    if (item.path.toString() === '/a') item.prune = true;
  }
  assert.deepEqual(pruned, ['/a', '/c', '/c/h', '/odd\xff']);

  const flat: string[] = [];
  for await (const item of walkTree(repo.store, root)) flat.push(item.path.toString('latin1'));
  assert.deepEqual(flat, ['/a', '/c', '/odd\xff']);
});

test('a damaged sub-tree goes to onDamaged and the walk goes on; without it, it throws', async (t) => {
  const { repo, repoDir, snapshot, root } = await tree(t);
  await repo.close();
  const [place] = await locateBlocks(repoDir, snapshot.id, '/a/b');
  await flipBlockByte(place);
  const reopened = await openTestRepo(t, repoDir);
  const seen: string[] = [], damaged: string[] = [];
  for await (const item of walkTree(reopened.store, root, { recursive: true, onDamaged: (_e, i) => damaged.push(i.path.toString()) })) seen.push(item.path.toString('latin1'));
  assert.deepEqual(damaged, ['/a/b']);
  assert.deepEqual(seen, ['/a', '/a/b', '/a/g', '/c', '/c/h', '/odd\xff']);
  await assert.rejects(async () => { for await (const _ of walkTree(reopened.store, root, { recursive: true })) void _; }, (err: DedupfsError) => err.code === 'BLOCK_DAMAGED');
});
