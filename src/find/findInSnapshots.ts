// `dedupfs find`: which snapshots hold an entry whose name (or, for a pattern with a "/", whose
// path inside the snapshot) matches a glob. The patterns are those of --exclude (Excludes in
// src/core/excludes.ts), so one syntax serves both. Snapshots of the same source share most of
// their folders, and a folder's tree address names its whole content: the matches found under a
// folder are kept per (address, path), and every other snapshot holding that folder at that path
// reuses them without reading a block. Only folders holding matches keep anything in memory.
import { addressToHex, addressFromHex, type Address } from '../core/address.js';
import { DedupfsError } from '../core/errors.js';
import { selectSnapshot } from '../catalog/selectSnapshot.js';
import type { Snapshot } from '../catalog/snapshotRecord.js';
import { Excludes } from '../core/excludes.js';
import type { Repository } from '../repo/repository.js';
import type { BlockReader } from '../core/blocks.js';
import type { TreeEntry } from '../tree/entry.js';
import { decodeTree } from '../tree/treeCodec.js';

export interface FindOptions {
  /** globs: `*`, `**`, `?`; matched on the name, or on the whole path when they contain "/" */
  patterns: string[];
  /** selectors of the snapshots to search (default: all) */
  snapshots?: string[];
  /** only snapshots of this host */
  host?: string;
  /** only the N newest of the snapshots chosen */
  newest?: number;
  /** where tree blocks are read (default repo.store) */
  store?: BlockReader;
}

export interface FindMatch { snapshot: Snapshot; path: Buffer; entry: TreeEntry }

export interface FindResult {
  /** the snapshots searched, oldest first */
  snapshots: Snapshot[];
  /** their matches, snapshot by snapshot, in the order of the trees */
  matches: AsyncGenerator<FindMatch>;
}

interface Found { path: Buffer; entry: TreeEntry }

/** What a folder holds that matches, in tree order: matching entries, and sub-folders with matches. */
interface Folder { items: Array<Found | Folder> }

const SLASH = Buffer.from('/');
const NOTHING: Folder = { items: [] };

/**
 * @throws DedupfsError USAGE without a pattern or with a bad --newest; SNAPSHOT for a bad selector.
 * @example for await (const m of (await findInSnapshots(repo, { patterns: ['*.conf'] })).matches) ...
 */
export async function findInSnapshots(repo: Repository, opts: FindOptions): Promise<FindResult> {
  const rules = new Excludes(opts.patterns);
  if (rules.empty) throw new DedupfsError('USAGE', 'find needs a pattern', { hint: "e.g. dedupfs find '*.conf'" });
  if (opts.newest !== undefined && !(Number.isInteger(opts.newest) && opts.newest > 0)) {
    throw new DedupfsError('USAGE', `invalid --newest '${opts.newest}' (use a whole number of snapshots, 1 or more)`);
  }
  const snapshots = chooseSnapshots(repo.catalog.list({ host: opts.host }), opts);
  const store = opts.store ?? repo.store;
  // Only folders with matches keep their items; the rest share NOTHING, so memory follows the matches.
  const cache = new Map<string, Folder>();

  async function search(tree: Address, prefix: Buffer): Promise<Folder> {
    const key = `${addressToHex(tree)}:${prefix.toString('latin1')}`;
    const cached = cache.get(key);
    if (cached) return cached;
    const items: Folder['items'] = [];
    for (const entry of decodeTree(await store.get(tree))) {
      const path = Buffer.concat([prefix, SLASH, entry.name]);
      if (rules.matches(entry.name, path)) items.push({ path, entry });
      if (entry.kind !== 'dir' || !entry.subtree) continue;
      const sub = await search(entry.subtree, path);
      if (sub !== NOTHING) items.push(sub);
    }
    const folder = items.length ? { items } : NOTHING;
    cache.set(key, folder);
    return folder;
  }

  async function* matches(): AsyncGenerator<FindMatch> {
    for (const snapshot of snapshots) {
      const stack: Array<Iterator<Found | Folder>> = [(await search(addressFromHex(snapshot.root), Buffer.alloc(0))).items.values()];
      while (stack.length) {
        const next = stack[stack.length - 1].next();
        if (next.done) stack.pop();
        else if ('items' in next.value) stack.push(next.value.items.values());
        else yield { snapshot, ...next.value };
      }
    }
  }
  return { snapshots, matches: matches() };
}

function chooseSnapshots(all: Snapshot[], opts: FindOptions): Snapshot[] {
  let chosen = all;
  if (opts.snapshots?.length) {
    const ids = new Set(opts.snapshots.map((selector) => selectSnapshot(all, selector).id));
    chosen = all.filter((s) => ids.has(s.id));
  }
  return opts.newest !== undefined ? chosen.slice(-opts.newest) : chosen;
}
