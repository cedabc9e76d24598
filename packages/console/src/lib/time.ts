/**
 * Times are stored in UTC and shown and entered in the project timezone, with the zone named
 * (SPEC section 3, step 4). dayjs's timezone plugin turns wall times in that zone into instants.
 */
import dayjs, { type Dayjs } from 'dayjs';
import timezone from 'dayjs/plugin/timezone';
import utc from 'dayjs/plugin/utc';

dayjs.extend(utc);
dayjs.extend(timezone);

export { dayjs };

/** "2026-11-25 08:00" in the zone; empty for nothing. */
export function formatInZone(value: string | number | Date | null | undefined, zone: string, withSeconds = false): string {
  if (value === null || value === undefined || value === '') return '';
  const d = dayjs(value);
  if (!d.isValid()) return String(value);
  return d.tz(zone).format(withSeconds ? 'YYYY-MM-DD HH:mm:ss' : 'YYYY-MM-DD HH:mm');
}

/** A picker value (whose wall time the operator meant in the project zone) as a UTC ISO instant. */
export function wallTimeToUtc(value: Dayjs, zone: string): string {
  return dayjs.tz(value.format('YYYY-MM-DDTHH:mm:ss'), zone).utc().format('YYYY-MM-DDTHH:mm:ss[Z]');
}

/** A stored instant as a picker value showing the project zone's wall time. */
export function utcToWallTime(iso: string | undefined | null, zone: string): Dayjs | undefined {
  if (!iso) return undefined;
  const wall = dayjs(iso).tz(zone).format('YYYY-MM-DDTHH:mm:ss');
  return dayjs(wall);
}
