import { describe, expect, it } from 'vitest';
import type { RecurringCycle } from './cycle-schema';
import { cyclePattern, nextOccurrences, occurrenceId } from './next-occurrences';

const iso = (dates: Date[]) => dates.map((d) => d.toISOString());
const at = (s: string) => new Date(s);

describe('cycle patterns', () => {
  it('a daily cycle runs at its minute and hour', () => {
    expect(cyclePattern({ kind: 'daily', time: '09:05' })).toBe('5 9 * * *');
  });
  it('a weekly cycle maps ISO weekdays (7 = Sunday) to cron weekdays', () => {
    expect(cyclePattern({ kind: 'weekly', weekdays: [7, 1, 3], time: '18:30' })).toBe('30 18 * * 0,1,3');
  });
  it('a monthly cycle lists its days in order', () => {
    expect(cyclePattern({ kind: 'monthly', days: [31, 1, 15], time: '00:00' })).toBe('0 0 1,15,31 * *');
  });
  it('a cron cycle runs on its own expression', () => {
    expect(cyclePattern({ kind: 'cron', expression: '*/15 9-17 * * 1-5' })).toBe('*/15 9-17 * * 1-5');
  });
});

describe('nextOccurrences in the project timezone', () => {
  it('daily 10:00 in Asia/Shanghai is 02:00 UTC, starting at an occurrence exactly at `from`', () => {
    const got = nextOccurrences({ kind: 'daily', time: '10:00' }, { from: at('2025-01-01T02:00:00Z'), timezone: 'Asia/Shanghai', limit: 3 });
    expect(iso(got)).toEqual(['2025-01-01T02:00:00.000Z', '2025-01-02T02:00:00.000Z', '2025-01-03T02:00:00.000Z']);
  });

  it('an occurrence exactly at `until` is included, one after it is not', () => {
    const got = nextOccurrences(
      { kind: 'daily', time: '10:00' },
      { from: at('2025-01-01T00:00:00Z'), until: at('2025-01-03T02:00:00Z'), timezone: 'Asia/Shanghai', limit: 10 },
    );
    expect(iso(got)).toEqual(['2025-01-01T02:00:00.000Z', '2025-01-02T02:00:00.000Z', '2025-01-03T02:00:00.000Z']);
  });

  it('continues from the last occurrence plus 1 ms without repeating it', () => {
    const got = nextOccurrences({ kind: 'daily', time: '10:00' }, { from: at('2025-01-01T02:00:00.001Z'), timezone: 'Asia/Shanghai', limit: 1 });
    expect(iso(got)).toEqual(['2025-01-02T02:00:00.000Z']);
  });

  it('crosses midnight and the year boundary in local time, not UTC', () => {
    // 07:00 on 1 January in Shanghai is still 31 December in UTC.
    const got = nextOccurrences({ kind: 'daily', time: '07:00' }, { from: at('2024-12-30T00:00:00Z'), timezone: 'Asia/Shanghai', limit: 3 });
    expect(iso(got)).toEqual(['2024-12-30T23:00:00.000Z', '2024-12-31T23:00:00.000Z', '2025-01-01T23:00:00.000Z']);
  });

  it('00:00 daily lands on local midnight, the previous UTC day for zones east of UTC', () => {
    const got = nextOccurrences({ kind: 'daily', time: '00:00' }, { from: at('2025-12-31T00:00:00Z'), timezone: 'Asia/Shanghai', limit: 2 });
    expect(iso(got)).toEqual(['2025-12-31T16:00:00.000Z', '2026-01-01T16:00:00.000Z']);
  });

  it('weekly Monday and Sunday 18:30 in Europe/London', () => {
    const got = nextOccurrences(
      { kind: 'weekly', weekdays: [1, 7], time: '18:30' },
      { from: at('2025-01-01T00:00:00Z'), timezone: 'Europe/London', limit: 3 },
    );
    // 2025-01-05 is a Sunday, 2025-01-06 a Monday.
    expect(iso(got)).toEqual(['2025-01-05T18:30:00.000Z', '2025-01-06T18:30:00.000Z', '2025-01-12T18:30:00.000Z']);
  });

  it('a limit of zero returns nothing, and no limit returns ten', () => {
    const cycle: RecurringCycle = { kind: 'daily', time: '10:00' };
    expect(nextOccurrences(cycle, { from: at('2025-01-01T00:00:00Z'), timezone: 'UTC', limit: 0 })).toEqual([]);
    expect(nextOccurrences(cycle, { from: at('2025-01-01T00:00:00Z'), timezone: 'UTC' })).toHaveLength(10);
  });

  it('an unknown timezone is a bug and throws', () => {
    expect(() => nextOccurrences({ kind: 'daily', time: '10:00' }, { from: at('2025-01-01T00:00:00Z'), timezone: 'Mars/Olympus' })).toThrow(
      RangeError,
    );
  });
});

