import { parsePhoneNumberWithError, ParseError } from 'libphonenumber-js/max';
import { err, ok, type Result } from '../shared/result';

/**
 * Normalises a WhatsApp phone number to E.164. Numbers must carry their country code: `+` or a leading
 * `00` (turned into `+` first — parsed as-is, libphonenumber would read `0086…` with a default country
 * and give a wrong number). Validity uses the full metadata (`/max`), so a number of the right length
 * but an unassigned range is refused with the reason.
 */
export function normalisePhone(input: string): Result<string, string> {
  const raw = input.trim().replace(/[\s().-]/g, '');
  if (raw === '') return err('is empty');
  const candidate = raw.startsWith('00') ? `+${raw.slice(2)}` : raw;
  if (!candidate.startsWith('+')) return err('must start with + or 00 and the country code (E.164)');
  if (!/^\+\d{6,16}$/.test(candidate)) return err('must be + followed by 6 to 15 digits');
  try {
    const parsed = parsePhoneNumberWithError(candidate);
    if (!parsed.isValid()) return err(`is not a valid phone number for ${parsed.country ?? 'its country code'}`);
    return ok(parsed.number);
  } catch (e) {
    if (e instanceof ParseError) return err(`is not a phone number (${e.message.toLowerCase().replace(/_/g, ' ')})`);
    throw e;
  }
}

/** The digits Meta expects in `to` and sends back as `wa_id`: E.164 without the `+`. */
export const phoneToWaId = (e164: string): string => e164.replace(/^\+/, '');
export const waIdToPhone = (waId: string): string => (waId.startsWith('+') ? waId : `+${waId}`);
