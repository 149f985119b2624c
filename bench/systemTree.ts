// The realistic part of the peers bench's corpus: binaries and libraries copied from /usr/lib at
// bench time (ELF objects, Python modules, data files; compressible unlike the generated random
// data, and unlike its text), up to a byte budget. Folders are read in sorted order, so two runs
// on one machine copy the same files. Regular files and symbolic links are copied; a file over
// 64 MiB is passed over, so that one toolchain binary cannot take the whole budget.
import { copyFile, lstat, mkdir, readdir, readlink, symlink } from 'node:fs/promises';
import { join } from 'node:path';

const LARGEST = 64 << 20;

export interface CopiedTree { bytes: number; files: number }

/** Copies files of `from` into `to` (created) until `budget` bytes are copied. */
export async function copySystemTree(from: string, to: string, budget: number): Promise<CopiedTree> {
  const copied: CopiedTree = { bytes: 0, files: 0 };
  const walk = async (src: string, dst: string): Promise<void> => {
    await mkdir(dst, { recursive: true });
    let entries;
    try {
      entries = (await readdir(src, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    } catch {
      return; // a folder we may not read
    }
    for (const e of entries) {
      if (copied.bytes >= budget) return;
      const s = join(src, e.name), d = join(dst, e.name);
      if (e.isDirectory()) await walk(s, d);
      else if (e.isSymbolicLink()) await symlink(await readlink(s), d);
      else if (e.isFile()) {
        const { size } = await lstat(s);
        if (size > LARGEST) continue;
        await copyFile(s, d);
        copied.bytes += size;
        copied.files++;
      }
    }
  };
  await walk(from, to);
  return copied;
}
