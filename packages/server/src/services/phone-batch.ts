import { normalisePhone } from '@wareach/core/customer/phone';

/**
 * A batch of raw numbers after core's `normalisePhone`, shaped to stay small: a CSV upload keeps a few
 * batches waiting for the database, and an object per line kept that long outlives V8's young
 * generation, so a million lines would pile up in the old one until a full collection.
 */
export interface NormalisedPhones {
  /** The E.164 numbers in input order joined by '\n' ('' for a refused entry): one string for the batch. */
  numbers: string;
  /** The refused entries only: index in the batch, raw text, and why. */
  refused: [index: number, raw: string, reason: string][];
}

/** Imports nothing but core's phone rules, so the worker thread that runs it loads little. */
export function normalisePhones(raw: readonly string[]): NormalisedPhones {
  const numbers = new Array<string>(raw.length);
  const refused: NormalisedPhones['refused'] = [];
  for (let i = 0; i < raw.length; i++) {
    const r = normalisePhone(raw[i]!);
    if (r.ok) numbers[i] = r.value;
    else {
      numbers[i] = '';
      refused.push([i, raw[i]!, r.error]);
    }
  }
  return { numbers: numbers.join('\n'), refused };
}
