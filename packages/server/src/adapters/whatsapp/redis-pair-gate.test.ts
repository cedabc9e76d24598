import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TEST_REDIS_URL } from '../../../test/helpers';
import { inProcessPairGate, PAIR_INTERVAL_MS, type PairGate } from '../../services/dispatcher-flow-control';
import { createRedisPairGate } from './redis-pair-gate';

const gates: [string, () => PairGate][] = [
  ['in-process', () => inProcessPairGate()],
  ['Redis', () => createRedisPairGate(TEST_REDIS_URL, { prefix: `wareach-test:${randomBytes(6).toString('hex')}:pair:` })],
];

describe.each(gates)('%s pair gate', (_name, make) => {
  it('takes free pairs and says when a taken one frees', async () => {
    const g = make();
    try {
      const now = Date.now();
      expect(await g.tryAcquire(['pn|+1', 'pn|+2'], now)).toEqual(new Map());
      const refused = await g.tryAcquire(['pn|+1', 'pn|+3'], now + 10);
      expect([...refused.keys()]).toEqual(['pn|+1']);
      const freeAt = refused.get('pn|+1')!;
      expect(freeAt).toBeGreaterThan(now + 10);
      expect(freeAt).toBeLessThanOrEqual(now + 10 + PAIR_INTERVAL_MS);
    } finally {
      await g.close?.();
    }
  });
});

describe('Redis pair gate shared by two workers', () => {
  it('grants a pair to one of two gates asking at once', async () => {
    const prefix = `wareach-test:${randomBytes(6).toString('hex')}:pair:`;
    const a = createRedisPairGate(TEST_REDIS_URL, { prefix });
    const b = createRedisPairGate(TEST_REDIS_URL, { prefix });
    try {
      const keys = Array.from({ length: 50 }, (_, i) => `pn|+${i}`);
      const [ra, rb] = await Promise.all([a.tryAcquire(keys, Date.now()), b.tryAcquire(keys, Date.now())]);
      // Every pair went to exactly one of them.
      expect(ra.size + rb.size).toBe(50);
      for (const k of keys) expect(ra.has(k) !== rb.has(k)).toBe(true);
    } finally {
      await a.close?.();
      await b.close?.();
    }
  });
});
