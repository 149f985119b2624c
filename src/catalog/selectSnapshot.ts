// Snapshot selectors, the same everywhere a snapshot is named: a full id, a unique prefix of
// at least 4 hex digits, `latest`, `latest~N`; `SELECTOR:PATH` names a path inside one. A
// scope (--host, --path, --tag) narrows the snapshots a selector chooses among, so that
// `latest --host web1` is web1's newest in a repository several hosts share.
import { DedupfsError } from '../core/errors.js';
import type { SnapshotFilter } from './catalog.js';
import type { Snapshot } from './snapshotRecord.js';

export interface SnapshotPath { selector: string; path: string }

/** Splits `SNAPSHOT[:PATH]`; path defaults to "/" and always starts with "/". */
export function parseSnapshotPath(text: string): SnapshotPath {
  const i = text.indexOf(':');
  const selector = i < 0 ? text : text.slice(0, i);
  const rest = i < 0 ? '' : text.slice(i + 1);
  return { selector, path: rest.startsWith('/') ? rest : `/${rest}` };
}

/** Words for a scope in messages: " of host web1 with tag daily"; empty for no scope. */
function describeScope(scope: SnapshotFilter): string {
  return (scope.host !== undefined ? ` of host ${scope.host}` : '') + (scope.path !== undefined ? ` of path ${scope.path}` : '')
    + (scope.tags?.length ? ` with tag ${scope.tags.join(' and ')}` : '');
}

/** Picks one snapshot from `snapshots` (oldest first), those `scope` let through (named in messages). */
export function selectSnapshot(snapshots: Snapshot[], selector: string, scope: SnapshotFilter = {}): Snapshot {
  const among = describeScope(scope);
  const hint = `list them with 'dedupfs snapshots${among ? ' --host/--path/--tag as given' : ''}'`;
  const latest = /^latest(?:~(\d+))?$/.exec(selector);
  if (latest) {
    const back = Number(latest[1] ?? 0);
    const snap = snapshots[snapshots.length - 1 - back];
    if (!snap) {
      throw new DedupfsError('SNAPSHOT', snapshots.length ? `'${selector}': there ${snapshots.length === 1 ? 'is only 1 snapshot' : `are only ${snapshots.length} snapshots`}${among}`
        : among ? `there are no snapshots${among}` : 'the repository has no snapshots yet', { hint });
    }
    return snap;
  }
  if (!/^[0-9a-f]{4,64}$/.test(selector)) {
    throw new DedupfsError('SNAPSHOT', `'${selector}' is not a snapshot selector`, { hint: 'use an id, a prefix of at least 4 hex digits, latest or latest~N' });
  }
  const found = snapshots.filter((s) => s.id.startsWith(selector));
  if (found.length === 1) return found[0];
  if (found.length === 0) throw new DedupfsError('SNAPSHOT', `no snapshot${among} matches '${selector}'`, { hint });
  throw new DedupfsError('SNAPSHOT', `'${selector}' is ambiguous: it matches ${found.length} snapshots (${found.slice(0, 3).map((s) => s.id.slice(0, 12)).join(', ')}...)`,
    { hint: 'give more digits of the id' });
}

/** Something that lists snapshots by a filter: the catalog. */
export interface SnapshotLister { list(filter?: SnapshotFilter): Snapshot[] }

/** The snapshot `selector` names among those of `catalog` that `scope` lets through. */
export function selectScoped(catalog: SnapshotLister, selector: string, scope: SnapshotFilter = {}): Snapshot {
  return selectSnapshot(catalog.list(scope), selector, scope);
}
