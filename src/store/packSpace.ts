// Where a repository's sealed packs live, and the only way the store and maintenance reach them:
// list, read a range, read a pack's entries, seal a written pack, remove packs. Two places:
//
// - LocalPacks: packs/XX/<id>.pack in the repository folder, as always. A pack is written in
//   packs/tmp and renamed into place by PackWriter.seal; reads go through an open-file cache
//   (packFiles.ts).
// - BucketPacks: objects packs/XX/<id>.pack behind a Backend (an S3 bucket). A pack is written
//   in the local cache's packs/tmp, completed (trailer, fsync), uploaded whole with one PUT
//   (visible only once complete), and only then may anything name it; the local file then goes.
//   Reads are ranged GETs: the store reads back-to-back blocks with one (blockStore.getMany).
//
// Unsealed packs (packs/tmp leftovers of killed writers) are always local files.
import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Backend } from '../backend/backend.js';
import { DedupfsError, ioError } from '../core/errors.js';
import { fsyncDir } from '../core/fsyncDir.js';
import type { RepoLayout } from '../core/layout.js';
import { listPacks, PACK_ID, type PackFile, type PackListing } from './listPacks.js';
import { CLEAR_PACKS, type PackFormat } from './pack/format.js';
import type { PackWriter } from './pack/packWriter.js';
import { readPackEntries, readPackSource, type PackContents } from './pack/readPackEntries.js';
import { PackFiles } from './packFiles.js';

export interface PackSpace {
  /** where packs are written (packs/tmp) and, for local packs, kept */
  readonly layout: RepoLayout;
  /** true when packs are objects behind a backend rather than files in the repository folder */
  readonly remote: boolean;
  /** how the packs are laid out: clear (formats 1 to 3) or sealed (format 4) */
  readonly format: PackFormat;
  /** sealed packs (sorted by id), unsealed leftovers and strays */
  list(): Promise<PackListing>;
  /** `length` bytes of pack `packId` from `position`; fewer at the end of a local pack. Local packs are read into `into` when given. */
  read(packId: string, position: number, length: number, into?: Buffer): Promise<Buffer>;
  /** the pack's entries from its trailer, or its headers (readPackEntries.ts) */
  readEntries(pack: PackFile): Promise<PackContents>;
  /** Makes a written pack whole where readers find it; keepTmp: see PackWriter.seal (local only). */
  seal(writer: PackWriter, opts?: { keepTmp?: boolean }): Promise<void>;
  /** Deletes sealed packs and unsealed leftovers. */
  remove(packs: PackFile[]): Promise<void>;
  /** Reads through the thread pool from now on (the mount: see packFiles.ts). */
  readAsynchronously(): void;
  close(): Promise<void>;
}

export class LocalPacks implements PackSpace {
  readonly remote = false;
  private readonly files: PackFiles;

  constructor(readonly layout: RepoLayout, readonly format: PackFormat = CLEAR_PACKS) {
    this.files = new PackFiles(layout);
  }

  list(): Promise<PackListing> {
    return listPacks(this.layout);
  }

  read(packId: string, position: number, length: number, into?: Buffer): Promise<Buffer> {
    return this.files.read(packId, position, length, into);
  }

  readEntries(pack: PackFile): Promise<PackContents> {
    return readPackEntries(pack.path, this.format);
  }

  seal(writer: PackWriter, opts: { keepTmp?: boolean } = {}): Promise<void> {
    return writer.seal(opts);
  }

  async remove(packs: PackFile[]): Promise<void> {
    const dirs = new Set<string>();
    for (const p of packs) {
      await rm(p.path, { force: true }).catch((err) => { throw ioError(err, 'cannot delete', p.path); });
      dirs.add(dirname(p.path));
    }
    for (const dir of dirs) await fsyncDir(dir).catch((err) => { throw ioError(err, 'cannot sync folder', dir); });
  }

  readAsynchronously(): void {
    this.files.sync = false;
  }

  close(): Promise<void> {
    return this.files.close();
  }
}

/** How much of a pack's end one GET fetches when its entries are read: footer and trailer of a usual pack. */
const TAIL_BYTES = 256 << 10;
/**
 * Packs are read in segments of this size, kept in memory until every byte of one has been read
 * or it is the least recently used of SEGMENTS_KEPT. A read in a segment fetches the next one ahead, and from its second half on the one after
 * that too (SEGMENTS_AHEAD), so that a reader going through a pack in order (restore, cat, the
 * mount, gc's copies, check --read-data) costs one GET per 4 MiB with one or two more under way,
 * instead of one GET per call of a few chunks. Nothing is fetched past a pack's end: a segment
 * that comes back short is its last.
 */
const SEGMENT_BYTES = 4 << 20;
const SEGMENTS_KEPT = 8;
const SEGMENTS_AHEAD = 2;

export class BucketPacks implements PackSpace {
  readonly remote = true;
  /** segments by `packId:index`, least recently used first, with the bytes read from each so far */
  private readonly segments = new Map<string, { data: Promise<Buffer>; used: number }>();

  constructor(readonly layout: RepoLayout, private readonly backend: Backend, readonly format: PackFormat = CLEAR_PACKS) {}

