import { describe, expect, it } from 'vitest';
import { classifyGraphError } from './classify-graph-error';

describe('classifying Graph API errors by code, not by HTTP status', () => {
  it('the rate limits arrive as HTTP 400 and are throttling, each with its scope', () => {
    expect(classifyGraphError({ httpStatus: 400, code: 130429 })).toMatchObject({ kind: 'throttled', retryable: true, throttleScope: 'phone_number' });
    expect(classifyGraphError({ httpStatus: 400, code: 131056 })).toMatchObject({ kind: 'throttled', retryable: true, throttleScope: 'recipient', backoff: { factor: 4 } });
    expect(classifyGraphError({ httpStatus: 400, code: 4 })).toMatchObject({ kind: 'throttled', throttleScope: 'app' });
    expect(classifyGraphError({ httpStatus: 400, code: 80007 })).toMatchObject({ kind: 'throttled', throttleScope: 'waba' });
  });

  it('a permanent code stays permanent even behind a 5xx status', () => {
    expect(classifyGraphError({ httpStatus: 500, code: 131026 })).toEqual({ kind: 'unreachable', retryable: false });
  });

  it('131049 is not retried and holds off marketing for 24 hours', () => {
    expect(classifyGraphError({ httpStatus: 400, code: 131049 })).toEqual({ kind: 'marketing_limit', retryable: false, holdMs: 86_400_000 });
  });

  it('131047 is the closed window, 131026 unreachable, 131050 opted out', () => {
    expect(classifyGraphError({ code: 131047 }).kind).toBe('window_closed');
    expect(classifyGraphError({ code: 131026 }).kind).toBe('unreachable');
    expect(classifyGraphError({ code: 131050 }).kind).toBe('opted_out');
  });

  it('190 and the permission codes are token problems, not retried on a timer', () => {
    for (const code of [190, 0, 10, 200, 299]) expect(classifyGraphError({ httpStatus: 401, code })).toEqual({ kind: 'token', retryable: false });
    expect(classifyGraphError({ httpStatus: 400, code: 300 }).kind).toBe('permanent');
  });

  it('spam limits, policy blocks, locks and payment problems stop the channel', () => {
    for (const code of [131048, 368, 131031, 131042]) expect(classifyGraphError({ httpStatus: 403, code })).toEqual({ kind: 'blocked', retryable: false });
  });

  it('5xx, timeouts and network errors are transient and may have sent', () => {
    expect(classifyGraphError({ httpStatus: 503 })).toMatchObject({ kind: 'transient', retryable: true, mayHaveSent: true });
    expect(classifyGraphError({ httpStatus: 500, code: 131000 })).toMatchObject({ kind: 'transient', mayHaveSent: true });
    expect(classifyGraphError({ transport: 'timeout' })).toMatchObject({ kind: 'transient', mayHaveSent: true });
    expect(classifyGraphError({ transport: 'network' })).toMatchObject({ kind: 'transient', mayHaveSent: true });
    expect(classifyGraphError({ httpStatus: 502, code: 987654 })).toMatchObject({ kind: 'transient', mayHaveSent: true });
  });

  it('a known transient code with HTTP 400 (code 1) is retried without the may-have-sent flag', () => {
    const c = classifyGraphError({ httpStatus: 400, code: 1 });
    expect(c).toMatchObject({ kind: 'transient', retryable: true });
    expect(c.mayHaveSent).toBeUndefined();
  });

  it('131057 (maintenance) is retried in minutes', () => {
    expect(classifyGraphError({ httpStatus: 500, code: 131057 })).toMatchObject({ kind: 'transient', backoff: { baseMs: 60_000 } });
  });

  it('template and parameter errors are permanent', () => {
    for (const code of [132000, 132001, 132012, 132015, 100, 131008, 131009, 131051]) {
      expect(classifyGraphError({ httpStatus: 400, code })).toEqual({ kind: 'permanent', retryable: false });
    }
  });

  it('without a code the status decides: 429 throttles, 401 is the token, other 4xx permanent', () => {
    expect(classifyGraphError({ httpStatus: 429 })).toMatchObject({ kind: 'throttled', throttleScope: 'phone_number' });
    expect(classifyGraphError({ httpStatus: 401 }).kind).toBe('token');
    expect(classifyGraphError({ httpStatus: 404 }).kind).toBe('permanent');
    expect(classifyGraphError({}).kind).toBe('permanent');
  });

  it('a failed status webhook is classified by its code alone', () => {
    expect(classifyGraphError({ code: 131049 }).kind).toBe('marketing_limit');
  });

  it('every retryable class carries a backoff, and no other does', () => {
    const inputs = [{ code: 130429 }, { code: 131056 }, { code: 190 }, { code: 131049 }, { httpStatus: 500 }, { transport: 'timeout' as const }, { code: 132000 }];
    for (const i of inputs) {
      const c = classifyGraphError(i);
      expect(c.backoff !== undefined).toBe(c.retryable);
    }
  });
});
