// fsync of a folder, so that a rename or a new file inside it survives a crash.
import { open } from 'node:fs/promises';

export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
