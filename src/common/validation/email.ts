/**
 * Email syntax, worded as the Python `email-validator` package (2.x) words it, since two of the
 * seed documents show its messages. Syntax only: no DNS. Returns the reason, or null when valid.
 */
const ATEXT = "a-zA-Z0-9_!#\\$%&'\\*\\+\\-/=\\?\\^`\\{\\|\\}~";
const ATEXT_INTL_RE = new RegExp(`^[.${ATEXT}\\u0080-\\u{10FFFF}]$`, 'u');
const DOT_ATOM_TEXT = new RegExp(`^[${ATEXT}]+(?:\\.[${ATEXT}]+)*$`);
const DOT_ATOM_TEXT_INTL = new RegExp(`^[${ATEXT}\\u0080-\\u{10FFFF}]+(?:\\.[${ATEXT}\\u0080-\\u{10FFFF}]+)*$`, 'u');
const ATEXT_HOSTNAME_INTL = /^[a-zA-Z0-9\-.\u0080-\u{10FFFF}]$/u;
const HOSTNAME_LABEL = '(?:[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]|[a-zA-Z0-9])';
const DOT_ATOM_TEXT_HOSTNAME = new RegExp(`^${HOSTNAME_LABEL}(?:\\.${HOSTNAME_LABEL})*$`);
const DOMAIN_NAME_REGEX = /[A-Za-z]$/;
const EMAIL_MAX_LENGTH = 254;
const LOCAL_PART_MAX_LENGTH = 64;
const DOMAIN_MAX_LENGTH = 253;
const DNS_LABEL_LENGTH_LIMIT = 63;
const SPECIAL_USE_DOMAIN_NAMES = ['arpa', 'invalid', 'local', 'localhost', 'onion', 'test'];

/** Python's repr() of one character, as email-validator lists offending characters. */
function pyRepr(c: string): string {
  if (c === "'") return `"'"`;
  if (c === '\\') return "'\\\\'";
  const code = c.codePointAt(0)!;
  const escapes: Record<number, string> = { 9: '\\t', 10: '\\n', 13: '\\r' };
  if (escapes[code]) return `'${escapes[code]}'`;
  if (code < 0x20 || code === 0x7f) return `'\\x${code.toString(16).padStart(2, '0')}'`;
  return `'${c}'`;
}

function lengthReason(s: string, limit: number): string {
  const diff = [...s].length - limit;
  return `(${diff} character${diff > 1 ? 's' : ''} too many)`;
}

function dotAtomProblem(label: string, start: string, end: string, hostname: boolean): string | null {
  if (label.endsWith('.')) return end.replace('{}', 'period');
  if (label.startsWith('.')) return start.replace('{}', 'period');
  if (label.includes('..')) return 'An email address cannot have two periods in a row.';
  if (hostname) {
    if (label.endsWith('-')) return end.replace('{}', 'hyphen');
    if (label.startsWith('-')) return start.replace('{}', 'hyphen');
    if (label.includes('.-') || label.includes('-.')) return 'An email address cannot have a period and a hyphen next to each other.';
  }
  return null;
}

function unsafeChars(s: string): string | null {
  const bad = [...s].filter((c, i) => /[\p{Z}\p{C}]/u.test(c) || (i === 0 && /\p{M}/u.test(c)));
  return bad.length ? `The email address contains unsafe characters: ${[...new Set(bad)].sort().map(pyRepr).join(', ')}.` : null;
}

function localPartProblem(local: string): string | null {
  if (local.length === 0) return 'There must be something before the @-sign.';
  if ([...local].length > LOCAL_PART_MAX_LENGTH) return `The email address is too long before the @-sign ${lengthReason(local, LOCAL_PART_MAX_LENGTH)}.`;
  if (DOT_ATOM_TEXT.test(local)) return null;
  if (DOT_ATOM_TEXT_INTL.test(local)) return unsafeChars(local.normalize('NFC'));
  const bad = [...new Set([...local].filter((c) => !ATEXT_INTL_RE.test(c)).map(pyRepr))].sort();
  if (bad.length) return `The email address contains invalid characters before the @-sign: ${bad.join(', ')}.`;
  return dotAtomProblem(local, 'An email address cannot start with a {}.', 'An email address cannot have a {} immediately before the @-sign.', false) ?? 'The email address contains invalid characters before the @-sign.';
}

function domainProblem(rawDomain: string): string | null {
  if (rawDomain.length === 0) return 'There must be something after the @-sign.';
  const bad = [...new Set([...rawDomain].filter((c) => !ATEXT_HOSTNAME_INTL.test(c)).map(pyRepr))].sort();
  if (bad.length) return `The part after the @-sign contains invalid characters: ${bad.join(', ')}.`;
  const unsafe = unsafeChars(rawDomain);
  if (unsafe) return unsafe;
  const domain = rawDomain.normalize('NFC').toLowerCase();
  const dot = dotAtomProblem(domain, 'An email address cannot have a {} immediately after the @-sign.', 'An email address cannot end with a {}.', true);
  if (dot) return dot;
  for (const label of domain.split('.')) {
    if (/^(?!xn)..--/i.test(label)) return 'An email address cannot have two letters followed by two dashes immediately after the @-sign or after a period, except Punycode.';
  }
  let ascii = domain;
  if (!DOT_ATOM_TEXT_HOSTNAME.test(domain)) {
    ascii = new URL(`http://${domain}`).hostname;
    if (!ascii || !DOT_ATOM_TEXT_HOSTNAME.test(ascii)) return 'The email address contains invalid characters after the @-sign after IDNA encoding.';
  }
  if (ascii.length > DOMAIN_MAX_LENGTH) return `The email address is too long after the @-sign ${lengthReason(ascii, DOMAIN_MAX_LENGTH)}.`;
  for (const label of ascii.split('.')) {
    if (label.length > DNS_LABEL_LENGTH_LIMIT) return `After the @-sign, periods cannot be separated by so many characters ${lengthReason(label, DNS_LABEL_LENGTH_LIMIT)}.`;
  }
  if (!ascii.includes('.')) return 'The part after the @-sign is not valid. It should have a period.';
  if (!DOMAIN_NAME_REGEX.test(ascii)) return 'The part after the @-sign is not valid. It is not within a valid top-level domain.';
  if (SPECIAL_USE_DOMAIN_NAMES.some((d) => ascii === d || ascii.endsWith(`.${d}`))) return 'The part after the @-sign is a special-use or reserved name that cannot be used with email.';
  return null;
}

/** Why `email` is not a valid address, or null. */
export function emailProblem(email: string): string | null {
  const at = email.lastIndexOf('@');
  if (at < 0) return 'An email address must have an @-sign.';
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  const problem = localPartProblem(local) ?? domainProblem(domain);
  if (problem) return problem;
  if ([...email].length > EMAIL_MAX_LENGTH) return `The email address is too long ${lengthReason(email, EMAIL_MAX_LENGTH)}.`;
  return null;
}
