// `dedupfs restore`: writes a snapshot (or a path inside it) into a target folder.
//
//   locate the path; count what is selected (for progress); then walk the trees in order:
//     folder -> create it (exclusively, or accept a real folder), push it on the stack
//     other  -> start a job (at most `concurrency` at once): file, link, symlink, fifo, device
//     when the walk leaves a folder -> wait for its jobs, then set its mode, owner and times
//
// Folders get their metadata last, after their contents are written (writing into a folder
// changes its mtime, and a read-only folder must still be filled). With --include, a folder
// that is not itself included is created only when something below it is restored. The
// target may exist; nothing is ever written outside it (see destination.ts and selection.ts).
// What already exists is left alone when identical, and otherwise as --overwrite says
// (destination.ts), so a restore can be run again. With --delete, a folder the walk leaves is
// cleared of what the snapshot does not hold in it (not the target itself unless the whole
// snapshot is restored, and never a folder whose listing could not be read).
import { closeSync, constants, openSync } from 'node:fs';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DedupfsError, ioError } from '../core/errors.js';
import { Chunker } from '../chunker/index.js';
import { Limiter } from '../core/limiter.js';
import { LONG_PATH, throughDescriptor } from '../core/longPath.js';
import type { Reporter } from '../core/reporter.js';
import type { RootMeta } from '../catalog/snapshotRecord.js';
import type { Repository } from '../repo/repository.js';
import type { BlockSource } from '../core/blocks.js';
import type { TreeEntry } from '../tree/entry.js';
import { escapeName } from '../tree/nameEscape.js';
import { walkTree, type TreeItem } from '../tree/walkTree.js';
import { applyFdMetadata } from './applyMetadata.js';
import { isConflict, makeDir, probe, type Conflict, type OverwritePolicy } from './destination.js';
import { locateSnapshotPath, parentPathLength, type LocatedPath } from './locateSnapshotPath.js';
import { restoreEntry, type EntryContext } from './restoreEntry.js';
import { emptyResult, type RestoreResult } from './restoreResult.js';
import { Selection } from './selection.js';

export interface RestoreOptions {
  /** snapshot selector: id, hex prefix, latest, latest~N */
  snapshot: string;
  /** path inside the snapshot (default "/": its whole root, restored into the target itself);
   * any other path is restored as target/<its name> */
  path?: string;
  /** the folder to restore into; created when missing */
  target: string;
  /** glob patterns on snapshot paths: restore only what matches (and what is below it) */
  include?: string[];
  /** glob patterns on snapshot paths: skip what matches (and what is below it) */
  exclude?: string[];
  /** what to do with existing files, symlinks and special files that differ from the snapshot's
   * (identical ones are always left alone; a folder is never replaced): keep them (never, the
   * default), replace them (if-changed), or replace everything, identical or not (always) */
  overwrite?: OverwritePolicy;
  /** remove what the target holds and the snapshot does not (not with include or exclude) */
  delete?: boolean;
  /** report what would be restored; write nothing */
  dryRun?: boolean;
  reporter?: Reporter;
  /** called for every entry restored (or, with dryRun, that would be) */
  onItem?: EntryContext['onItem'];
  /** entries restored at once (default 4) */
  concurrency?: number;
}

export type { RestoreResult } from './restoreResult.js';

/**
 * Files above SMALL_FILE restored at once from a bucket. Ingest chunks two files at once
 * (src/ingest/treeBuilder.ts), so the chunks of neighbouring large files share packs: restored
 * side by side, they read each pack segment once (packSpace.ts keeps it for both) instead of
 * once per file, which cost a second GET of it. (From a folder only the bytes of each file's
 * own chunks are read, so there one at a time is enough.)
 */
const BUCKET_LARGE_FILES = 2;
const SLASH = Buffer.from('/');
const DIR_FLAGS = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;

interface Frame {
  depth: number;
  dest: Buffer;
  entry: TreeEntry | null; // null for the target itself
  display: string;
  included: boolean;
  state: 'pending' | 'created' | 'existing' | 'failed';
  jobs: Array<Promise<void>>;
  /** --delete: the names the snapshot holds in this folder (latin1), null once they are not all known */
  names: Set<string> | null;
  /** the folder's path inside the snapshot (absent for the target) */
  path?: Buffer;
  /** an open descriptor of this folder once its path is long (closed when it is left) */
  fd?: number;
  /** the nearest open descriptor among this folder and its parents, and the length of that
   * folder's snapshot path: entries below it are named through /proc/self/fd/N/..., so a tree
   * deeper than PATH_MAX restores whole */
  base?: { fd: number; pathLength: number };
  /** the last entry started in this folder; a malformed tree may repeat a name (names are
   * sorted, so repeats are neighbours), and the second waits for the first to settle */
  last?: { name: Buffer; job: Promise<void> };
}

