import { describe, expect, it } from 'vitest';
import { cancellingEventB, defaultEndAt, dueTimeFor, dueTimeNotB, effectiveEndAt, isInEventRange, windowEndAt } from './due-time';
import type { TriggerTiming } from './event-schemas';
import type { TriggeredNotTrigger, TriggeredTrigger } from './trigger-schema';

const SH = 'Asia/Shanghai'; // UTC+8, no DST
const NY = 'America/New_York';
const LON = 'Europe/London';
const at = (s: string) => new Date(s);
const due = (timing: TriggerTiming, event: string, tz = SH) => dueTimeFor(timing, at(event), tz).toISOString();

describe('weekday timing: the first chosen weekday at HH:MM strictly after the event (SPEC, Tuesday 10:00)', () => {
  const tuesday10: TriggerTiming = { kind: 'weekday', weekdays: [2], time: '10:00' };
  // In Shanghai, Tuesday 11 March 2025 10:00 is 02:00 UTC; the next Tuesday is 18 March.
  it('an event on Monday sends this Tuesday', () => {
    expect(due(tuesday10, '2025-03-10T15:00:00+08:00')).toBe('2025-03-11T02:00:00.000Z');
  });
  it('an event on Wednesday sends next Tuesday', () => {
    expect(due(tuesday10, '2025-03-12T08:00:00+08:00')).toBe('2025-03-18T02:00:00.000Z');
  });
  it('an event on Tuesday 09:00 sends that day at 10:00', () => {
    expect(due(tuesday10, '2025-03-11T09:00:00+08:00')).toBe('2025-03-11T02:00:00.000Z');
  });
  it('an event on Tuesday 11:00 sends next Tuesday', () => {
    expect(due(tuesday10, '2025-03-11T11:00:00+08:00')).toBe('2025-03-18T02:00:00.000Z');
  });
  it('an event exactly at Tuesday 10:00 is not strictly before it and waits a week', () => {
    expect(due(tuesday10, '2025-03-11T10:00:00+08:00')).toBe('2025-03-18T02:00:00.000Z');
  });
  it('an event one millisecond before Tuesday 10:00 sends at 10:00', () => {
    expect(due(tuesday10, '2025-03-11T09:59:59.999+08:00')).toBe('2025-03-11T02:00:00.000Z');
  });
  it('with several weekdays the earliest one after the event wins', () => {
    const tueFri: TriggerTiming = { kind: 'weekday', weekdays: [5, 2], time: '10:00' };
    expect(due(tueFri, '2025-03-12T08:00:00+08:00')).toBe('2025-03-14T02:00:00.000Z');
  });
  it('Sunday (7) after a Saturday-night event crosses midnight in local time', () => {
    const sunday9: TriggerTiming = { kind: 'weekday', weekdays: [7], time: '09:00' };
    expect(due(sunday9, '2025-03-15T23:30:00+08:00')).toBe('2025-03-16T01:00:00.000Z');
  });
});

describe('immediate and delay timing', () => {
  it('immediate is due at the event', () => {
    expect(due({ kind: 'immediate' }, '2025-03-10T15:00:00.123Z')).toBe('2025-03-10T15:00:00.123Z');
  });
  it('a delay in minutes and hours adds that time', () => {
    expect(due({ kind: 'delay', amount: 90, unit: 'minutes' }, '2025-03-10T23:00:00Z')).toBe('2025-03-11T00:30:00.000Z');
    expect(due({ kind: 'delay', amount: 5, unit: 'hours' }, '2025-12-31T22:00:00Z')).toBe('2026-01-01T03:00:00.000Z');
  });
  it('a delay in days counts 24 hours a day, even across a DST change', () => {
    // 9 March 2025 is 23 hours long in New York; a day of delay is still 24 hours.
    expect(dueTimeFor({ kind: 'delay', amount: 1, unit: 'days' }, at('2025-03-08T12:00:00-05:00'), NY).toISOString()).toBe(
      '2025-03-09T17:00:00.000Z',
    );
  });
  it('the longest delay, 365 days, crosses a leap day', () => {
    expect(due({ kind: 'delay', amount: 365, unit: 'days' }, '2028-01-01T00:00:00Z')).toBe('2028-12-31T00:00:00.000Z');
  });
});

