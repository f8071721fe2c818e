import { domainToUnicode } from 'node:url';

/**
 * Email syntax, worded as pydantic's EmailStr words it: pydantic's own pre-processing (length cap,
 * `Name <address>` form, surrounding whitespace) and then the Python `email-validator` package (2.x,
 * with pydantic's options: no quoted local parts, no domain literals, no display names, no DNS).
 * The seed documents show its messages, so the wording and the order of the checks follow it.
 */
const ATEXT = "a-zA-Z0-9_!#\\$%&'\\*\\+\\-/=\\?\\^`\\{\\|\\}~";
const ATEXT_INTL_RE = new RegExp(`^[.${ATEXT}\\u0080-\\u{10FFFF}]$`, 'u');
const DOT_ATOM_TEXT = new RegExp(`^[${ATEXT}]+(?:\\.[${ATEXT}]+)*$`);
const DOT_ATOM_TEXT_INTL = new RegExp(`^[${ATEXT}\\u0080-\\u{10FFFF}]+(?:\\.[${ATEXT}\\u0080-\\u{10FFFF}]+)*$`, 'u');
const QTEXT_INTL = /^[\x20\x21\x23-\x5b\x5d-\x7e\u0080-\u{10FFFF}]$/u;
const ATEXT_HOSTNAME_INTL = /^[a-zA-Z0-9\-.\u0080-\u{10FFFF}]$/u;
const HOSTNAME_LABEL = '(?:[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]|[a-zA-Z0-9])';
const DOT_ATOM_TEXT_HOSTNAME = new RegExp(`^${HOSTNAME_LABEL}(?:\\.${HOSTNAME_LABEL})*$`);
const DOMAIN_LITERAL_CHARS = /^[\u0021-\u005a\u005e-\u007e]$/u;
const DOMAIN_NAME_REGEX = /[A-Za-z]$/;
const EMAIL_MAX_LENGTH = 254;
const LOCAL_PART_MAX_LENGTH = 64;
const DOMAIN_MAX_LENGTH = 255;
const DNS_LABEL_LENGTH_LIMIT = 63;
const SPECIAL_USE_DOMAIN_NAMES = ['arpa', 'invalid', 'local', 'localhost', 'onion', 'test'];
/** pydantic's cap, checked before email-validator runs. */
const PYDANTIC_MAX_EMAIL_LENGTH = 2048;
/** RFC 2142 mailbox names email-validator lower-cases. */
const CASE_INSENSITIVE_MAILBOX_NAMES = [
  'info',
  'marketing',
  'sales',
  'support',
  'abuse',
  'noc',
  'security',
  'postmaster',
  'hostmaster',
  'usenet',
  'news',
  'webmaster',
  'www',
  'uucp',
  'ftp',
];

/** Unicode names of the characters outside L/N/P/S that an address may plausibly carry. */
const CHARACTER_NAMES: Record<number, string> = {
  0x20: 'SPACE',
  0xa0: 'NO-BREAK SPACE',
  0xad: 'SOFT HYPHEN',
  0x1680: 'OGHAM SPACE MARK',
  0x2000: 'EN QUAD',
  0x2001: 'EM QUAD',
  0x2002: 'EN SPACE',
  0x2003: 'EM SPACE',
  0x2004: 'THREE-PER-EM SPACE',
  0x2005: 'FOUR-PER-EM SPACE',
  0x2006: 'SIX-PER-EM SPACE',
  0x2007: 'FIGURE SPACE',
  0x2008: 'PUNCTUATION SPACE',
  0x2009: 'THIN SPACE',
  0x200a: 'HAIR SPACE',
  0x200b: 'ZERO WIDTH SPACE',
  0x200c: 'ZERO WIDTH NON-JOINER',
  0x200d: 'ZERO WIDTH JOINER',
  0x200e: 'LEFT-TO-RIGHT MARK',
  0x200f: 'RIGHT-TO-LEFT MARK',
  0x2028: 'LINE SEPARATOR',
  0x2029: 'PARAGRAPH SEPARATOR',
  0x202a: 'LEFT-TO-RIGHT EMBEDDING',
  0x202b: 'RIGHT-TO-LEFT EMBEDDING',
  0x202c: 'POP DIRECTIONAL FORMATTING',
  0x202d: 'LEFT-TO-RIGHT OVERRIDE',
  0x202e: 'RIGHT-TO-LEFT OVERRIDE',
  0x202f: 'NARROW NO-BREAK SPACE',
  0x205f: 'MEDIUM MATHEMATICAL SPACE',
  0x2060: 'WORD JOINER',
  0x2061: 'FUNCTION APPLICATION',
  0x2062: 'INVISIBLE TIMES',
  0x2063: 'INVISIBLE SEPARATOR',
  0x2064: 'INVISIBLE PLUS',
  0x2066: 'LEFT-TO-RIGHT ISOLATE',
  0x2067: 'RIGHT-TO-LEFT ISOLATE',
  0x2068: 'FIRST STRONG ISOLATE',
  0x2069: 'POP DIRECTIONAL ISOLATE',
  0x3000: 'IDEOGRAPHIC SPACE',
  0xfeff: 'ZERO WIDTH NO-BREAK SPACE',
  0x0300: 'COMBINING GRAVE ACCENT',
  0x0301: 'COMBINING ACUTE ACCENT',
  0x0302: 'COMBINING CIRCUMFLEX ACCENT',
  0x0303: 'COMBINING TILDE',
  0x0304: 'COMBINING MACRON',
  0x0306: 'COMBINING BREVE',
  0x0307: 'COMBINING DOT ABOVE',
  0x0308: 'COMBINING DIAERESIS',
  0x030a: 'COMBINING RING ABOVE',
  0x030c: 'COMBINING CARON',
  0x0327: 'COMBINING CEDILLA',
  0x0328: 'COMBINING OGONEK',
  0x0338: 'COMBINING LONG SOLIDUS OVERLAY',
};

