import { describe, expect, it } from 'vitest';
import type { DoNotDisturb } from './do-not-disturb';
import { dndDecision, dndTimezone } from './do-not-disturb';

const SH = 'Asia/Shanghai';
const night: DoNotDisturb = { start: '22:00', end: '08:00', action: 'defer' };
const decide = (dueAt: string, dnd: DoNotDisturb | undefined = night, timezone = SH, recipientTimezone?: string) =>
  dndDecision({ dueAt: new Date(dueAt), dnd, timezone, recipientTimezone });

describe('do-not-disturb boundaries', () => {
  it('a message due at 21:59 goes out when do-not-disturb starts at 22:00', () => {
    expect(decide('2025-03-10T21:59:00+08:00')).toEqual({ kind: 'send' });
    expect(decide('2025-03-10T21:59:59.999+08:00')).toEqual({ kind: 'send' });
  });
  it('a message due at 22:00 is inside and deferred to 08:00 the next morning', () => {
    expect(decide('2025-03-10T22:00:00+08:00')).toEqual({ kind: 'defer', until: new Date('2025-03-11T08:00:00+08:00') });
  });
  it('a message due after midnight is deferred to the same morning', () => {
    expect(decide('2025-03-11T03:00:00+08:00')).toEqual({ kind: 'defer', until: new Date('2025-03-11T08:00:00+08:00') });
  });
  it('a message due at the end minute is outside', () => {
    expect(decide('2025-03-11T07:59:59.999+08:00')).toEqual({ kind: 'defer', until: new Date('2025-03-11T08:00:00+08:00') });
    expect(decide('2025-03-11T08:00:00+08:00')).toEqual({ kind: 'send' });
  });
  it('drop drops instead of deferring', () => {
    expect(decide('2025-03-10T23:00:00+08:00', { ...night, action: 'drop' })).toEqual({ kind: 'drop' });
    expect(decide('2025-03-10T12:00:00+08:00', { ...night, action: 'drop' })).toEqual({ kind: 'send' });
  });
  it('a period within one day (12:00 to 14:00) defers to 14:00 the same day', () => {
    const lunch: DoNotDisturb = { start: '12:00', end: '14:00', action: 'defer' };
    expect(decide('2025-03-10T11:59:00+08:00', lunch)).toEqual({ kind: 'send' });
    expect(decide('2025-03-10T12:30:00+08:00', lunch)).toEqual({ kind: 'defer', until: new Date('2025-03-10T14:00:00+08:00') });
    expect(decide('2025-03-10T14:00:00+08:00', lunch)).toEqual({ kind: 'send' });
    expect(decide('2025-03-10T23:00:00+08:00', lunch)).toEqual({ kind: 'send' });
  });
  it('a deferral at New Year crosses the year', () => {
    expect(decide('2025-12-31T23:30:00+08:00')).toEqual({ kind: 'defer', until: new Date('2026-01-01T08:00:00+08:00') });
  });
  it('no period means send', () => {
    expect(dndDecision({ dueAt: new Date('2025-03-10T23:00:00+08:00'), timezone: SH })).toEqual({ kind: 'send' });
    expect(dndDecision({ dueAt: new Date('2025-03-10T23:00:00+08:00'), dnd: null, timezone: SH })).toEqual({ kind: 'send' });
  });
});

describe('do-not-disturb timezone', () => {
  it("uses the recipient's timezone when known", () => {
    // 14:00 UTC is 22:00 in Shanghai but 14:00 in London (winter).
    expect(decide('2025-01-10T14:00:00Z', night, SH)).toEqual({ kind: 'defer', until: new Date('2025-01-11T00:00:00Z') });
    expect(decide('2025-01-10T14:00:00Z', night, SH, 'Europe/London')).toEqual({ kind: 'send' });
    expect(decide('2025-01-10T22:30:00Z', night, SH, 'Europe/London')).toEqual({ kind: 'defer', until: new Date('2025-01-11T08:00:00Z') });
  });
  it("falls back to the project's timezone when the recipient's is unknown or invalid", () => {
    expect(dndTimezone(undefined, SH)).toBe(SH);
    expect(dndTimezone(null, SH)).toBe(SH);
    expect(dndTimezone('Not/AZone', SH)).toBe(SH);
    expect(dndTimezone('Europe/London', SH)).toBe('Europe/London');
  });
  it('New York spring forward: a period ending at 02:30 ends at 03:00 EDT, the first instant after the gap', () => {
    const early: DoNotDisturb = { start: '22:00', end: '02:30', action: 'defer' };
    expect(decide('2025-03-09T01:30:00-05:00', early, 'America/New_York')).toEqual({
      kind: 'defer',
      until: new Date('2025-03-09T07:00:00Z'),
    });
  });
  it('New York fall back: both 01:30s are inside 01:00 to 02:00, and the period ends at 02:00 EST', () => {
    const small: DoNotDisturb = { start: '01:00', end: '02:00', action: 'defer' };
    const until = new Date('2025-11-02T07:00:00Z');
    expect(decide('2025-11-02T01:30:00-04:00', small, 'America/New_York')).toEqual({ kind: 'defer', until });
    expect(decide('2025-11-02T01:30:00-05:00', small, 'America/New_York')).toEqual({ kind: 'defer', until });
  });
  it('London summer time shifts the period by an hour in UTC', () => {
    expect(decide('2025-07-10T21:30:00Z', night, SH, 'Europe/London')).toEqual({ kind: 'defer', until: new Date('2025-07-11T07:00:00Z') });
    expect(decide('2025-07-10T20:59:00Z', night, SH, 'Europe/London')).toEqual({ kind: 'send' });
  });
});
