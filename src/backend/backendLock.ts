// Repository locks on any backend, without conditional PUT (Swift's S3 has none). The protocol,
// its safety argument and its failure cases are in docs/BACKENDS.md; in short:
//
// 1. Each process writes its own object locks/<time>-<random>-<x|r|s>.lock (x exclusive,
//    r records, s shared), so no two processes ever write the same key. The name alone tells the
//    kind and an order (older first); the body (who, which command) is read only to name a blocker.
// 2. It then lists locks/. It holds the lock when its own object is in the listing and no other
//    live lock there conflicts (locksConflict below). Since each writes before it lists, two
//    conflicting processes cannot both miss each other.
// 3. On a conflict, the newer of the two steps back (deletes its object and tries again later);
//    the older keeps its object and lists again, so two racers settle in a second or two and an
//    exclusive waiter is not starved by a stream of shared ones.
// 4. Ages are read on the store's clock: a lock is stale when its object's modification time is
//    more than staleMs older than our own just-written object's. A stale lock is deleted.
// 5. A held lock is rewritten every refreshMs by a timer whose puts skip the transfer queue, so
//    a slow upload never delays it. If refreshes fail for staleMs/2, or the object vanished,
//    the lock counts as lost: assertHeld() throws, and the writer must not commit.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { DedupfsError } from '../core/errors.js';
import type { Backend, ObjectInfo } from './backend.js';

/**
 * Who may hold a lock at the same time (folder locks, src/repo/lock.ts, too): shared (commands
 * that read, or only add packs and new snapshot records: ingest, restore, mount, check, copy),
 * records (commands that rewrite or remove existing snapshot records: tag, forget), exclusive
 * (gc, repair).
 */
export type LockKind = 'shared' | 'records' | 'exclusive';

/**
 * Exclusive conflicts with every kind; records with records (two re-tags of one snapshot would
 * each write a successor of the same record, and a tag could bring back a snapshot a forget is
 * removing); shared coexists with shared and records, so a cron ingest never blocks a tag.
 */
export function locksConflict(a: LockKind, b: LockKind): boolean {
  return a === 'exclusive' || b === 'exclusive' || (a === 'records' && b === 'records');
}

export interface BackendLockOptions {
  kind: LockKind;
  /** Recorded in the lock, shown to whoever it blocks. */
  command: string;
  /** How long to keep trying while another process holds a conflicting lock; default 0. */
  waitMs?: number;
  /** A lock not rewritten for this long is stale; default DEFAULT_STALE_MS (3 minutes). */
  staleMs?: number;
  /** How often a held lock is rewritten; default DEFAULT_REFRESH_MS (30 s). */
  refreshMs?: number;
  onWarning?: (msg: string) => void;
}

export interface BackendLock {
  readonly kind: LockKind;
  readonly key: string;
  /** When the lock object was last written successfully (this machine's clock). */
  readonly refreshed: Date;
  /** Throws LOCKED when the lock has been lost (not refreshed for staleMs/2, or deleted). */
  assertHeld(): void;
  /** Stops refreshing and deletes the lock object. Calling it again does nothing. */
  release(): Promise<void>;
}

export const LOCKS_PREFIX = 'locks/';
/**
 * A killed writer's lock blocks exclusive commands (gc, repair) until it is this old: short, so
 * a cron job's gc is not held up for long, yet six refresh periods, so that a holder whose
 * refreshes fail (a server restarting, ~20 s of retries each) declares its lock lost at
 * staleMs/2, well before anyone else may take it over.
 */
export const DEFAULT_STALE_MS = 3 * 60_000;
export const DEFAULT_REFRESH_MS = 30_000;
// Even with waitMs 0, an older contender waits this long for newer ones to step back.
const SETTLE_MS = 3000;
// How many listings in a row may miss our own just-written lock before the store is declared unfit.
const UNSEEN_LISTINGS = 20;
// Versions before the records kind skip '-r' names (readLocks): they neither wait for a tag or
// forget nor block it, as when those took shared locks; their gc still sees one of a re-tagged
// snapshot's two records, which name the same blocks.
const LOCK_NAME = /^locks\/([0-9a-z]{10})-([0-9a-f]{12})-([xrs])\.lock$/;
const KIND_LETTERS: Record<LockKind, string> = { exclusive: 'x', records: 'r', shared: 's' };
const LETTER_KINDS: Record<string, LockKind> = { x: 'exclusive', r: 'records', s: 'shared' };

interface LockEntry extends ObjectInfo { kind: LockKind }

export async function acquireBackendLock(backend: Backend, opts: BackendLockOptions): Promise<BackendLock> {
  const staleMs = opts.staleMs ?? DEFAULT_STALE_MS;
  const key = `${LOCKS_PREFIX}${Date.now().toString(36).padStart(10, '0')}-${randomBytes(6).toString('hex')}-${KIND_LETTERS[opts.kind]}.lock`;
  const body = Buffer.from(JSON.stringify({ kind: opts.kind, command: opts.command, pid: process.pid, host: hostname(), created: new Date().toISOString() }) + '\n');
  const start = Date.now();
  const deadline = start + (opts.waitMs ?? 0);
  let written = false;
  let unseen = 0;   // listings in a row that did not show our own object
  try {
    for (let attempt = 0; ; attempt++) {
      if (!written) {
        await backend.put(key, body, { urgent: true });
        written = true;
      }
      const locks = await readLocks(backend);
      const own = locks.find((l) => l.key === key);
      unseen = own ? 0 : unseen + 1;
      if (unseen > UNSEEN_LISTINGS) {
        throw new DedupfsError('IO', `the listing of ${LOCKS_PREFIX} in ${backend.location} does not show the lock just written there`, {
          hint: 'the store\'s listings lag behind its writes, so locks cannot work on it; check the server\'s container or bucket settings',
          data: { lock: key },
        });
      }
      if (own) {
        const conflicts = await liveConflicts(backend, locks, own, staleMs, opts.onWarning);
        if (conflicts.length === 0) return holdLock(backend, key, body, opts, staleMs);
        const older = conflicts.some((c) => c.key < key);
        if (Date.now() >= (older ? deadline : Math.max(deadline, start + SETTLE_MS))) throw await lockedError(backend, conflicts[0]!);
        if (older) {
          await backend.delete(key);
          written = false;
        }
      }
      await sleep(Math.random() * Math.min(1000, 50 * 2 ** attempt));
    }
  } catch (err) {
    // Whatever went wrong, our object must not stay behind to block others until it is stale.
    if (written) await backend.delete(key).catch(() => undefined);
    throw err;
  }
}

