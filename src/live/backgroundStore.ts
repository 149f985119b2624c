// Stores the files of a writable mount as they are closed, while the mount runs, so that a
// commit costs only what changed since (a file not written again since it was stored is taken
// as it was: commitLiveTree.ts), and so that the chunking, hashing and compressing of what was
// written overlaps the writing of what follows (the JavaScript thread mostly waits on FUSE round
// trips while a program copies files in; compression runs on the store's worker threads).
//
// What is stored here is blocks only, in the store's open packs: nothing refers to them until a
// commit flushes the store and writes the snapshot, and the journal and staging files stay as
// they are until then, so a mount killed meanwhile loses nothing (its replay stores the files
// again; the blocks stored here are left for gc). A result counts only while the file is
// unchanged: `written` (bumped by every write and truncate, liveOps.ts) and its staging file
// must be what they were when it was stored. A commit pauses the storing (pause/resume) so that
// no block is added while it flushes, and stores what was not stored yet itself.
//
// A failure to write a pack fails the store for good (src/store/blockStore.ts), so this never
// risks filling the repository's disk: a file is stored here only while the disk has room for it
// twice over and SPARE bytes more; else the commit stores it (and says so if it cannot).
import type { StoredFile } from '../ingest/storeFile.js';
import type { LiveNode } from './liveTree.js';

/** Files stored at once (as a commit reads them, two at a time: reads overlap chunking). */
const AT_ONCE = 2;
/** Held files' contents kept in memory while they wait, at most (past it they are read back from the journal). */
const KEPT_BYTES = 16 << 20;
/** Free bytes left on the repository's disk after storing a file here, at least. */
const SPARE = 256 << 20;
/** How long a reading of the disk's free bytes is used (less what was stored since). */
const ROOM_MS = 1000;

interface Waiting { node: LiveNode; written: number; staging: number; content?: Buffer }

export class BackgroundStore {
  private queue: Waiting[] = [];
  private keptBytes = 0;
  private running = 0;
  private paused = false;
  private idle: Array<() => void> = [];

  /**
   * `store` stores a node's content (held files: `content`, else read from its held lines or
   * staging file); `reread` gives a held file's content when it was not kept.
   */
  constructor(private readonly store: (node: LiveNode, content: Buffer | undefined) => Promise<StoredFile>,
    private readonly reread: (node: LiveNode) => Buffer | undefined,
    /** free bytes on the repository's disk */
    private readonly freeBytes: () => Promise<number>) {}

  private room?: { free: number; at: number };

  /** Whether `size` more bytes may be stored now without coming near a full disk. */
  private async roomFor(size: number): Promise<boolean> {
    if (!this.room || Date.now() - this.room.at > ROOM_MS) this.room = { free: await this.freeBytes(), at: Date.now() };
    if (this.room.free < 2 * size + SPARE) return false;
    this.room.free -= size;
    return true;
  }

  /** A file was closed by its last handle: store it soon. `content`: a held file's bytes. */
  closed(node: LiveNode, content?: Buffer): void {
    if (node.staging === undefined || this.storedAs(node)) return;
    const keep = content !== undefined && this.keptBytes + content.length <= KEPT_BYTES;
    if (keep) this.keptBytes += content.length;
    this.queue.push({ node, written: node.written ?? 0, staging: node.staging, content: keep ? content : undefined });
    this.next();
  }

  /** What `node` was stored as, if it has not changed since. */
  storedAs(node: LiveNode): StoredFile | undefined {
    const s = node.storedAs;
    return s && s.written === (node.written ?? 0) && s.staging === node.staging ? s.stored : undefined;
  }

  /** Stops starting files and resolves once none is being stored (a commit is about to flush). */
  async pause(): Promise<void> {
    this.paused = true;
    while (this.running > 0) await new Promise<void>((resolve) => this.idle.push(resolve));
  }

  resume(): void {
    this.paused = false;
    for (let i = 0; i < AT_ONCE; i++) this.next();
  }

  private unchanged(w: Waiting): boolean {
    return w.node.staging === w.staging && (w.node.written ?? 0) === w.written;
  }

  private next(): void {
    if (this.paused || this.running >= AT_ONCE) return;
    let w: Waiting | undefined;
    while ((w = this.queue.shift())) {
      if (w.content) this.keptBytes -= w.content.length;
      if (this.unchanged(w) && w.node.open === 0 && !this.storedAs(w.node)) break;
    }
    if (!w) return;
    const job = w;
    this.running++;
    // Taken now, before the first await: a held file written again meanwhile would change under it.
    const content = job.content ?? this.reread(job.node);
    this.roomFor(job.node.entry.size).then((room) => (room ? this.store(job.node, content) : undefined)).then((stored) => {
      if (stored && this.unchanged(job)) job.node.storedAs = { written: job.written, staging: job.staging, stored };
    }, () => {
      // Left to the commit, which stores the file itself and says what fails then (a staging
      // file deleted meanwhile, by an unlink or a commit, fails here and is no longer needed).
    }).finally(() => {
      this.running--;
      if (this.running === 0) for (const resolve of this.idle.splice(0)) resolve();
      this.next();
    });
    this.next();
  }
}
