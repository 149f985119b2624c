// The journal of a writable mount: every change to the tree's names and metadata since the base
// snapshot, one JSON line per change, appended in the order the changes were answered. File
// contents live in staging files (stagingArea.ts), and an `up` or `create` line binds a path to
// one; only the writes into new small files held in the journal are lines (`data`, heldFiles.ts),
// which the mount reads back (readAt) where append() put them. Replaying the lines on the base snapshot's tree (LiveTree.apply,
// the same code that made the changes) rebuilds the tree the mount showed.
//
// Durability: a line is written (write(2), synchronously, before the operation is answered),
// so it is in the page cache and survives kill -9 of the mount; sync() (called on every fsync
// of a file or folder in the mount) makes it survive a crash of the machine too. A last line
// cut short by a crash of the machine is ignored on replay: it was never fsynced, so its
// operation was never promised to last.
import { closeSync, fstatSync, fsyncSync, openSync, readSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { DedupfsError } from '../core/errors.js';
import { FILE_MODE } from '../core/layout.js';
import type { LiveOp } from './liveOp.js';
import { replaceFile } from './stagingArea.js';

export interface JournalContent {
  /** id of the snapshot the changes apply to; '' for an empty tree */
  base: string;
  ops: LiveOp[];
}

/** How many changes `ops` make: every line but the writes of held files (writes to staging files leave none). */
export function changeCount(ops: LiveOp[]): number {
  return ops.reduce((n, op) => (op.op === 'data' ? n : n + 1), 0);
}

export class Journal {
  private fd: number;
  private readFd?: number;
  /** bytes in the journal file: where the next line starts */
  size: number;

  private constructor(private readonly path: string) {
    this.fd = openSync(path, 'a', FILE_MODE);
    this.size = fstatSync(this.fd).size;
  }

  /** Reads the journal at `path`; undefined when there is none. */
  static async read(path: string): Promise<JournalContent | undefined> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    const lines = text.split('\n');
    const parse = (line: string, i: number): Record<string, unknown> | undefined => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        if (i >= lines.length - 2) return undefined; // the last line, cut short by a crash
        throw new DedupfsError('REPO_DAMAGED', `the live journal ${path} is damaged at line ${i + 1}`,
          { hint: 'move it away to start the live tree again from its last snapshot', data: { path } });
      }
    };
    const head = lines[0] ? parse(lines[0], 0) : undefined;
    if (!head || head.op !== 'base') throw new DedupfsError('REPO_DAMAGED', `the live journal ${path} has no base line`, { data: { path } });
    const ops: LiveOp[] = [];
    lines.slice(1).forEach((line, i) => {
      if (!line) return;
      const op = parse(line, i + 1);
      if (op) ops.push(op as unknown as LiveOp);
    });
    return { base: String(head.snapshot ?? ''), ops };
  }

  /** Starts a journal at `path` holding `content`, replacing any (atomically), and opens it for appending. */
  static async create(path: string, content: JournalContent): Promise<Journal> {
    const lines = [JSON.stringify({ op: 'base', snapshot: content.base }), ...content.ops.map((op) => JSON.stringify(op))];
    await replaceFile(path, `${lines.join('\n')}\n`);
    return new Journal(path);
  }

  /** Opens an existing journal for appending. */
  static open(path: string): Journal {
    return new Journal(path);
  }

  /** Appends one line; returns where it starts and its length in bytes (for readAt). */
  append(op: LiveOp): [number, number] {
    const at = this.size;
    const line = Buffer.from(`${JSON.stringify(op)}\n`);
    writeSync(this.fd, line);
    this.size += line.length;
    return [at, line.length];
  }

  /** The line `append` wrote at `at`, `length` bytes long, into this journal since its last restart. */
  readAt(at: number, length: number): LiveOp {
    const line = Buffer.allocUnsafe(length);
    readSync((this.readFd ??= openSync(this.path, 'r')), line, 0, length, at);
    return JSON.parse(line.toString('utf8')) as LiveOp;
  }

  sync(): void {
    fsyncSync(this.fd);
  }

  close(): void {
    closeSync(this.fd);
    this.closeReader();
  }

  private closeReader(): void {
    if (this.readFd !== undefined) closeSync(this.readFd);
    this.readFd = undefined;
  }

  /** Replaces the journal with `content` (after a commit) and appends to the new one. */
  async restart(content: JournalContent): Promise<void> {
    const next = await Journal.create(this.path, content);
    closeSync(this.fd);
    this.closeReader();
    this.fd = next.fd;
    this.size = next.size;
  }
}