describe('at_time timing', () => {
  const at10: TriggerTiming = { kind: 'at_time', time: '10:00' };
  it('an event before HH:MM sends the same day', () => {
    expect(due(at10, '2025-03-10T08:00:00+08:00')).toBe('2025-03-10T02:00:00.000Z');
  });
  it('an event after HH:MM sends the next day', () => {
    expect(due(at10, '2025-03-10T11:00:00+08:00')).toBe('2025-03-11T02:00:00.000Z');
  });
  it('an event exactly at HH:MM sends the next day (strictly after)', () => {
    expect(due(at10, '2025-03-10T10:00:00+08:00')).toBe('2025-03-11T02:00:00.000Z');
  });
  it('00:00 is the coming midnight', () => {
    expect(due({ kind: 'at_time', time: '00:00' }, '2025-12-31T23:59:00+08:00')).toBe('2025-12-31T16:00:00.000Z');
  });
  it('daysLater N sends at HH:MM on the Nth local day after the event, whatever the hour of the event', () => {
    const dayAfter: TriggerTiming = { kind: 'at_time', time: '10:00', daysLater: 1 };
    expect(due(dayAfter, '2025-03-10T08:00:00+08:00')).toBe('2025-03-11T02:00:00.000Z');
    expect(due(dayAfter, '2025-03-10T11:00:00+08:00')).toBe('2025-03-11T02:00:00.000Z');
    expect(due({ kind: 'at_time', time: '10:00', daysLater: 3 }, '2025-03-10T23:59:00+08:00')).toBe('2025-03-13T02:00:00.000Z');
  });
  it('daysLater 0 is the same as none', () => {
    expect(due({ kind: 'at_time', time: '10:00', daysLater: 0 }, '2025-03-10T11:00:00+08:00')).toBe('2025-03-11T02:00:00.000Z');
  });
  it('daysLater crosses the year and the local day, not the UTC day', () => {
    // 31 Dec 07:00 in Shanghai is 30 Dec in UTC; one day later at 00:00 is 1 Jan local.
    expect(due({ kind: 'at_time', time: '00:00', daysLater: 1 }, '2025-12-31T07:00:00+08:00')).toBe('2025-12-31T16:00:00.000Z');
  });
  it('daysLater lands on 29 February in a leap year', () => {
    expect(due({ kind: 'at_time', time: '09:00', daysLater: 1 }, '2028-02-28T20:00:00Z', 'UTC')).toBe('2028-02-29T09:00:00.000Z');
  });
  it('New York spring forward: 02:30 on 9 March runs at 03:00 EDT', () => {
    expect(due({ kind: 'at_time', time: '02:30' }, '2025-03-09T01:00:00-05:00', NY)).toBe('2025-03-09T07:00:00.000Z');
    expect(due({ kind: 'at_time', time: '02:30', daysLater: 1 }, '2025-03-08T12:00:00-05:00', NY)).toBe('2025-03-09T07:00:00.000Z');
  });
  it('New York fall back: 01:30 on 2 November is its first (EDT) instant', () => {
    expect(due({ kind: 'at_time', time: '01:30' }, '2025-11-02T00:00:00-04:00', NY)).toBe('2025-11-02T05:30:00.000Z');
  });
  it('an event between the two 01:30s of a fall-back night waits for the next day, not the repeat', () => {
    // 01:45 EDT is after the first 01:30 and before the second; the repeat does not run again.
    expect(due({ kind: 'at_time', time: '01:30' }, '2025-11-02T01:45:00-04:00', NY)).toBe('2025-11-03T06:30:00.000Z');
  });
  it('London spring forward and fall back', () => {
    expect(due({ kind: 'at_time', time: '01:30' }, '2025-03-30T00:10:00Z', LON)).toBe('2025-03-30T01:00:00.000Z');
    expect(due({ kind: 'at_time', time: '01:30' }, '2025-10-26T00:00:00Z', LON)).toBe('2025-10-26T00:30:00.000Z');
  });
});

