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

  it('claims that arrive while a write is in flight go together in the next one, at most maxBatch a write', async () => {
    const calls: string[][] = [];
    const gates: (() => void)[] = [];
    const b = createClaimBatcher((ids) => {
      calls.push(ids);
      return new Promise((resolve) => gates.push(() => resolve(new Set(ids))));
    }, { maxBatch: 3 });
    const first = b.claim('a');
    await new Promise((r) => setImmediate(r));
    expect(calls).toEqual([['a']]);
    const later = ['b', 'c', 'd', 'e'].map((id) => b.claim(id));
    await new Promise((r) => setImmediate(r));
    expect(calls).toHaveLength(1); // the first write is still in flight
    gates[0]!();
    expect(await first).toBe(true);
    expect(calls).toEqual([['a'], ['b', 'c', 'd']]);
    gates[1]!();
    await Promise.all(later.slice(0, 3));
    expect(calls).toEqual([['a'], ['b', 'c', 'd'], ['e']]);
    gates[2]!();
    expect(await Promise.all(later)).toEqual([true, true, true, true]);
  });

  it('a failed write rejects its own callers only; the next batch is still written', async () => {
    let n = 0;
    const b = createClaimBatcher(async (ids) => {
      if (n++ === 0) throw new Error('database gone');
      return new Set(ids);
    });
    const failed = b.claim('a');
    await expect(failed).rejects.toThrow('database gone');
    expect(await b.claim('b')).toBe(true);
  });

  it('while the sends have a reserve, claims wait for minBatch; when it falls they go at once', async () => {
    const calls: string[][] = [];
    let reserve = 10;
    const b = createClaimBatcher(async (ids) => {
      calls.push(ids);
      return new Set(ids);
    }, { minBatch: 3, lowWater: 5, reserve: () => reserve });
    const turn = () => new Promise((r) => setImmediate(r));
    const first = [b.claim('a'), b.claim('b')];
    await turn();
    expect(calls).toEqual([]); // two claims, a reserve of ten: wait for a third
    const third = b.claim('c');
    await turn();
    expect(calls).toEqual([['a', 'b', 'c']]);
    await Promise.all([...first, third]);
    const d = b.claim('d');
    await turn();
    expect(calls).toHaveLength(1);
    reserve = 4;
    b.poke();
    await turn();
    expect(calls).toEqual([['a', 'b', 'c'], ['d']]);
    expect(await d).toBe(true);
  });
});
