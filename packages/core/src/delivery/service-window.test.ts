import { describe, expect, it } from 'vitest';
import { marketingHoldActive, serviceWindowClosesAt, serviceWindowOpen } from './service-window';

const T = Date.parse('2025-06-01T10:00:00Z');
const H = 3_600_000;

describe('24-hour customer-service window', () => {
  it('is open one millisecond before 24 hours and closed at exactly 24 hours', () => {
    expect(serviceWindowOpen(T, T + 24 * H - 1)).toBe(true);
    expect(serviceWindowOpen(T, T + 24 * H)).toBe(false);
  });

  it('is closed for a user who never wrote', () => {
    expect(serviceWindowOpen(null, T)).toBe(false);
    expect(serviceWindowOpen(undefined, T)).toBe(false);
    expect(serviceWindowClosesAt(null)).toBeNull();
  });

  it('counts an inbound time slightly ahead of now (clock skew) as open', () => {
    expect(serviceWindowOpen(T + 1000, T)).toBe(true);
  });
});

describe('marketing hold after 131049', () => {
  it('holds for 24 hours and lifts at exactly 24 hours', () => {
    expect(marketingHoldActive(T, T + 24 * H - 1)).toBe(true);
    expect(marketingHoldActive(T, T + 24 * H)).toBe(false);
    expect(marketingHoldActive(null, T)).toBe(false);
  });
});
