import { describe, expect, it } from 'vitest';
import { previewTiming } from './preview-timing';
import type { TimingPreview } from './preview-timing';
import type { TaskTrigger, TriggeredNotTrigger, TriggeredTrigger } from './trigger-schema';

const SH = 'Asia/Shanghai';
const now = new Date('2025-03-01T00:00:00Z');

function preview(trigger: TaskTrigger, events?: { a: string[]; b?: string[] }, timezone = SH, limit?: number): TimingPreview {
  const result = previewTiming(trigger, { now, timezone, events, limit });
  if (!result.ok) throw new Error(JSON.stringify(result.error));
  return result.value;
}

const triggered: TriggeredTrigger = {
  type: 'triggered',
  eventA: { name: 'app_open', filters: [] },
  range: { start: '2025-03-01T00:00:00.000Z', end: '2025-03-31T00:00:00.000Z' },
  counting: { kind: 'cumulative', n: 2 },
  timing: { kind: 'delay', amount: 1, unit: 'hours' },
};

describe('previewTiming for scheduled triggers', () => {
  it('scheduled once: the send time in UTC and in the project zone, with the approval deadline', () => {
    const got = preview({
      type: 'scheduled_once',
      sendAt: '2025-03-10T02:00:00.000Z',
      approvalTimeout: 'cancel',
      refreshSegment: true,
      refreshFailure: 'use_last',
    });
    expect(got).toEqual({
      kind: 'scheduled_once',
      sendAt: { utc: '2025-03-10T02:00:00.000Z', local: '2025-03-10T10:00:00.000+08:00', zone: SH },
      approvalDeadline: { utc: '2025-03-13T02:00:00.000Z', local: '2025-03-13T10:00:00.000+08:00', zone: SH },
      sendTimePassed: false,
    });
  });

  it('recurring: the next occurrences from now (or the start) up to the end, and whether more follow', () => {
    const got = preview(
      {
        type: 'recurring',
        cycle: { kind: 'daily', time: '02:30' },
        startAt: '2025-03-08T00:00:00.000Z',
        endAt: '2025-03-20T00:00:00.000Z',
        refreshSegment: true,
        refreshFailure: 'skip',
      },
      undefined,
      'America/New_York',
      3,
    );
    expect(got.kind).toBe('recurring');
    if (got.kind !== 'recurring') return;
    expect(got.occurrences).toEqual([
      { utc: '2025-03-08T07:30:00.000Z', local: '2025-03-08T02:30:00.000-05:00', zone: 'America/New_York' },
      { utc: '2025-03-09T07:00:00.000Z', local: '2025-03-09T03:00:00.000-04:00', zone: 'America/New_York' },
      { utc: '2025-03-10T06:30:00.000Z', local: '2025-03-10T02:30:00.000-04:00', zone: 'America/New_York' },
    ]);
    expect(got.moreAfter).toBe(true);
  });

  it('recurring: the last occurrences before the end say no more follow', () => {
    const got = preview(
      {
        type: 'recurring',
        cycle: { kind: 'monthly', days: [31], time: '10:00' },
        startAt: '2025-03-01T00:00:00.000Z',
        endAt: '2025-06-01T00:00:00.000Z',
        refreshSegment: false,
        refreshFailure: 'use_last',
      },
      undefined,
      'UTC',
    );
    if (got.kind !== 'recurring') throw new Error('expected recurring');
    expect(got.occurrences.map((o) => o.utc)).toEqual(['2025-03-31T10:00:00.000Z', '2025-05-31T10:00:00.000Z']);
    expect(got.moreAfter).toBe(false);
  });
});

