// A snapshot: a name for a root tree, with the facts people ask about. Each is kept as
// snapshots/<id>.json, written (fsync, rename) only after every block it refers to is durable
// and indexed: the file is the source of truth, and the SQLite catalog is rebuilt from these.
// The file's text is the record as JSON in a plain repository, sealed in an encrypted one
// (a SnapshotSeal: sealedSnapshot.ts).
import { createHash } from 'node:crypto';
import { open, readFile, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DedupfsError } from '../core/errors.js';
import { fsyncDir } from '../core/fsyncDir.js';
import { FILE_MODE } from '../core/layout.js';

export interface Snapshot {
  id: string;
  time: string;         // ISO 8601, UTC, millisecond precision
  host: string;
  user: string;
  paths: string[];      // absolute source paths
  tags: string[];
  root: string;         // address of the root tree, hex
  parent?: string;      // id of the snapshot used for change detection
  files: number;
  dirs: number;
  bytes: number;        // logical size: sum of file sizes
  added: { blocks: number; rawBytes: number; storedBytes: number };
  partial: boolean;     // some files or folders could not be read
  warnings: number;
  original?: string;    // set by `dedupfs tag`: the id the snapshot was made with
  replaces?: string;    // set by `dedupfs tag`: the id of the record this one replaced (staleTwins.ts)
  copied?: string;      // set by `dedupfs copy` when it chunked the files again: the source snapshot's id
  /** set when repair rewrote a damaged snapshot without the files it could not keep */
  repaired?: SnapshotRepair;
  /** the source folder's own metadata when it is the root (one source folder); restore puts it on TARGET */
  rootMeta?: RootMeta;
}

/**
 * What `repair --drop-damaged` did: the snapshot it replaces and the paths it dropped (escaped as
 * ls shows them). No time, so that a repair run again after a kill writes the very same record.
 */
export interface SnapshotRepair { from: string; dropped: string[] }

/** A folder's own mode (st_mode), owner and times (nanoseconds since the epoch, decimal strings). */
export interface RootMeta { mode: number; uid: number; gid: number; mtime: string; atime: string }

export const SNAPSHOT_ID = /^[0-9a-f]{64}$/;

/** How a snapshot record becomes a file's text and back: plain JSON, or sealed (sealedSnapshot.ts). */
export interface SnapshotSeal {
  seal(snap: Snapshot): string;
  /** the record of snapshot `id` in `text`; throws when it is not one */
  open(id: string, text: string): Snapshot;
}

export const PLAIN_SNAPSHOTS: SnapshotSeal = {
  seal: (snap) => JSON.stringify(snap, null, 1) + '\n',
  open: (_id, text) => JSON.parse(text) as Snapshot,
};

export function snapshotId(fields: Omit<Snapshot, 'id'>): string {
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex');
}

export async function writeSnapshotFile(dir: string, snap: Snapshot, seal = PLAIN_SNAPSHOTS): Promise<void> {
  const final = join(dir, `${snap.id}.json`);
  const tmp = `${final}.tmp`;
  const fh = await open(tmp, 'w', FILE_MODE);
  try {
    await fh.writeFile(seal.seal(snap));
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, final);
  await fsyncDir(dir);
}

export async function removeSnapshotFile(dir: string, id: string): Promise<void> {
  await rm(join(dir, `${id}.json`), { force: true });
  await fsyncDir(dir);
}

export async function listSnapshotIds(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [] as string[];
    throw err;
  });
  return names.filter((n) => n.endsWith('.json') && SNAPSHOT_ID.test(n.slice(0, -5))).map((n) => n.slice(0, -5));
}

export async function readSnapshotFile(dir: string, id: string, seal = PLAIN_SNAPSHOTS): Promise<Snapshot> {
  const path = join(dir, `${id}.json`);
  try {
    const snap = seal.open(id, await readFile(path, 'utf8'));
    if (snap.id !== id || typeof snap.root !== 'string') throw new Error('fields do not match');
    return snap;
  } catch (err) {
    throw new DedupfsError('REPO_DAMAGED', `snapshot file ${path} is damaged: ${(err as Error).message}`, {
      hint: "run 'dedupfs repair': it quarantines the damaged file as .json.damaged and keeps every other snapshot", data: { snapshot: id }, cause: err,
    });
  }
}
