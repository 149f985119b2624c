// `dedupfs find`: which snapshots hold an entry whose name (or, for a pattern with a "/", whose
// path inside the snapshot) matches a glob. The patterns are those of --exclude (Excludes in
// src/ingest/excludes.ts), so one syntax serves both. Snapshots of the same source share most of
// their folders, and a folder's tree address names its whole content: the matches found under a
// folder are kept per (address, path), and every other snapshot holding that folder at that path
// reuses them without reading a block.
import { addressToHex, addressFromHex, type Address } from '../core/address.js';
import { DedupfsError } from '../core/errors.js';
import { selectSnapshot } from '../catalog/selectSnapshot.js';
import type { Snapshot } from '../catalog/snapshotRecord.js';
import { Excludes } from '../ingest/excludes.js';
import type { Repository } from '../repo/repository.js';
import type { BlockReader } from '../tree/chunkList.js';
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

const SLASH = Buffer.from('/');
const NONE: Found[] = [];

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
  const cache = new Map<string, Found[]>();

  async function under(tree: Address, prefix: Buffer): Promise<Found[]> {
    const key = `${addressToHex(tree)}:${prefix.toString('latin1')}`;
    let found = cache.get(key);
    if (found) return found;
    found = [];
    for (const entry of decodeTree(await store.get(tree))) {
      const path = Buffer.concat([prefix, SLASH, entry.name]);
      if (rules.matches(entry.name, path)) found.push({ path, entry });
      if (entry.kind === 'dir' && entry.subtree) found.push(...await under(entry.subtree, path));
    }
    cache.set(key, found.length ? found : NONE);
    return found;
  }

  async function* matches(): AsyncGenerator<FindMatch> {
    for (const snapshot of snapshots) {
      for (const f of await under(addressFromHex(snapshot.root), Buffer.alloc(0))) yield { snapshot, ...f };
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
