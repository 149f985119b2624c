// The catalog layout built from a real repository's snapshot files (no FUSE needed): names by
// time with a suffix for a second snapshot in the same second, hosts and tags escaped, stable
// inode numbers across refreshes, and a damaged snapshot file that keeps the last good layout.
// And the block cache: bounded, and failed fetches are not remembered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { removeSnapshotFile, snapshotId, writeSnapshotFile, type Snapshot } from '../../src/catalog/snapshotRecord.js';
import { addressFromHex } from '../../src/core/address.js';
import { BlockCache } from '../../src/mount/blockCache.js';
import { CatalogView } from '../../src/mount/catalogView.js';
import { InodeAllocator } from '../../src/mount/inodes.js';
import type { DirNode, MountNode } from '../../src/mount/mountNode.js';
import { loadChunkTable } from '../../src/tree/chunkList.js';
import { decodeTree } from '../../src/tree/treeCodec.js';
import { runCli } from '../helpers/cli.js';
import { openTestRepo, tempRepoPath } from '../helpers/repo.js';
import { tempDir } from '../helpers/tempDir.js';

async function names(dir: MountNode | undefined): Promise<string[]> {
  assert.equal(dir?.kind, 'dir');
  return [...(await (dir as DirNode).children()).keys()].sort();
}

async function child(dir: DirNode, path: string): Promise<MountNode | undefined> {
  let node: MountNode | undefined = dir;
  for (const name of path.split('/')) node = node?.kind === 'dir' ? (await node.children()).get(name) : undefined;
  return node;
}

test('the catalog layout: times, same-second suffixes, ids, escaped hosts and tags, latest; refreshed from the snapshot files', async (t) => {
  const repoDir = await tempRepoPath(t);
  const src = await tempDir(t);
  await writeFile(join(src, 'a.txt'), 'a\n');
  const r = await runCli(['ingest', '--init', src, '--json', '--tag', 'daily'], { repo: repoDir });
  assert.equal(r.code, 0, r.stderr);
  const first = JSON.parse(r.stdout) as Snapshot & { type?: string; dry_run?: boolean };
  delete first.type;
  delete first.dry_run;
  const repo = await openTestRepo(t, repoDir, 'none');
  const errors: string[] = [];
  const view = new CatalogView({ catalog: repo.catalog, snapshotDir: repo.layout.snapshots, store: repo.store, inodes: new InodeAllocator(), onError: (e) => errors.push(String(e)) });
  await view.refresh(true);
  const second = `${first.time.slice(0, 19)}Z`;
  assert.deepEqual(await names(view.root), ['hosts', 'ids', 'latest', 'snapshots', 'tags']);
  assert.deepEqual(await names(await child(view.root, 'snapshots')), [second]);
  const rootIno = (await child(view.root, `snapshots/${second}`))?.stat.ino;

  // Another snapshot in the same second, from a host and with a tag that need escaping.
  const fields = { ...first, time: `${first.time.slice(0, 19)}.999Z`, host: 'web/1', tags: ['..', 'daily'] } as Partial<Snapshot>;
  delete fields.id;
  const twin: Snapshot = { ...(fields as Omit<Snapshot, 'id'>), id: snapshotId(fields as Omit<Snapshot, 'id'>) };
  await writeSnapshotFile(repo.layout.snapshots, twin);
  await view.refresh(true);
  const twinName = `${second}-${twin.id.slice(0, 8)}`;
  assert.deepEqual(await names(await child(view.root, 'snapshots')), [second, twinName].sort());
  assert.deepEqual(await names(await child(view.root, 'ids')), [first.id.slice(0, 8), twin.id.slice(0, 8)].sort());
  assert.deepEqual(await names(await child(view.root, 'hosts')), [first.host, 'web\\x2f1'].sort());
  assert.deepEqual(await names(await child(view.root, 'tags')), ['\\x2e\\x2e', 'daily']);
  assert.deepEqual(await names(await child(view.root, 'tags/daily')), [second, twinName].sort());
  const latest = await child(view.root, 'latest');
  assert.equal(latest?.kind === 'symlink' && latest.target, `snapshots/${twinName}`);
  assert.equal((await child(view.root, `snapshots/${second}`))?.stat.ino, rootIno, 'a snapshot keeps its inode number');
  assert.equal((await child(view.root, `ids/${first.id.slice(0, 8)}`))?.stat.ino, rootIno, 'aliases are the same folder');
  assert.deepEqual(await names(await child(view.root, `snapshots/${twinName}`)), ['a.txt']);

  // A damaged snapshot file is reported and the last good layout kept; a removed one goes.
  await writeFile(join(repo.layout.snapshots, `${'e'.repeat(64)}.json`), '{ not json');
  await view.refresh(true);
  await view.refresh(true);
  assert.equal(errors.length, 1, 'reported once');
  assert.equal((await names(await child(view.root, 'snapshots'))).length, 2);
  await removeSnapshotFile(repo.layout.snapshots, 'e'.repeat(64));
  await removeSnapshotFile(repo.layout.snapshots, twin.id);
  await view.refresh(true);
  assert.deepEqual(await names(await child(view.root, 'snapshots')), [second]);
  assert.deepEqual(await names(await child(view.root, 'hosts')), [first.host]);
});

test('the block cache stays within its size, and a block that fails to read is fetched again next time', async (t) => {
  const repoDir = await tempRepoPath(t);
  const src = await tempDir(t);
  await mkdir(join(src, 'd'));
  // The store reads back-to-back blocks in runs of up to 2 MiB and a cached block keeps its run's
  // buffer: the cache must hold more than one run for anything to stay.
  await writeFile(join(src, 'd', 'big.bin'), randomBytes(12 << 20));
  assert.equal((await runCli(['ingest', '--init', src], { repo: repoDir })).code, 0);
  const repo = await openTestRepo(t, repoDir, 'none');
  const root = decodeTree(await repo.store.get(addressFromHex(repo.catalog.list()[0].root)));
  const dir = decodeTree(await repo.store.get(root[0].subtree as Buffer));
  const table = await loadChunkTable(repo.store, dir[0].content);
  const addrs = Array.from({ length: table.count }, (_, i) => table.address(i));

  const cacheBytes = 3 << 20;
  const cache = new BlockCache(repo.store, cacheBytes);
  const blocks = await Promise.all(cache.getMany(addrs));
  blocks.forEach((b, i) => assert.equal(b.length, table.length(i)));
  const kept = addrs.filter((a) => cache.peek(a));
  assert.ok(kept.length > 0 && kept.length < addrs.length, `some blocks were evicted (${kept.length} of ${addrs.length} kept)`);
  const keptBytes = kept.reduce((n, a) => n + (cache.peek(a) as Buffer).length, 0);
  assert.ok(keptBytes <= cacheBytes, `kept ${keptBytes} bytes`);
  assert.ok(cache.peek(addrs[addrs.length - 1]), 'the most recent block is kept');

  const unknown = randomBytes(32); // in no pack: every fetch fails
  await assert.rejects(cache.get(unknown), /missing from the index/);
  assert.equal(cache.peek(unknown), undefined, 'a failed fetch is not cached');
  await assert.rejects(cache.get(unknown), /missing from the index/);
});