/**
 * Restores a snapshot path into a folder. Warnings and errors about single entries go to the
 * reporter and are counted in the result; a bad selector or path, or a target that is not a
 * folder, throws before anything is written.
 *
 * @example
 *   const result = await restoreSnapshot(repo, { snapshot: 'latest', path: '/etc', target: '/tmp/r' });
 *   // /tmp/r/etc/... ; result.errors > 0 when some content was damaged
 */
export async function restoreSnapshot(repo: Repository, opts: RestoreOptions): Promise<RestoreResult> {
  if (opts.delete && (opts.include?.length || opts.exclude?.length)) {
    throw new DedupfsError('USAGE', '--delete cannot be combined with --include or --exclude', { hint: 'restore the part you want into its own folder, or drop --delete' });
  }
  const loc = await locateSnapshotPath(repo, { snapshot: opts.snapshot, path: opts.path });
  const target = resolve(opts.target);
  const run = new RestoreRun(repo, loc, target, opts);
  const counted = await run.count();
  if (opts.include?.length && !run.matched) {
    throw new DedupfsError('NOT_FOUND', `--include ${opts.include.map((p) => `'${p}'`).join(', ')} matches nothing in snapshot ${loc.snapshot.id.slice(0, 8)}${loc.isRoot ? '' : `:${escapeName(loc.path)}`}`, {
      hint: `list what it holds with 'dedupfs ls -R ${loc.snapshot.id.slice(0, 8)}'`,
    });
  }
  const state = await prepareTarget(target, !!opts.dryRun);
  opts.reporter?.start?.(counted);
  await run.restore();
  // The snapshot root's own mode, owner and times go on TARGET, last (restoring into it changed
  // its mtime); not on a folder that held something before, unless --overwrite says so: a
  // restore into / must not chmod /.
  const meta = loc.isRoot ? loc.snapshot.rootMeta : undefined;
  if (meta && !opts.dryRun && (state !== 'populated' || (opts.overwrite ?? 'never') !== 'never')) await run.applyRootMeta(meta);
  return run.result;
}

/** Creates the target folder when missing; says whether it was missing, empty or held something. */
async function prepareTarget(target: string, dryRun: boolean): Promise<'created' | 'empty' | 'populated'> {
  const st = await stat(target).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw ioError(err, 'cannot restore into', target);
  });
  if (st && !st.isDirectory()) throw new DedupfsError('EXISTS', `cannot restore into ${target}: it is not a folder`, { data: { target } });
  if (st) return (await readdir(target).catch((err) => { throw ioError(err, 'cannot restore into', target); })).length ? 'populated' : 'empty';
  if (!dryRun) await mkdir(target, { recursive: true }).catch((err) => { throw ioError(err, 'cannot create', target); });
  return 'created';
}

class RestoreRun {
  readonly result: RestoreResult;
  private readonly selection: Selection;
  private readonly ctx: EntryContext;
  private readonly limiter: Limiter;
  private readonly stack: Frame[];
  private readonly prefix: number;
  private readonly target: Buffer;
  private readonly store: BlockSource;
  private readonly deleteExtra: boolean;
  private fatal: unknown = null;
  /** set by count(): some entry matched an --include pattern */
  matched = false;

  constructor(repo: Repository, private readonly loc: LocatedPath, target: string, opts: RestoreOptions) {
    const store = this.store = repo.store;
    this.deleteExtra = !!opts.delete;
    this.result = emptyResult(loc.snapshot.id, target, !!opts.dryRun);
    this.selection = new Selection(opts.include, opts.exclude);
    this.limiter = new Limiter(opts.concurrency ?? 4);
    this.prefix = parentPathLength(loc);
    this.target = Buffer.from(target);
    const reporter = opts.reporter ?? {};
    this.ctx = {
      store, chunker: new Chunker(repo.chunker), hash: repo.store.hash,
      reporter, overwrite: opts.overwrite ?? 'never', dryRun: !!opts.dryRun, target, result: this.result,
      asRoot: process.getuid?.() === 0, links: new Map(), largeFiles: new Limiter(repo.remote ? BUCKET_LARGE_FILES : 1), onItem: opts.onItem,
      warn: (message) => { this.result.warnings++; reporter.warning?.(message); },
      error: (message) => { this.result.errors++; reporter.warning?.(message); },
    };
    // The target itself is cleared by --delete only when it receives the whole snapshot.
    this.stack = [{ depth: -1, dest: this.target, entry: null, display: '/', included: this.selection.includesAll, state: 'existing', jobs: [], names: loc.isRoot ? new Set() : null }];
  }

