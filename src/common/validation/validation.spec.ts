import { emailProblem } from './email';
import { parsePhone } from './phone';
import { parseUuid } from './uuid';

describe('emailProblem (email-validator wording)', () => {
  it.each([
    ['user@example.net', null],
    ['first.last+tag@sub.example.org', null],
    ['user@example', 'The part after the @-sign is not valid. It should have a period.'],
    ['@example.net', 'There must be something before the @-sign.'],
    ['user.example.net', 'An email address must have an @-sign.'],
    ['user@', 'There must be something after the @-sign.'],
    ['us er@example.net', "The email address contains invalid characters before the @-sign: ' '."],
    ['a@b@example.net', "The email address contains invalid characters before the @-sign: '@'."],
    ['.user@example.net', 'An email address cannot start with a period.'],
    ['user.@example.net', 'An email address cannot have a period immediately before the @-sign.'],
    ['us..er@example.net', 'An email address cannot have two periods in a row.'],
    ['user@example..net', 'An email address cannot have two periods in a row.'],
    ['user@.example.net', 'An email address cannot have a period immediately after the @-sign.'],
    ['user@example.net.', 'An email address cannot end with a period.'],
    ['user@-example.net', 'An email address cannot have a hyphen immediately after the @-sign.'],
    ['user@example-.net', 'An email address cannot have a period and a hyphen next to each other.'],
    ['user@exa_mple.net', "The part after the @-sign contains invalid characters: '_'."],
    ['user@example.123', 'The part after the @-sign is not valid. It is not within a valid top-level domain.'],
    ['user@localhost.localhost', 'The part after the @-sign is a special-use or reserved name that cannot be used with email.'],
    [`${'a'.repeat(65)}@example.net`, 'The email address is too long before the @-sign (1 character too many).'],
    [`u@${'a'.repeat(64)}.net`, 'After the @-sign, periods cannot be separated by so many characters (1 character too many).'],
  ])('%s -> %s', (email, reason) => {
    expect(emailProblem(email)).toBe(reason);
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
    ['729b7edf-9c47-4348-b3a8-2de4a43de0aZ', { problem: 'invalid character: expected an optional prefix of `urn:uuid:` followed by [0-9a-fA-F-], found `Z` at 36' }],
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