const chars = (s: string): string[] => [...s];
const len = (s: string): number => chars(s).length;

/** Python's repr() of one printable character. */
function pyRepr(c: string): string {
  return c === "'" ? `"'"` : `'${c}'`;
}

/** email-validator's safe_character_display: quoted when printable, else its Unicode name or code. */
function display(c: string): string {
  if (c === '\\') return '"\\"';
  if (/^[\p{L}\p{N}\p{P}\p{S}]$/u.test(c)) return pyRepr(c);
  const code = c.codePointAt(0)!;
  return (
    CHARACTER_NAMES[code] ??
    (code < 0xffff ? `U+${code.toString(16).toUpperCase().padStart(4, '0')}` : `U+${code.toString(16).toUpperCase().padStart(8, '0')}`)
  );
}

const listed = (set: Iterable<string>): string => [...new Set(set)].sort().join(', ');

class EmailSyntaxError extends Error {}

function fail(reason: string): never {
  throw new EmailSyntaxError(reason);
}

function lengthReason(s: string, limit: number): string {
  const diff = len(s) - limit;
  return `(${diff} character${diff > 1 ? 's' : ''} too many)`;
}

function checkUnsafeChars(s: string, allowSpace = false): void {
  const bad = chars(s).filter((c, i) => {
    if (/\p{M}/u.test(c)) return i === 0;
    if (/\p{Zs}/u.test(c)) return !allowSpace;
    return /[\p{Z}\p{C}]/u.test(c);
  });
  if (bad.length) fail(`The email address contains unsafe characters: ${[...new Set(bad)].sort().map(display).join(', ')}.`);
}

function checkDotAtom(label: string, start: string, end: string, hostname: boolean): void {
  if (label.endsWith('.')) fail(end.replace('{}', 'period'));
  if (label.startsWith('.')) fail(start.replace('{}', 'period'));
  if (label.includes('..')) fail('An email address cannot have two periods in a row.');
  if (hostname) {
    if (label.endsWith('-')) fail(end.replace('{}', 'hyphen'));
    if (label.startsWith('-')) fail(start.replace('{}', 'hyphen'));
    if (label.includes('.-') || label.includes('-.')) fail('An email address cannot have a period and a hyphen next to each other.');
  }
}

/** Splits at the first `@` (or `<`) outside quotes and not combined with the next character. */
function splitAtUnquotedSpecial(text: string, specials: string[]): [string, string] {
  const cs = chars(text);
  let inside = false;
  let escaped = false;
  let left = '';
  for (let i = 0; i < cs.length; i++) {
    const c = cs[i];
    // Only the combining marks right after c can change it under NFC: a bounded window keeps this linear.
    if (
      chars(
        cs
          .slice(i, i + 32)
          .join('')
          .normalize('NFC'),
      )[0] !== c
    )
      left += c;
    else if (inside) {
      left += c;
      if (c === '\\' && !escaped) escaped = true;
      else if (c === '"' && !escaped) {
        inside = false;
        escaped = false;
      } else escaped = false;
    } else if (c === '"') {
      left += c;
      inside = true;
    } else if (specials.includes(c)) break;
    else left += c;
  }
  if (left.length === text.length) fail('An email address must have an @-sign.');
  return [left, text.slice(left.length)];
}