/** Every lock object in the repository, with its kind; unknown names are skipped. */
export async function readLocks(backend: Backend): Promise<LockEntry[]> {
  const locks: LockEntry[] = [];
  for await (const o of backend.list(LOCKS_PREFIX)) {
    const m = LOCK_NAME.exec(o.key);
    if (m) locks.push({ ...o, kind: LETTER_KINDS[m[3]!]! });
  }
  return locks;
}

// The other live locks that conflict with ours; deletes the stale ones it meets on the way.
async function liveConflicts(backend: Backend, locks: LockEntry[], own: LockEntry, staleMs: number, onWarning?: (msg: string) => void): Promise<LockEntry[]> {
  const now = own.modified.getTime();
  const conflicts: LockEntry[] = [];
  for (const lock of locks) {
    if (lock.key === own.key) continue;
    if (now - lock.modified.getTime() > staleMs) {
      await backend.delete(lock.key);
      onWarning?.(`removed stale ${lock.kind} lock ${lock.key}: not refreshed since ${lock.modified.toISOString()}`);
    } else if (locksConflict(own.kind, lock.kind)) {
      conflicts.push(lock);
    }
  }
  return conflicts.sort((a, b) => (a.key < b.key ? -1 : 1));
}

function holdLock(backend: Backend, key: string, body: Buffer, opts: BackendLockOptions, staleMs: number): BackendLock {
  let refreshed = new Date();
  let lost: string | undefined;
  let released = false;
  let refreshing = Promise.resolve();
  const refresh = async (): Promise<void> => {
    if (released || lost) return;
    const started = new Date();
    try {
      if (!(await backend.head(key))) {
        lost = `lock ${key} was deleted by another process`;
      } else {
        await backend.put(key, body, { urgent: true });
        refreshed = started;
      }
    } catch (err) {
      opts.onWarning?.(`cannot refresh lock ${key}: ${(err as Error).message}`);
    }
    if (lostReason()) opts.onWarning?.(`${lostReason()}; ${opts.command} no longer holds it`);
  };
  // Also checked on each assertHeld, so a refresh timer held up by a busy event loop cannot hide it.
  const lostReason = (): string | undefined => {
    if (!lost && Date.now() - refreshed.getTime() > staleMs / 2) lost = `lock ${key} was not refreshed since ${refreshed.toISOString()}`;
    return lost;
  };
  // Refreshes run one after another, and release() waits for the last, so a refresh can never
  // write the lock object again after release deleted it.
  const timer = setInterval(() => { refreshing = refreshing.then(refresh); }, opts.refreshMs ?? DEFAULT_REFRESH_MS);
  timer.unref();
  return {
    kind: opts.kind,
    key,
    get refreshed() { return refreshed; },
    assertHeld() {
      const reason = lostReason();
      if (reason) throw new DedupfsError('LOCKED', `${reason}: ${opts.command} no longer holds its ${opts.kind} lock`, {
        hint: 'another process may have taken the repository over; run the command again',
        data: { lock: key },
      });
    },
    async release() {
      if (released) return;
      released = true;
      clearInterval(timer);
      await refreshing;
      await backend.delete(key);
    },
  };
}

/**
 * For `dedupfs unlock`: deletes the stale locks (not rewritten for staleMs, judged on this
 * machine's clock against the store's modification times), or every lock with `all`.
 * @returns a description of each lock deleted.
 */
export async function removeBackendLocks(backend: Backend, opts: { all: boolean; staleMs?: number }): Promise<string[]> {
  const staleMs = opts.staleMs ?? DEFAULT_STALE_MS;
  const removed: string[] = [];
  for (const lock of await readLocks(backend)) {
    if (!opts.all && Date.now() - lock.modified.getTime() <= staleMs) continue;
    await backend.delete(lock.key);
    removed.push(`${lock.kind} lock ${lock.key} (last written ${lock.modified.toISOString()})`);
  }
  return removed;
}

async function lockedError(backend: Backend, conflict: LockEntry): Promise<DedupfsError> {
  let holder = `a ${conflict.kind} lock ${conflict.key}`;
  try {
    const r = JSON.parse((await backend.get(conflict.key)).toString()) as { command?: string; pid?: number; host?: string; created?: string };
    holder = `${r.command} (pid ${r.pid} on host ${r.host} since ${r.created})`;
  } catch {
    // released meanwhile, or unreadable: the key names it well enough
  }
  return new DedupfsError('LOCKED', `repository ${backend.location} is locked by ${holder}`, {
    hint: `wait for it to finish, or remove ${conflict.key} if that process is gone (it expires when not refreshed)`,
    data: { lock: conflict.key, kind: conflict.kind },
  });
}
