// Index objects: how the caches of many hosts learn which blocks a bucket holds without listing
// or reading its packs. Each writer, once the packs it sealed are whole in the bucket, adds one
// small object index/<time>-<random> naming those packs and their entries (the packs' trailers,
// docs/BACKENDS.md). A cache remembers which objects it has applied (index-objects.json beside
// its LMDB index); catching up costs one listing of index/ and one GET per new object.
//
// gc and repair, under the exclusive lock, write a *full* object (name ending in -full) listing
// every block of the rebuilt index and the names of the objects it supersedes, before they
// delete packs; then they delete the superseded objects. A cache rebuilds its index from the
// objects when an object it applied is gone from the listing, or a new full one appears: the
// newest full object first, then every object no full object supersedes. So a cache is never
// trusted blindly: what the listing shows decides.
//
// In an encrypted repository each object is sealed as a writer record named by the object's
// name (docs/ENCRYPTION.md): every key, write-only ones included, reads it (a writer must know
// what is stored to deduplicate), an outsider reads nothing, and an object renamed does not open.
//
//   object := 'DDFSIX01' flags(u32: 1 full) nSuperseded(u32) (len(u16) name)* nPacks(u32) pack*
//   pack   := packId(16) count(u32) entry(48)*          entries encoded as in a pack's trailer
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Backend } from '../backend/backend.js';
import { DedupfsError } from '../core/errors.js';
import { Limiter } from '../core/limiter.js';
import { writeFileDurably } from '../core/writeFileDurably.js';
import { FILE_MODE } from '../repo/layout.js';
import type { BlockIndex } from './index/blockIndex.js';
import { ENTRY_BYTES, decodeTrailerEntries, encodeEntries, type PackEntry } from './pack/format.js';

export const INDEX_PREFIX = 'index/';
const MAGIC = Buffer.from('DDFSIX01');
const FULL_SUFFIX = '-full';
const NAME = /^[0-9a-z]{10}-[0-9a-f]{16}(-full)?$/;
const FETCHES_AT_ONCE = 4;

/** An encrypted repository's sealing of index objects (src/repo/repoKeys.ts): bound to the object's name. */
export interface IndexObjectSeal {
  seal(name: string, bytes: Buffer): Buffer;
  /** REPO_DAMAGED when `sealed` does not open as the object `name` */
  open(name: string, sealed: Buffer): Buffer;
}

export interface PackEntries { packId: string; entries: PackEntry[] }
interface IndexObject { full: boolean; supersedes: string[]; packs: PackEntries[] }
interface State { used: string[]; superseded: string[] }

export interface CatchUp {
  /** index objects fetched */
  fetched: number;
  /** the index was cleared and rebuilt from the objects (an applied one was gone, or a new full one came) */
  rebuilt: boolean;
}

export class IndexObjects {
  private readonly statePath: string;

  /** `cacheDir`: where index-objects.json is kept, beside the index it describes. */
  constructor(private readonly backend: Backend, private readonly index: BlockIndex, cacheDir: string, private readonly seal?: IndexObjectSeal) {
    this.statePath = join(cacheDir, 'index-objects.json');
  }

  /** Brings the local index up to date with the bucket's index objects. */
  async catchUp(): Promise<CatchUp> {
    const listed = new Set<string>();
    for await (const o of this.backend.list(INDEX_PREFIX)) {
      const name = o.key.slice(INDEX_PREFIX.length);
      if (NAME.test(name)) listed.add(name);
    }
    const state = await this.loadState();
    const known = new Set([...state.used, ...state.superseded]);
    const fresh = [...listed].filter((n) => !known.has(n)).sort();
    const rebuild = state.used.some((n) => !listed.has(n)) || fresh.some((n) => n.endsWith(FULL_SUFFIX));
    if (!rebuild) {
      if (!fresh.length) return { fetched: 0, rebuilt: false };
      const objects = await this.fetch(fresh);
      for (const obj of objects) await this.apply(obj);
      await this.saveState({ used: [...state.used, ...fresh], superseded: state.superseded.filter((n) => listed.has(n)) });
      return { fetched: fresh.length, rebuilt: false };
    }
    // Full objects first: they say which of the others are superseded and need not be fetched.
    const fulls = [...listed].filter((n) => n.endsWith(FULL_SUFFIX)).sort();
    const fullObjects = await this.fetch(fulls);
    const superseded = new Set(fullObjects.flatMap((o) => o.supersedes));
    const used = [...listed].filter((n) => !superseded.has(n)).sort((a, b) => Number(b.endsWith(FULL_SUFFIX)) - Number(a.endsWith(FULL_SUFFIX)) || (a < b ? -1 : 1));
    const byName = new Map(fulls.map((n, i) => [n, fullObjects[i]!]));
    const rest = await this.fetch(used.filter((n) => !byName.has(n)));
    used.filter((n) => !byName.has(n)).forEach((n, i) => byName.set(n, rest[i]!));
    await this.index.clear();
    for (const n of used) await this.apply(byName.get(n)!);
    await this.saveState({ used, superseded: [...listed].filter((n) => superseded.has(n)) });
    return { fetched: fulls.length + rest.length, rebuilt: true };
  }

  /**
   * Forgets which objects the local index holds, before the index is rebuilt in place from the
   * packs (repair): a kill in the middle then makes the next catch-up rebuild it from the objects.
   */
  async forgetApplied(): Promise<void> {
    await this.saveState({ used: [], superseded: [] });
  }

