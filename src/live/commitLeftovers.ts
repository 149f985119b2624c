// What `dedupfs repair` does with the changes a writable mount acknowledged but never committed
// (its process was killed, the machine crashed): for every host's staging area whose journal
// holds changes, the tree is rebuilt as that mount showed it (replayJournal.ts) and committed as
// a snapshot of that host (tag `live`), exactly as the next mount would have committed it; then
// the area starts a new journal on that snapshot and its staging files go. repair holds the
// repository exclusively, so no mount is using any area meanwhile.
import { readdir } from 'node:fs/promises';
import { DedupfsError } from '../core/errors.js';
import { InodeAllocator } from '../mount/inodes.js';
import type { Repository } from '../repo/repository.js';
import { commitLiveTree } from './commitLiveTree.js';
import { changeCount, Journal } from './journal.js';
import { journalBase, replayJournal } from './replayJournal.js';
import { liveDir, readOwner, releaseStagingArea, removeStagingFiles, stagingArea } from './stagingArea.js';

export interface LeftoverCommit {
  host: string;
  /** how many journal lines were replayed */
  changes: number;
  /** the snapshot committed, when it could be */
  snapshot?: string;
  /** why it could not be (the journal and staging files are then left as they are) */
  problem?: string;
}

/** Commits every host's uncommitted live tree; one result per area that held changes. */
export async function commitLeftovers(repo: Repository): Promise<LeftoverCommit[]> {
  const results: LeftoverCommit[] = [];
  const names = await readdir(liveDir(repo.layout.root)).catch(() => [] as string[]);
  for (const name of names.sort()) {
    const host = decodeURIComponent(name);
    const area = stagingArea(repo.layout.root, host);
    let changes = 0;
    try {
      const journal = await Journal.read(area.journal);
      if (!journal?.ops.length) continue;
      changes = changeCount(journal.ops);
      const base = journalBase(repo.catalog.list(), journal, area);
      const tree = await replayJournal(repo.store, new InodeAllocator(), area, base, journal.ops);
      const mountpoint = (await readOwner(area.owner))?.mountpoint ?? area.dir;
      const { snapshot } = await commitLiveTree({ repo, tree, area, mountpoint, host, base, counted: new Map() });
      (await Journal.create(area.journal, { base: snapshot.id, ops: [] })).close();
      await removeStagingFiles(area, () => false);
      await releaseStagingArea(area);
      results.push({ host, changes, snapshot: snapshot.id });
    } catch (err) {
      if (!(err instanceof DedupfsError)) throw err;
      results.push({ host, changes, problem: err.hint ? `${err.message} (${err.hint})` : err.message });
    }
  }
  return results;
}
