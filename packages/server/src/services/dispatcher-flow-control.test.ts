import { describe, expect, it } from 'vitest';
import { createClaimBatcher, createPairRate, createSemaphore, PAIR_INTERVAL_MS } from './dispatcher-flow-control';

describe('pair rate', () => {
  it('a recipient is free again 6 s after its last message from the number, and old pairs are forgotten', () => {
    const p = createPairRate();
    p.sent('n|+1', 1_000);
    expect(p.freeAt('n|+1', 1_000 + PAIR_INTERVAL_MS - 1)).toBe(1_000 + PAIR_INTERVAL_MS);
    expect(p.freeAt('n|+1', 1_000 + PAIR_INTERVAL_MS)).toBe(1_000 + PAIR_INTERVAL_MS);
    expect(p.freeAt('n|+2', 1_000)).toBe(1_000);
    // A later send prunes pairs older than the interval (the map does not grow with a run).
    p.sent('n|+3', 1_000 + PAIR_INTERVAL_MS + 1);
    expect(p.freeAt('n|+1', 1_000 + PAIR_INTERVAL_MS + 1)).toBe(1_000 + PAIR_INTERVAL_MS + 1);
    expect(p.size()).toBe(1);
  });

  it('a run of many recipients keeps only the last interval of pairs; a pair sent again keeps its later send', () => {
    const p = createPairRate();
    for (let i = 0; i < 100_000; i++) p.sent(`n|+${i}`, i); // one a millisecond
    expect(p.size()).toBe(PAIR_INTERVAL_MS);
    // Sent again later: the expiry of its first send does not forget the second.
    p.sent('n|+99999', 100_000);
    p.sent('n|x', 99_999 + PAIR_INTERVAL_MS);
    expect(p.freeAt('n|+99999', 100_001)).toBe(100_000 + PAIR_INTERVAL_MS);
    expect(p.freeAt('n|+99998', 99_998 + PAIR_INTERVAL_MS)).toBe(99_998 + PAIR_INTERVAL_MS);
  });
});

describe('send slots', () => {
  it('at most n holders; waiters get a slot in order as holders release', async () => {
    const s = createSemaphore(2);
    const order: number[] = [];
    await s.acquire();
    await s.acquire();
    const third = s.acquire().then(() => order.push(3));
    const fourth = s.acquire().then(() => order.push(4));
    await Promise.resolve();
    expect(order).toEqual([]);
    s.release();
    await third;
    expect(order).toEqual([3]);
    s.release();
    await fourth;
    expect(order).toEqual([3, 4]);
  });
});

describe('claim batching', () => {
  it('claims made together are one write; each caller learns whether it won its row', async () => {
    const calls: string[][] = [];
    const b = createClaimBatcher(async (ids) => {
      calls.push(ids);
      return new Set(ids.filter((id) => id !== 'taken'));
    });
    const results = await Promise.all(['a', 'taken', 'c'].map((id) => b.claim(id)));
    expect(results).toEqual([true, false, true]);
    expect(calls).toEqual([['a', 'taken', 'c']]);
  });
});
