/**
 * Wall-clock arithmetic in an IANA time zone. Every "at HH:MM" rule of the product (recurring cycles,
 * at_time and weekday timing, the end of a do-not-disturb period) goes through croner here, so one
 * daylight-saving policy holds everywhere:
 * - a wall time that does not exist (spring forward) happens at the first valid instant after the gap
 *   (02:30 on a New York spring-forward day is 03:00 EDT);
 * - a wall time that happens twice (fall back) happens once, at its first (daylight-time) instant.
 * No offsets are computed by hand.
 */
import { Cron } from 'croner';
import { DateTime } from 'luxon';
import { isValidTimezone } from '../customer/timezone';

export const CLOCK_TIME_PATTERN = /^([01]\d|2[0-3]):([0-5]\d)$/;

export interface ClockTime {
  hour: number;
  minute: number;
}

/** Parses `HH:MM` (24-hour). Throws on anything else: callers hold schema-validated values. */
export function parseClockTime(hhmm: string): ClockTime {
  const match = CLOCK_TIME_PATTERN.exec(hhmm);
  if (!match) throw new RangeError(`Not a HH:MM clock time: ${hhmm}`);
  return { hour: Number(match[1]), minute: Number(match[2]) };
}

/** Zones are validated where they are configured; an unknown one reaching the rules is a bug. */
export function assertTimezone(timezone: string): void {
  if (!isValidTimezone(timezone)) throw new RangeError(`Unknown IANA time zone: ${timezone}`);
}

// Parsing a pattern costs far more than computing a run, and the engine asks for the same few
// patterns millions of times. The cache is bounded so a stream of distinct cron expressions cannot
// grow it without limit; a Cron without a callback holds no timer.
const cronCache = new Map<string, Cron>();
const CRON_CACHE_LIMIT = 1000;

/**
 * `fixedTimeRule: 'no-wildcard'` makes lists and ranges of hours (e.g. `0 9,18 * * *`) fixed-time
 * jobs too, so they follow the DST policy above. Patterns with a wildcard or step in the minute or
 * hour field are interval jobs: they skip times inside a gap and fire at both instants of a
 * repeated hour, as an hourly job must.
 */
export function cronInZone(pattern: string, timezone: string): Cron {
  const key = `${timezone}\u0000${pattern}`;
  let cron = cronCache.get(key);
  if (!cron) {
    assertTimezone(timezone);
    cron = new Cron(pattern, { timezone, mode: '5-part', fixedTimeRule: 'no-wildcard' });
    if (cronCache.size >= CRON_CACHE_LIMIT) cronCache.clear();
    cronCache.set(key, cron);
  }
  return cron;
}

/** The first run of a 5-part cron pattern strictly after `afterMs`, or null if it never runs again. */
export function nextCronRun(pattern: string, afterMs: number, timezone: string): number | null {
  const next = cronInZone(pattern, timezone).nextRun(new Date(afterMs));
  return next ? next.getTime() : null;
}

/** Cron day-of-week for ISO weekdays (1 = Monday … 7 = Sunday). */
export function isoWeekdaysToCron(weekdays: readonly number[]): string {
  return [...new Set(weekdays.map((d) => d % 7))].sort((a, b) => a - b).join(',');
}

/**
 * The first instant strictly after `afterMs` whose wall time in `timezone` is `time`, optionally only
 * on the given ISO weekdays. Never null: a daily or weekly time always comes round again.
 */
export function nextWallTime(
  time: ClockTime,
  afterMs: number,
  timezone: string,
  isoWeekdays?: readonly number[],
): number {
  const dow = isoWeekdays && isoWeekdays.length > 0 ? isoWeekdaysToCron(isoWeekdays) : '*';
  const next = nextCronRun(`${time.minute} ${time.hour} * * ${dow}`, afterMs, timezone);
  if (next === null) throw new Error(`No next wall time for ${time.hour}:${time.minute} in ${timezone}`);
  return next;
}

/** Midnight that starts the local day `days` after the day of `atMs` (DST-correct, via luxon). */
export function startOfLocalDay(atMs: number, timezone: string, days = 0): number {
  assertTimezone(timezone);
  return DateTime.fromMillis(atMs, { zone: timezone }).startOf('day').plus({ days }).toMillis();
}

/** Milliseconds since local midnight, as a clock on the wall would read them. */
export function localTimeOfDayMs(atMs: number, timezone: string): number {
  assertTimezone(timezone);
  const local = DateTime.fromMillis(atMs, { zone: timezone });
  return ((local.hour * 60 + local.minute) * 60 + local.second) * 1000 + local.millisecond;
}

/** An instant as the API and console show it: UTC, and the same instant in the project timezone. */
export interface ZonedTime {
  /** `2025-03-09T07:00:00.000Z` */
  utc: string;
  /** ISO with offset, e.g. `2025-03-09T03:00:00.000-04:00` */
  local: string;
  /** IANA zone name the local time is in */
  zone: string;
}

export function zonedTime(atMs: number, timezone: string): ZonedTime {
  assertTimezone(timezone);
  const local = DateTime.fromMillis(atMs, { zone: timezone }).toISO();
  if (local === null) throw new RangeError(`Cannot express ${atMs} in ${timezone}`);
  return { utc: new Date(atMs).toISOString(), local, zone: timezone };
}
