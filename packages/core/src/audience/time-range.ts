import { z } from 'zod';

/** A day is 24 hours here (as for trigger delays): relative ranges are fixed lengths, not calendar days. */
export const DURATION_UNIT_MS = { minutes: 60_000, hours: 3_600_000, days: 86_400_000 } as const;
export type DurationUnit = keyof typeof DURATION_UNIT_MS;

/** Longest relative look-back a rule may use: ten years is already beyond any event retention. */
const MAX_LOOKBACK_MS = 3660 * DURATION_UNIT_MS.days;

const durationUnit = z.enum(['minutes', 'hours', 'days']);
const isoInstant = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time with a zone, e.g. 2025-03-01T08:00:00+08:00' });

/** `amount` units: used by `within_last` on datetime values and by relative event ranges. */
export const durationSchema = z
  .object({ amount: z.number().int().min(1), unit: durationUnit })
  .refine((d) => d.amount * DURATION_UNIT_MS[d.unit] <= MAX_LOOKBACK_MS, {
    message: 'may look back at most 3660 days',
    path: ['amount'],
  });
export type Duration = z.infer<typeof durationSchema>;

export const timeRangeSchema = z.discriminatedUnion('kind', [
  z
    .object({ kind: z.literal('absolute'), start: isoInstant, end: isoInstant })
    .refine((r) => Date.parse(r.start) < Date.parse(r.end), { message: 'must be after start', path: ['end'] }),
  z
    .object({ kind: z.literal('relative'), last: z.number().int().min(1), unit: durationUnit })
    .refine((r) => r.last * DURATION_UNIT_MS[r.unit] <= MAX_LOOKBACK_MS, {
      message: 'may look back at most 3660 days',
      path: ['last'],
    }),
]);
export type TimeRange = z.infer<typeof timeRangeSchema>;

/** Half-open interval of epoch milliseconds: start inclusive, end exclusive. */
export interface Interval {
  start: number;
  end: number;
}

export const durationMs = (amount: number, unit: DurationUnit): number => amount * DURATION_UNIT_MS[unit];

/**
 * The instants a range covers, `[start, end)`. A relative range is the last N units before `now`:
 * `[now - N·unit, now)`, so an event stamped exactly `now` is not yet in it.
 */
export function resolveTimeRange(range: TimeRange, now: number): Interval {
  if (range.kind === 'absolute') return { start: Date.parse(range.start), end: Date.parse(range.end) };
  return { start: now - durationMs(range.last, range.unit), end: now };
}

export const inInterval = (t: number, i: Interval): boolean => t >= i.start && t < i.end;
