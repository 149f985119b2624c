// Snapshot selectors, the same everywhere a snapshot is named: a full id, a unique prefix of
// at least 4 hex digits, `latest`, `latest~N`; `SELECTOR:PATH` names a path inside one.
import { DedupfsError } from '../core/errors.js';
import type { Snapshot } from './snapshotRecord.js';

export interface SnapshotPath { selector: string; path: string }

/** Splits `SNAPSHOT[:PATH]`; path defaults to "/" and always starts with "/". */
export function parseSnapshotPath(text: string): SnapshotPath {
  const i = text.indexOf(':');
  const selector = i < 0 ? text : text.slice(0, i);
  const rest = i < 0 ? '' : text.slice(i + 1);
  return { selector, path: rest.startsWith('/') ? rest : `/${rest}` };
}

/** Picks one snapshot from `snapshots` (oldest first). */
export function selectSnapshot(snapshots: Snapshot[], selector: string): Snapshot {
  const latest = /^latest(?:~(\d+))?$/.exec(selector);
  if (latest) {
    const back = Number(latest[1] ?? 0);
    const snap = snapshots[snapshots.length - 1 - back];
    if (!snap) {
      throw new DedupfsError('SNAPSHOT', snapshots.length ? `'${selector}': there are only ${snapshots.length} snapshots` : 'the repository has no snapshots yet',
        { hint: "list them with 'dedupfs snapshots'" });
    }
    return snap;
  }
  if (!/^[0-9a-f]{4,64}$/.test(selector)) {
    throw new DedupfsError('SNAPSHOT', `'${selector}' is not a snapshot selector`, { hint: 'use an id, a prefix of at least 4 hex digits, latest or latest~N' });
  }
  const found = snapshots.filter((s) => s.id.startsWith(selector));
  if (found.length === 1) return found[0];
  if (found.length === 0) throw new DedupfsError('SNAPSHOT', `no snapshot matches '${selector}'`, { hint: "list them with 'dedupfs snapshots'" });
  throw new DedupfsError('SNAPSHOT', `'${selector}' is ambiguous: it matches ${found.length} snapshots (${found.slice(0, 3).map((s) => s.id.slice(0, 12)).join(', ')}...)`,
    { hint: 'give more digits of the id' });
}
