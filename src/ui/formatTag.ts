// How `tag` reports: a line per snapshot (old id -> new id, and its tags now), then a count;
// with --json, {"type":"snapshot", ...} per snapshot and a {"type":"summary"}.
import type { TagReport } from '../catalog/tagSnapshots.js';
import { shortId } from './formatSnapshot.js';

const shownTags = (tags: string[]) => (tags.length ? tags.join(',') : '(none)');

export function formatTag(r: TagReport): string {
  const lines = [
    ...r.changed.map(({ before, after }) => `${shortId(before.id)} -> ${shortId(after.id)}  tags: ${shownTags(after.tags)}`),
    ...r.unchanged.map((s) => `${shortId(s.id)} unchanged  tags: ${shownTags(s.tags)}`),
  ];
  const n = r.changed.length;
  lines.push(`${n} ${n === 1 ? 'snapshot' : 'snapshots'} re-tagged, ${r.unchanged.length} unchanged`);
  return lines.join('\n') + '\n';
}

/** The --json lines, the summary last. */
export function tagJson(r: TagReport): Array<Record<string, unknown>> {
  return [
    ...r.changed.map(({ before, after }) => ({ type: 'snapshot', id: after.id, previous: before.id, original: after.original, tags: after.tags, changed: true })),
    ...r.unchanged.map((s) => ({ type: 'snapshot', id: s.id, previous: s.id, original: s.original ?? s.id, tags: s.tags, changed: false })),
    { type: 'summary', changed: r.changed.length, unchanged: r.unchanged.length, cleaned: r.cleaned },
  ];
}