  /** The entries of the selected path, the path itself first unless it is the root. */
  private async *items(onDamaged?: (err: unknown, item: TreeItem) => void): AsyncGenerator<TreeItem> {
    const { entry, path, isRoot } = this.loc;
    if (isRoot) {
      yield* walkTree(this.store, entry.subtree!, { recursive: true, onDamaged });
      return;
    }
    const top: TreeItem = { entry, path, depth: 0 };
    yield top;
    if (entry.kind === 'dir' && entry.subtree && !top.prune) {
      yield* walkTree(this.store, entry.subtree, { path, recursive: true, depth: 1, onDamaged });
    }
  }

  /** Files and bytes that will be restored, for progress (one pass over the trees only). */
  async count(): Promise<{ files: number; bytes: number }> {
    let files = 0, bytes = 0;
    const links = new Set<string>();
    const included: boolean[] = [this.selection.includesAll];
    for await (const item of this.items(() => undefined)) {
      const verdict = this.selection.classify(item.entry.name, item.path, included[item.depth]);
      if (verdict === 'unsafe' || verdict === 'excluded') {
        item.prune = true;
        continue;
      }
      included[item.depth + 1] = verdict === 'included';
      if (verdict === 'included') this.matched = true;
      if (item.entry.kind !== 'file' || verdict !== 'included') continue;
      files++;
      if (item.entry.linkId && links.has(item.entry.linkId)) continue;
      if (item.entry.linkId) links.add(item.entry.linkId);
      bytes += item.entry.size;
    }
    return { files, bytes };
  }

  async restore(): Promise<void> {
    const onDamaged = (err: unknown, item: TreeItem) => {
      this.ctx.error(`cannot restore the contents of ${escapeName(item.path)}: ${(err as Error).message}`);
      const top = this.stack[this.stack.length - 1];
      if (top.entry === item.entry) top.names = null; // its listing is unknown: --delete leaves it alone
    };
    for await (const item of this.items(onDamaged)) {
      if (this.fatal) break;
      await this.leaveFolders(item.depth);
      await this.visit(item);
    }
    await this.leaveFolders(0);
    await Promise.all(this.stack[0].jobs);
    if (this.fatal) throw this.fatal;
    await this.deleteExtras(this.stack[0]);
    const { kept } = this.result;
    if (kept) {
      this.ctx.warn(`${kept} ${kept === 1 ? 'entry' : 'entries'} in ${this.ctx.target} ${kept === 1 ? 'differs' : 'differ'} from the snapshot and ${kept === 1 ? 'was' : 'were'} kept; `
        + 'use --overwrite if-changed to replace them');
    }
  }

  /** Puts the snapshot root's own metadata on the target folder. */
  async applyRootMeta(meta: RootMeta): Promise<void> {
    const entry: TreeEntry = {
      name: Buffer.alloc(0), kind: 'dir', mode: meta.mode, uid: meta.uid, gid: meta.gid, size: 0,
      mtimeNs: BigInt(meta.mtime), atimeNs: BigInt(meta.atime), ctimeNs: 0n, ino: 0, nlink: 1,
    };
    try {
      const fd = openSync(this.target, constants.O_RDONLY | constants.O_DIRECTORY);
      try {
        await applyFdMetadata(fd, entry, this.ctx.target, this.ctx);
      } finally {
        closeSync(fd);
      }
    } catch (err) {
      this.ctx.warn(`cannot set the mode, owner or times of ${this.ctx.target}: ${(err as Error).message}`);
    }
  }

  /** --delete: removes from a folder restored in full what the snapshot does not hold there. */
  private async deleteExtras(frame: Frame): Promise<void> {
    if (!this.deleteExtra || !frame.names || this.fatal || (frame.state !== 'created' && frame.state !== 'existing')) return;
    let names: Buffer[];
    try {
      names = await readdir(frame.dest, { encoding: 'buffer' });
    } catch (err) {
      if (!this.ctx.dryRun) this.ctx.warn(`cannot list ${frame.display} to delete what the snapshot does not hold: ${(err as Error).message}`);
      return;
    }
    for (const name of names) {
      if (frame.names.has(name.toString('latin1'))) continue;
      const path = Buffer.concat([frame.dest, SLASH, name]);
      try {
        // rm removes a symlink itself, never what it points to, and does not follow links below.
        if (!this.ctx.dryRun) await rm(path, { recursive: true, force: true });
        this.result.deleted++;
      } catch (err) {
        this.ctx.warn(`cannot delete ${path}: ${(err as Error).message}`);
      }
    }
  }