describe('monthly cycles and short months', () => {
  it('the 31st is skipped in months without one (never moved to the 30th)', () => {
    const got = nextOccurrences(
      { kind: 'monthly', days: [31], time: '10:00' },
      { from: at('2025-01-01T00:00:00Z'), until: at('2025-08-01T00:00:00Z'), timezone: 'UTC', limit: 20 },
    );
    expect(iso(got)).toEqual([
      '2025-01-31T10:00:00.000Z',
      '2025-03-31T10:00:00.000Z',
      '2025-05-31T10:00:00.000Z',
      '2025-07-31T10:00:00.000Z',
    ]);
  });

  it('the 29th of February happens only in leap years', () => {
    const got = nextOccurrences(
      { kind: 'monthly', days: [29], time: '12:00' },
      { from: at('2027-01-01T00:00:00Z'), until: at('2028-04-01T00:00:00Z'), timezone: 'UTC', limit: 20 },
    );
    expect(iso(got).filter((d) => d.slice(5, 7) === '02')).toEqual(['2028-02-29T12:00:00.000Z']);
    expect(iso(got)).not.toContain('2027-02-29T12:00:00.000Z');
  });

  it('days 29, 30 and 31 in February of a leap year give only the 29th', () => {
    const got = nextOccurrences(
      { kind: 'monthly', days: [29, 30, 31], time: '08:00' },
      { from: at('2028-02-01T00:00:00Z'), until: at('2028-03-01T00:00:00Z'), timezone: 'UTC', limit: 20 },
    );
    expect(iso(got)).toEqual(['2028-02-29T08:00:00.000Z']);
  });

  it('the 1st at 00:30 in America/New_York crosses the UTC month and year boundary', () => {
    const got = nextOccurrences(
      { kind: 'monthly', days: [1], time: '00:30' },
      { from: at('2025-12-01T00:00:00Z'), timezone: 'America/New_York', limit: 2 },
    );
    expect(iso(got)).toEqual(['2025-12-01T05:30:00.000Z', '2026-01-01T05:30:00.000Z']);
  });
});

