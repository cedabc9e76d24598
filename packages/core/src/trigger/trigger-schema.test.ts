import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { issuesToFieldErrors } from '../shared/result';
import { cronExpressionProblem, recurringCycleSchema } from './cycle-schema';
import { triggerTimingSchema } from './event-schemas';
import { clockTimeSchema, exceedsMaxDelay, utcInstantSchema } from './time-schemas';
import { taskTriggerSchema } from './trigger-schema';

const errorsOf = (schema: z.ZodType, value: unknown) => {
  const parsed = schema.safeParse(value);
  return parsed.success ? [] : issuesToFieldErrors(parsed.error.issues);
};

describe('clock times', () => {
  it.each(['00:00', '09:05', '23:59'])('%s is a valid HH:MM', (value) => {
    expect(clockTimeSchema.safeParse(value).success).toBe(true);
  });
  it.each(['24:00', '9:05', '12:60', '12:5', '12:05:00', ''])('%s is refused', (value) => {
    expect(errorsOf(clockTimeSchema, value)).toEqual([{ path: '(root)', message: 'Use HH:MM, 24-hour (00:00 to 23:59)' }]);
  });
});

describe('instants', () => {
  it('are normalised to UTC', () => {
    expect(utcInstantSchema.parse('2025-03-10T10:00:00+08:00')).toBe('2025-03-10T02:00:00.000Z');
    expect(utcInstantSchema.parse('2025-03-10T02:00:00Z')).toBe('2025-03-10T02:00:00.000Z');
  });
  it('need a date, a time with seconds and an offset', () => {
    for (const value of ['2025-03-10', '2025-03-10T10:00:00', '2025-02-30T10:00:00Z', 'soon']) {
      expect(utcInstantSchema.safeParse(value).success).toBe(false);
    }
  });
});

describe('cycles', () => {
  it('weekdays must be 1 to 7, chosen once, at least one', () => {
    expect(errorsOf(recurringCycleSchema, { kind: 'weekly', weekdays: [1, 1], time: '10:00' })).toEqual([
      { path: 'weekdays', message: 'Each weekday may be chosen only once' },
    ]);
    expect(errorsOf(recurringCycleSchema, { kind: 'weekly', weekdays: [0, 8], time: '10:00' })).toEqual([
      { path: 'weekdays.0', message: 'A weekday is a whole number from 1 (Monday) to 7 (Sunday)' },
      { path: 'weekdays.1', message: 'A weekday is a whole number from 1 (Monday) to 7 (Sunday)' },
    ]);
    expect(errorsOf(recurringCycleSchema, { kind: 'weekly', weekdays: [], time: '10:00' })).toEqual([
      { path: 'weekdays', message: 'Choose at least one weekday' },
    ]);
  });
  it('days of the month must be 1 to 31, chosen once', () => {
    expect(errorsOf(recurringCycleSchema, { kind: 'monthly', days: [31, 31], time: '10:00' })).toEqual([
      { path: 'days', message: 'Each day of the month may be chosen only once' },
    ]);
    expect(errorsOf(recurringCycleSchema, { kind: 'monthly', days: [32], time: '10:00' })).toEqual([
      { path: 'days.0', message: 'A day of the month is a whole number from 1 to 31' },
    ]);
    expect(errorsOf(recurringCycleSchema, { kind: 'monthly', days: [], time: '10:00' })).toEqual([
      { path: 'days', message: 'Choose at least one day of the month' },
    ]);
  });
  it('cron expressions are standard five-field ones that fire', () => {
    expect(cronExpressionProblem('*/15 9-17 * * 1-5')).toBeNull();
    expect(cronExpressionProblem('0 10 L * *')).toBeNull();
    expect(cronExpressionProblem('61 * * * *')).toMatch(/^Not a valid 5-field cron expression .*minute: 61/);
    expect(cronExpressionProblem('0 0 * * * *')).toMatch(/^Not a valid 5-field cron expression/);
    expect(cronExpressionProblem('0 0 30 2 *')).toBe('This cron expression never fires');
    expect(errorsOf(recurringCycleSchema, { kind: 'cron', expression: '' })).toEqual([{ path: 'expression', message: 'Enter a cron expression' }]);
  });
  it('an unknown kind names the kinds', () => {
    expect(errorsOf(recurringCycleSchema, { kind: 'hourly' })).toEqual([
      { path: 'kind', message: 'Choose a cycle: daily, weekly, monthly or cron' },
    ]);
  });
});

