// Replaces a small file so that a crash leaves the old or the new content, never a mix: the new
// bytes go to a temporary file beside it, which is fsynced and renamed over the old one, and the
// folder is fsynced so the rename itself survives.
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fsyncDir } from './fsyncDir.js';

/** Writes `data` to `path` durably and atomically, created with `mode`; the error names the path. */
export async function writeFileDurably(path: string, data: string | Buffer, mode: number): Promise<void> {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    const fh = await open(tmp, 'w', mode);
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
    await fsyncDir(dirname(path));
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
}