function unquote(text: string): [string, boolean] {
  const cs = chars(text);
  let quoted = false;
  let escaped = false;
  let value = '';
  for (let i = 0; i < cs.length; i++) {
    const c = cs[i];
    if (quoted) {
      if (escaped) {
        value += c;
        escaped = false;
      } else if (c === '\\') escaped = true;
      else if (c === '"') {
        if (i !== cs.length - 1)
          fail(
            `Extra character(s) found after close quote: ${cs
              .slice(i + 1)
              .map(display)
              .join(', ')}`,
          );
        break;
      } else value += c;
    } else if (i === 0 && c === '"') quoted = true;
    else value += c;
  }
  return [value, quoted];
}

function splitEmail(email: string): { displayName: string | null; local: string; domain: string; quoted: boolean } {
  let [left, right] = splitAtUnquotedSpecial(email, ['@', '<']);
  let displayName: string | null = null;
  let local: string;
  let domain: string;
  if (right.startsWith('<')) {
    left = left.trimEnd();
    const [name, nameQuoted] = unquote(left);
    displayName = name;
    if (!nameQuoted) {
      const bad = chars(name).filter((c) => (!new RegExp(`^[${ATEXT}]$`).test(c) && c !== ' ') || c === '.');
      if (bad.length) fail(`The display name contains invalid characters when not quoted: ${listed(bad.map(display))}.`);
    }
    checkUnsafeChars(name, true);
    if (!right.includes('>'))
      fail('An open angle bracket at the start of the email address has to be followed by a close angle bracket at the end.');
    right = right.replace(/ +$/, '');
    if (!right.endsWith('>')) fail("There can't be anything after the email address.");
    [local, domain] = splitAtUnquotedSpecial(right.slice(1).replace(/>+$/, ''), ['@']);
  } else {
    [local, domain] = [left, right];
  }
  if (domain.startsWith('@')) domain = domain.slice(1);
  const [unquoted, quoted] = unquote(local);
  return { displayName, local: unquoted, domain, quoted };
}

/** The local part, normalized; throws with email-validator's reason. */
function validateLocalPart(local: string, quoted: boolean): string {
  if (local.length === 0) fail('There must be something before the @-sign.');
  if (len(local) > LOCAL_PART_MAX_LENGTH)
    fail(`The email address is too long before the @-sign ${lengthReason(local, LOCAL_PART_MAX_LENGTH)}.`);
  if (DOT_ATOM_TEXT.test(local)) return local;
  let valid: 'dot-atom' | 'quoted' | null = null;
  if (DOT_ATOM_TEXT_INTL.test(local)) valid = 'dot-atom';
  else if (quoted) {
    const bad = chars(local).filter((c) => !QTEXT_INTL.test(c));
    if (bad.length) fail(`The email address contains invalid characters in quotes before the @-sign: ${listed(bad.map(display))}.`);
    valid = 'quoted';
  }
  if (valid) {
    const normalized = local.normalize('NFC');
    checkUnsafeChars(normalized, valid === 'quoted');
    return normalized;
  }
  const bad = chars(local).filter((c) => !ATEXT_INTL_RE.test(c));
  if (bad.length) fail(`The email address contains invalid characters before the @-sign: ${listed(bad.map(display))}.`);
  checkDotAtom(
    local,
    'An email address cannot start with a {}.',
    'An email address cannot have a {} immediately before the @-sign.',
    false,
  );
  return fail('The email address contains invalid characters before the @-sign.');
}

/** Python's ipaddress.IPv4Address parse errors, as email-validator quotes them. */
function ipv4Problem(s: string): string | null {
  const octets = s.split('.');
  const whole = `in '${s}'`;
  if (octets.length !== 4) return `Expected 4 octets ${whole}`;
  for (const o of octets) {
    if (o === '') return `Empty octet not permitted ${whole}`;
    if (o.length > 3) return `At most 3 characters permitted in '${o}' ${whole}`;
    if (o.length > 1 && o.startsWith('0')) return `Leading zeros are not permitted in '${o}' ${whole}`;
    if (Number(o) > 255) return `Octet ${Number(o)} (> 255) not permitted ${whole}`;
  }
  return null;
}

