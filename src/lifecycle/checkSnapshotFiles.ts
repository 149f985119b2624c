// Reads every snapshots/<id>.json itself, not the catalog's copy of it: a record cut short, or
// edited (its root set to zeros), still looks fine in a catalog that read it when it was whole.
// A record is sound when it parses, has the fields a snapshot needs, and hashes to its own id
// (the id is the SHA-256 of the record without it, so any change to any field shows). In an
// encrypted repository the record must first open (`seal`): a changed byte, or a record put
// back under another id, does not.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PLAIN_SNAPSHOTS, listSnapshotIds, snapshotId, type Snapshot, type SnapshotSeal } from '../catalog/snapshotRecord.js';

export interface SnapshotFileProblem { id: string; file: string; problem: string }

const HEX64 = /^[0-9a-f]{64}$/;

/** The snapshot files in `dir` that are not sound, with what is wrong. */
export async function checkSnapshotFiles(dir: string, seal = PLAIN_SNAPSHOTS): Promise<SnapshotFileProblem[]> {
  const problems: SnapshotFileProblem[] = [];
  for (const id of await listSnapshotIds(dir)) {
    const file = join(dir, `${id}.json`);
    const problem = recordProblem(id, await readFile(file, 'utf8').catch((err: Error) => err), seal);
    if (problem) problems.push({ id, file, problem });
  }
  return problems;
}

function recordProblem(id: string, text: string | Error, seal: SnapshotSeal): string | undefined {
  if (text instanceof Error) return `cannot be read: ${text.message}`;
  let snap: Snapshot;
  try {
    snap = seal.open(id, text);
  } catch (err) {
    return `is not a whole record (${(err as Error).message})`;
  }
  if (typeof snap !== 'object' || snap === null || snap.id !== id) return 'does not name its own id';
  if (typeof snap.root !== 'string' || !HEX64.test(snap.root) || typeof snap.time !== 'string') return 'lacks a root address or a time';
  const { id: _id, ...fields } = snap;
  if (snapshotId(fields) !== id) return 'does not match its id (the record was changed after it was written)';
  return undefined;
}
