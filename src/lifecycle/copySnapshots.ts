// `dedupfs copy`: copies snapshots from one repository into another (folder to bucket, bucket to
// folder, plain or encrypted either side), sending only the blocks the destination lacks: the
// off-site step of a cron job. Two ways, chosen by whether the two address blocks alike
// (docs/ENCRYPTION.md, "Copying"):
//
// - **Blocks as they are**: both plain with the same chunker and hash, or both encrypted with the
//   same content key (so the same keyed addresses and gear table) and chunker sizes: what `copy
//   --init` and `init --copy-chunker-params-from` make. A block has the same address in both, the
//   destination deduplicates later ingests against what was copied, and the snapshot keeps its id.
//   Per snapshot its trees are walked in the source, skipping every tree and list block the
//   destination already holds (what a stored tree names is stored: blocks are always stored
//   before the tree that names them); the missing blocks are read (opened and checked against
//   their addresses) and added to the destination's store (sealed under its keys), data first,
//   then list blocks, then trees from the leaves up, so a kill keeps that rule.
// - **Chunked again**: otherwise (plain to encrypted, encrypted to plain, two unrelated keys, other
//   chunk sizes) an address in one says nothing in the other, so every file of the snapshot is
//   read from the source and stored as ingest stores it (the destination's chunker, gear table
//   and addresses), trees rebuilt from the leaves up; only blocks the destination lacks are
//   written. The copy has another root, so another id; it names the source's in `copied`, which is
//   how a later copy knows it is there. Unchanged subtrees and files are read once per run.
//
// Only after the store is flushed (durable, and in a bucket announced by an index object) is the
// snapshot record written. A snapshot the destination has already is skipped.
import { createHash } from 'node:crypto';
import { addressFromHex, addressToHex, type Address } from '../core/address.js';
import type { Reporter } from '../core/reporter.js';
import { DedupfsError } from '../core/errors.js';
import { Chunker, chunkStream } from '../chunker/index.js';
import { selectScoped } from '../catalog/selectSnapshot.js';
import { snapshotId, type Snapshot } from '../catalog/snapshotRecord.js';
import { isEncrypted, type RepoConfig } from '../repo/config.js';
import type { Repository } from '../repo/repository.js';
import { BlockType } from '../core/blocks.js';
import { ChunkListWriter } from '../tree/chunkList.js';
import type { FileContent, TreeEntry } from '../tree/entry.js';
import { readFileContent } from '../tree/readFileContent.js';
import { decodeTree, encodeTree } from '../tree/treeCodec.js';
import { walkBlocks } from '../tree/walkBlocks.js';

export interface CopyOptions {
  /** selectors of the snapshots to copy (id, prefix, latest, latest~N); none: every snapshot */
  snapshots?: string[];
  reporter?: Reporter;
  /** called once, before the first snapshot that is read and chunked again (none if all are there) */
  onChunkAgain?: () => void;
}

/** `from`: the source's id, when the copy was chunked again and so has another id. */
export interface CopiedSnapshot { id: string; time: string; blocks: number; rawBytes: number; from?: string }

export interface CopyReport {
  /** how: 'blocks' (as they are) or 'rechunk' (files read and chunked again) */
  mode: CopyMode;
  copied: CopiedSnapshot[];
  /** snapshots the destination had already (the source's ids) */
  skipped: string[];
}

export type CopyMode = 'blocks' | 'rechunk';

/** Data blocks read from the source with one getMany call. */
const READ_BATCH = 64;

/**
 * Copies snapshots of `from` into `to`. Both are open with (at least) shared locks.
 * @throws DedupfsError USAGE when the two are the same repository
 */
export async function copySnapshots(from: Repository, to: Repository, opts: CopyOptions = {}): Promise<CopyReport> {
  if (from.config.id === to.config.id) {
    throw new DedupfsError('USAGE', `${from.dir} and ${to.dir} are the same repository`, { hint: 'name another repository with --repo (the destination) or --from-repo (the source)' });
  }
  const mode = copyMode(from, to);
  const all = from.catalog.list();
  const chosen = opts.snapshots?.length ? [...new Map(opts.snapshots.map((sel) => selectScoped(from.catalog, sel)).map((s) => [s.id, s])).values()]
    .sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0)) : all;
  const there = to.catalog.list();
  const present = new Set([...there.map((s) => s.id), ...there.flatMap((s) => (s.copied ? [s.copied] : []))]);
  const report: CopyReport = { mode, copied: [], skipped: [] };
  const rechunk = mode === 'rechunk' ? new Rechunker(from, to, opts.reporter) : null;
  for (const snap of chosen) {
    if (present.has(snap.id)) {
      report.skipped.push(snap.id);
      continue;
    }
    if (rechunk && !report.copied.length) opts.onChunkAgain?.();
    opts.reporter?.item?.(`snapshot ${snap.id.slice(0, 8)}`);
    report.copied.push(rechunk ? await rechunk.copy(snap) : await copyBlocks(from, to, snap, opts.reporter));
    opts.reporter?.fileDone?.();
  }
  return report;
}