  /** Adds an object naming `packs` (whole in the bucket already) and records it as applied here. */
  async add(packs: PackEntries[]): Promise<void> {
    if (!packs.length) return;
    const name = newName('');
    await this.backend.put(INDEX_PREFIX + name, this.sealed(name, encode({ full: false, supersedes: [], packs })));
    const state = await this.loadState();
    await this.saveState({ used: [...state.used, name], superseded: state.superseded });
  }

  /**
   * Writes a full object from the whole local index, superseding every object listed now, and
   * returns their names: delete them (dropSuperseded) once the packs that they alone name are gone.
   */
  async addFull(): Promise<string[]> {
    const old: string[] = [];
    for await (const o of this.backend.list(INDEX_PREFIX)) old.push(o.key.slice(INDEX_PREFIX.length));
    const byPack = new Map<string, PackEntry[]>();
    for (const [address, loc] of this.index.entries()) {
      const e: PackEntry = { address, offset: loc.offset, type: loc.type, compression: loc.compression, rawLength: loc.rawLength, storedLength: loc.storedLength };
      const list = byPack.get(loc.packId);
      if (list) list.push(e);
      else byPack.set(loc.packId, [e]);
    }
    const name = newName(FULL_SUFFIX);
    await this.backend.put(INDEX_PREFIX + name, this.sealed(name, encode({ full: true, supersedes: old, packs: [...byPack].map(([packId, entries]) => ({ packId, entries })) })));
    await this.saveState({ used: [name], superseded: old });
    return old;
  }

  /** Deletes objects a full one superseded. */
  async dropSuperseded(names: string[]): Promise<void> {
    await this.backend.deleteMany(names.map((n) => INDEX_PREFIX + n));
    const state = await this.loadState();
    await this.saveState({ used: state.used, superseded: state.superseded.filter((n) => !names.includes(n)) });
  }

  private async apply(obj: IndexObject): Promise<void> {
    for (const { packId, entries } of obj.packs) await this.index.addPack(packId, entries.filter((e) => !this.index.has(e.address)));
  }

  private async fetch(names: string[]): Promise<IndexObject[]> {
    const limiter = new Limiter(FETCHES_AT_ONCE);
    return Promise.all(names.map((n) => limiter.run(async () => {
      const bytes = await this.backend.get(INDEX_PREFIX + n);
      return decode(this.seal ? this.seal.open(n, bytes) : bytes, `${this.backend.location}/${INDEX_PREFIX}${n}`);
    })));
  }

  private sealed(name: string, bytes: Buffer): Buffer {
    return this.seal ? this.seal.seal(name, bytes) : bytes;
  }

  private async loadState(): Promise<State> {
    try {
      const s = JSON.parse(await readFile(this.statePath, 'utf8')) as Partial<State>;
      return { used: Array.isArray(s.used) ? s.used : [], superseded: Array.isArray(s.superseded) ? s.superseded : [] };
    } catch {
      return { used: [], superseded: [] }; // none yet, or unreadable: the next catch-up rebuilds
    }
  }

  private async saveState(state: State): Promise<void> {
    await writeFileDurably(this.statePath, JSON.stringify(state) + '\n', FILE_MODE);
  }
}

// Names sort by the writer's clock; only full objects' order matters, and they are written under
// the exclusive lock, each superseding the one before.
function newName(suffix: string): string {
  return `${Date.now().toString(36).padStart(10, '0')}-${randomBytes(8).toString('hex')}${suffix}`;
}

function encode(obj: IndexObject): Buffer {
  const names = obj.supersedes.map((n) => Buffer.from(n));
  let size = MAGIC.length + 12 + names.reduce((n, b) => n + 2 + b.length, 0);
  for (const p of obj.packs) size += 20 + p.entries.length * ENTRY_BYTES;
  const b = Buffer.alloc(size);
  let at = MAGIC.copy(b, 0);
  at = b.writeUInt32LE(obj.full ? 1 : 0, at);
  at = b.writeUInt32LE(names.length, at);
  for (const n of names) {
    at = b.writeUInt16LE(n.length, at);
    at += n.copy(b, at);
  }
  at = b.writeUInt32LE(obj.packs.length, at);
  for (const p of obj.packs) {
    at += b.write(p.packId, at, 16, 'hex');
    at = b.writeUInt32LE(p.entries.length, at);
    encodeEntries(p.entries, b, at);
    at += p.entries.length * ENTRY_BYTES;
  }
  return b;
}

function decode(b: Buffer, where: string): IndexObject {
  try {
    if (!b.subarray(0, MAGIC.length).equals(MAGIC)) throw new Error('bad magic');
    let at = MAGIC.length;
    const full = b.readUInt32LE(at) === 1;
    const nNames = b.readUInt32LE(at + 4);
    at += 8;
    const supersedes: string[] = [];
    for (let i = 0; i < nNames; i++) {
      const len = b.readUInt16LE(at);
      supersedes.push(b.toString('utf8', at + 2, at + 2 + len));
      at += 2 + len;
    }
    const nPacks = b.readUInt32LE(at);
    at += 4;
    const packs: PackEntries[] = [];
    for (let i = 0; i < nPacks; i++) {
      const packId = b.toString('hex', at, at + 16);
      const count = b.readUInt32LE(at + 16);
      at += 20;
      if (at + count * ENTRY_BYTES > b.length) throw new Error('cut short');
      packs.push({ packId, entries: decodeTrailerEntries(b.subarray(at, at + count * ENTRY_BYTES), count) });
      at += count * ENTRY_BYTES;
    }
    return { full, supersedes, packs };
  } catch (err) {
    throw new DedupfsError('REPO_DAMAGED', `index object ${where} is damaged: ${(err as Error).message}`, {
      hint: "run 'dedupfs repair': it rebuilds the index from the packs and writes a new index object", cause: err,
    });
  }
}
