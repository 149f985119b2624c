// Reads the packs of a format 4 (sealed) repository from a test, with the password of one of its
// keys: the pack format (boxes, sealed trailers) and each pack's entries, envelope headers included.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openKeyring, packSealing, writeOnlyView, type KeyMaterial } from '../../src/crypto/index.js';
import { readPackEntries, type PackContents } from '../../src/store/pack/readPackEntries.js';
import { sealedPacks } from '../../src/store/pack/sealedFormat.js';
import type { PackFormat } from '../../src/store/pack/format.js';

export interface SealedRepo { material: KeyMaterial; format: PackFormat }

/** The keys and pack format of the repository at `repo`, opened with the password in `passwordFile` (one trailing newline dropped). */
export async function openSealedRepo(repo: string, passwordFile: string): Promise<SealedRepo> {
  const password = (await readFile(passwordFile)).toString('utf8').replace(/\n$/, '');
  const { material } = await openKeyring(join(repo, 'keys.json'), Buffer.from(password));
  return { material, format: sealedPacks(packSealing(writeOnlyView(material))) };
}

/** The sealed packs of `repo` (packs/XX/ID.pack), sorted by path. */
export async function packFiles(repo: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(join(repo, 'packs'), { withFileTypes: true, recursive: true })) {
    if (e.isFile() && e.name.endsWith('.pack')) out.push(join(e.parentPath, e.name));
  }
  return out.sort();
}

/** The entries of the pack at `path`, read through its sealed trailer (or boxes). */
export function sealedEntries(path: string, sealed: SealedRepo): Promise<PackContents> {
  return readPackEntries(path, sealed.format);
}
