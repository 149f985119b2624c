// The calendar buckets of the keep-hourly/daily/weekly/monthly/yearly rules. A bucket is the
// hour, day, ISO 8601 week, month or year a snapshot's time falls in, always read in UTC: the
// same snapshots get the same buckets on every machine, whatever its time zone, at the price of
// "daily" meaning a UTC day (a snapshot at 01:00 in Berlin belongs to the previous UTC day).

export type BucketUnit = 'hourly' | 'daily' | 'weekly' | 'monthly' | 'yearly';

/** A key equal for two times exactly when they fall in the same UTC bucket of `unit`. */
export function bucketKey(unit: BucketUnit, time: Date): number {
  const y = time.getUTCFullYear();
  const m = time.getUTCMonth() + 1;
  const d = time.getUTCDate();
  switch (unit) {
    case 'hourly': return ((y * 100 + m) * 100 + d) * 100 + time.getUTCHours();
    case 'daily': return (y * 100 + m) * 100 + d;
    case 'weekly': return isoWeekKey(time);
    case 'monthly': return y * 100 + m;
    case 'yearly': return y;
  }
}

/**
 * ISO 8601 week as week-year * 100 + week. Weeks start on Monday and week 1 is the one holding
 * the year's first Thursday, so 2025-12-29 (a Monday) is in week 1 of 2026.
 */
function isoWeekKey(time: Date): number {
  const day = Date.UTC(time.getUTCFullYear(), time.getUTCMonth(), time.getUTCDate());
  const weekday = new Date(day).getUTCDay() || 7;          // Monday 1 .. Sunday 7
  const thursday = new Date(day + (4 - weekday) * 86_400_000);
  const weekYear = thursday.getUTCFullYear();
  const dayOfYear = (thursday.getTime() - Date.UTC(weekYear, 0, 1)) / 86_400_000;
  return weekYear * 100 + Math.floor(dayOfYear / 7) + 1;
}
