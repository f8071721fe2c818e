import { emailProblem, parseEmail } from './email';
import { parsePhone } from './phone';
import { parseUuid } from './uuid';

// Cases and messages of email-validator 2.x's own test suite (tests/test_syntax.py), plus pydantic's
// EmailStr pre-processing; the hidden reference for the Infermedica-style profile.
const LONG =
  '1111111111222222222233333333334444444444555555555.6666666666777777777788888888889999999999000000000.1111111111222222222233333333334444444444555555555.6666666666777777777788888888889999999999000000000.';
describe('emailProblem (email-validator 2.x wording)', () => {
  it.each([
    ['user@example.net', null],
    ['first.last+tag@sub.example.org', null],
    ['!#$%&`*+/=?^`{|}~@iana.org', null],
    ['test@g--a.com', null],
    ['üser@bücher.de', null],
    ['user@example', 'The part after the @-sign is not valid. It should have a period.'],
    ['@example.net', 'There must be something before the @-sign.'],
    ['user.example.net', 'An email address must have an @-sign.'],
    ['user@', 'There must be something after the @-sign.'],
    ['my@localhost', 'The part after the @-sign is not valid. It should have a period.'],
    ['my@.leadingdot.com', 'An email address cannot have a period immediately after the @-sign.'],
    ['my@\uff0eleadingfwdot.com', 'An email address cannot have a period immediately after the @-sign.'],
    ['my@twodots..com', 'An email address cannot have two periods in a row.'],
    ['my@trailingdot.com.', 'An email address cannot end with a period.'],
    ['my@trailingfwdot.com\uff0e', 'An email address cannot end with a period.'],
    ['me@-leadingdash', 'An email address cannot have a hyphen immediately after the @-sign.'],
    ['me@trailingdash-', 'An email address cannot end with a hyphen.'],
    ['my@baddash.-.com', 'An email address cannot have a period and a hyphen next to each other.'],
    ['my@baddash.-a.com', 'An email address cannot have a period and a hyphen next to each other.'],
    ['my@baddash.b-.com', 'An email address cannot have a period and a hyphen next to each other.'],
    ['my@example.com\n', 'The part after the @-sign contains invalid characters: U+000A.'],
    ['my@example\n.com', 'The part after the @-sign contains invalid characters: U+000A.'],
    ['me@x!', "The part after the @-sign contains invalid characters: '!'."],
    ['me@x ', 'The part after the @-sign contains invalid characters: SPACE.'],
    ['.leadingdot@domain.com', 'An email address cannot start with a period.'],
    ['twodots..here@domain.com', 'An email address cannot have two periods in a row.'],
    ['trailingdot.@domain.email', 'An email address cannot have a period immediately before the @-sign.'],
    ['white space@test', 'The email address contains invalid characters before the @-sign: SPACE.'],
    ['test@white space', 'The part after the @-sign contains invalid characters: SPACE.'],
    ['\nmy@example.com', 'The email address contains invalid characters before the @-sign: U+000A.'],
    ['m\ny@example.com', 'The email address contains invalid characters before the @-sign: U+000A.'],
    ['test@\n', 'The part after the @-sign contains invalid characters: U+000A.'],
    ['bad"quotes"@example.com', `The email address contains invalid characters before the @-sign: '"'.`],
    ['obsolete."quoted".atom@example.com', `The email address contains invalid characters before the @-sign: '"'.`],
    ['back\\slash@example.com', 'The email address contains invalid characters before the @-sign: "\\".'],
    ['a@b@example.net', "The part after the @-sign contains invalid characters: '@'."],
    ['a@@b.com', "The part after the @-sign contains invalid characters: '@'."],
    ['user@domain.com (comment)', "The part after the @-sign contains invalid characters: '(', ')', SPACE."],
    ['"john doe"@example.com', 'Quoting the part before the @-sign is not allowed here.'],
    ['"quoted.with.extraneous.\\escape"@example.com', 'Quoting the part before the @-sign is not allowed here.'],
    ['John <john@example.com>', 'A display name and angle brackets around the email address are not permitted here.'],
    [
      '11111111112222222222333333333344444444445555555555666666666677777@example.com',
      'The email address is too long before the @-sign (1 character too many).',
    ],
    [
      '111111111122222222223333333333444444444455555555556666666666777777@example.com',
      'The email address is too long before the @-sign (2 characters too many).',
    ],
    [`me@${LONG}111111111122222222223333333333444444444455555555556.com`, 'The email address is too long (4 characters too many).'],
    [
      `me@${LONG}1111111111222222222233333333334444444444555555555566.com`,
      'The email address is too long after the @-sign (1 character too many).',
    ],
    [`my.long.address@${LONG}11111111112222222222333333333344444.info`, 'The email address is too long (2 characters too many).'],
    [`my.\u03bbong.address@${LONG}111111111122222222223333333333444.info`, 'The email address is too long (when encoded in bytes).'],
    [
      `my.\u03bbong.address@${LONG}1111111111222222222233333333334444.info`,
      'The email address is too long (at least 1 character too many).',
    ],
    [`u@${'a'.repeat(64)}.net`, 'After the @-sign, periods cannot be separated by so many characters (1 character too many).'],
    ['me@bad-tld-1', 'The part after the @-sign is not valid. It should have a period.'],
    ['me@bad.tld-2', 'The part after the @-sign is not valid. It is not within a valid top-level domain.'],
    ['user@example.123', 'The part after the @-sign is not valid. It is not within a valid top-level domain.'],
    ['me@xn--0.tld', 'The part after the @-sign is not valid IDNA (Invalid A-label).'],
    [
      'me@yy--0.tld',
      'An email address cannot have two letters followed by two dashes immediately after the @-sign or after a period, except Punycode.',
    ],
    ['me@[127.0.0.1]', 'A bracketed IPv4 address after the @-sign is not allowed here.'],
    [
      'me@[127.0.0.999]',
      "The address in brackets after the @-sign is not valid: It is not an IPv4 address (Octet 999 (> 255) not permitted in '127.0.0.999') or is missing an address literal tag.",
    ],
    ['me@[IPv6:::1]', 'A bracketed IPv6 address after the @-sign is not allowed here.'],
    ['me@[IPv6:::G]', "The IPv6 address in brackets after the @-sign is not valid (Only hex digits permitted in 'G' in '::G')."],
    ['me@[tag:text]', 'The part after the @-sign contains an invalid address literal tag in brackets.'],
    ['me@[untaggedtext]', 'The part after the @-sign in brackets is not an IPv4 address and has no address literal tag.'],
    ['me@[tag:invalid space]', 'The part after the @-sign contains invalid characters in brackets: SPACE.'],
    ['me@anything.arpa', 'The part after the @-sign is a special-use or reserved name that cannot be used with email.'],
    ['me@link.local', 'The part after the @-sign is a special-use or reserved name that cannot be used with email.'],
    ['me@test.test.test', 'The part after the @-sign is a special-use or reserved name that cannot be used with email.'],
    ['\u2005@example.com', 'The email address contains unsafe characters: FOUR-PER-EM SPACE.'],
    ['\u2028@example.com', 'The email address contains unsafe characters: LINE SEPARATOR.'],
    ['\u0300@example.com', 'The email address contains unsafe characters: COMBINING GRAVE ACCENT.'],
    ['\u009c@example.com', 'The email address contains unsafe characters: U+009C.'],
    ['\u200b@example.com', 'The email address contains unsafe characters: ZERO WIDTH SPACE.'],
    [
      '\u202dforward-\u202ereversed@example.com',
      'The email address contains unsafe characters: LEFT-TO-RIGHT OVERRIDE, RIGHT-TO-LEFT OVERRIDE.',
    ],
    ['\ue000@example.com', 'The email address contains unsafe characters: U+E000.'],
    ['\u{10fdef}@example.com', 'The email address contains unsafe characters: U+0010FDEF.'],
  ])('%j -> %s', (email, reason) => {
    expect(emailProblem(email)).toBe(reason);
  });

  it('parseEmail applies pydantic: name form, surrounding space, length cap, normalized domain', () => {
    expect(parseEmail('John Doe <John@Example.COM>')).toEqual({ email: 'John@example.com' });
    expect(parseEmail('  user@EXAMPLE.com \n')).toEqual({ email: 'user@example.com' });
    expect(parseEmail('POSTMASTER@example.com')).toEqual({ email: 'postmaster@example.com' });
    expect(parseEmail('user@xn--bcher-kva.de')).toEqual({ email: 'user@b\u00fccher.de' });
    expect(parseEmail(`${'a'.repeat(2049)}@example.com`)).toEqual({ reason: 'Length must not exceed 2048 characters' });
    expect(parseEmail('us er@example.com')).toEqual({ reason: 'The email address contains invalid characters before the @-sign: SPACE.' });
  });
});

