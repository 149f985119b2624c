// `dedupfs forget`: removes snapshots, either those named or those a retention policy
// (retention.ts) does not keep. Only snapshot records go (the file, the source of truth, first,
// then the catalog row; a kill in between is mended by the catalog's next sync); the blocks stay
// until gc. A records lock is enough (ingests, restores and mounts go on beside it; another tag
// or forget waits, so a tag cannot write a successor of a snapshot being forgotten): a mount or
// restore that already read a snapshot's root keeps reading its blocks, which only gc removes,
// and gc excludes them.
//
// Forgetting everything is never an accident: a policy with no rule is refused, and so is a
// policy that would keep nothing of some group; removing all of a group means naming them.
import { DedupfsError } from '../core/errors.js';
import type { Snapshot } from '../catalog/snapshotRecord.js';
import { selectSnapshot } from '../catalog/selectSnapshot.js';
import type { Repository } from '../repo/repository.js';
import { applyRetention, isEmptyPolicy, type GroupBy, type GroupKey, type RetentionPolicy } from './retention.js';

export interface ForgetOptions {
  /** selectors of snapshots to remove; with these no policy is given */
  snapshots?: string[];
  policy?: RetentionPolicy;
  /** the policy only judges snapshots of this host ... */
  host?: string;
  /** ... and carrying all these tags */
  tags?: string[];
  /** ... and of this source path */
  path?: string;
  /** default ['host', 'paths'] */
  groupBy?: GroupBy;
  dryRun?: boolean;
}

export interface ForgetItem { id: string; time: string; reasons: string[] }

/** Per group, newest first: what is kept and why, what is removed. */
export interface ForgetGroup { key: GroupKey; keep: ForgetItem[]; remove: ForgetItem[] }

export interface ForgetReport { dryRun: boolean; groups: ForgetGroup[]; removed: string[]; kept: number }

/**
 * Decides which snapshots go and, unless it is a dry run, removes them.
 * @throws DedupfsError USAGE when neither snapshots nor a policy is given, when both are, or when
 *   the policy would keep nothing of a group; SNAPSHOT for an unknown or ambiguous selector.
 * @example await forget(repo, { policy: { daily: 7, weekly: 4 } })
 */
export async function forget(repo: Repository, opts: ForgetOptions): Promise<ForgetReport> {
  const named = opts.snapshots ?? [];
  const hasPolicy = !!opts.policy && !isEmptyPolicy(opts.policy);
  if (named.length && hasPolicy) throw new DedupfsError('USAGE', 'name snapshots or give a --keep-* policy, not both');
  if (!named.length && !hasPolicy) {
    throw new DedupfsError('USAGE', 'forget needs snapshots to remove or a policy that keeps some (--keep-last, --keep-daily, ...)',
      { hint: 'a policy of zero counts would keep everything; to remove every snapshot, name them' });
  }
  const groups = named.length ? namedGroup(repo.catalog.list(), named) : policyGroups(repo, opts);
  const removed = groups.flatMap((g) => g.remove.map((r) => r.id));
  if (!opts.dryRun) {
    for (const id of removed) {
      await repo.snapshotFiles.remove(id);
      repo.catalog.remove(id);
    }
  }
  return { dryRun: !!opts.dryRun, groups, removed, kept: groups.reduce((n, g) => n + g.keep.length, 0) };
}

function namedGroup(all: Snapshot[], selectors: string[]): ForgetGroup[] {
  const chosen = new Map<string, Snapshot>();
  for (const selector of selectors) {
    const snap = selectSnapshot(all, selector);
    chosen.set(snap.id, snap);
  }
  const remove = [...chosen.values()].sort((a, b) => (a.time < b.time ? 1 : a.time > b.time ? -1 : 0))
    .map((s) => ({ id: s.id, time: s.time, reasons: ['named'] }));
  return [{ key: {}, keep: [], remove }];
}

function policyGroups(repo: Repository, opts: ForgetOptions): ForgetGroup[] {
  const snaps = repo.catalog.list({ host: opts.host, tags: opts.tags, path: opts.path });
  const byId = new Map(snaps.map((s) => [s.id, s]));
  const decided = applyRetention(snaps.map((s) => ({ id: s.id, time: new Date(s.time), host: s.host, paths: s.paths, tags: s.tags })),
    opts.policy!, opts.groupBy);
  return decided.map(({ key, decisions }) => {
    if (!decisions.some((d) => d.keep)) {
      throw new DedupfsError('USAGE', `the policy keeps no snapshot of ${describeGroup(key)} (${decisions.length} snapshots); nothing was removed`,
        { hint: 'to remove all of them, name them: dedupfs forget ID...', data: { group: key } });
    }
    const item = (id: string, reasons: string[]): ForgetItem => ({ id, time: byId.get(id)!.time, reasons });
    return {
      key,
      keep: decisions.filter((d) => d.keep).map((d) => item(d.snapshot.id, d.reasons)),
      remove: decisions.filter((d) => !d.keep).map((d) => item(d.snapshot.id, d.reasons)),
    };
  });
}

/** 'host alpha, paths /data' for messages. */
export function describeGroup(key: GroupKey): string {
  const parts: string[] = [];
  if (key.host !== undefined) parts.push(`host ${key.host}`);
  if (key.paths) parts.push(`paths ${key.paths.join(' ') || '(none)'}`);
  if (key.tags) parts.push(`tags ${key.tags.join(',') || '(none)'}`);
  return parts.length ? parts.join(', ') : 'all snapshots';
}

/** Parses --group-by: a comma-separated list of host, paths and tags; '' for a single group. */
export function parseGroupBy(text: string): GroupBy {
  const fields = text.split(',').map((f) => f.trim()).filter(Boolean);
  for (const f of fields) {
    if (f !== 'host' && f !== 'paths' && f !== 'tags') throw new DedupfsError('USAGE', `invalid --group-by field '${f}' (use host, paths, tags, comma-separated)`);
  }
  return [...new Set(fields)] as GroupBy;
}
