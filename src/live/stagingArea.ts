// Where a writable mount keeps what is not yet in a snapshot: REPO/live/<host>/ holds
//
//   journal        the changes to the tree since the base snapshot, one JSON line each (journal.ts)
//   data/<id>      the content of each file written since then (a "staging file")
//   owner.json     the pid and mount point of the mount that uses this area (one at a time)
//   control.sock   the socket `dedupfs commit` talks to (controlSocket.ts)
//
// One area per host: two writable mounts of one host's live tree at once would each replay and
// commit the other's changes. A stale owner (its process gone, e.g. after kill -9) is taken over.
import { mkdir, open, readFile, readdir, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DedupfsError, ioError } from '../core/errors.js';
import { fsyncDir } from '../core/fsyncDir.js';
import { DIR_MODE, FILE_MODE } from '../core/layout.js';

export interface StagingArea {
  dir: string;
  journal: string;
  data: string;
  owner: string;
  socket: string;
}

export interface AreaOwner { pid: number; mountpoint: string }

/** The live folder of a repository: one staging area per host below it. */
export function liveDir(repoRoot: string): string {
  return join(repoRoot, 'live');
}

export function stagingArea(repoRoot: string, host: string): StagingArea {
  const dir = join(liveDir(repoRoot), encodeURIComponent(host));
  return { dir, journal: join(dir, 'journal'), data: join(dir, 'data'), owner: join(dir, 'owner.json'), socket: join(dir, 'control.sock') };
}

export function stagingFile(area: StagingArea, id: number): string {
  return join(area.data, String(id));
}

/**
 * Deletes the staging files on disk whose ids `keep` does not hold, 64 at a time (one at a time,
 * the thread-pool round trips of a few thousand deletions took a second).
 */
export async function removeStagingFiles(area: StagingArea, keep: (id: number) => boolean): Promise<void> {
  const ids = (await listStagingFiles(area)).filter((id) => !keep(id));
  for (let i = 0; i < ids.length; i += 64) {
    await Promise.all(ids.slice(i, i + 64).map((id) => unlink(stagingFile(area, id)).catch(() => undefined)));
  }
}

/** The staging file ids present on disk. */
export async function listStagingFiles(area: StagingArea): Promise<number[]> {
  const names = await readdir(area.data).catch(() => [] as string[]);
  return names.filter((n) => /^\d+$/.test(n)).map(Number);
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** The owner recorded in an area's owner.json (its path), if any. */
export async function readOwner(ownerFile: string): Promise<AreaOwner | undefined> {
  try {
    return JSON.parse(await readFile(ownerFile, 'utf8')) as AreaOwner;
  } catch {
    return undefined;
  }
}

/**
 * Creates the area if needed and claims it for this process.
 * @throws DedupfsError LOCKED when a live process already mounts it.
 */
export async function claimStagingArea(area: StagingArea, mountpoint: string): Promise<void> {
  try {
    await mkdir(area.data, { recursive: true, mode: DIR_MODE });
  } catch (err) {
    throw ioError(err, 'cannot create the staging area', area.dir);
  }
  const owner = await readOwner(area.owner);
  if (owner && owner.pid !== process.pid && alive(owner.pid)) {
    throw new DedupfsError('LOCKED', `the live tree of this host is already mounted at ${owner.mountpoint} (pid ${owner.pid})`,
      { hint: `unmount it first: dedupfs umount ${owner.mountpoint}`, data: { path: area.dir } });
  }
  await rm(area.socket, { force: true });
  const fh = await open(area.owner, 'w', FILE_MODE);
  try {
    await fh.writeFile(JSON.stringify({ pid: process.pid, mountpoint }));
    await fh.sync();
  } finally {
    await fh.close();
  }
  await fsyncDir(area.dir);
}

export async function releaseStagingArea(area: StagingArea): Promise<void> {
  await rm(area.socket, { force: true });
  await unlink(area.owner).catch(() => undefined);
}

/** Writes `text` to `path` through a temp file, fsynced, renamed over, folder fsynced. */
export async function replaceFile(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp`;
  await writeFile(tmp, text, { mode: FILE_MODE });
  const fh = await open(tmp, 'r+');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
  await fsyncDir(join(path, '..'));
}