describe('parseUuid (uuid crate wording)', () => {
  it.each([
    ['729b7edf-9c47-4348-b3a8-2de4a43de0ad', { uuid: '729b7edf-9c47-4348-b3a8-2de4a43de0ad' }],
    ['729B7EDF9C474348B3A82DE4A43DE0AD', { uuid: '729b7edf-9c47-4348-b3a8-2de4a43de0ad' }],
    ['729b7edf-9c47-4348-b3a8-2de4a43de0a', { problem: 'invalid group length in group 4: expected 12, found 11' }],
    ['729b7edf-9c4-4348-b3a8-2de4a43de0ad', { problem: 'invalid group length in group 1: expected 4, found 3' }],
    ['729b7edf-9c47-4348-b3a82de4a43de0ad', { problem: 'invalid group count: expected 5, found 4' }],
    ['abc', { problem: 'invalid length: expected length 32 for simple format, found 3' }],
    ['xyz', { problem: 'invalid character: expected an optional prefix of `urn:uuid:` followed by [0-9a-fA-F-], found `x` at 1' }],
    [
      '729b7edf-9c47-4348-b3a8-2de4a43de0aZ',
      { problem: 'invalid character: expected an optional prefix of `urn:uuid:` followed by [0-9a-fA-F-], found `Z` at 36' },
    ],
  ])('%s', (input, out) => {
    expect(parseUuid(input)).toEqual(out);
  });
});

describe('parsePhone', () => {
  it.each([
    ['+498999998999', '+498999998999'],
    ['+49899999', null],
    ['+999123456789', null],
    ['0471234567', null],
    ['+32 470 00 11 22', '+32470001122'],
  ])('%s -> %s', (input, out) => {
    expect(parsePhone(input)).toBe(out);
  });
});
