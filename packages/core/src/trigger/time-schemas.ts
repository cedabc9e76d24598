/** Schemas for the time values every trigger shares: instants, clock times, weekdays, durations. */
import { z } from 'zod';
import { CLOCK_TIME_PATTERN } from './wall-clock';

/**
 * An instant. Stored and returned in UTC (`…Z`); an explicit offset is accepted on input and
 * normalised, so comparisons and run keys never depend on how the client wrote the time.
 */
export const utcInstantSchema = z
  .iso.datetime({
    offset: true,
    error: 'Use an ISO 8601 date-time with seconds and a UTC offset, e.g. 2025-03-09T10:00:00Z',
  })
  .transform((value) => new Date(value).toISOString());

export const clockTimeSchema = z
  .string({ error: 'Use HH:MM, 24-hour' })
  .regex(CLOCK_TIME_PATTERN, 'Use HH:MM, 24-hour (00:00 to 23:59)');

function unique(values: readonly number[]): boolean {
  return new Set(values).size === values.length;
}

/** ISO weekdays: 1 = Monday … 7 = Sunday. */
export const isoWeekdaysSchema = z
  .array(
    z
      .number()
      .int('A weekday is a whole number from 1 (Monday) to 7 (Sunday)')
      .min(1, 'A weekday is a whole number from 1 (Monday) to 7 (Sunday)')
      .max(7, 'A weekday is a whole number from 1 (Monday) to 7 (Sunday)'),
  )
  .min(1, 'Choose at least one weekday')
  .refine(unique, 'Each weekday may be chosen only once');

export const monthDaysSchema = z
  .array(
    z
      .number()
      .int('A day of the month is a whole number from 1 to 31')
      .min(1, 'A day of the month is a whole number from 1 to 31')
      .max(31, 'A day of the month is a whole number from 1 to 31'),
  )
  .min(1, 'Choose at least one day of the month')
  .refine(unique, 'Each day of the month may be chosen only once');

export const TIMING_DURATION_UNITS = ['minutes', 'hours', 'days'] as const;
export type TimingDurationUnit = (typeof TIMING_DURATION_UNITS)[number];

/** A length of time. A day is 24 hours (SPEC), not a calendar day. */
export const timingDurationSchema = z.strictObject({
  amount: z.number().int('Use a whole number').min(1, 'Must be at least 1'),
  unit: z.enum(TIMING_DURATION_UNITS, { error: 'Use minutes, hours or days' }),
});
export type TimingDuration = z.output<typeof timingDurationSchema>;

export const MAX_DELAY_DAYS = 365;
const UNIT_MS: Record<TimingDurationUnit, number> = { minutes: 60_000, hours: 3_600_000, days: 86_400_000 };

export function timingDurationMs(duration: { amount: number; unit: TimingDurationUnit }): number {
  return duration.amount * UNIT_MS[duration.unit];
}

/** Delays and not-B windows are limited to 365 days (SPEC section 3). */
export function exceedsMaxDelay(duration: { amount: number; unit: TimingDurationUnit }): boolean {
  return timingDurationMs(duration) > MAX_DELAY_DAYS * UNIT_MS.days;
}
