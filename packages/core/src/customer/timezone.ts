import { IANAZone } from 'luxon';

/** True for an IANA zone name the runtime knows (e.g. `Asia/Shanghai`), false for offsets and typos. */
export function isValidTimezone(zone: string): boolean {
  return /^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/.test(zone) && IANAZone.isValidZone(zone);
}
