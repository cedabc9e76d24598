/** Schemas of the event side of triggered tasks: events and filters, range, counting, timing. */
import { z } from 'zod';
import { propertyFilterSchema } from '../audience/property-filter';
import { clockTimeSchema, timingDurationSchema, isoWeekdaysSchema, utcInstantSchema } from './time-schemas';

/**
 * An event and its filters. Filters are the audience module's property filters, so a trigger and a
 * rule's event condition mean exactly the same thing (see audience/property-filter.ts). The system's
 * callback events are ordinary events here, e.g. `wareach.message.read` filtered on `taskKind`,
 * `taskId` or `metric`.
 */
export const eventSpecSchema = z.strictObject({
  name: z.string({ error: 'Name the event' }).trim().min(1, 'Name the event').max(255),
  filters: z.array(propertyFilterSchema).max(50, 'At most 50 filters').default([]),
});
export type EventSpec = z.output<typeof eventSpecSchema>;

/** Events count when they happen within [start, end], both ends included. */
export const eventRangeSchema = z.strictObject({ start: utcInstantSchema, end: utcInstantSchema });
export type EventRange = z.output<typeof eventRangeSchema>;

export const countingSchema = z.strictObject({
  kind: z.enum(['cumulative', 'every'], { error: 'Use cumulative or every' }),
  n: z.number().int('Use a whole number').min(1, 'Must be at least 1').max(10_000, 'At most 10000'),
});
export type Counting = z.output<typeof countingSchema>;
export type CountingKind = Counting['kind'];

export const triggerTimingSchema = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({ kind: z.literal('immediate') }),
    z.strictObject({ kind: z.literal('delay'), ...timingDurationSchema.shape }),
    z.strictObject({
      kind: z.literal('at_time'),
      time: clockTimeSchema,
      /** 0 or absent: the first HH:MM after the event; N: HH:MM on the Nth local day after the event's. */
      daysLater: z.number().int('Use a whole number').min(0, 'Cannot be negative').max(365, 'At most 365 days').optional(),
    }),
    z.strictObject({ kind: z.literal('weekday'), weekdays: isoWeekdaysSchema, time: clockTimeSchema }),
  ],
  { error: 'Choose a timing: immediate, delay, at_time or weekday' },
);
export type TriggerTiming = z.output<typeof triggerTimingSchema>;
