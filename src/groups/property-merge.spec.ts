import { expect } from '@jest/globals';
import { mergeProperties } from './property-merge';
import { thrownBy } from '../../test/support/thrown';

const limits = { maxCount: 3, maxValueBytes: 64 };

describe('mergeProperties', () => {
  it('replaces by identifier, keeps the stored type, appends unknown ones', () => {
    const existing = [{ type: { identifier: 'theme', type: 'STRING' }, typedValue: { type: 'STRING', stringValue: 'dark' } }];
    const out = mergeProperties(
      existing,
      [
        { type: { identifier: 'theme' }, typedValue: { stringValue: 'light' } },
        { type: { identifier: 'beta' }, typedValue: { booleanValue: true } },
      ],
      limits,
    );
    expect(out).toEqual([
      { type: { identifier: 'theme', type: 'STRING' }, typedValue: { stringValue: 'light', type: 'STRING' } },
      { type: { identifier: 'beta', type: 'BOOLEAN' }, typedValue: { booleanValue: true, type: 'BOOLEAN' } },
    ]);
  });

  it.each([
    [[{ type: {} as never, typedValue: { stringValue: 'x' } }], 'VALIDATION'],
    [[{ type: { identifier: 'x', type: 'WEIRD' } }], 'VALIDATION'],
    [[{ type: { identifier: 'x', type: 'INTEGER' }, typedValue: { integerValue: 1.5 } }], 'VALIDATION'],
    [[{ type: { identifier: 'x', type: 'JSON' }, typedValue: { stringValue: '{no' } }], 'VALIDATION'],
    [[{ type: { identifier: 'x' }, typedValue: { stringValue: 'y'.repeat(100) } }], 'PAYLOAD_TOO_LARGE'],
    [['a', 'b', 'c', 'd'].map((identifier) => ({ type: { identifier }, typedValue: { booleanValue: true } })), 'VALIDATION'],
  ])('refuses %j with %s', (stubs, code) => {
    expect(thrownBy(() => mergeProperties([], stubs as never, limits))).toMatchObject({ code });
  });
});

describe('one property rule for users and groups', () => {
  it('names the offending field under the route prefix it is given', () => {
    const at = ['body', 'properties'];
    expect(() => mergeProperties([], [null as never], limits, at)).toThrow(
      expect.objectContaining({
        code: 'VALIDATION',
        issues: [expect.objectContaining({ loc: ['body', 'properties', 0, 'type', 'identifier'] })],
      }),
    );
    expect(() => mergeProperties([], [{ type: { identifier: 'x' }, typedValue: { stringValue: 'y'.repeat(100) } }], limits, at)).toThrow(
      expect.objectContaining({
        code: 'PAYLOAD_TOO_LARGE',
        details: { issues: [expect.objectContaining({ loc: ['body', 'properties', 0, 'typedValue'], type: 'too_long' })] },
      }),
    );
  });

  it('counts the merged result, not the request: replacing a property at the limit is allowed', () => {
    const full = ['a', 'b', 'c'].map((identifier) => ({ type: { identifier, type: 'BOOLEAN' }, typedValue: { booleanValue: true } }));
    expect(mergeProperties(full, [{ type: { identifier: 'a' }, typedValue: { booleanValue: false } }], limits)).toHaveLength(3);
    expect(() => mergeProperties(full, [{ type: { identifier: 'd' }, typedValue: { booleanValue: false } }], limits)).toThrow(
      expect.objectContaining({ code: 'VALIDATION' }),
    );
  });
});
