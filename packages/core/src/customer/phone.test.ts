import { describe, expect, it } from 'vitest';
import { normalisePhone, phoneToWaId } from './phone';
import { isValidTimezone } from './timezone';

describe('normalisePhone', () => {
  it('normalises spaces, dashes and brackets to E.164', () => {
    expect(normalisePhone('+86 138-0013-8000')).toEqual({ ok: true, value: '+8613800138000' });
    expect(normalisePhone('+1 (212) 555-1234')).toEqual({ ok: true, value: '+12125551234' });
  });
  it('a leading 00 means +', () => {
    expect(normalisePhone('0086 13800138000')).toEqual({ ok: true, value: '+8613800138000' });
    expect(normalisePhone('0044 7911 123456')).toEqual({ ok: true, value: '+447911123456' });
  });
  it('refuses a number without its country code, with the reason', () => {
    const r = normalisePhone('13800138000');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/country code/);
  });
  it('refuses a number that is not valid for its country', () => {
    const r = normalisePhone('+86 123');
    expect(r.ok).toBe(false);
    const r2 = normalisePhone('+447700900123');
    expect(r2.ok).toBe(false);
    if (!r2.ok) expect(r2.error).toMatch(/not a valid phone number/);
  });
  it('refuses letters and empty input', () => {
    expect(normalisePhone('').ok).toBe(false);
    expect(normalisePhone('+86abc').ok).toBe(false);
  });
  it('wa_id is E.164 without the plus', () => {
    expect(phoneToWaId('+8613800138000')).toBe('8613800138000');
  });
});

describe('isValidTimezone', () => {
  it('accepts IANA names and refuses offsets and typos', () => {
    expect(isValidTimezone('Asia/Shanghai')).toBe(true);
    expect(isValidTimezone('America/Argentina/Buenos_Aires')).toBe(true);
    expect(isValidTimezone('UTC')).toBe(true);
    expect(isValidTimezone('+08:00')).toBe(false);
    expect(isValidTimezone('Asia/Shangai')).toBe(false);
  });
});
