/**
 * How Meta turns the `to` field into a WhatsApp id (NOTES 1.1): punctuation is ignored, and a number without
 * a leading + is read as national to the *business* number's country, so its country code is prepended.
 */
const TWO_DIGIT_CODES = new Set([
  '20', '27', '30', '31', '32', '33', '34', '36', '39', '40', '41', '43', '44', '45', '46', '47', '48', '49', '51', '52',
  '53', '54', '55', '56', '57', '58', '60', '61', '62', '63', '64', '65', '66', '81', '82', '84', '86', '90', '91', '92',
  '93', '94', '95', '98',
]);

/** ITU calling code at the start of an international number given as digits (1, 2 or 3 digits long). */
export function callingCodeOf(digits: string): string {
  const first = digits.charAt(0);
  if (first === '1' || first === '7') return first;
  const two = digits.slice(0, 2);
  return TWO_DIGIT_CODES.has(two) ? two : digits.slice(0, 3);
}

export function digitsOf(text: string): string {
  return text.replace(/\D/g, '');
}

/** The wa_id for a `to` value, or undefined when it cannot be a phone number. */
export function recipientWaId(to: string, businessDigits: string, mode: 'meta' | 'digits'): string | undefined {
  const trimmed = to.trim();
  if (!/^\+?[\d\s\-().]+$/.test(trimmed)) return undefined;
  let digits = digitsOf(trimmed);
  if (mode === 'meta' && !trimmed.startsWith('+')) digits = callingCodeOf(businessDigits) + digits;
  if (digits.length < 7 || digits.length > 15) return undefined;
  return digits;
}
