import { describe, expect, it } from 'vitest';
import { countStep } from './counting';

function run(kind: 'cumulative' | 'every', n: number, events: number): boolean[] {
  let count = 0;
  return Array.from({ length: events }, () => {
    const step = countStep(count, kind, n);
    count = step.count;
    return step.qualifies;
  });
}

describe('counting', () => {
  it('cumulative N reaches the user once, at the Nth event', () => {
    expect(run('cumulative', 3, 7)).toEqual([false, false, true, false, false, false, false]);
  });
  it('cumulative 1 reaches the user at the first event only', () => {
    expect(run('cumulative', 1, 3)).toEqual([true, false, false]);
  });
  it('every N reaches the user at each multiple of N', () => {
    expect(run('every', 3, 7)).toEqual([false, false, true, false, false, true, false]);
  });
  it('every 1 reaches the user at every event', () => {
    expect(run('every', 1, 3)).toEqual([true, true, true]);
  });
  it('returns the count including this event', () => {
    expect(countStep(4, 'every', 5)).toEqual({ count: 5, qualifies: true });
  });
});
