// Keeps the work of a killed writer. A process killed in mid-ingest leaves its open pack in
// packs/tmp unsealed: its records are whole up to the point the kill cut, each one
// self-describing (docs/FORMAT.md). Here every such pack whose writer is gone is taken over,
// each record is checked (header, decompression, hash), and the pack is sealed in place with a
// trailer that lists only the records that verify, renamed into packs/XX/ and indexed; a pack
// with nothing worth keeping is removed. A pack the writer had sealed but not yet indexed is
// still in packs/tmp too (a second link, packWriter.ts): its blocks are indexed and the tmp
// name removed. The next ingest then finds those blocks and does not store them again.
//
// Safety with other writers: a pack's tmp name carries the id of its writer's lock
// (<pack id>-<lock id>.tmp, packWriter.ts). It is taken over only when that lock file is gone or
// stale, or, for a name without an owner, when no live lock but the caller's own is left.
// Packs are listed before the locks: a writer takes its lock before it creates a pack, so a
// pack seen in the listing has its owner's lock in place by the time the locks are read.
// Taking over is a rename to a name that carries the caller's own lock id, which only one
// process can win (the loser gets ENOENT and moves on); if the caller dies in turn, the pack
// carries its dead id and the next run takes it over again.
//
// Write order is that of a fresh pack: trailer, fsync, rename into place, fsync of the folder,
// then the index. A kill in between leaves either the tmp file or a sealed pack the index does
// not name yet, as a normal seal would.
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { HashFunction } from '../core/address.js';
import { DedupfsError } from '../core/errors.js';
import { fsyncDir } from '../core/fsyncDir.js';
import { DIR_MODE, packPath, type RepoLayout } from '../core/layout.js';
import { decompressBlock } from './compress.js';
import type { BlockIndex } from './index/blockIndex.js';
import { listPacks, type PackFile } from './listPacks.js';
import { CLEAR_PACKS, recordBytes, type PackEntry, type PackFormat } from './pack/format.js';
import type { BlockType } from '../core/blocks.js';
import { unsealedName } from './pack/packWriter.js';
import { readPackEntries } from './pack/readPackEntries.js';

export interface RecoverUnsealedOptions {
  layout: RepoLayout;
  index: BlockIndex;
  hash: HashFunction;
  /** an encrypted repository: opens a block's sealed bytes (BlockStore.openSealed); a write-only key opens none, so its packs are not taken over */
  open?: (address: Buffer, type: BlockType, stored: Buffer, header?: Buffer) => Buffer;
  /** the layout of the packs (PackSpace.format); default: the clear one */
  format?: PackFormat;
  /** the caller's own lock id: packs it takes over are renamed to carry it */
  owner: string;
  /** ids of the locks that are held (not stale), the caller's own included; read after the packs are listed */
  liveLocks: () => Promise<Set<string>>;
}

export interface RecoverUnsealedResult {
  /** packs taken over from packs/tmp: sealed (or found sealed) and indexed */
  packs: number;
  /** blocks they hold that the index did not name before */
  blocks: number;
  /** raw (uncompressed) and stored bytes of those blocks */
  rawBytes: number;
  storedBytes: number;
  /** records dropped because they failed to verify (a torn last record is not counted) */
  damaged: number;
  /** unsealed packs removed because nothing in them was worth keeping */
  removed: number;
}

/** Seals and indexes the verified records of every unsealed pack whose writer is gone. */
export async function recoverUnsealedPacks(opts: RecoverUnsealedOptions): Promise<RecoverUnsealedResult> {
  const result: RecoverUnsealedResult = { packs: 0, blocks: 0, rawBytes: 0, storedBytes: 0, damaged: 0, removed: 0 };
  const { unsealed } = await listPacks(opts.layout);
  if (!unsealed.length) return result;
  const live = await opts.liveLocks();
  const othersLive = [...live].some((id) => id !== opts.owner);
  for (const pack of unsealed) {
    if (pack.owner === opts.owner) continue; // our own, being written right now
    if (pack.owner ? live.has(pack.owner) : othersLive) continue;
    const claimed = join(opts.layout.packsTmp, unsealedName(pack.packId, opts.owner));
    try {
      await rename(pack.path, claimed);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // another process took it first
      throw err;
    }
    try {
      await sealRecovered(opts, { ...pack, path: claimed }, result);
    } catch (err) {
      // A write-only key opens no block, so it cannot tell good records from bad: the pack is
      // left (carrying this process's lock id, which goes stale with it) for a full key to take over.
      if (err instanceof DedupfsError && err.code === 'KEY') continue;
      throw err;
    }
  }
  return result;
}

