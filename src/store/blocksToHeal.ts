// The blocks that snapshots need and no intact copy holds, as the last check or repair found
// them, kept in REPO/to-heal.json until ingests store them again. Ingest takes an unchanged file's
// chunk list from the parent snapshot without asking the index about its blocks (a lost chunk
// would never come back): while this list is not empty, it reads again a file that names a block
// to heal (for a large file, in its list blocks). Absent (the usual case), it costs one failed
// open per ingest.
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ioError } from '../core/errors.js';
import { writeFileDurably } from '../core/writeFileDurably.js';
import { FILE_MODE, type RepoLayout } from '../core/layout.js';

function toHealPath(layout: RepoLayout): string {
  return join(layout.root, 'to-heal.json');
}

/** The addresses (hex) of the list; empty when there is none or it cannot be read (it is a hint: the next check writes it again). */
export async function loadBlocksToHeal(layout: RepoLayout): Promise<Set<string>> {
  try {
    const parsed = JSON.parse(await readFile(toHealPath(layout), 'utf8')) as { addresses?: unknown };
    return new Set(Array.isArray(parsed.addresses) ? parsed.addresses.filter((a): a is string => typeof a === 'string') : []);
  } catch {
    return new Set();
  }
}

/** Replaces the list durably; an empty list removes the file. */
export async function saveBlocksToHeal(layout: RepoLayout, addresses: Iterable<string>): Promise<void> {
  const list = [...new Set(addresses)].sort();
  const path = toHealPath(layout);
  try {
    if (list.length) await writeFileDurably(path, JSON.stringify({ v: 1, addresses: list }, null, 1) + '\n', FILE_MODE);
    else await rm(path, { force: true });
  } catch (err) {
    throw ioError(err, 'cannot write', path);
  }
}