/**
 * 'blocks' when a block has the same address in both repositories (both plain, chunking and
 * hashing alike; or both encrypted with one content key and chunker sizes), else 'rechunk'.
 */
function copyMode(from: Repository, to: Repository): CopyMode {
  const what = (c: RepoConfig) => `${c.chunker.min}/${c.chunker.avg}/${c.chunker.max} ${c.chunker.level} ${c.chunker.seed} ${isEncrypted(c) ? 'keyed' : c.hash}`;
  if (what(from.config) !== what(to.config)) return 'rechunk';
  if (!from.keys && !to.keys) return 'blocks';
  return from.keys && to.keys && from.keys.material.contentKey.equals(to.keys.material.contentKey) ? 'blocks' : 'rechunk';
}

async function copyBlocks(from: Repository, to: Repository, snap: Snapshot, reporter?: Reporter): Promise<CopiedSnapshot> {
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
 * Copies snapshots whose blocks have other addresses in the destination: files read from the
 * source and chunked again as ingest does, trees rebuilt. What it did for a tree or a file's
 * content is remembered for the run, so what several snapshots share is read once.
 */
class Rechunker {
  private readonly chunker: Chunker;
  private readonly trees = new Map<string, Address>();
  private readonly contents = new Map<string, FileContent>();
  /** source id -> the copy's id, for `parent` */
  private readonly copies = new Map<string, string>();
  private result: CopiedSnapshot = { id: '', time: '', blocks: 0, rawBytes: 0 };

  constructor(private readonly from: Repository, private readonly to: Repository, private readonly reporter?: Reporter) {
    this.chunker = new Chunker(to.chunker);
    for (const s of to.catalog.list()) if (s.copied) this.copies.set(s.copied, s.id);
  }

  async copy(snap: Snapshot): Promise<CopiedSnapshot> {
    this.result = { id: '', time: snap.time, blocks: 0, rawBytes: 0, from: snap.id };
    const root = await this.tree(addressFromHex(snap.root));
    await this.to.store.flush();
    const { id: source, parent, original: _original, replaces: _replaces, ...rest } = snap;
    const parentCopy = parent ? this.copies.get(parent) : undefined;
    const fields: Omit<Snapshot, 'id'> = { ...rest, root: addressToHex(root), ...(parentCopy ? { parent: parentCopy } : {}), copied: source };
    const next: Snapshot = { id: snapshotId(fields), ...fields };
    await this.to.snapshotFiles.write(next);
    this.to.catalog.insert(next);
    this.copies.set(source, next.id);
    this.result.id = next.id;
    return this.result;
  }

  private add(type: BlockType, raw: Buffer): Address {
    const { address, added } = this.to.store.add(type, raw);
    if (added) {
      this.result.blocks++;
      this.result.rawBytes += raw.length;
      this.reporter?.bytes?.(raw.length);
    }
    return address;
  }

  private async tree(address: Address): Promise<Address> {
    const hex = address.toString('hex');
    const done = this.trees.get(hex);
    if (done) return done;
    const entries: TreeEntry[] = [];
    for (const e of decodeTree(await this.from.store.get(address))) {
      if (e.subtree) entries.push({ ...e, subtree: await this.tree(e.subtree) });
      else if (e.kind === 'file' && e.content) entries.push({ ...e, content: await this.content(e.content) });
      else entries.push(e);
    }
    const copied = this.add(BlockType.Tree, encodeTree(entries));
    this.trees.set(hex, copied);
    return copied;
  }

  private async content(content: FileContent): Promise<FileContent> {
    const refs = 'chunks' in content ? content.chunks.map((c) => c.address) : content.lists.map((l) => l.address);
    const key = createHash('sha256').update(Buffer.concat(refs)).digest('hex');
    const done = this.contents.get(key);
    if (done) return done;
    const list = new ChunkListWriter({ add: (type, raw) => ({ address: this.add(type, raw) }) });
    const from = this.from;
    const pieces = (async function* () {
      for await (const piece of readFileContent(from.store, content)) yield piece.data;
    })();
    for await (const chunk of chunkStream(pieces, this.chunker)) {
      list.push({ address: this.add(BlockType.Data, chunk.data), length: chunk.length });
      await this.to.store.waitForRoom();
    }
    const copied = list.finish();
    this.contents.set(key, copied);
    return copied;
  }
}
