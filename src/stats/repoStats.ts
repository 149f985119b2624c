// `dedupfs stats`: what the repository holds and what it costs. Logical bytes count every file
// of every snapshot; unique bytes count each distinct data chunk once, uncompressed; stored bytes
// are what the repository folder takes on disk. Their ratios are the deduplication, compression
// and total ratios.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { addressFromHex } from '../core/address.js';
import type { Repository } from '../repo/repository.js';
import type { Snapshot } from '../catalog/snapshotRecord.js';
import { BlockType } from '../core/blocks.js';
import { markReachable } from '../lifecycle/markReachable.js';
import { StoreMaintenance } from '../store/index.js';

export interface RepoStats {
  snapshots: number;
  files: number;
  logicalBytes: number;
  uniqueBytes: number;
  storedBytes: number;
  chunks: number;
  blocks: number;
  packs: number;
  meanChunkSize: number;
  dedupRatio: number;
  compressionRatio: number;
  totalRatio: number;
}

export interface SnapshotStats {
  id: string;
  time: string;
  files: number;
  logicalBytes: number;
  added: Snapshot['added'];
  /** blocks that no other snapshot refers to: what forgetting this one alone would free */
  exclusive: { blocks: number; rawBytes: number; storedBytes: number };
}

const ratio = (a: number, b: number) => (b > 0 ? a / b : 0);

export async function repoStats(repo: Repository): Promise<RepoStats> {
  const snaps = repo.catalog.list();
  let uniqueBytes = 0, chunks = 0, blocks = 0, dataStored = 0;
  for (const [, loc] of new StoreMaintenance(repo.store).indexEntries()) {
    blocks++;
    if (loc.type !== BlockType.Data) continue;
    chunks++;
    uniqueBytes += loc.rawLength;
    dataStored += loc.storedLength;
  }
  const { bytes: storedBytes, packs } = repo.remote ? await bucketUsage(repo) : await diskUsage(repo.dir);
  const logicalBytes = snaps.reduce((n, s) => n + s.bytes, 0);
  return {
    snapshots: snaps.length, files: snaps.reduce((n, s) => n + s.files, 0), logicalBytes, uniqueBytes, storedBytes,
    chunks, blocks, packs, meanChunkSize: ratio(uniqueBytes, chunks),
    dedupRatio: ratio(logicalBytes, uniqueBytes), compressionRatio: ratio(uniqueBytes, dataStored), totalRatio: ratio(logicalBytes, storedBytes),
  };
}

export async function snapshotStats(repo: Repository, snap: Snapshot): Promise<SnapshotStats> {
  const mine = await markReachable(repo.store, [snap]);
  const others = await markReachable(repo.store, repo.catalog.list().filter((s) => s.id !== snap.id));
  const exclusive = { blocks: 0, rawBytes: 0, storedBytes: 0 };
  const store = new StoreMaintenance(repo.store);
  for (const key of mine) {
    if (others.has(key)) continue;
    const loc = store.located(addressFromHex(key));
    exclusive.blocks++;
    exclusive.rawBytes += loc?.rawLength ?? 0;
    exclusive.storedBytes += loc?.storedLength ?? 0;
  }
  return { id: snap.id, time: snap.time, files: snap.files, logicalBytes: snap.bytes, added: snap.added, exclusive };
}

/** Bytes of the packs of a repository in a bucket (one listing request per 1000 packs). */
async function bucketUsage(repo: Repository): Promise<{ bytes: number; packs: number }> {
  const { sealed } = await new StoreMaintenance(repo.store).listPacks();
  return { bytes: sealed.reduce((n, p) => n + p.size, 0), packs: sealed.length };
}

/** Bytes of every file under the repository folder, and the number of sealed packs. */
async function diskUsage(dir: string): Promise<{ bytes: number; packs: number }> {
  let bytes = 0, packs = 0;
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      const sub = await diskUsage(p);
      bytes += sub.bytes;
      packs += sub.packs;
    } else if (e.isFile()) {
      bytes += (await stat(p)).size;
      if (e.name.endsWith('.pack')) packs++;
    }
  }
  return { bytes, packs };
}