describe('did A and not B', () => {
  const window = { amount: 20, unit: 'minutes' as const };
  it('immediate is due at the end of the window', () => {
    expect(dueTimeNotB(at('2025-03-10T10:00:00Z'), window, { kind: 'immediate' }, SH).toISOString()).toBe('2025-03-10T10:20:00.000Z');
  });
  it('the timing counts from the end of the window', () => {
    expect(dueTimeNotB(at('2025-03-10T10:00:00Z'), window, { kind: 'delay', amount: 1, unit: 'hours' }, SH).toISOString()).toBe(
      '2025-03-10T11:20:00.000Z',
    );
    // A at 09:50 local, W ends 10:10, so 10:00 that day has passed: next day.
    expect(dueTimeNotB(at('2025-03-10T09:50:00+08:00'), window, { kind: 'at_time', time: '10:00' }, SH).toISOString()).toBe(
      '2025-03-11T02:00:00.000Z',
    );
  });
  it('windowEndAt adds W', () => {
    expect(windowEndAt(at('2025-03-10T23:50:00Z'), window).toISOString()).toBe('2025-03-11T00:10:00.000Z');
  });
  it('B within W cancels, both ends included; B before A or after W does not', () => {
    const a = at('2025-03-10T10:00:00Z');
    expect(cancellingEventB(a, window, [at('2025-03-10T10:20:00Z')])?.toISOString()).toBe('2025-03-10T10:20:00.000Z');
    expect(cancellingEventB(a, window, [at('2025-03-10T10:00:00Z')])?.toISOString()).toBe('2025-03-10T10:00:00.000Z');
    expect(cancellingEventB(a, window, [at('2025-03-10T09:59:59.999Z'), at('2025-03-10T10:20:00.001Z')])).toBeNull();
  });
  it('the earliest cancelling B is reported', () => {
    const a = at('2025-03-10T10:00:00Z');
    expect(cancellingEventB(a, window, [at('2025-03-10T10:15:00Z'), at('2025-03-10T10:05:00Z')])?.toISOString()).toBe(
      '2025-03-10T10:05:00.000Z',
    );
  });
});

describe('event range', () => {
  const range = { start: '2025-03-01T00:00:00.000Z', end: '2025-03-31T00:00:00.000Z' };
  it('includes both ends', () => {
    expect(isInEventRange(range, at(range.start))).toBe(true);
    expect(isInEventRange(range, at(range.end))).toBe(true);
  });
  it('excludes a millisecond outside', () => {
    expect(isInEventRange(range, at('2025-02-28T23:59:59.999Z'))).toBe(false);
    expect(isInEventRange(range, at('2025-03-31T00:00:00.001Z'))).toBe(false);
  });
});

describe('defaultEndAt: the range end plus the longest delay', () => {
  const base: TriggeredTrigger = {
    type: 'triggered',
    eventA: { name: 'app_open', filters: [] },
    range: { start: '2025-03-01T00:00:00.000Z', end: '2025-03-31T00:00:00.000Z' },
    counting: { kind: 'cumulative', n: 1 },
    timing: { kind: 'immediate' },
  };
  it('immediate: the range end', () => {
    expect(defaultEndAt(base, SH).toISOString()).toBe('2025-03-31T00:00:00.000Z');
  });
  it('delay: the range end plus the delay', () => {
    expect(defaultEndAt({ ...base, timing: { kind: 'delay', amount: 3, unit: 'days' } }, SH).toISOString()).toBe('2025-04-03T00:00:00.000Z');
  });
  it('at_time and weekday: the due time of an event at the very end of the range', () => {
    // Range end is 08:00 in Shanghai on 31 March (a Monday): next 10:00 is that day, next Tuesday 10:00 is 1 April.
    expect(defaultEndAt({ ...base, timing: { kind: 'at_time', time: '10:00', daysLater: 2 } }, SH).toISOString()).toBe(
      '2025-04-02T02:00:00.000Z',
    );
    expect(defaultEndAt({ ...base, timing: { kind: 'weekday', weekdays: [2], time: '10:00' } }, SH).toISOString()).toBe(
      '2025-04-01T02:00:00.000Z',
    );
  });
  it('not B: the range end plus W plus the delay', () => {
    const notB: TriggeredNotTrigger = {
      ...base,
      type: 'triggered_not',
      eventB: { name: 'page_view', filters: [] },
      window: { amount: 20, unit: 'minutes' },
      timing: { kind: 'delay', amount: 1, unit: 'hours' },
    };
    expect(defaultEndAt(notB, SH).toISOString()).toBe('2025-03-31T01:20:00.000Z');
  });
  it('an explicit end time replaces the default', () => {
    expect(effectiveEndAt({ ...base, endAt: '2025-04-10T00:00:00.000Z' }, SH).toISOString()).toBe('2025-04-10T00:00:00.000Z');
    expect(effectiveEndAt(base, SH).toISOString()).toBe('2025-03-31T00:00:00.000Z');
  });
});
