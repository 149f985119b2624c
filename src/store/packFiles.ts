// A small cache of open pack files for reading, so that reading many blocks from one pack does
// not reopen it each time. Packs are immutable once sealed, so a cached handle never goes stale;
// gc, which deletes packs, runs with the repository locked exclusively.
//
// Reads are synchronous unless asked otherwise: a pread from the page cache costs a few
// microseconds, a round trip through libuv's thread pool far more (measured here: a restore of
// the benchmark corpus takes a median 4.3 s with synchronous reads, 5.0 s without). The mount,
// which serves many readers at once, reads asynchronously so that a slow disk read does not hold
// up the others.
import { readSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { packPath, type RepoLayout } from '../core/layout.js';

export class PackFiles {
  private readonly handles = new Map<string, Promise<FileHandle>>();

  /** false: reads go through the thread pool and leave the JavaScript thread free meanwhile */
  sync = true;

  constructor(private readonly layout: RepoLayout, private readonly max = 64) {}

  /** Reads `length` bytes at `position` of pack `packId` (into the start of `into` if given); fewer if the pack is shorter. */
  async read(packId: string, position: number, length: number, into?: Buffer): Promise<Buffer> {
    const fh = await this.handle(packId);
    const buf = into ? into.subarray(0, length) : Buffer.allocUnsafe(length);
    const bytesRead = this.sync ? readSync(fh.fd, buf, 0, length, position) : (await fh.read(buf, 0, length, position)).bytesRead;
    return bytesRead === length ? buf : buf.subarray(0, bytesRead);
  }

  private handle(packId: string): Promise<FileHandle> {
    let h = this.handles.get(packId);
    if (h) {
      this.handles.delete(packId); // re-insert: most recently used last
      this.handles.set(packId, h);
      return h;
    }
    if (this.handles.size >= this.max) {
      const [oldestId, oldest] = this.handles.entries().next().value as [string, Promise<FileHandle>];
      this.handles.delete(oldestId);
      void oldest.then((fh) => fh.close()).catch(() => undefined);
    }
    h = open(packPath(this.layout, packId), 'r');
    h.catch(() => this.handles.delete(packId));
    this.handles.set(packId, h);
    return h;
  }

  async close(): Promise<void> {
    const all = [...this.handles.values()];
    this.handles.clear();
    await Promise.all(all.map((h) => h.then((fh) => fh.close()).catch(() => undefined)));
  }
}