  async list(): Promise<PackListing> {
    const listing: PackListing = { sealed: [], unsealed: (await listPacks(this.layout)).unsealed, strays: [] };
    for await (const o of this.backend.list('packs/')) {
      const m = /^packs\/([0-9a-f]{2})\/([0-9a-f]+)\.pack$/.exec(o.key);
      if (m && PACK_ID.test(m[2]) && m[2].startsWith(m[1])) listing.sealed.push({ packId: m[2], path: o.key, size: o.size });
      else listing.strays.push(o.key);
    }
    listing.sealed.sort((a, b) => (a.packId < b.packId ? -1 : a.packId > b.packId ? 1 : 0));
    return listing;
  }

  async read(packId: string, position: number, length: number): Promise<Buffer> {
    if (length > SEGMENT_BYTES) return this.backend.getRange(packKey(packId), position, length);
    const first = Math.floor(position / SEGMENT_BYTES), last = Math.floor((position + length - 1) / SEGMENT_BYTES);
    const parts = await Promise.all(first === last ? [this.segment(packId, first)] : [this.segment(packId, first), this.segment(packId, last)]);
    const start = position - first * SEGMENT_BYTES, into = (position + length) - last * SEGMENT_BYTES;
    const tail = parts[parts.length - 1]!;
    this.fetchAhead(packId, last, tail, into >= SEGMENT_BYTES / 2 ? SEGMENTS_AHEAD : 1);
    // Shorter at a pack's end, as a file read would be: the caller finds the record cut short.
    const out = parts.length === 1 ? parts[0]!.subarray(start, start + length) : Buffer.concat([parts[0]!.subarray(start), tail.subarray(0, into)]);
    this.consumed(packId, first, parts[0]!, (parts.length === 1 ? start + length : SEGMENT_BYTES) - start);
    if (parts.length > 1) this.consumed(packId, last, tail, into);
    return out;
  }

  /** Fetches up to `count` segments after segment `index` (whose bytes are `seg`), each once the one before it turned out whole. */
  private fetchAhead(packId: string, index: number, seg: Buffer, count: number): void {
    if (count === 0 || seg.length < SEGMENT_BYTES) return;
    void this.segment(packId, index + 1).then((next) => this.fetchAhead(packId, index + 1, next, count - 1), () => undefined);
  }

  // A segment whose every byte has been read goes at once: readers go through a pack's blocks
  // once each (a restore, the mount, gc, check), so it would only sit in memory until it is the
  // least recently used. (A block read twice may then cost a second GET of its segment.)
  private consumed(packId: string, index: number, seg: Buffer, bytes: number): void {
    const key = `${packId}:${index}`;
    const kept = this.segments.get(key);
    if (!kept) return;
    kept.used += bytes;
    if (kept.used >= seg.length) this.segments.delete(key);
  }

  private segment(packId: string, index: number): Promise<Buffer> {
    const key = `${packId}:${index}`;
    let seg = this.segments.get(key);
    if (seg) this.segments.delete(key); // re-inserted below: most recently used last
    else {
      const fetched = { data: this.backend.getRange(packKey(packId), index * SEGMENT_BYTES, SEGMENT_BYTES, { upTo: true }), used: 0 };
      fetched.data.catch(() => { if (this.segments.get(key) === fetched) this.segments.delete(key); });
      seg = fetched;
    }
    this.segments.set(key, seg);
    if (this.segments.size > SEGMENTS_KEPT) this.segments.delete(this.segments.keys().next().value!);
    return seg.data;
  }

  // The magic costs one GET, the end of the pack (footer and trailer together) one more.
  async readEntries(pack: PackFile): Promise<PackContents> {
    const tailStart = Math.max(0, pack.size - TAIL_BYTES);
    let tail: Promise<Buffer> | undefined;
    return readPackSource({
      size: pack.size,
      read: async (position, length) => {
        const end = Math.min(pack.size, position + length);
        if (position >= tailStart && position > 0) {
          tail ??= this.backend.getRange(pack.path, tailStart, pack.size - tailStart);
          return (await tail).subarray(position - tailStart, end - tailStart);
        }
        return end > position ? this.backend.getRange(pack.path, position, end - position) : Buffer.alloc(0);
      },
    }, pack.packId, this.format);
  }

  async seal(writer: PackWriter): Promise<void> {
    await writer.complete();
    await this.backend.putFile(packKey(writer.packId), writer.tmpPath);
    await writer.dropTmp();
  }

  async remove(packs: PackFile[]): Promise<void> {
    const local = packs.filter((p) => !p.path.startsWith('packs/'));
    await this.backend.deleteMany(packs.filter((p) => p.path.startsWith('packs/')).map((p) => p.path));
    for (const p of local) await rm(p.path, { force: true }).catch((err) => { throw ioError(err, 'cannot delete', p.path); });
  }

  readAsynchronously(): void {}

  async close(): Promise<void> {
    this.segments.clear();
  }
}

/**
 * true for an error that says nothing about a pack (a bucket that cannot be reached, refused
 * credentials): it ends the command instead of being reported as damage. A pack's own trouble
 * (missing, cut short, unreadable file) is not one of them.
 */
export function unreachable(err: unknown): boolean {
  return err instanceof DedupfsError && !['NOT_FOUND', 'REPO_DAMAGED', 'BLOCK_DAMAGED'].includes(err.code);
}

/** The object key of a pack: the same relative path as in a repository folder. */
export function packKey(packId: string): string {
  return `packs/${packId.slice(0, 2)}/${packId}.pack`;
}
