import { describe, expect, it } from 'vitest';
import { capCounterKey, capWindow, capWindowStart } from './frequency-cap';

const at = (iso: string) => Date.parse(iso);

describe('cap windows are calendar periods in the project timezone', () => {
  it('a day starts at local midnight: 23:59 and 00:00 Shanghai fall in different days', () => {
    const before = capWindow('day', at('2025-06-01T23:59:59.999+08:00'), 'Asia/Shanghai');
    const after = capWindow('day', at('2025-06-02T00:00:00+08:00'), 'Asia/Shanghai');
    expect(before).toEqual({ start: at('2025-06-01T00:00:00+08:00'), end: at('2025-06-02T00:00:00+08:00'), bucket: '2025-06-01' });
    expect(after.bucket).toBe('2025-06-02');
  });

  it('the same instant is a different day in another timezone', () => {
    const t = at('2025-06-01T20:00:00Z');
    expect(capWindow('day', t, 'Asia/Shanghai').bucket).toBe('2025-06-02');
    expect(capWindow('day', t, 'America/Sao_Paulo').bucket).toBe('2025-06-01');
  });

  it('a week starts on Monday 00:00 (ISO week)', () => {
    const sunday = at('2025-06-01T23:00:00+08:00'); // a Sunday
    const monday = at('2025-06-02T00:00:00+08:00');
    expect(capWindowStart('week', sunday, 'Asia/Shanghai')).toBe(at('2025-05-26T00:00:00+08:00'));
    expect(capWindow('week', sunday, 'Asia/Shanghai').bucket).toBe('2025-W22');
    expect(capWindow('week', monday, 'Asia/Shanghai')).toEqual({ start: monday, end: at('2025-06-09T00:00:00+08:00'), bucket: '2025-W23' });
  });

  it('an hour follows local hours, also in half-hour zones', () => {
    const w = capWindow('hour', at('2025-06-01T10:29:00Z'), 'Asia/Kolkata'); // 15:59 local
    expect(w).toEqual({ start: at('2025-06-01T15:00:00+05:30'), end: at('2025-06-01T16:00:00+05:30'), bucket: '2025-06-01T15+05:30' });
  });

  it('a daylight-saving day is 23 hours long, and the repeated hour gets two buckets', () => {
    const spring = capWindow('day', at('2025-03-09T12:00:00-04:00'), 'America/New_York');
    expect((spring.end! - spring.start!) / 3_600_000).toBe(23);
    const first = capWindow('hour', at('2025-11-02T05:30:00Z'), 'America/New_York'); // 01:30 EDT
    const second = capWindow('hour', at('2025-11-02T06:30:00Z'), 'America/New_York'); // 01:30 EST
    expect(first.bucket).not.toBe(second.bucket);
    expect(second.start! - first.start!).toBe(3_600_000);
  });

  it('lifetime has no start and never resets', () => {
    expect(capWindow('lifetime', 0, 'Asia/Shanghai')).toEqual({ start: null, end: null, bucket: 'lifetime' });
    expect(capWindowStart('lifetime', at('2030-01-01T00:00:00Z'), 'UTC')).toBeNull();
  });

  it('an invalid timezone is a bug, not a silent UTC', () => {
    expect(() => capWindow('day', 0, 'Mars/Olympus')).toThrow(RangeError);
  });
});

describe('cap counter keys', () => {
  const t = at('2025-06-01T12:00:00+08:00');
  it('name scope, user, period and window', () => {
    expect(capCounterKey({ scope: 'task', scopeId: 't_42', oneId: 'u_7', period: 'day', now: t, timezone: 'Asia/Shanghai' })).toBe('cap:task:t_42:u_7:day:2025-06-01');
    expect(capCounterKey({ scope: 'cross_channel', oneId: 'u_7', period: 'week', now: t, timezone: 'Asia/Shanghai' })).toBe('cap:cross_channel:-:u_7:week:2025-W22');
  });

  it('cannot collide through a colon in an ID', () => {
    const a = capCounterKey({ scope: 'task', scopeId: 'a:b', oneId: 'c', period: 'lifetime', now: t, timezone: 'UTC' });
    const b = capCounterKey({ scope: 'task', scopeId: 'a', oneId: 'b:c', period: 'lifetime', now: t, timezone: 'UTC' });
    expect(a).not.toBe(b);
  });
});
