/** The cycle of a recurring task: daily, weekly, monthly at a wall time, or a cron expression. */
import { Cron } from 'croner';
import { z } from 'zod';
import { clockTimeSchema, isoWeekdaysSchema, monthDaysSchema } from './time-schemas';

// Fixed reference for "does this expression ever fire": validation must not read the clock, and an
// expression that fires at all fires after 2000 (croner searches up to year 9999).
const CRON_PROBE_FROM = new Date('2000-01-01T00:00:00Z');

/** Why a cron expression is unusable, or null. Standard 5-field cron (minute precision). */
export function cronExpressionProblem(expression: string): string | null {
  let cron: Cron;
  try {
    cron = new Cron(expression, { mode: '5-part' });
  } catch (error) {
    const detail = error instanceof Error ? error.message.replace(/^CronPattern: /, '') : String(error);
    return `Not a valid 5-field cron expression (minute hour day month weekday): ${detail}`;
  }
  return cron.nextRun(CRON_PROBE_FROM) === null ? 'This cron expression never fires' : null;
}

export const cronExpressionSchema = z
  .string({ error: 'Enter a cron expression' })
  .trim()
  .min(1, 'Enter a cron expression')
  .superRefine((expression, ctx) => {
    if (expression === '') return;
    const problem = cronExpressionProblem(expression);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

export const recurringCycleSchema = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({ kind: z.literal('daily'), time: clockTimeSchema }),
    z.strictObject({ kind: z.literal('weekly'), weekdays: isoWeekdaysSchema, time: clockTimeSchema }),
    /** Days missing from a month (31 in April, 29 to 31 in February) are skipped that month. */
    z.strictObject({ kind: z.literal('monthly'), days: monthDaysSchema, time: clockTimeSchema }),
    z.strictObject({ kind: z.literal('cron'), expression: cronExpressionSchema }),
  ],
  { error: 'Choose a cycle: daily, weekly, monthly or cron' },
);
export type RecurringCycle = z.output<typeof recurringCycleSchema>;
