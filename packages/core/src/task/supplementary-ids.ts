/**
 * Supplementary IDs: testers' WhatsApp numbers added to every run. They must be valid international
 * numbers (`+` or `00` and the country code) and are stored in E.164, normalised by the customer
 * module's `normalisePhone` so a tester and a profile with the same number match.
 */
import { z } from 'zod';
import { normalisePhone } from '../customer/phone';

export const MAX_SUPPLEMENTARY_IDS = 100;

const supplementaryIdSchema = z.string({ error: 'Enter a phone number' }).transform((raw, ctx) => {
  const phone = normalisePhone(raw);
  if (!phone.ok) {
    ctx.addIssue({ code: 'custom', message: `"${raw}" ${phone.error}` });
    return z.NEVER;
  }
  return phone.value;
});

/** Errors name the index (`audience.supplementaryIds.2`); duplicates after normalising are merged. */
export const supplementaryIdsSchema = z
  .array(supplementaryIdSchema)
  .max(MAX_SUPPLEMENTARY_IDS, `At most ${MAX_SUPPLEMENTARY_IDS} supplementary IDs`)
  .transform((ids) => [...new Set(ids)]);
