// One lock file in <repo>/locks/: its JSON format, how it is written without ever being seen
// half-done, how the folder is read back, and when a lock counts as stale. The locking protocol
// itself (who may hold what at the same time) is in lock.ts.
//
// A lock file is written to a dot-named temporary file, fsynced and renamed into place, so a
// reader sees either nothing or the whole record; a refresh rewrites it the same way. Readers ignore
// dot files, so the temporary file of a process killed mid-write is never taken for a lock.
import { open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { FILE_MODE } from '../core/layout.js';
import type { LockKind } from '../backend/backendLock.js';

/** The JSON inside a lock file; times are ISO 8601. */
export interface LockRecord { kind: LockKind; pid: number; host: string; command: string; created: string; refreshed: string }

export interface LockInfo {
  path: string;
  record: LockRecord | null;   // null when the file cannot be parsed
  modified: Date;              // the file's mtime
  stale: boolean;
  staleReason?: string;        // why it is stale, e.g. 'process 123 is gone'
  holder: string;              // who holds it: 'gc (pid 123 on host h since <time>)'
}

export const LOCK_SUFFIX = '.lock';

/** Writes `record` to `path` atomically (temporary file, fsync, rename), mode 0600. */
export async function writeLockFile(path: string, record: LockRecord): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.tmp`);
  const fh = await open(tmp, 'w', FILE_MODE);
  try {
    await fh.writeFile(JSON.stringify(record) + '\n');
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

/** Reads every lock file in `locksDir` (none if the folder does not exist yet). */
export async function readLockFiles(locksDir: string, staleMs: number): Promise<LockInfo[]> {
  const now = Date.now();
  let names: string[];
  try {
    names = await readdir(locksDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const infos = await Promise.all(names
    .filter((name) => name.endsWith(LOCK_SUFFIX) && !name.startsWith('.'))
    .map((name) => readLockFile(join(locksDir, name), staleMs, now)));
  return infos.filter((info): info is LockInfo => info !== null);
}

// null when the file vanished between listing and reading: its owner released it.
async function readLockFile(path: string, staleMs: number, now: number): Promise<LockInfo | null> {
  let text: string;
  let modified: Date;
  try {
    [text, { mtime: modified }] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const record = parseLockRecord(text);
  const staleReason = record ? recordStaleReason(record, staleMs, now)
    : now - modified.getTime() > staleMs ? `unreadable and not modified since ${modified.toISOString()}` : undefined;
  const holder = record
    ? `${record.command} (pid ${record.pid} on host ${record.host} since ${record.created})`
    : `an unreadable lock file ${path} (modified ${modified.toISOString()})`;
  return { path, record, modified, stale: staleReason !== undefined, staleReason, holder };
}

/** For messages: 'exclusive lock by gc (pid 123 on host h since <time>)', plus why it is stale. */
export function describeLock(info: LockInfo): string {
  const what = info.record ? `${info.record.kind} lock by ${info.holder}` : info.holder;
  return info.staleReason ? `${what}: ${info.staleReason}` : what;
}

/** Deletes a lock file; false if it was already gone. */
export async function deleteLockFile(path: string): Promise<boolean> {
  try {
    await unlink(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

function parseLockRecord(text: string): LockRecord | null {
  let r: Partial<LockRecord>;
  try {
    r = JSON.parse(text) as Partial<LockRecord>;
  } catch {
    return null;
  }
  const valid = typeof r === 'object' && r !== null
    && (r.kind === 'shared' || r.kind === 'records' || r.kind === 'exclusive')
    && Number.isSafeInteger(r.pid) && r.pid! > 0
    && typeof r.host === 'string' && typeof r.command === 'string'
    && typeof r.created === 'string' && !Number.isNaN(Date.parse(r.created))
    && typeof r.refreshed === 'string' && !Number.isNaN(Date.parse(r.refreshed));
  return valid ? r as LockRecord : null;
}

// A lock is stale when its process is known to be gone (same host, no such pid), or when it
// has not been refreshed for staleMs (its host crashed, or it is on another machine).
function recordStaleReason(record: LockRecord, staleMs: number, now: number): string | undefined {
  if (record.host === hostname() && !processExists(record.pid)) return `process ${record.pid} is gone`;
  if (now - Date.parse(record.refreshed) > staleMs) return `not refreshed since ${record.refreshed}`;
  return undefined;
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';   // EPERM: alive, someone else's
  }
}