describe('daylight saving time', () => {
  it('America/New_York spring forward: 02:30 does not exist on 9 March 2025 and runs at 03:00 EDT', () => {
    const got = nextOccurrences({ kind: 'daily', time: '02:30' }, { from: at('2025-03-08T00:00:00Z'), timezone: 'America/New_York', limit: 3 });
    expect(iso(got)).toEqual([
      '2025-03-08T07:30:00.000Z', // 02:30 EST
      '2025-03-09T07:00:00.000Z', // first instant after the gap: 03:00 EDT
      '2025-03-10T06:30:00.000Z', // 02:30 EDT
    ]);
  });

  it('America/New_York fall back: 01:30 happens twice on 2 November 2025 and runs once, at 01:30 EDT', () => {
    const got = nextOccurrences({ kind: 'daily', time: '01:30' }, { from: at('2025-11-01T12:00:00Z'), timezone: 'America/New_York', limit: 2 });
    expect(iso(got)).toEqual(['2025-11-02T05:30:00.000Z', '2025-11-03T06:30:00.000Z']);
  });

  it('America/New_York: a time outside the changed hour keeps its wall time across both changes', () => {
    const spring = nextOccurrences({ kind: 'daily', time: '09:00' }, { from: at('2025-03-08T00:00:00Z'), timezone: 'America/New_York', limit: 2 });
    expect(iso(spring)).toEqual(['2025-03-08T14:00:00.000Z', '2025-03-09T13:00:00.000Z']);
    const fall = nextOccurrences({ kind: 'daily', time: '09:00' }, { from: at('2025-11-01T00:00:00Z'), timezone: 'America/New_York', limit: 2 });
    expect(iso(fall)).toEqual(['2025-11-01T13:00:00.000Z', '2025-11-02T14:00:00.000Z']);
  });

  it('Europe/London spring forward: 01:30 does not exist on 30 March 2025 and runs at 02:00 BST', () => {
    const got = nextOccurrences({ kind: 'daily', time: '01:30' }, { from: at('2025-03-29T12:00:00Z'), timezone: 'Europe/London', limit: 2 });
    expect(iso(got)).toEqual(['2025-03-30T01:00:00.000Z', '2025-03-31T00:30:00.000Z']);
  });

  it('Europe/London fall back: 01:30 happens twice on 26 October 2025 and runs once, at 01:30 BST', () => {
    const got = nextOccurrences({ kind: 'daily', time: '01:30' }, { from: at('2025-10-25T12:00:00Z'), timezone: 'Europe/London', limit: 2 });
    expect(iso(got)).toEqual(['2025-10-26T00:30:00.000Z', '2025-10-27T01:30:00.000Z']);
  });

  it('a weekly Sunday 02:30 in New York on the spring-forward Sunday also shifts to 03:00 EDT', () => {
    const got = nextOccurrences(
      { kind: 'weekly', weekdays: [7], time: '02:30' },
      { from: at('2025-03-01T00:00:00Z'), timezone: 'America/New_York', limit: 3 },
    );
    expect(iso(got)).toEqual(['2025-03-02T07:30:00.000Z', '2025-03-09T07:00:00.000Z', '2025-03-16T06:30:00.000Z']);
  });

  it('a cron list of hours is fixed-time: 01:30 on the New York fall-back day runs once', () => {
    const got = nextOccurrences({ kind: 'cron', expression: '30 1,13 * * *' }, { from: at('2025-11-02T00:00:00Z'), timezone: 'America/New_York', limit: 2 });
    expect(iso(got)).toEqual(['2025-11-02T05:30:00.000Z', '2025-11-02T18:30:00.000Z']);
  });

  it('an hourly cron is an interval schedule and runs at both instants of the repeated hour', () => {
    const got = nextOccurrences({ kind: 'cron', expression: '0 * * * *' }, { from: at('2025-11-02T04:30:00Z'), timezone: 'America/New_York', limit: 3 });
    // 01:00 EDT, 01:00 EST, 02:00 EST: an hour apart each.
    expect(iso(got)).toEqual(['2025-11-02T05:00:00.000Z', '2025-11-02T06:00:00.000Z', '2025-11-02T07:00:00.000Z']);
  });
});

describe('occurrenceId', () => {
  it('is the same for the same task and instant, whatever Date object carries it', () => {
    expect(occurrenceId('task_42', at('2025-03-09T07:00:00Z'))).toBe('task_42:20250309T070000Z');
    expect(occurrenceId('task_42', at('2025-03-09T03:00:00-04:00'))).toBe('task_42:20250309T070000Z');
  });
  it('differs between tasks and between instants, milliseconds included', () => {
    const base = occurrenceId('task_42', at('2025-03-09T07:00:00Z'));
    expect(occurrenceId('task_43', at('2025-03-09T07:00:00Z'))).not.toBe(base);
    expect(occurrenceId('task_42', at('2025-03-10T07:00:00Z'))).not.toBe(base);
    expect(occurrenceId('task_42', at('2025-03-09T07:00:00.250Z'))).toBe('task_42:20250309T070000.250Z');
  });
  it('gives the two instants of a repeated fall-back hour different keys', () => {
    expect(occurrenceId('t', at('2025-11-02T05:00:00Z'))).not.toBe(occurrenceId('t', at('2025-11-02T06:00:00Z')));
  });
});
