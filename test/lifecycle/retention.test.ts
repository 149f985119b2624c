// The forget policy against a synthetic calendar: hourly snapshots from 2024-01-01T00:00Z to
// 2025-12-31T23:00Z. Every expectation is written out as dates worked out by hand from the
// calendar (2025-12-31 is a Wednesday; 2025-12-29..2026-01-04 is ISO week 1 of 2026).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyRetention, isEmptyPolicy, type RetentionGroup, type RetentionSnapshot } from '../../src/lifecycle/retention.js';
import { parseDuration } from '../../src/core/duration.js';
import { DedupfsError } from '../../src/core/errors.js';

const HOUR = 3_600_000;

function snap(iso: string, extra: Partial<RetentionSnapshot> = {}): RetentionSnapshot {
  return { id: `id-${iso}`, time: new Date(iso), host: 'alpha', paths: ['/data'], tags: [], ...extra };
}

function hourly(fromIso: string, toIso: string, extra: (time: Date) => Partial<RetentionSnapshot> = () => ({})): RetentionSnapshot[] {
  const out: RetentionSnapshot[] = [];
  for (let t = Date.parse(fromIso); t <= Date.parse(toIso); t += HOUR) {
    const iso = new Date(t).toISOString();
    out.push(snap(iso, extra(new Date(t))));
  }
  return out;
}

const calendar = hourly('2024-01-01T00:00:00Z', '2025-12-31T23:00:00Z');

// The kept snapshots of a single-group result, as ISO times, newest first.
function kept(groups: RetentionGroup[]): string[] {
  assert.equal(groups.length, 1);
  return groups[0].decisions.filter((d) => d.keep).map((d) => d.snapshot.time.toISOString());
}

const t = (day: string, hour = '23') => `${day}T${hour}:00:00.000Z`;

test('the synthetic calendar holds two years of hourly snapshots', () => {
  assert.equal(calendar.length, (366 + 365) * 24);
});

test('keep-last 5 keeps exactly the five newest', () => {
  assert.deepEqual(kept(applyRetention(calendar, { last: 5 })), [
    t('2025-12-31', '23'), t('2025-12-31', '22'), t('2025-12-31', '21'), t('2025-12-31', '20'), t('2025-12-31', '19'),
  ]);
});

test('keep-hourly 3 keeps the three newest hours', () => {
  assert.deepEqual(kept(applyRetention(calendar, { hourly: 3 })), [t('2025-12-31', '23'), t('2025-12-31', '22'), t('2025-12-31', '21')]);
});

test('keep-daily 7 keeps the 23:00 snapshot of each of the last seven days', () => {
  assert.deepEqual(kept(applyRetention(calendar, { daily: 7 })), [
    t('2025-12-31'), t('2025-12-30'), t('2025-12-29'), t('2025-12-28'), t('2025-12-27'), t('2025-12-26'), t('2025-12-25'),
  ]);
});

test('keep-weekly 4 keeps the newest snapshot of each of the last four ISO weeks', () => {
  // Wed 2025-12-31 (2026-W01), Sun 2025-12-28 (2025-W52), Sun 2025-12-21 (W51), Sun 2025-12-14 (W50).
  assert.deepEqual(kept(applyRetention(calendar, { weekly: 4 })), [t('2025-12-31'), t('2025-12-28'), t('2025-12-21'), t('2025-12-14')]);
});

test('keep-weekly across the 2024/2025 boundary uses ISO week-years', () => {
  // Tue 2024-12-31 is in 2025-W01 (Mon 2024-12-30 .. Sun 2025-01-05); Sun 2024-12-29 ends 2024-W52.
  const to2024 = calendar.filter((s) => s.time < new Date('2025-01-01T00:00:00Z'));
  assert.deepEqual(kept(applyRetention(to2024, { weekly: 3 })), [t('2024-12-31'), t('2024-12-29'), t('2024-12-22')]);
  // Snapshots up to Sun 2025-01-05: that day and Tue 2024-12-31 share 2025-W01.
  const toW01 = calendar.filter((s) => s.time < new Date('2025-01-06T00:00:00Z'));
  assert.deepEqual(kept(applyRetention(toW01, { weekly: 2 })), [t('2025-01-05'), t('2024-12-29')]);
});