describe('trigger types', () => {
  it('an unknown type names the four types', () => {
    expect(errorsOf(taskTriggerSchema, { type: 'sometimes' })).toEqual([
      { path: 'type', message: 'Choose a trigger type: scheduled_once, recurring, triggered or triggered_not' },
    ]);
  });
  it('scheduled once defaults to cancelling on approval timeout and refreshing with the last members on failure', () => {
    expect(taskTriggerSchema.parse({ type: 'scheduled_once', sendAt: '2025-03-10T10:00:00+08:00' })).toEqual({
      type: 'scheduled_once',
      sendAt: '2025-03-10T02:00:00.000Z',
      approvalTimeout: 'cancel',
      refreshSegment: true,
      refreshFailure: 'use_last',
    });
  });
  it('unknown fields are refused rather than ignored', () => {
    expect(errorsOf(taskTriggerSchema, { type: 'scheduled_once', sendAt: '2025-03-10T02:00:00Z', sendAtt: 'x' })).toEqual([
      { path: 'sendAtt', message: 'is not a known field' },
    ]);
  });
  it('event filters use the audience property filters (a list for in, a number for gt, none for exists)', () => {
    const base = {
      type: 'triggered',
      range: { start: '2025-03-01T00:00:00Z', end: '2025-03-31T00:00:00Z' },
      counting: { kind: 'every', n: 1 },
      timing: { kind: 'immediate' },
    };
    const ok = {
      ...base,
      eventA: {
        name: 'wareach.message.read',
        filters: [
          { property: 'taskKind', op: 'in', value: ['triggered', 'recurring'] },
          { property: 'metric', op: 'eq', value: 'read' },
          { property: 'amount', op: 'gt', value: 10 },
          { property: 'button', op: 'exists' },
        ],
      },
    };
    expect(taskTriggerSchema.safeParse(ok).success).toBe(true);
    const bad = { ...base, eventA: { name: 'purchase', filters: [{ property: 'amount', op: 'gt', value: 'ten' }] } };
    expect(errorsOf(taskTriggerSchema, bad).map((e) => e.path)).toEqual(['eventA.filters.0.value']);
  });
});

describe('timings and limits', () => {
  it('a delay is a whole number of at least 1 minute, hour or day', () => {
    expect(errorsOf(triggerTimingSchema, { kind: 'delay', amount: 0, unit: 'hours' })).toEqual([{ path: 'amount', message: 'Must be at least 1' }]);
    expect(errorsOf(triggerTimingSchema, { kind: 'delay', amount: 1.5, unit: 'hours' })).toEqual([{ path: 'amount', message: 'Use a whole number' }]);
    expect(errorsOf(triggerTimingSchema, { kind: 'delay', amount: 1, unit: 'weeks' })).toEqual([{ path: 'unit', message: 'Use minutes, hours or days' }]);
  });
  it('365 days is the longest delay, in any unit', () => {
    expect(exceedsMaxDelay({ amount: 365, unit: 'days' })).toBe(false);
    expect(exceedsMaxDelay({ amount: 366, unit: 'days' })).toBe(true);
    expect(exceedsMaxDelay({ amount: 8760, unit: 'hours' })).toBe(false);
    expect(exceedsMaxDelay({ amount: 8761, unit: 'hours' })).toBe(true);
    expect(exceedsMaxDelay({ amount: 525_600, unit: 'minutes' })).toBe(false);
    expect(exceedsMaxDelay({ amount: 525_601, unit: 'minutes' })).toBe(true);
  });
  it('at_time days later is 0 to 365', () => {
    expect(errorsOf(triggerTimingSchema, { kind: 'at_time', time: '10:00', daysLater: -1 })).toEqual([{ path: 'daysLater', message: 'Cannot be negative' }]);
    expect(errorsOf(triggerTimingSchema, { kind: 'at_time', time: '10:00', daysLater: 366 })).toEqual([{ path: 'daysLater', message: 'At most 365 days' }]);
  });
});
