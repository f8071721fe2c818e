import { CoreError } from '../errors';
import { assertDepth } from './input-guard';

describe('assertDepth', () => {
  const nest = (d: number) => '['.repeat(d) + ']'.repeat(d);

  it('accepts up to the limit and refuses beyond, without parsing', () => {
    expect(() => assertDepth(nest(64), 64)).not.toThrow();
    expect(() => assertDepth(nest(65), 64)).toThrow(CoreError);
    expect(() => assertDepth(`{"a":${nest(20000)}}`, 64)).toThrow(/deeper than 64/);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(() => assertDepth(JSON.stringify({ a: '['.repeat(1000), b: '\\"[[[[', c: [1, [2]] }), 3)).not.toThrow();
    expect(() => assertDepth(JSON.stringify({ a: '"\\', b: [[[1]]] }), 3)).toThrow(CoreError);
  });

  it('counts siblings, not totals', () => {
    expect(() => assertDepth(JSON.stringify(Array.from({ length: 1000 }, () => [[1]])), 3)).not.toThrow();
  });
});