  private async visit(item: TreeItem): Promise<void> {
    const parent = this.stack[this.stack.length - 1];
    parent.names?.add(item.entry.name.toString('latin1'));
    const display = escapeName(item.path);
    const verdict = this.selection.classify(item.entry.name, item.path, parent.included);
    if (verdict === 'unsafe') {
      const folder = escapeName(item.path.subarray(0, item.path.length - item.entry.name.length - 1)) || '/';
      this.ctx.warn(`${folder}: an entry named '${escapeName(item.entry.name)}' is not a safe name; skipped`);
    }
    if (verdict === 'unsafe' || verdict === 'excluded' || this.stack.some((f) => f.state === 'failed')) {
      item.prune = true;
      return;
    }
    const included = verdict === 'included';
    if (parent.last?.name.equals(item.entry.name)) await parent.last.job;
    if (item.entry.kind === 'dir') {
      const dest = this.destOf(parent, item.path);
      this.stack.push({
        depth: item.depth, dest, path: item.path, base: parent.base, entry: item.entry, display, included, state: 'pending', jobs: [],
        names: this.deleteExtra ? new Set() : null,
      });
      if (included && !(await this.createFolders())) item.prune = true;
      return;
    }
    if (!included || !(await this.createFolders())) return;
    const at = { dir: parent.dest, name: item.entry.name, dest: this.destOf(parent, item.path), display };
    const { done } = await this.start(parent, () => restoreEntry(this.ctx, item.entry, at));
    parent.last = { name: item.entry.name, job: done };
  }

  /** Where the entry at snapshot `path` goes: under the target, or below the nearest open folder descriptor (a long path). */
  private destOf(parent: Frame, path: Buffer): Buffer {
    const base = parent.base;
    return base ? throughDescriptor(base.fd, path.subarray(base.pathLength + 1)) : Buffer.concat([this.target, path.subarray(this.prefix)]);
  }

  /** Starts `job` once a slot is free (so the walk never runs far ahead of the writes); returns its end. */
  private async start(frame: Frame, job: () => Promise<void>): Promise<{ done: Promise<void> }> {
    let started!: () => void;
    const running = new Promise<void>((resolve) => { started = resolve; });
    const done = this.limiter.run(async () => {
      started();
      if (!this.fatal) await job();
    }).catch((err) => { this.fatal ??= err; });
    frame.jobs.push(done);
    // A folder of millions of files must not keep millions of settled promises.
    if (frame.jobs.length >= 1024) frame.jobs = [Promise.all(frame.jobs).then(() => undefined)];
    await running;
    return { done };
  }

  /** Creates the folders on the stack that are not there yet; false when one cannot be. */
  private async createFolders(): Promise<boolean> {
    for (const [i, frame] of this.stack.entries()) {
      if (frame.state === 'failed') return false;
      if (frame.state !== 'pending') continue;
      // Folders are created when something below them is restored: only then are their parents' descriptors open.
      if (frame.path && i > 0) {
        frame.base = this.stack[i - 1].base;
        frame.dest = this.destOf(this.stack[i - 1], frame.path);
      }
      try {
        const state = this.ctx.dryRun ? await probe(frame.dest, 'dir', this.ctx.overwrite) as 'created' | 'existing' | Conflict : await makeDir(frame.dest, this.ctx.overwrite);
        if (isConflict(state)) {
          this.ctx.warn(`${frame.display} ${state.conflict}`);
          frame.state = 'failed';
          return false;
        }
        frame.state = state;
      } catch (err) {
        this.ctx.error(`cannot restore ${frame.display}: ${(err as Error).message}`);
        frame.state = 'failed';
        return false;
      }
      if (frame.path && frame.dest.length > LONG_PATH && !this.ctx.dryRun) {
        frame.fd = openSync(frame.dest, DIR_FLAGS);
        frame.base = { fd: frame.fd, pathLength: frame.path.length };
      }
      if (frame.state === 'existing' && this.ctx.overwrite === 'never') continue;
      this.result.dirs++;
      this.ctx.onItem?.({ path: frame.display, kind: 'dir', size: 0 });
    }
    return true;
  }

  /** Finishes the folders at `depth` and deeper: their jobs, then their own metadata. */
  private async leaveFolders(depth: number): Promise<void> {
    while (this.stack.length > 1 && this.stack[this.stack.length - 1].depth >= depth) {
      const frame = this.stack.pop()!;
      await Promise.all(frame.jobs);
      await this.deleteExtras(frame);
      const restored = frame.state === 'created' || (frame.state === 'existing' && this.ctx.overwrite !== 'never');
      try {
        if (!restored || this.ctx.dryRun || !frame.entry || this.fatal) continue;
        const fd = frame.fd ?? openSync(frame.dest, DIR_FLAGS);
        try {
          await applyFdMetadata(fd, frame.entry, frame.display, this.ctx);
        } finally {
          if (fd !== frame.fd) closeSync(fd);
        }
      } catch (err) {
        this.ctx.warn(`cannot set the mode, owner or times of ${frame.display}: ${(err as Error).message}`);
      } finally {
        if (frame.fd !== undefined) closeSync(frame.fd);
      }
    }
  }
}