test('keep-monthly 12 keeps the last snapshot of each month of 2025', () => {
  assert.deepEqual(kept(applyRetention(calendar, { monthly: 12 })), [
    t('2025-12-31'), t('2025-11-30'), t('2025-10-31'), t('2025-09-30'), t('2025-08-31'), t('2025-07-31'),
    t('2025-06-30'), t('2025-05-31'), t('2025-04-30'), t('2025-03-31'), t('2025-02-28'), t('2025-01-31'),
  ]);
});

test('keep-monthly reaching into 2024 keeps 2024-02-29', () => {
  const kept23 = kept(applyRetention(calendar, { monthly: 23 }));
  assert.equal(kept23.length, 23);
  assert.deepEqual(kept23.slice(-2), [t('2024-03-31'), t('2024-02-29')]);
});

test('keep-yearly 3 keeps one per year, and only two years exist', () => {
  assert.deepEqual(kept(applyRetention(calendar, { yearly: 3 })), [t('2025-12-31'), t('2024-12-31')]);
});

test('combined rules keep the union and give every reason', () => {
  const [group] = applyRetention(calendar, { last: 2, daily: 3, monthly: 2, yearly: 1 });
  const keptDecisions = group.decisions.filter((d) => d.keep).map((d) => [d.snapshot.time.toISOString(), d.reasons]);
  assert.deepEqual(keptDecisions, [
    [t('2025-12-31', '23'), ['last snapshot', 'daily snapshot', 'monthly snapshot', 'yearly snapshot']],
    [t('2025-12-31', '22'), ['last snapshot']],
    [t('2025-12-30'), ['daily snapshot']],
    [t('2025-12-29'), ['daily snapshot']],
    [t('2025-11-30'), ['monthly snapshot']],
  ]);
  assert.equal(group.decisions.length, calendar.length);
  for (const d of group.decisions.filter((d) => !d.keep)) assert.deepEqual(d.reasons, []);
});

test('decisions come newest first whatever the input order', () => {
  const shuffled = [...calendar.slice(-50)].reverse();
  shuffled.push(...shuffled.splice(0, 17));
  const [group] = applyRetention(shuffled, { last: 1 });
  const times = group.decisions.map((d) => d.snapshot.time.getTime());
  assert.deepEqual(times, [...times].sort((a, b) => b - a));
  assert.equal(group.decisions[0].snapshot.time.toISOString(), t('2025-12-31'));
});

test('snapshots in the same second are ordered by id, so ties are decided the same way every time', () => {
  const same = [snap('2025-06-01T12:00:00Z', { id: 'bbb' }), snap('2025-06-01T12:00:00Z', { id: 'aaa' }), snap('2025-06-01T11:00:00Z', { id: 'ccc' })];
  for (const input of [same, [...same].reverse()]) {
    const [group] = applyRetention(input, { last: 1, daily: 1, hourly: 2 });
    assert.deepEqual(group.decisions.map((d) => [d.snapshot.id, d.reasons]), [
      ['aaa', ['last snapshot', 'hourly snapshot', 'daily snapshot']],
      ['bbb', []],
      ['ccc', ['hourly snapshot']],
    ]);
  }
});

test('groups by host: two interleaved hosts get independent decisions', () => {
  const twoHosts = hourly('2025-12-30T00:00:00Z', '2025-12-31T23:00:00Z', (time) => ({ host: time.getUTCHours() % 2 ? 'beta' : 'alpha' }));
  const groups = applyRetention(twoHosts, { last: 2, daily: 2 });
  assert.deepEqual(groups.map((g) => g.key), [{ host: 'alpha', paths: ['/data'] }, { host: 'beta', paths: ['/data'] }]);
  const keptOf = (g: RetentionGroup) => g.decisions.filter((d) => d.keep).map((d) => d.snapshot.time.toISOString());
  assert.deepEqual(keptOf(groups[0]), [t('2025-12-31', '22'), t('2025-12-31', '20'), t('2025-12-30', '22')]);
  assert.deepEqual(keptOf(groups[1]), [t('2025-12-31', '23'), t('2025-12-31', '21'), t('2025-12-30', '23')]);
  assert.equal(groups[0].decisions.length + groups[1].decisions.length, twoHosts.length);
});

