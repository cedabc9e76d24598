import { DateTime } from 'luxon';

/**
 * Frequency caps count messages per user per period (SPEC section 3, step 5; the settings centre). A
 * period is a calendar period in the project timezone — the hour, the day from local midnight, the ISO
 * week from Monday 00:00 — not a sliding window: "2 per day" resets at midnight where the operator is.
 * `lifetime` never resets (a task's whole life).
 */
export type CapPeriod = 'hour' | 'day' | 'week' | 'lifetime';
export type CapScope = 'task' | 'channel' | 'cross_channel';

export interface CapWindow {
  /** Epoch ms, inclusive; null for `lifetime` (since the beginning). */
  start: number | null;
  /** Epoch ms, exclusive; null for `lifetime`. Useful as a counter's expiry. */
  end: number | null;
  /**
   * A label unique to this window in this timezone: `2025-06-01T12+08:00` (the offset keeps the
   * repeated hour of a daylight-saving change apart), `2025-06-01`, `2025-W22`, or `lifetime`.
   */
  bucket: string;
}

function localTime(now: number, timezone: string): DateTime {
  const t = DateTime.fromMillis(now, { zone: timezone });
  // The project timezone is validated when settings are saved; an invalid one here is a bug.
  if (!t.isValid) throw new RangeError(`invalid timezone ${JSON.stringify(timezone)}`);
  return t;
}

export function capWindow(period: CapPeriod, now: number, timezone: string): CapWindow {
  if (period === 'lifetime') return { start: null, end: null, bucket: 'lifetime' };
  const t = localTime(now, timezone);
  switch (period) {
    case 'hour': {
      const start = t.startOf('hour');
      return { start: start.toMillis(), end: start.plus({ hours: 1 }).toMillis(), bucket: start.toFormat("yyyy-MM-dd'T'HHZZ") };
    }
    case 'day': {
      const start = t.startOf('day');
      return { start: start.toMillis(), end: start.plus({ days: 1 }).startOf('day').toMillis(), bucket: start.toFormat('yyyy-MM-dd') };
    }
    case 'week': {
      const start = t.startOf('week');
      return { start: start.toMillis(), end: start.plus({ weeks: 1 }).startOf('week').toMillis(), bucket: start.toFormat("kkkk-'W'WW") };
    }
  }
}

/** Start of the cap period containing `now` (epoch ms), or null for `lifetime`. */
export const capWindowStart = (period: CapPeriod, now: number, timezone: string): number | null =>
  capWindow(period, now, timezone).start;

export interface CapCounterKeyInput {
  scope: CapScope;
  /** The task ID for `task`, the channel type (e.g. `whatsapp`) for `channel`; unused for `cross_channel`. */
  scopeId?: string;
  oneId: string;
  period: CapPeriod;
  now: number;
  timezone: string;
}

/**
 * The key of a per-user counter, e.g. `cap:task:t_42:u_7:day:2025-06-01`. Deterministic, so every worker
 * counting the same user, scope and window hits the same counter; parts are URI-encoded so an ID with
 * a `:` cannot collide with another key.
 */
export function capCounterKey(input: CapCounterKeyInput): string {
  const { bucket } = capWindow(input.period, input.now, input.timezone);
  const scopeId = input.scope === 'cross_channel' ? '-' : encodeURIComponent(input.scopeId ?? '');
  return ['cap', input.scope, scopeId, encodeURIComponent(input.oneId), input.period, bucket].join(':');
}
