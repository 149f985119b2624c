// The retention policy behind `dedupfs forget`: which snapshots to keep, and why. A pure
// function of the snapshot list, so `forget --dry-run` is just printing its answer. It follows
// restic's documented rules:
// - snapshots are grouped (by default by host and path set) and each group is judged alone;
// - within a group, newest first (equal times ordered by id), keep-last N keeps the N newest;
// - keep-hourly/daily/weekly/monthly/yearly N keep the newest snapshot of each of the N most
//   recent hours/days/ISO weeks/months/years that hold a snapshot. Buckets are UTC calendar
//   periods of the snapshots' own timestamps (see retentionBuckets.ts);
// - keep-within D keeps every snapshot strictly newer than D before the group's newest snapshot,
//   not before now, so a repository left alone for a year does not lose everything;
// - keep-tag keeps every snapshot carrying any of the tags.
// A snapshot is kept when any rule keeps it; its reasons name every rule that did. Unlike restic
// 0.17, a bucket rule with counts left over does not also keep the group's oldest snapshot.
// An empty policy keeps everything: forgetting all snapshots is never a default.
import { DedupfsError } from '../core/errors.js';
import { formatDuration, isZeroDuration, subtractDuration, type Duration } from '../core/duration.js';
import { bucketKey, type BucketUnit } from './retentionBuckets.js';
import { groupSnapshots } from './retentionGroups.js';

export interface RetentionSnapshot { id: string; time: Date; host: string; paths: string[]; tags: string[] }

export interface RetentionPolicy {
  last?: number;
  hourly?: number;
  daily?: number;
  weekly?: number;
  monthly?: number;
  yearly?: number;
  within?: Duration;
  tags?: string[];
}

export type GroupBy = Array<'host' | 'paths' | 'tags'>;

/** What the snapshots of a group share; only the fields named in the GroupBy are present. */
export interface GroupKey { host?: string; paths?: string[]; tags?: string[] }

/** reasons: e.g. 'last snapshot', 'daily snapshot', 'within 30d', 'tagged keep'. */
export interface RetentionDecision { snapshot: RetentionSnapshot; keep: boolean; reasons: string[] }

/** One group's decisions, newest snapshot first. */
export interface RetentionGroup { key: GroupKey; decisions: RetentionDecision[] }

const BUCKET_UNITS: BucketUnit[] = ['hourly', 'daily', 'weekly', 'monthly', 'yearly'];
const COUNTS = ['last', ...BUCKET_UNITS] as const;

/** True when the policy has no rule that would keep anything. */
export function isEmptyPolicy(policy: RetentionPolicy): boolean {
  return COUNTS.every((name) => !policy[name])
    && (!policy.within || isZeroDuration(policy.within))
    && !policy.tags?.length;
}

/**
 * Decides, group by group, which snapshots `policy` keeps.
 * @param groupBy fields whose values split the snapshots into groups; default ['host', 'paths'],
 *   [] for a single group.
 * @returns groups ordered by key, each with a decision for every one of its snapshots.
 * @throws DedupfsError USAGE when a count is negative or not a whole number.
 * @example applyRetention(snapshots, { daily: 7, weekly: 4 }).flatMap((g) => g.decisions.filter((d) => !d.keep))
 */
export function applyRetention(snapshots: RetentionSnapshot[], policy: RetentionPolicy, groupBy: GroupBy = ['host', 'paths']): RetentionGroup[] {
  for (const name of COUNTS) {
    const n = policy[name];
    if (n !== undefined && !(Number.isInteger(n) && n >= 0)) {
      throw new DedupfsError('USAGE', `keep-${name} must be a whole number of snapshots, not ${n}`);
    }
  }
  return groupSnapshots(snapshots, groupBy).map(({ key, snapshots: newestFirst }) => ({
    key,
    decisions: isEmptyPolicy(policy)
      ? newestFirst.map((snapshot) => ({ snapshot, keep: true, reasons: ['policy is empty'] }))
      : decideGroup(newestFirst, policy),
  }));
}

// A counting rule keeps a snapshot when its key differs from that of the last snapshot the rule
// kept, while it has counts left. keep-last is the case where every snapshot has its own key.
interface CountingRule { reason: string; left: number; lastKey?: number; key(snapshot: RetentionSnapshot, nr: number): number }

function countingRules(policy: RetentionPolicy): CountingRule[] {
  const rules: CountingRule[] = [];
  if (policy.last) rules.push({ reason: 'last snapshot', left: policy.last, key: (_, nr) => nr });
  for (const unit of BUCKET_UNITS) {
    const n = policy[unit];
    if (n) rules.push({ reason: `${unit} snapshot`, left: n, key: (snapshot) => bucketKey(unit, snapshot.time) });
  }
  return rules;
}

function decideGroup(newestFirst: RetentionSnapshot[], policy: RetentionPolicy): RetentionDecision[] {
  const rules = countingRules(policy);
  const within = policy.within && !isZeroDuration(policy.within)
    ? { after: subtractDuration(newestFirst[0].time, policy.within).getTime(), reason: `within ${formatDuration(policy.within)}` }
    : undefined;
  const keepTags = new Set(policy.tags ?? []);
  return newestFirst.map((snapshot, nr) => {
    const reasons: string[] = [];
    for (const rule of rules) {
      if (rule.left === 0) continue;
      const key = rule.key(snapshot, nr);
      if (key === rule.lastKey) continue;
      rule.lastKey = key;
      rule.left--;
      reasons.push(rule.reason);
    }
    if (within && snapshot.time.getTime() > within.after) reasons.push(within.reason);
    const tagged = snapshot.tags.filter((tag) => keepTags.has(tag));
    if (tagged.length) reasons.push(`tagged ${tagged.join(', ')}`);
    return { snapshot, keep: reasons.length > 0, reasons };
  });
}