test('groups by paths compare path sets, sorted; by tags likewise; [] is one group', () => {
  const snaps = [
    snap('2025-01-03T00:00:00Z', { paths: ['/b', '/a'], tags: ['x', 'w'] }),
    snap('2025-01-02T00:00:00Z', { paths: ['/a', '/b'], tags: ['w', 'x'], host: 'beta' }),
    snap('2025-01-01T00:00:00Z', { paths: ['/a'], tags: [] }),
  ];
  const byPaths = applyRetention(snaps, { last: 1 }, ['paths']);
  assert.deepEqual(byPaths.map((g) => [g.key, g.decisions.map((d) => d.keep)]), [
    [{ paths: ['/a'] }, [true]],
    [{ paths: ['/a', '/b'] }, [true, false]],
  ]);
  const byTags = applyRetention(snaps, { last: 1 }, ['tags']);
  assert.deepEqual(byTags.map((g) => [g.key, g.decisions.length]), [[{ tags: [] }, 1], [{ tags: ['w', 'x'] }, 2]]);
  const byHostPaths = applyRetention(snaps, { last: 1 });
  assert.equal(byHostPaths.length, 3);
  const one = applyRetention(snaps, { last: 1 }, []);
  assert.deepEqual(one.map((g) => [g.key, g.decisions.map((d) => d.keep)]), [[{}, [true, false, false]]]);
  assert.deepEqual(snaps[0].paths, ['/b', '/a'], 'input is not modified');
});

test('keep-within counts back from the newest snapshot, not from now', () => {
  const upToJune = calendar.filter((s) => s.time <= new Date('2025-06-15T12:00:00Z'));
  const [group] = applyRetention(upToJune, { within: parseDuration('2d') });
  const keptTimes = group.decisions.filter((d) => d.keep);
  // Strictly after 2025-06-13T12:00: 13:00 on the 13th through 12:00 on the 15th.
  assert.equal(keptTimes.length, 48);
  assert.equal(keptTimes.at(-1)!.snapshot.time.toISOString(), '2025-06-13T13:00:00.000Z');
  assert.deepEqual(keptTimes[0].reasons, ['within 2d']);
});

test('keep-within months is calendar-aware', () => {
  const upToMarch = calendar.filter((s) => s.time <= new Date('2025-03-31T00:00:00Z'));
  const keptTimes = kept(applyRetention(upToMarch, { within: parseDuration('1m') }));
  // One month before 2025-03-31T00:00 is 2025-02-28T00:00 (no 31 February).
  assert.equal(keptTimes.at(-1), '2025-02-28T01:00:00.000Z');
  assert.equal(keptTimes.length, 31 * 24);
});

test('keep-tag keeps snapshots carrying any of the tags, alongside other rules', () => {
  const snaps = [
    snap('2025-01-05T00:00:00Z'),
    snap('2025-01-04T00:00:00Z', { tags: ['other'] }),
    snap('2025-01-03T00:00:00Z', { tags: ['keep'] }),
    snap('2025-01-02T00:00:00Z', { tags: ['monthly-archive', 'keep'] }),
    snap('2025-01-01T00:00:00Z', { tags: ['keep'] }),
  ];
  const [group] = applyRetention(snaps, { last: 1, tags: ['keep', 'monthly-archive'] }, ['host']);
  assert.deepEqual(group.decisions.map((d) => [d.snapshot.time.getUTCDate(), d.keep, d.reasons]), [
    [5, true, ['last snapshot']],
    [4, false, []],
    [3, true, ['tagged keep']],
    [2, true, ['tagged monthly-archive, keep']],
    [1, true, ['tagged keep']],
  ]);
});

test('empty policies are detected, and an empty policy keeps everything', () => {
  assert.equal(isEmptyPolicy({}), true);
  assert.equal(isEmptyPolicy({ last: 0, daily: 0, tags: [], within: parseDuration('0d') }), true);
  assert.equal(isEmptyPolicy({ last: 1 }), false);
  assert.equal(isEmptyPolicy({ yearly: 1 }), false);
  assert.equal(isEmptyPolicy({ within: parseDuration('1h') }), false);
  assert.equal(isEmptyPolicy({ tags: ['keep'] }), false);
  const [group] = applyRetention(calendar.slice(0, 3), {});
  assert.deepEqual(group.decisions.map((d) => [d.keep, d.reasons]), [[true, ['policy is empty']], [true, ['policy is empty']], [true, ['policy is empty']]]);
});

test('counts that are negative or fractional are usage errors', () => {
  for (const policy of [{ last: -1 }, { daily: 1.5 }, { weekly: Number.NaN }]) {
    assert.throws(() => applyRetention(calendar, policy), (err: unknown) => err instanceof DedupfsError && err.code === 'USAGE');
  }
});

test('no snapshots, no groups', () => {
  assert.deepEqual(applyRetention([], { last: 3 }), []);
});
