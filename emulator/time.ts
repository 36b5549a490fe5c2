/**
 * Europe/Oslo time formatting without Intl (its output format varies between ICU builds). SVV writes date-times with
 * the Oslo offset ("2021-04-21T14:32:54.295+02:00") and dates as Oslo calendar dates.
 * EU rule: summer time from the last Sunday of March 01:00 UTC to the last Sunday of October 01:00 UTC.
 */

export const DAY_MS = 86_400_000;

function lastSundayUtc(year: number, monthIndex: number): number {
  const lastDay = new Date(Date.UTC(year, monthIndex + 1, 0));
  const back = lastDay.getUTCDay();
  return Date.UTC(year, monthIndex, lastDay.getUTCDate() - back, 1, 0, 0);
}

/** Offset of Europe/Oslo from UTC in minutes at the instant `ms` (60 or 120). */
export function osloOffsetMinutes(ms: number): number {
  const year = new Date(ms).getUTCFullYear();
  return ms >= lastSundayUtc(year, 2) && ms < lastSundayUtc(year, 9) ? 120 : 60;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** "2021-04-21T14:32:54.295+02:00" */
export function osloDateTime(ms: number): string {
  const offset = osloOffsetMinutes(ms);
  const d = new Date(ms + offset * 60_000);
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}` +
    `T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}` +
    `+${pad(offset / 60)}:00`
  );
}

/** Oslo calendar date "YYYY-MM-DD". */
export function osloDate(ms: number): string {
  return osloDateTime(ms).slice(0, 10);
}

/** Milliseconds from `now` until the next midnight in Oslo (when SVV's daily quota resets). */
export function msUntilOsloMidnight(now: number): number {
  const offset = osloOffsetMinutes(now) * 60_000;
  const local = now + offset;
  const nextLocalMidnight = Math.floor(local / DAY_MS) * DAY_MS + DAY_MS;
  return Math.max(1000, nextLocalMidnight - local);
}

/** The Oslo date, as a key for "per day" counters. */
export function osloDayKey(now: number): string {
  return osloDate(now);
}
