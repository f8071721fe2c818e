import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/** Digits after the country code below which a number cannot receive SMS reliably. */
export const MIN_NATIONAL_DIGITS = 7;

/**
 * An international phone number (libphonenumber-js with full metadata): valid for its country and
 * at least MIN_NATIONAL_DIGITS national digits. Returns E.164, or null when not valid.
 */
export function parsePhone(input: string): string | null {
  if (!input.trim().startsWith('+')) return null;
  const p = parsePhoneNumberFromString(input);
  if (!p || !p.isValid() || p.nationalNumber.length < MIN_NATIONAL_DIGITS) return null;
  return p.number;
}
