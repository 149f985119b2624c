// The copies of blocks that failed their check (check --read-data, repair --read-data), kept in
// REPO/bad-copies.json so that nothing names them again: the index entry of a bad copy is removed
// when it is found, and an index rebuild or gc's re-indexing would otherwise take the copy back
// from its pack. With the block gone from the index, the next ingest of a source that still holds
// it stores it again, and every snapshot that needs it reads the new copy. An entry lives as long
// as its pack: salvage (salvagePack.ts) or gc retires the pack, and the next save drops it.
// Written like a snapshot record (temp, fsync, rename, fsync of the folder).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ioError } from '../core/errors.js';
import { writeFileDurably } from '../core/writeFileDurably.js';
import { FILE_MODE, type RepoLayout } from '../core/layout.js';
import type { PackSpace } from './packSpace.js';

export interface BadCopy { address: string; pack: string; offset: number; reason: string }

export class BadCopies {
  private readonly copies = new Map<string, BadCopy>();

  private constructor(private readonly space: PackSpace, list: BadCopy[], private existed: boolean) {
    for (const c of list) this.copies.set(`${c.pack}:${c.offset}`, c);
  }

  /**
   * The list of the repository whose packs `space` holds (kept in its layout's root: the folder,
   * or a bucket's cache); empty when there is none (or it cannot be parsed: it is a hint, rebuilt
   * by repair --read-data).
   */
  static async load(space: PackSpace): Promise<BadCopies> {
    const { layout } = space;
    let list: BadCopy[] = [];
    let existed = false;
    try {
      const text = await readFile(badCopiesPath(layout), 'utf8');
      existed = true;
      const parsed = JSON.parse(text) as { copies?: BadCopy[] };
      if (Array.isArray(parsed.copies)) list = parsed.copies.filter((c) => typeof c?.pack === 'string' && Number.isInteger(c.offset));
    } catch {
      // absent or unreadable: no copy is known to be bad
    }
    return new BadCopies(space, list, existed);
  }

  has(pack: string, offset: number): boolean {
    return this.copies.has(`${pack}:${offset}`);
  }

  add(copy: BadCopy): void {
    this.copies.set(`${copy.pack}:${copy.offset}`, copy);
  }

  /** The packs that hold a bad copy. */
  packs(): Set<string> {
    return new Set([...this.copies.values()].map((c) => c.pack));
  }

  get size(): number {
    return this.copies.size;
  }

  /** Writes the list durably, leaving out the copies whose pack is gone (no file is made for an empty list). */
  async save(): Promise<void> {
    if (!this.copies.size && !this.existed) return;
    const existing = new Set((await this.space.list()).sealed.map((p) => p.packId));
    const copies = [...this.copies.values()].filter((c) => existing.has(c.pack));
    const path = badCopiesPath(this.space.layout);
    try {
      await writeFileDurably(path, JSON.stringify({ v: 1, copies }, null, 1) + '\n', FILE_MODE);
      this.existed = true;
    } catch (err) {
      throw ioError(err, 'cannot write', path);
    }
  }
}

export function badCopiesPath(layout: RepoLayout): string {
  return join(layout.root, 'bad-copies.json');
}
