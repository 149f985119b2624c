// Restores one entry that is not a folder: a regular file (or another name of a hard-linked
// file), a symlink (its target bytes exactly), a fifo or device node, or a socket (skipped:
// only its metadata was ever kept). Problems with one entry become warnings or errors on the
// run and the restore goes on; only a full disk or a bug stops it.
import { linkSync, symlinkSync, type BigIntStats } from 'node:fs';
import { DedupfsError } from '../core/errors.js';
import type { Limiter } from '../core/limiter.js';
import type { TreeEntry } from '../tree/entry.js';
import { applyPathMetadata } from './applyMetadata.js';
import { createExclusive, isConflict, isLeftAlone, probe, type Conflict, type LeftAlone } from './destination.js';
import { sameAsEntry } from './sameAsEntry.js';
import { makeSpecial } from './makeSpecial.js';
import { SMALL_FILE, restoreFile, type FileContext } from './restoreFile.js';

import type { RestoreResult } from './restoreResult.js';

export interface EntryContext extends FileContext {
  dryRun: boolean;
  target: string;
  result: RestoreResult;
  /** hard-link groups: linkId -> the path restored first (null while none succeeded) */
  links: Map<string, Promise<Buffer | null>>;
  /** files above SMALL_FILE wait here: each holds its read-ahead window and write batch in
   * memory, so one at a time from a folder (which saturates the disk); from a bucket,
   * BUCKET_LARGE_FILES at once (restoreSnapshot.ts) */
  largeFiles: Limiter;
  error(message: string): void;
  onItem?(item: { path: string; kind: TreeEntry['kind']; size: number }): void;
}

/** Where an entry goes: its folder on disk, its name, its full path, and how to name it to people. */
export interface Placement { dir: Buffer; name: Buffer; dest: Buffer; display: string }

export async function restoreEntry(ctx: EntryContext, entry: TreeEntry, at: Placement): Promise<void> {
  if (entry.kind === 'socket') {
    ctx.result.skipped++;
    return;
  }
  if ((entry.kind === 'chardev' || entry.kind === 'blockdev') && !ctx.asRoot) {
    ctx.warn(`${at.display}: device nodes are restored only when running as root; skipped`);
    return;
  }
  try {
    if (ctx.dryRun) await dryRun(ctx, entry, at);
    else if (entry.kind === 'file') await restoreLinkable(ctx, entry, at);
    else await restoreOther(ctx, entry, at);
  } catch (err) {
    failed(ctx, at.display, err);
  }
}

function failed(ctx: EntryContext, display: string, err: unknown): void {
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ENOSPC') throw new DedupfsError('IO', `no space left on device while restoring to ${ctx.target}`, { cause: err });
  if (!(err instanceof DedupfsError) && typeof e?.code !== 'string') throw err;
  ctx.error(`cannot restore ${display}: ${e.message}`);
}

function count(ctx: EntryContext, entry: TreeEntry, at: Placement, hardLink = false): void {
  const r = ctx.result;
  if (entry.kind === 'file') {
    r.files++;
    if (hardLink) r.hardLinks++;
    else r.bytes += entry.size;
  } else if (entry.kind === 'symlink') r.symlinks++;
  else r.special++;
  ctx.onItem?.({ path: at.display, kind: entry.kind, size: entry.size });
}

/** Counts an entry that was not written: in the way (a warning), identical, or different and kept. */
function notWritten(ctx: EntryContext, outcome: Conflict | LeftAlone, display: string): void {
  if (outcome === 'unchanged') ctx.result.unchanged++;
  else if (outcome === 'kept') ctx.result.kept++;
  else ctx.warn(`${display} ${outcome.conflict}`);
}

async function dryRun(ctx: EntryContext, entry: TreeEntry, at: Placement): Promise<void> {
  const state = await probe(at.dest, 'other', ctx.overwrite, (st) => sameAsEntry(at.dest, st, entry, ctx));
  if (isConflict(state) || isLeftAlone(state)) return notWritten(ctx, state, at.display);
  const hardLink = !!entry.linkId && ctx.links.has(entry.linkId);
  if (entry.linkId) ctx.links.set(entry.linkId, Promise.resolve(at.dest));
  count(ctx, entry, at, hardLink);
}

/** A file; the other names of a hard-linked file become links to the first one restored. */
async function restoreLinkable(ctx: EntryContext, entry: TreeEntry, at: Placement): Promise<void> {
  if (!entry.linkId) {
    await writeFile(ctx, entry, at);
    return;
  }
  const earlier = ctx.links.get(entry.linkId);
  const mine = (async (): Promise<Buffer | null> => {
    const first = earlier ? await earlier : null;
    if (!first) return (await writeFile(ctx, entry, at)) ? at.dest : null;
    try {
      const made = await createExclusive(at.dest, ctx.overwrite, async () => linkSync(first, at.dest), (st) => sameAsEntry(at.dest, st, entry, ctx));
      if (isConflict(made) || isLeftAlone(made)) notWritten(ctx, made, at.display);
      else count(ctx, entry, at, true);
    } catch (err) {
      failed(ctx, at.display, err);
    }
    return first;
  })();
  ctx.links.set(entry.linkId, mine);
  await mine;
}

/** Returns whether the file now holds the entry's content (possibly with damaged ranges left as zeros). */
async function writeFile(ctx: EntryContext, entry: TreeEntry, at: Placement): Promise<boolean> {
  ctx.reporter.item?.(at.display);
  try {
    const restore = () => restoreFile(at.dest, entry, at.display, ctx);
    const outcome = entry.size > SMALL_FILE ? await ctx.largeFiles.run(restore) : await restore();
    if (isConflict(outcome) || isLeftAlone(outcome)) {
      notWritten(ctx, outcome, at.display);
      return outcome === 'unchanged';
    }
    count(ctx, entry, at);
    if (outcome.length) {
      const bytes = outcome.reduce((n, d) => n + d.length, 0);
      ctx.error(`${at.display} is damaged: ${outcome.length} chunk(s), ${bytes} bytes from offset ${outcome[0].offset}, could not be read and are left as zeros (${(outcome[0].error as Error).message})`);
    }
    return true;
  } catch (err) {
    failed(ctx, at.display, err);
    return false;
  } finally {
    ctx.reporter.fileDone?.();
  }
}

async function restoreOther(ctx: EntryContext, entry: TreeEntry, at: Placement): Promise<void> {
  const same = (st: BigIntStats) => sameAsEntry(at.dest, st, entry, ctx);
  const made = entry.kind === 'symlink'
    ? await createExclusive(at.dest, ctx.overwrite, async () => symlinkSync(entry.target ?? Buffer.alloc(0), at.dest), same)
    : await createExclusive(at.dest, ctx.overwrite, () => makeSpecial(at.dir, at.name, entry), same);
  if (isConflict(made) || isLeftAlone(made)) return notWritten(ctx, made, at.display);
  applyPathMetadata(at.dest, entry, ctx);
  count(ctx, entry, at);
}
