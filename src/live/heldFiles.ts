// New small files held in the journal instead of in staging files of their own. Creating a file
// on the repository's disk for each small file copied in was most of what `cp -a` of many small
// files cost the mount (ext4's inode allocation, measured with perf: docs/LIVE.md, "Measured"),
// and the commit then opened, read and deleted each one. A held file's writes are journal lines
// (`data`: offset and bytes), written before the write is answered like any journal line, so
// they survive kill -9 of the mount; its content is in memory while it is open and read back
// from those lines when it is opened again. A commit stores it from there (commitLiveTree.ts).
//
// A held file that grows past HOLD_MAX, or is cut, or is written too often, is spilled: its
// content goes to a staging file (written whole under a temporary name, then renamed into
// place) and it is an ordinary staged file from then on. The replay (replayJournal.ts) writes
// the staging file of each held file from its `data` lines, unless a spill left one.
import { closeSync, openSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Journal } from './journal.js';
import type { LiveNode } from './liveTree.js';
import { stagingFile, type StagingArea } from './stagingArea.js';

/** A held file is spilled to a staging file when a write would take it past this size. */
export const HOLD_MAX = 64 << 10;
/** ... or when it has this many `data` lines (a file rewritten in place, many times). */
const MAX_LINES = 64;
/** New files are held only while the journal is below this size (a replay reads it whole). */
const JOURNAL_HOLD_LIMIT = 256 << 20;

const capacityFor = (size: number) => Math.min(HOLD_MAX, Math.max(4096, 2 ** Math.ceil(Math.log2(size || 1))));

export class HeldFiles {
  constructor(private readonly journal: Journal, private readonly area: StagingArea) {}

  /** Whether a file created now may be held. */
  canHold(): boolean {
    return this.journal.size < JOURNAL_HOLD_LIMIT;
  }

  /** Holds the new, empty file `node` (staged as node.staging) in the journal. */
  hold(node: LiveNode): void {
    node.logged = [];
    node.held = Buffer.alloc(0);
  }

  isHeld(node: LiveNode): boolean {
    return node.logged !== undefined;
  }

  /** A held file's content, kept in memory (loaded from its journal lines if it is not there): for an open file. */
  content(node: LiveNode): Buffer {
    node.held ??= this.load(node);
    return node.held.subarray(0, node.entry.size);
  }

  /** A held file's content, not kept in memory if it was not there (for a commit, which reads every held file once). */
  read(node: LiveNode): Buffer {
    return (node.held ?? this.load(node)).subarray(0, node.entry.size);
  }

  /**
   * Writes into a held file: journals the bytes and copies them into its content. false when
   * the write does not fit (the caller spills the file and writes to its staging file).
   */
  write(node: LiveNode, buf: Buffer, length: number, pos: number, t: number): boolean {
    const end = pos + length;
    if (end > HOLD_MAX || (node.logged?.length ?? MAX_LINES) >= MAX_LINES) return false;
    const size = node.entry.size;
    let held = node.held ?? this.load(node);
    if (held.length < end) held = Buffer.concat([held.subarray(0, size), Buffer.alloc(capacityFor(end) - size)]);
    node.logged?.push(this.journal.append({ op: 'data', id: node.staging ?? 0, at: pos, data: buf.toString('base64', 0, length), t }));
    buf.copy(held, pos, 0, length);
    node.held = held;
    return true;
  }

  /** Lets go of an open file's content in memory once it is closed (its journal lines hold it). */
  closed(node: LiveNode): void {
    if (node.open === 0 && node.logged) node.held = undefined;
  }

  /**
   * Moves a held file's content into its staging file; returns that file, open for reading and
   * writing. With nothing journaled yet the staging file is made in place; else it is written
   * under a temporary name and renamed, so that a replay finds either it whole or the `data`
   * lines.
   */
  spill(node: LiveNode): number {
    const content = this.content(node);
    const file = stagingFile(this.area, node.staging ?? 0);
    const written = (node.logged?.length ?? 0) > 0;
    const path = written ? join(this.area.data, 'spill') : file;
    const fd = openSync(path, 'w+', 0o600);
    try {
      writeSync(fd, content, 0, content.length, 0);
      if (written) renameSync(path, file);
    } catch (err) {
      closeSync(fd);
      throw err;
    }
    [node.logged, node.held] = [undefined, undefined];
    return fd;
  }

  private load(node: LiveNode): Buffer {
    const held = Buffer.alloc(capacityFor(node.entry.size));
    for (const [at, length] of node.logged ?? []) {
      const op = this.journal.readAt(at, length);
      if (op.op === 'data') held.write(op.data, op.at, 'base64');
    }
    return held;
  }
}
