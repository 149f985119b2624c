// Duration syntax shared by keep-within and --lock-wait: parsing, rejection of bad input,
// calendar-aware subtraction and the flat millisecond conversion.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { durationToMs, formatDuration, isZeroDuration, parseDuration, subtractDuration } from '../../src/core/duration.js';
import { DedupfsError } from '../../src/core/errors.js';

const H = 3_600_000;

test('parses each unit, m meaning months and min minutes', () => {
  assert.deepEqual(parseDuration('2y'), { years: 2, months: 0, days: 0, ms: 0 });
  assert.deepEqual(parseDuration('6m'), { years: 0, months: 6, days: 0, ms: 0 });
  assert.deepEqual(parseDuration('3w'), { years: 0, months: 0, days: 21, ms: 0 });
  assert.deepEqual(parseDuration('30d'), { years: 0, months: 0, days: 30, ms: 0 });
  assert.deepEqual(parseDuration('12h'), { years: 0, months: 0, days: 0, ms: 12 * H });
  assert.deepEqual(parseDuration('90min'), { years: 0, months: 0, days: 0, ms: 90 * 60_000 });
  assert.deepEqual(parseDuration('90s'), { years: 0, months: 0, days: 0, ms: 90_000 });
});

test('parses combined terms in any order', () => {
  assert.deepEqual(parseDuration('1y2m3d4h'), { years: 1, months: 2, days: 3, ms: 4 * H });
  assert.deepEqual(parseDuration('4h1y'), { years: 1, months: 0, days: 0, ms: 4 * H });
  assert.deepEqual(parseDuration('1w2d'), { years: 0, months: 0, days: 9, ms: 0 });
  assert.deepEqual(parseDuration('1h30min15s'), { years: 0, months: 0, days: 0, ms: H + 30 * 60_000 + 15_000 });
  assert.deepEqual(parseDuration('0s'), { years: 0, months: 0, days: 0, ms: 0 });
});

test('rejects bad durations with a USAGE error', () => {
  for (const bad of ['', '30', 'd', '1.5d', '-1d', '1 d', '1D', '10x', '1d1d', '1mi', 'min', '1y ', '99999999999999999999d']) {
    assert.throws(() => parseDuration(bad), (err: unknown) => {
      assert.ok(err instanceof DedupfsError, `'${bad}' should fail with a DedupfsError`);
      assert.equal(err.code, 'USAGE');
      assert.match(err.message, /^invalid duration '.*' \(use e\.g\. 30d, 1y6m, 12h, 90s\)$/);
      return true;
    });
  }
});

test('subtractDuration moves the calendar for years and months, clamping the day', () => {
  const at = (iso: string) => new Date(iso);
  assert.deepEqual(subtractDuration(at('2025-03-31T10:00:00Z'), parseDuration('1m')), at('2025-02-28T10:00:00Z'));
  assert.deepEqual(subtractDuration(at('2024-03-31T10:00:00Z'), parseDuration('1m')), at('2024-02-29T10:00:00Z'));
  assert.deepEqual(subtractDuration(at('2024-02-29T00:00:00Z'), parseDuration('1y')), at('2023-02-28T00:00:00Z'));
  assert.deepEqual(subtractDuration(at('2025-01-15T00:00:00Z'), parseDuration('2m')), at('2024-11-15T00:00:00Z'));
  assert.deepEqual(subtractDuration(at('2025-01-15T00:00:00Z'), parseDuration('1y13m')), at('2022-12-15T00:00:00Z'));
  assert.deepEqual(subtractDuration(at('2025-03-01T06:00:00Z'), parseDuration('1d12h')), at('2025-02-27T18:00:00Z'));
  assert.deepEqual(subtractDuration(at('2025-03-01T00:00:00Z'), parseDuration('1m1d')), at('2025-01-31T00:00:00Z'));
});

test('durationToMs counts 365-day years and 30-day months', () => {
  assert.equal(durationToMs(parseDuration('30s')), 30_000);
  assert.equal(durationToMs(parseDuration('2d1h')), 49 * H);
  assert.equal(durationToMs(parseDuration('1y1m')), 395 * 24 * H);
});

test('formatDuration writes the parse syntax back, and zero is detected', () => {
  assert.equal(formatDuration(parseDuration('30d')), '30d');
  assert.equal(formatDuration(parseDuration('4h1y6m')), '1y6m4h');
  assert.equal(formatDuration(parseDuration('2w')), '14d');
  assert.equal(formatDuration(parseDuration('90min')), '1h30min');
  assert.equal(formatDuration(parseDuration('0d')), '0s');
  assert.equal(isZeroDuration(parseDuration('0y0d')), true);
  assert.equal(isZeroDuration(parseDuration('1s')), false);
});