describe('previewTiming for event triggers', () => {
  it('walks the events in time order through range, counting and end time', () => {
    const got = preview(triggered, {
      a: ['2025-03-05T10:00:00Z', '2025-02-28T10:00:00Z', '2025-03-02T10:00:00Z', '2025-03-07T10:00:00Z'],
    });
    if (got.kind !== 'event') throw new Error('expected event');
    expect(got.endAt.utc).toBe('2025-03-31T01:00:00.000Z');
    expect(got.endAtDefaulted).toBe(true);
    expect(got.events.map((e) => [e.index, e.count, e.outcome])).toEqual([
      [1, 0, { kind: 'none', reason: 'outside_range' }],
      [2, 1, { kind: 'none', reason: 'count_not_reached' }],
      [0, 2, { kind: 'due', dueAt: { utc: '2025-03-05T11:00:00.000Z', local: '2025-03-05T19:00:00.000+08:00', zone: SH } }],
      [3, 3, { kind: 'none', reason: 'already_reached' }],
    ]);
  });

  it('every N is due at each multiple of N', () => {
    const got = preview({ ...triggered, counting: { kind: 'every', n: 2 }, timing: { kind: 'immediate' } }, {
      a: ['2025-03-02T00:00:00Z', '2025-03-03T00:00:00Z', '2025-03-04T00:00:00Z', '2025-03-05T00:00:00Z'],
    });
    if (got.kind !== 'event') throw new Error('expected event');
    expect(got.events.map((e) => e.outcome.kind)).toEqual(['none', 'due', 'none', 'due']);
  });

  it('a message due after the end time is dropped as past_end_time; one due exactly at it is sent', () => {
    const got = preview(
      { ...triggered, counting: { kind: 'every', n: 1 }, timing: { kind: 'delay', amount: 2, unit: 'days' }, endAt: '2025-03-31T00:00:00.000Z' },
      { a: ['2025-03-29T00:00:00.001Z', '2025-03-28T23:59:59Z', '2025-03-29T00:00:00Z'] },
    );
    if (got.kind !== 'event') throw new Error('expected event');
    expect(got.endAtDefaulted).toBe(false);
    expect(got.events.map((e) => [e.index, e.outcome.kind === 'due' ? e.outcome.dueAt.utc : e.outcome.reason])).toEqual([
      [1, '2025-03-30T23:59:59.000Z'],
      [2, '2025-03-31T00:00:00.000Z'],
      [0, 'past_end_time'],
    ]);
  });

  it('did A and not B: B within W cancels, otherwise the timing counts from the end of W', () => {
    const notB: TriggeredNotTrigger = {
      ...triggered,
      type: 'triggered_not',
      counting: { kind: 'every', n: 1 },
      timing: { kind: 'immediate' },
      eventB: { name: 'page_view', filters: [] },
      window: { amount: 20, unit: 'minutes' },
    };
    const got = preview(notB, {
      a: ['2025-03-10T10:00:00Z', '2025-03-11T10:00:00Z'],
      b: ['2025-03-10T10:19:00Z', '2025-03-11T10:21:00Z'],
    });
    if (got.kind !== 'event') throw new Error('expected event');
    expect(got.events.map((e) => e.outcome)).toEqual([
      {
        kind: 'none',
        reason: 'cancelled_by_b',
        cancelledByBAt: { utc: '2025-03-10T10:19:00.000Z', local: '2025-03-10T18:19:00.000+08:00', zone: SH },
      },
      { kind: 'due', dueAt: { utc: '2025-03-11T10:20:00.000Z', local: '2025-03-11T18:20:00.000+08:00', zone: SH } },
    ]);
  });

  it('without sample events it still shows the end time', () => {
    const got = preview(triggered);
    expect(got).toMatchObject({ kind: 'event', events: [], endAt: { utc: '2025-03-31T01:00:00.000Z' } });
  });

  it('refuses unreadable event times, naming each one', () => {
    const result = previewTiming(triggered, { now, timezone: SH, events: { a: ['yesterday', '2025-03-02T10:00:00Z'], b: ['2025-03-02'] } });
    expect(result).toEqual({
      ok: false,
      error: [
        { path: 'events.a.0', message: expect.stringContaining('ISO 8601') },
        { path: 'events.b.0', message: expect.stringContaining('ISO 8601') },
      ],
    });
  });

  it('refuses an unknown timezone', () => {
    expect(previewTiming(triggered, { now, timezone: 'Atlantis/Capital' })).toEqual({
      ok: false,
      error: [{ path: 'timezone', message: 'Unknown IANA time zone: Atlantis/Capital' }],
    });
  });
});
