import { IANAZone } from 'luxon';

// Asking Intl whether a zone exists costs milliseconds (luxon builds a formatter each time); a bulk
// import asks for the same few zones millions of times. The set of zone names is small and fixed for
// the life of the process, so the answers are kept.
const known = new Map<string, boolean>();

/** True for an IANA zone name the runtime knows (e.g. `Asia/Shanghai`), false for offsets and typos. */
export function isValidTimezone(zone: string): boolean {
  let v = known.get(zone);
  if (v === undefined) {
    v = /^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/.test(zone) && IANAZone.isValidZone(zone);
    if (known.size < 10_000) known.set(zone, v);
  }
  return v;
}
