import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff';

const policy = { baseMs: 1000, maxMs: 10_000 };

describe('backoff delay', () => {
  it('the first retry waits between half the base and the base', () => {
    expect(backoffDelay(1, policy, () => 0)).toBe(500);
    expect(backoffDelay(1, policy, () => 0.999999)).toBe(1000);
  });

  it('doubles per attempt by default', () => {
    expect(backoffDelay(2, policy, () => 0.999999)).toBe(2000);
    expect(backoffDelay(3, policy, () => 0.999999)).toBe(4000);
  });

  it('never exceeds the maximum, even at absurd attempts', () => {
    expect(backoffDelay(5, policy, () => 0.999999)).toBe(10_000);
    expect(backoffDelay(10_000, policy, () => 0.999999)).toBe(10_000);
    expect(backoffDelay(10_000, policy, () => 0)).toBe(5000);
  });

  it('takes another growth factor', () => {
    expect(backoffDelay(3, { baseMs: 4000, maxMs: 1e9, factor: 4 }, () => 0.999999)).toBe(64_000);
  });

  it('treats attempt 0 or below as the first retry and clamps a bad random', () => {
    expect(backoffDelay(0, policy, () => 0)).toBe(500);
    expect(backoffDelay(1, policy, () => 7)).toBe(1000);
    expect(backoffDelay(1, policy, () => -1)).toBe(500);
  });
});
