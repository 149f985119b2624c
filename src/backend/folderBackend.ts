// The backend of a repository in a local folder: a key is a path below the folder. Writes go to
// a dot-named temporary file beside the target, which is fsynced, renamed over the target, and
// the folder fsynced, so a crash leaves the old object or the whole new one. Folders are created
// 0700 and files 0600 (owner-only, as src/core/layout.ts sets for the whole repository).
import { constants } from 'node:fs';
import { chmod, copyFile, mkdir, open, opendir, rename, stat, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { DedupfsError, ioError } from '../core/errors.js';
import { fsyncDir } from '../core/fsyncDir.js';
import { DIR_MODE, FILE_MODE } from '../core/layout.js';
import { zeroCounts, type Backend, type ObjectInfo, type RequestCounts } from './backend.js';
import { checkKey } from './objectKey.js';
import { shortObject } from './shortObject.js';

export class FolderBackend implements Backend {
  readonly location: string;
  private readonly counts = zeroCounts();

  constructor(readonly root: string) {
    this.location = root;
  }

  async put(key: string, data: Uint8Array): Promise<void> {
    await this.writeAtomically(key, async (tmp) => {
      const fh = await open(tmp, 'wx', FILE_MODE);
      try {
        await fh.writeFile(data);
        await fh.sync();
      } finally {
        await fh.close();
      }
    });
  }

  async putFile(key: string, path: string): Promise<void> {
    await this.writeAtomically(key, async (tmp) => {
      await copyFile(path, tmp, constants.COPYFILE_EXCL);
      await chmod(tmp, FILE_MODE);
      const fh = await open(tmp, 'r');
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
    });
  }

  async get(key: string): Promise<Buffer> {
    const path = this.pathOf(key);
    this.counts.get++;
    const fh = await open(path, 'r').catch((err) => { throw this.readError(err, key); });
    try {
      return await fh.readFile();
    } finally {
      await fh.close();
    }
  }

  async getRange(key: string, offset: number, length: number, opts: { upTo?: boolean } = {}): Promise<Buffer> {
    const path = this.pathOf(key);
    this.counts.get++;
    const fh = await open(path, 'r').catch((err) => { throw this.readError(err, key); });
    try {
      const buf = Buffer.allocUnsafe(length);
      let got = 0;
      while (got < length) {
        const { bytesRead } = await fh.read(buf, got, length - got, offset + got);
        if (bytesRead === 0) {
          if (opts.upTo) return buf.subarray(0, got);
          throw shortObject(this.location, key, offset, length, got);
        }
        got += bytesRead;
      }
      return buf;
    } finally {
      await fh.close();
    }
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    const path = this.pathOf(key);
    this.counts.head++;
    try {
      const st = await stat(path);
      return { key, size: st.size, modified: st.mtime };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw ioError(err, 'cannot read', path);
    }
  }

  // Walks the folders below the prefix's folder part with opendir, which reads entries as they
  // come instead of the whole folder at once; counts one 'list' per folder read.
  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    const cut = prefix.lastIndexOf('/');
    const startKey = cut < 0 ? '' : prefix.slice(0, cut);
    yield* this.walk(startKey, prefix);
  }

  async delete(key: string): Promise<void> {
    const path = this.pathOf(key);
    this.counts.delete++;
    try {
      await unlink(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw ioError(err, 'cannot delete', path);
    }
  }

  async deleteMany(keys: readonly string[]): Promise<void> {
    for (const key of keys) await this.delete(key);
  }

  requestCounts(): RequestCounts {
    return { ...this.counts };
  }

  async close(): Promise<void> {}

  private pathOf(key: string): string {
    return join(this.root, checkKey(key));
  }

  private async *walk(dirKey: string, prefix: string): AsyncIterable<ObjectInfo> {
    const dirPath = dirKey ? join(this.root, dirKey) : this.root;
    this.counts.list++;
    let dir;
    try {
      dir = await opendir(dirPath);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return;
      throw ioError(err, 'cannot list', dirPath);
    }
    for await (const entry of dir) {
      if (entry.name.startsWith('.')) continue;
      const key = dirKey ? `${dirKey}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (prefix.startsWith(`${key}/`) || key.startsWith(prefix)) yield* this.walk(key, prefix);
      } else if (entry.isFile() && key.startsWith(prefix)) {
        const st = await stat(join(dirPath, entry.name)).catch(() => undefined);   // gone since: deleted
        if (st) yield { key, size: st.size, modified: st.mtime };
      }
    }
  }

  private async writeAtomically(key: string, write: (tmp: string) => Promise<void>): Promise<void> {
    const path = this.pathOf(key);
    const dir = dirname(path);
    const tmp = join(dir, `.${key.slice(key.lastIndexOf('/') + 1)}.${randomBytes(6).toString('hex')}.tmp`);
    this.counts.put++;
    try {
      await mkdir(dir, { recursive: true, mode: DIR_MODE });
      await write(tmp);
      await rename(tmp, path);
      await fsyncDir(dir);
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw ioError(err, 'cannot write', path);
    }
  }

  private readError(err: unknown, key: string): DedupfsError {
    return ioError(err, 'cannot read', join(this.root, key));
  }
}
