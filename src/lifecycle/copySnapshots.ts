// `dedupfs copy`: copies snapshots from one repository into another (folder to bucket, bucket to
// folder, or alike), sending only the blocks the destination lacks: the off-site step of a cron
// job. Both repositories must chunk and hash alike (`copy --init` or `init
// --copy-chunker-params-from` makes such a destination), so a block has the same address in both
// and the destination deduplicates later ingests against what was copied. Encrypted repositories
// (keyed addresses) are refused for now.
//
// Per snapshot: its trees are walked in the source, skipping every tree and list block the
// destination already holds (what a stored tree names is stored: blocks are always stored before
// the tree that names them); the missing blocks are read (checked against their addresses,
// back-to-back data blocks in one read) and added to the destination's store, data first, then
// list blocks, then trees from the leaves up, so a kill keeps that rule. Only after the store is
// flushed (durable, and in a bucket announced by an index object) is the snapshot record written,
// unchanged, so it keeps its id. A snapshot the destination has already is skipped.
import type { Address } from '../core/address.js';
import { DedupfsError } from '../core/errors.js';
import type { Reporter } from '../core/reporter.js';
import { selectScoped } from '../catalog/selectSnapshot.js';
import type { Snapshot } from '../catalog/snapshotRecord.js';
import { isEncrypted, type RepoConfig } from '../repo/config.js';
import type { Repository } from '../repo/repository.js';
import { BlockType } from '../core/blocks.js';
import { walkBlocks } from '../tree/walkBlocks.js';

export interface CopyOptions {
  /** selectors of the snapshots to copy (id, prefix, latest, latest~N); none: every snapshot */
  snapshots?: string[];
  reporter?: Reporter;
}

export interface CopiedSnapshot { id: string; time: string; blocks: number; rawBytes: number }

export interface CopyReport {
  copied: CopiedSnapshot[];
  /** snapshots the destination had already */
  skipped: string[];
}

/** Data blocks read from the source with one getMany call. */
const READ_BATCH = 64;

/**
 * Copies snapshots of `from` into `to`. Both are open with (at least) shared locks.
 * @throws DedupfsError USAGE when the two chunk or hash differently, or are the same repository.
 */
export async function copySnapshots(from: Repository, to: Repository, opts: CopyOptions = {}): Promise<CopyReport> {
  refuseUnlike(from, to);
  const all = from.catalog.list();
  const chosen = opts.snapshots?.length ? [...new Map(opts.snapshots.map((sel) => selectScoped(from.catalog, sel)).map((s) => [s.id, s])).values()]
    .sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0)) : all;
  const present = new Set(to.catalog.list().map((s) => s.id));
  const report: CopyReport = { copied: [], skipped: [] };
  for (const snap of chosen) {
    if (present.has(snap.id)) {
      report.skipped.push(snap.id);
      continue;
    }
    opts.reporter?.item?.(`snapshot ${snap.id.slice(0, 8)}`);
    report.copied.push(await copyOne(from, to, snap, opts.reporter));
    opts.reporter?.fileDone?.();
  }
  return report;
}

async function copyOne(from: Repository, to: Repository, snap: Snapshot, reporter?: Reporter): Promise<CopiedSnapshot> {
  const data: Address[] = [], lists: Address[] = [], trees: Address[] = [];
  const seen = new Set<string>();
  await walkBlocks(from.store, Buffer.from(snap.root, 'hex'), (address, type) => {
    const hex = address.toString('hex');
    if (seen.has(hex) || to.store.has(address)) return false;
    seen.add(hex);
    (type === BlockType.Data ? data : type === BlockType.List ? lists : trees).push(address);
    return true;
  });
  const result: CopiedSnapshot = { id: snap.id, time: snap.time, blocks: 0, rawBytes: 0 };
  const add = (type: BlockType, raw: Buffer) => {
    if (!to.store.add(type, raw).added) return;
    result.blocks++;
    result.rawBytes += raw.length;
    reporter?.bytes?.(raw.length);
  };
  for (let i = 0; i < data.length; i += READ_BATCH) {
    const batch = from.store.getMany(data.slice(i, i + READ_BATCH));
    for (const block of batch) add(BlockType.Data, Buffer.from(await block));
    await to.store.waitForRoom();
  }
  for (const addr of lists) add(BlockType.List, await from.store.get(addr));
  for (const addr of trees.reverse()) add(BlockType.Tree, await from.store.get(addr));
  await to.store.flush();
  await to.snapshotFiles.write(snap);
  to.catalog.insert(snap);
  return result;
}

/**
 * An encrypted repository's addresses are keyed, so its blocks have other addresses in any other
 * repository: copying from or into one is not built yet.
 * @throws DedupfsError USAGE for an encrypted repository
 */
export function refuseEncryptedCopy(repo: Repository): void {
  if (isEncrypted(repo.config)) {
    throw new DedupfsError('USAGE', `cannot copy: ${repo.dir} is encrypted, and copy does not work with encrypted repositories yet`,
      { hint: 'copy between plain repositories, or restore from the encrypted one and ingest' });
  }
}

function refuseUnlike(from: Repository, to: Repository): void {
  refuseEncryptedCopy(from);
  refuseEncryptedCopy(to);
  if (from.config.id === to.config.id) {
    throw new DedupfsError('USAGE', `${from.dir} and ${to.dir} are the same repository`, { hint: 'name another repository with --repo (the destination) or --from-repo (the source)' });
  }
  const what = (c: RepoConfig) => `chunks ${c.chunker.min}/${c.chunker.avg}/${c.chunker.max} level ${c.chunker.level} seed ${c.chunker.seed}, hash ${c.hash}`;
  if (what(from.config) !== what(to.config)) {
    throw new DedupfsError('USAGE', `cannot copy: ${from.dir} (${what(from.config)}) and ${to.dir} (${what(to.config)}) chunk or hash differently`, {
      hint: `copy into a repository made with 'dedupfs init --copy-chunker-params-from ${from.dir}', or let 'dedupfs copy --init' make it`,
    });
  }
}