/** Python's ipaddress.IPv6Address parse errors (scope ids aside). */
function ipv6Problem(s: string): string | null {
  if (!s) return 'Address cannot be empty';
  const whole = `in '${s}'`;
  const parts = s.split(':');
  if (parts.length < 3) return `At least 3 parts expected ${whole}`;
  if (parts[parts.length - 1].includes('.')) {
    const v4 = parts.pop()!;
    const problem = ipv4Problem(v4);
    if (problem) return `${problem} ${whole}`;
    parts.push('0', '0');
  }
  if (parts.length > 9) return `At most 8 colons permitted ${whole}`;
  let skip: number | null = null;
  for (let i = 1; i < parts.length - 1; i++) {
    if (parts[i]) continue;
    if (skip !== null) return `At most one '::' permitted ${whole}`;
    skip = i;
  }
  let hi: number;
  let lo: number;
  if (skip !== null) {
    hi = skip;
    lo = parts.length - skip - 1;
    if (!parts[0] && --hi) return `Leading ':' only permitted as part of '::' ${whole}`;
    if (!parts[parts.length - 1] && --lo) return `Trailing ':' only permitted as part of '::' ${whole}`;
    if (8 - (hi + lo) < 1) return `Expected at most 7 other parts with '::' ${whole}`;
  } else {
    if (parts.length !== 8) return `Exactly 8 parts expected without '::' ${whole}`;
    if (!parts[0]) return `Leading ':' only permitted as part of '::' ${whole}`;
    if (!parts[parts.length - 1]) return `Trailing ':' only permitted as part of '::' ${whole}`;
    hi = parts.length;
    lo = 0;
  }
  for (const hextet of [...parts.slice(0, hi), ...parts.slice(parts.length - lo)]) {
    if (!/^[0-9a-fA-F]*$/.test(hextet)) return `Only hex digits permitted in '${hextet}' ${whole}`;
    if (hextet.length > 4) return `At most 4 characters permitted in '${hextet}' ${whole}`;
  }
  return null;
}

/** A bracketed domain literal: never allowed here, worded by what it would have been. */
function rejectDomainLiteral(literal: string): never {
  if (/^[0-9.]+$/.test(literal)) {
    const problem = ipv4Problem(literal);
    if (problem)
      fail(
        `The address in brackets after the @-sign is not valid: It is not an IPv4 address (${problem}) or is missing an address literal tag.`,
      );
    fail('A bracketed IPv4 address after the @-sign is not allowed here.');
  }
  if (literal.startsWith('IPv6:')) {
    const problem = ipv6Problem(literal.slice(5));
    if (problem) fail(`The IPv6 address in brackets after the @-sign is not valid (${problem}).`);
    fail('A bracketed IPv6 address after the @-sign is not allowed here.');
  }
  if (!literal.includes(':')) fail('The part after the @-sign in brackets is not an IPv4 address and has no address literal tag.');
  const bad = chars(literal).filter((c) => !DOMAIN_LITERAL_CHARS.test(c));
  if (bad.length) fail(`The part after the @-sign contains invalid characters in brackets: ${listed(bad.map(display))}.`);
  return fail('The part after the @-sign contains an invalid address literal tag in brackets.');
}