async function sealRecovered(opts: RecoverUnsealedOptions, pack: PackFile, result: RecoverUnsealedResult): Promise<void> {
  const format = opts.format ?? CLEAR_PACKS;
  const contents = await readPackEntries(pack.path, format);
  const valid = await verifiedEntries(pack.path, contents.entries, opts, format);
  result.damaged += contents.entries.length - valid.length;
  if (!valid.length) {
    await rm(pack.path, { force: true });
    result.removed++;
    return;
  }
  const finalPath = packPath(opts.layout, pack.packId);
  // A sealed pack whose writer died before indexing it (packWriter.ts, keepTmp) already has its
  // final name: the tmp name is a second link to the same file, which must not be changed.
  const linked = contents.sealed && await stat(finalPath).then(() => true, () => false);
  if (!linked) {
    if (!contents.sealed) await appendTrailer(pack, valid, format);
    await mkdir(dirname(finalPath), { recursive: true, mode: DIR_MODE });
    await rename(pack.path, finalPath);
    await fsyncDir(dirname(finalPath));
  }
  const fresh = valid.filter((e) => !opts.index.has(e.address));
  await opts.index.addPack(pack.packId, fresh);
  if (linked) await rm(pack.path, { force: true });
  result.packs++;
  result.blocks += fresh.length;
  for (const e of fresh) {
    result.rawBytes += e.rawLength;
    result.storedBytes += recordBytes(format, e.storedLength);
  }
}

/** The entries of the pack at `path` whose records are whole and verify. */
async function verifiedEntries(path: string, entries: PackEntry[], check: Pick<RecoverUnsealedOptions, 'hash' | 'open'>, format: PackFormat): Promise<PackEntry[]> {
  const fh = await open(path, 'r');
  try {
    const valid: PackEntry[] = [];
    for (const entry of entries) {
      const rec = Buffer.allocUnsafe(recordBytes(format, entry.storedLength));
      const { bytesRead } = await fh.read(rec, 0, rec.length, entry.offset);
      if (recordVerifies(rec.subarray(0, bytesRead), entry, check, format)) valid.push(entry);
    }
    return valid;
  } finally {
    await fh.close();
  }
}

/** Seals an unsealed pack in place: cut after the last valid record, then a trailer listing the valid ones. */
async function appendTrailer(pack: PackFile, valid: PackEntry[], format: PackFormat): Promise<void> {
  const last = valid[valid.length - 1];
  const end = last.offset + recordBytes(format, last.storedLength);
  const fh = await open(pack.path, 'r+');
  try {
    await fh.truncate(end);
    await fh.write(format.encodeTrailer(pack.packId, valid), 0, undefined, end);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** true when `rec` is a whole record whose header matches `entry` and whose bytes hash to its address. */
function recordVerifies(rec: Buffer, entry: PackEntry, { hash, open }: Pick<RecoverUnsealedOptions, 'hash' | 'open'>, format: PackFormat): boolean {
  if (rec.length !== recordBytes(format, entry.storedLength)) return false;
  const header = format.decodeHeader(rec, 0);
  if (!header || !header.address.equals(entry.address) || (header.seal && (!entry.seal || !header.seal.equals(entry.seal)))) return false;
  try {
    const stored = rec.subarray(format.headerBytes);
    const raw = decompressBlock(open ? open(entry.address, entry.type, stored, entry.seal) : stored, entry.compression, entry.rawLength);
    return raw.length === entry.rawLength && hash(raw).equals(entry.address);
  } catch (err) {
    if (err instanceof DedupfsError && err.code === 'KEY') throw err;
    return false;
  }
}
