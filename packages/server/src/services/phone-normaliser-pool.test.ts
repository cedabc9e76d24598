import { describe, expect, it } from 'vitest';
import { normalisePhones } from './phone-batch';
import { createPhoneNormaliserPool } from './phone-normaliser-pool';

/** 1,000 raw numbers with a refused one every 97 lines, so refusals fall in every slice of a batch. */
const batch = (b: number) =>
  Array.from({ length: 1000 }, (_, i) => (i % 97 === 3 ? `bad-${b}-${i}` : i % 2 ? `+86 139 ${String(b * 1000 + i).padStart(8, '0')}` : `0086139${String(b * 1000 + i).padStart(8, '0')}`));

describe('phone normaliser pool', () => {
  it('answers each batch as core does, also batches that waited for the worker', async () => {
    const pool = createPhoneNormaliserPool(1);
    try {
      // More batches than a worker is sent at once: the others wait their turn.
      const raws = Array.from({ length: 6 }, (_, b) => batch(b));
      const outs = await Promise.all(raws.map((raw) => pool.normalise(raw)));
      outs.forEach((out, b) => expect(out).toEqual(normalisePhones(raws[b]!)));
      expect(outs[0]!.refused[1]).toEqual([100, 'bad-0-100', expect.any(String)]);
    } finally {
      await pool.close();
    }
  });

  it('normalises on the main thread without workers, and finishes the batches of a worker that ended', async () => {
    const inline = createPhoneNormaliserPool(0);
    expect(await inline.normalise(batch(7))).toEqual(normalisePhones(batch(7)));

    const pool = createPhoneNormaliserPool(1);
    const pending = [pool.normalise(batch(8)), pool.normalise(batch(9))];
    await pool.close();
    expect(await Promise.all(pending)).toEqual([normalisePhones(batch(8)), normalisePhones(batch(9))]);
  });
});