/** The domain, normalized (lower case, Unicode form); throws with email-validator's reason. */
function validateDomainName(rawDomain: string): { ascii: string; display: string } {
  const bad = chars(rawDomain).filter((c) => !ATEXT_HOSTNAME_INTL.test(c));
  if (bad.length) fail(`The part after the @-sign contains invalid characters: ${listed(bad.map(display))}.`);
  checkUnsafeChars(rawDomain);
  // UTS-46 remapping: case folding, NFC, and the ideographic/fullwidth full stops as periods.
  const domain = rawDomain
    .normalize('NFC')
    .toLowerCase()
    .replace(/[\u3002\uff0e\uff61]/g, '.');
  checkDotAtom(domain, 'An email address cannot have a {} immediately after the @-sign.', 'An email address cannot end with a {}.', true);
  for (const label of domain.split('.')) {
    if (/^(?!xn)..--/i.test(label))
      fail(
        'An email address cannot have two letters followed by two dashes immediately after the @-sign or after a period, except Punycode.',
      );
  }
  let ascii = domain;
  if (!DOT_ATOM_TEXT_HOSTNAME.test(domain)) {
    try {
      ascii = new URL(`http://${domain}`).hostname;
    } catch {
      fail('The part after the @-sign contains invalid characters (Codepoint not allowed).');
    }
    if (!ascii || !DOT_ATOM_TEXT_HOSTNAME.test(ascii))
      fail('The email address contains invalid characters after the @-sign after IDNA encoding.');
  }
  if (ascii.length > DOMAIN_MAX_LENGTH) fail(`The email address is too long after the @-sign ${lengthReason(ascii, DOMAIN_MAX_LENGTH)}.`);
  for (const label of ascii.split('.')) {
    if (label.length > DNS_LABEL_LENGTH_LIMIT)
      fail(`After the @-sign, periods cannot be separated by so many characters ${lengthReason(label, DNS_LABEL_LENGTH_LIMIT)}.`);
  }
  if (!ascii.includes('.')) fail('The part after the @-sign is not valid. It should have a period.');
  if (!DOMAIN_NAME_REGEX.test(ascii)) fail('The part after the @-sign is not valid. It is not within a valid top-level domain.');
  if (SPECIAL_USE_DOMAIN_NAMES.some((d) => ascii === d || ascii.endsWith(`.${d}`)))
    fail('The part after the @-sign is a special-use or reserved name that cannot be used with email.');
  // An ASCII domain may already be IDNA: its A-labels must decode.
  const unicode = domainToUnicode(ascii);
  if (!unicode) fail('The part after the @-sign is not valid IDNA (Invalid A-label).');
  return { ascii, display: unicode };
}

/** email-validator's validate_email with pydantic's options; returns the normalized address. */
function validateAddress(email: string): string {
  const { displayName, local: rawLocal, domain: rawDomain, quoted } = splitEmail(email);
  if (displayName !== null) fail('A display name and angle brackets around the email address are not permitted here.');
  let local = validateLocalPart(rawLocal, quoted);
  if (quoted) fail('Quoting the part before the @-sign is not allowed here.');
  if (CASE_INSENSITIVE_MAILBOX_NAMES.includes(local.toLowerCase())) local = local.toLowerCase();
  if (rawDomain.length === 0) fail('There must be something after the @-sign.');
  if (rawDomain.startsWith('[') && rawDomain.endsWith(']')) rejectDomainLiteral(rawDomain.slice(1, -1));
  const domain = validateDomainName(rawDomain);
  const normalized = `${local}@${domain.display}`;
  const ascii = [...local].every((c) => c.charCodeAt(0) <= 0x7f) ? `${local}@${domain.ascii}` : null;
  if (ascii !== null && ascii.length > EMAIL_MAX_LENGTH) {
    fail(
      `The email address is too long ${ascii === normalized ? lengthReason(ascii, EMAIL_MAX_LENGTH) : len(normalized) > EMAIL_MAX_LENGTH ? `(at least ${lengthReason(normalized, EMAIL_MAX_LENGTH).slice(1)}` : '(when converted to IDNA ASCII)'}.`,
    );
  }
  if (Buffer.byteLength(normalized) > EMAIL_MAX_LENGTH) {
    fail(
      `The email address is too long ${len(normalized) > EMAIL_MAX_LENGTH ? `(at least ${lengthReason(normalized, EMAIL_MAX_LENGTH).slice(1)}` : '(when encoded in bytes)'}.`,
    );
  }
  return normalized;
}

// pydantic's `Name <address>` form, unwrapped before email-validator sees the address.
const NAME_CHARS = "[\\p{L}\\p{N}_!#$%&'*+\\-/=?^`{|}~]";
const PRETTY_EMAIL = new RegExp(`^\\s*(?:((?:${NAME_CHARS}+\\s+)*${NAME_CHARS}+)|"((?:[^"]|")+)")?\\s*<\\s*(.+)\\s*>\\s*$`, 'u');

/** pydantic EmailStr: the normalized address, or email-validator's reason it is not valid. */
export function parseEmail(input: string): { email: string } | { reason: string } {
  if (input.length > PYDANTIC_MAX_EMAIL_LENGTH) return { reason: `Length must not exceed ${PYDANTIC_MAX_EMAIL_LENGTH} characters` };
  const m = PRETTY_EMAIL.exec(input);
  const address = (m ? m[3] : input).trim();
  const reason = emailProblem(address);
  return reason === null ? { email: validateAddress(address) } : { reason };
}

/** Why `email` (the address itself, no name or surrounding space) is not a valid address, or null. */
export function emailProblem(email: string): string | null {
  try {
    validateAddress(email);
    return null;
  } catch (e) {
    if (e instanceof EmailSyntaxError) return e.message;
    throw e;
  }
}
