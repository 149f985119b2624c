// SNAPSHOT[:PATH] to an entry: picks the snapshot from the catalog by its selector and finds the
// path inside its root tree. The first step of ls, cat and restore alike.
//
// A path is read relative to the snapshot's root ("/keep.txt" in a snapshot of /tmp/data), or,
// when that finds nothing, as the absolute source path it was stored from ("/tmp/data/keep.txt";
// in a snapshot of several sources, "/etc/hosts" of source /etc is "/etc/hosts" inside it). A
// path found neither way is an error that names what the snapshot holds.
import { posix } from 'node:path';
import { addressFromHex, type Address } from '../core/address.js';
import { DedupfsError } from '../core/errors.js';
import { selectSnapshot } from '../catalog/selectSnapshot.js';
import type { Snapshot } from '../catalog/snapshotRecord.js';
import type { Repository } from '../repo/repository.js';
import type { BlockReader } from '../core/blocks.js';
import { escapeName } from '../tree/nameEscape.js';
import { resolvePath, type ResolvedPath } from '../tree/resolvePath.js';
import { decodeTree } from '../tree/treeCodec.js';

export interface SnapshotPathOptions {
  /** a snapshot selector: id, hex prefix of 4+ digits, latest, latest~N */
  snapshot: string;
  /** a path inside it, "/" (the default) for its root */
  path?: string;
}

export interface LocatedPath extends ResolvedPath { snapshot: Snapshot }

/** Throws DedupfsError SNAPSHOT for a bad selector, NOT_FOUND (naming the snapshot and what it holds) for a missing path. */
export async function locateSnapshotPath(repo: Repository, opts: SnapshotPathOptions): Promise<LocatedPath> {
  const snapshot = selectSnapshot(repo.catalog.list(), opts.snapshot);
  const root = addressFromHex(snapshot.root);
  const path = opts.path ?? '/';
  // The path as written, then as a source path, each with the prefix its messages leave out;
  // the message is that of the first reading as a source path, if there is one.
  const misses: DedupfsError[] = [];
  for (const [inside, prefix] of [[path, ''] as const, ...sourceRelative(snapshot, path)]) {
    try {
      return { snapshot, ...(await resolvePath(repo.store, root, inside)) };
    } catch (err) {
      if (!(err instanceof DedupfsError) || err.code !== 'NOT_FOUND') throw err;
      misses.push(new DedupfsError('NOT_FOUND', prefix + err.message, { data: err.data, cause: err }));
    }
  }
  const missing = misses[1] ?? misses[0];
  throw new DedupfsError('NOT_FOUND', `${missing.message} in snapshot ${snapshot.id.slice(0, 8)}`, {
    hint: await describeContents(repo.store, root, snapshot), data: { ...missing.data, snapshot: snapshot.id }, cause: missing,
  });
}

/**
 * Where `path` falls inside the root when read as an absolute source path: [path in the tree,
 * the source folder the tree path leaves out]. One folder source is the root itself; otherwise
 * each source is the root's entry named by its base name (src/ingest/ingest.ts). A single source
 * may be either (a folder or a file), so both are tried.
 */
function sourceRelative(snapshot: Snapshot, path: string): Array<[inside: string, prefix: string]> {
  const wanted = posix.normalize(path);
  const out: Array<[string, string]> = [];
  for (const source of snapshot.paths) {
    if (source === '/' || (wanted !== source && !wanted.startsWith(`${source}/`))) continue;
    const rest = wanted.slice(source.length);
    if (snapshot.paths.length === 1) out.push([rest || '/', source]);
    const parent = posix.dirname(source);
    out.push([`/${posix.basename(source)}${rest}`, parent === '/' ? '' : parent]);
  }
  return out;
}

/** One line for a hint: the snapshot's source paths and the names at the top of its tree. */
async function describeContents(store: BlockReader, root: Address, snapshot: Snapshot): Promise<string> {
  const SHOWN = 8;
  const names = decodeTree(await store.get(root)).map((e) => escapeName(e.name));
  const top = names.slice(0, SHOWN).join(', ') + (names.length > SHOWN ? `, ... (${names.length} in all)` : '');
  return `it holds ${snapshot.paths.join(', ')}; at its root: ${top || 'nothing'}. `
    + `Name a path from its root (/NAME) or by its source path (${snapshot.paths[0]}/NAME)`;
}

/** The length of the folder part of a located path ("/etc" of "/etc/hosts"; 0 for the root). */
export function parentPathLength(loc: ResolvedPath): number {
  return loc.isRoot ? 0 : loc.path.length - loc.entry.name.length - 1;
}
