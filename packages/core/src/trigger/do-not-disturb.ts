/**
 * Do-not-disturb: a daily quiet period in the recipient's timezone (else the project's). The period
 * is [start, end): a message due at 21:59:59 with DND from 22:00 is sent, one due at 22:00 is inside,
 * and one due at the end minute is outside. A start later than the end crosses midnight.
 */
import { z } from 'zod';
import { clockTimeSchema } from './time-schemas';
import { isValidTimezone } from '../customer/timezone';
import { localTimeOfDayMs, nextWallTime, parseClockTime } from './wall-clock';

export const doNotDisturbSchema = z.strictObject({
  start: clockTimeSchema,
  end: clockTimeSchema,
  action: z.enum(['drop', 'defer'], { error: 'Use drop or defer' }),
});
export type DoNotDisturb = z.output<typeof doNotDisturbSchema>;

export type DndDecision = { kind: 'send' } | { kind: 'drop' } | { kind: 'defer'; until: Date };

/** The recipient's zone when known and valid (profile data may hold anything), else the project's. */
export function dndTimezone(recipientTimezone: string | null | undefined, projectTimezone: string): string {
  return recipientTimezone && isValidTimezone(recipientTimezone) ? recipientTimezone : projectTimezone;
}

export interface DndInput {
  dueAt: Date;
  /** Absent: the task has no quiet period and everything is sent. */
  dnd?: DoNotDisturb | null;
  /** The project timezone. */
  timezone: string;
  /** Used instead of `timezone` when present and valid. */
  recipientTimezone?: string | null;
}

export function isInsideDnd(dueAt: Date, dnd: Pick<DoNotDisturb, 'start' | 'end'>, timezone: string): boolean {
  const start = parseClockTime(dnd.start);
  const end = parseClockTime(dnd.end);
  const startMs = (start.hour * 60 + start.minute) * 60_000;
  const endMs = (end.hour * 60 + end.minute) * 60_000;
  const t = localTimeOfDayMs(dueAt.getTime(), timezone);
  if (startMs === endMs) return false;
  return startMs < endMs ? t >= startMs && t < endMs : t >= startMs || t < endMs;
}

export function dndDecision(input: DndInput): DndDecision {
  const { dnd, dueAt } = input;
  if (!dnd) return { kind: 'send' };
  const zone = dndTimezone(input.recipientTimezone, input.timezone);
  if (!isInsideDnd(dueAt, dnd, zone)) return { kind: 'send' };
  switch (dnd.action) {
    case 'drop':
      return { kind: 'drop' };
    case 'defer':
      // Inside the period, the next wall-clock end time is this period's end.
      return { kind: 'defer', until: new Date(nextWallTime(parseClockTime(dnd.end), dueAt.getTime(), zone)) };
  }
}
