// Durations as people type them on the command line: `forget --keep-within 1y6m` and
// `--lock-wait 30s` share one syntax. A duration is one or more <count><unit> terms, each unit
// at most once, in any order, with no spaces:
//   y = years, m = months, w = weeks, d = days, h = hours, min = minutes, s = seconds.
// As in restic, `m` means months, never minutes: write `90min` for an hour and a half.
// Years and months stay calendar units (a month back from 31 March is 28 or 29 February),
// so keep-within is exact; durationToMs flattens them (365 and 30 days) for timeouts.
import { DedupfsError } from './errors.js';

export interface Duration {
  years: number;
  months: number;
  days: number;     // weeks are folded in as 7 days each
  ms: number;       // hours, minutes and seconds
}

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;
const SECOND_MS = 1_000;
const DAY_MS = 24 * HOUR_MS;

// 'min' must be tried before 'm', or "90min" would read as 90 months followed by garbage.
const TERM = /(\d+)(min|y|m|w|d|h|s)/y;

/**
 * Parses a duration such as "30d", "1y6m", "12h" or "90s".
 * @throws DedupfsError USAGE for an empty string, an unknown or repeated unit, or a number
 *   without a unit.
 */
export function parseDuration(text: string): Duration {
  const invalid = () => new DedupfsError('USAGE', `invalid duration '${text}' (use e.g. 30d, 1y6m, 12h, 90s)`);
  const dur: Duration = { years: 0, months: 0, days: 0, ms: 0 };
  const seen = new Set<string>();
  TERM.lastIndex = 0;
  while (TERM.lastIndex < text.length) {
    const m = TERM.exec(text);
    if (!m) throw invalid();
    const [, digits, unit] = m;
    const n = Number(digits);
    if (seen.has(unit) || !Number.isSafeInteger(n)) throw invalid();
    seen.add(unit);
    switch (unit) {
      case 'y': dur.years = n; break;
      case 'm': dur.months = n; break;
      case 'w': dur.days += 7 * n; break;
      case 'd': dur.days += n; break;
      case 'h': dur.ms += n * HOUR_MS; break;
      case 'min': dur.ms += n * MINUTE_MS; break;
      case 's': dur.ms += n * SECOND_MS; break;
    }
  }
  if (seen.size === 0) throw invalid();
  return dur;
}

/** True when the duration spans no time at all ("0d", "0s"). */
export function isZeroDuration(dur: Duration): boolean {
  return dur.years === 0 && dur.months === 0 && dur.days === 0 && dur.ms === 0;
}

/**
 * The instant `dur` before `date`, counted in UTC: years and months move the calendar date
 * (clamping the day to the end of a shorter month), then days and the rest are subtracted as
 * fixed lengths (a UTC day is always 24 hours).
 */
export function subtractDuration(date: Date, dur: Duration): Date {
  const totalMonths = date.getUTCFullYear() * 12 + date.getUTCMonth() - dur.years * 12 - dur.months;
  const year = Math.floor(totalMonths / 12);
  const month = totalMonths - year * 12;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const moved = new Date(date.getTime());
  moved.setUTCFullYear(year, month, Math.min(date.getUTCDate(), lastDay));
  return new Date(moved.getTime() - dur.days * DAY_MS - dur.ms);
}

/** The duration in milliseconds, counting a year as 365 days and a month as 30: for timeouts. */
export function durationToMs(dur: Duration): number {
  return (dur.years * 365 + dur.months * 30 + dur.days) * DAY_MS + dur.ms;
}

/** Writes a duration back in the parse syntax, largest unit first: "1y6m", "2d12h", "0s". */
export function formatDuration(dur: Duration): string {
  const hours = Math.floor(dur.ms / HOUR_MS);
  const minutes = Math.floor((dur.ms % HOUR_MS) / MINUTE_MS);
  const seconds = Math.floor((dur.ms % MINUTE_MS) / SECOND_MS);
  const terms: Array<[number, string]> = [
    [dur.years, 'y'], [dur.months, 'm'], [dur.days, 'd'], [hours, 'h'], [minutes, 'min'], [seconds, 's'],
  ];
  const text = terms.filter(([n]) => n > 0).map(([n, unit]) => `${n}${unit}`).join('');
  return text || '0s';
}
