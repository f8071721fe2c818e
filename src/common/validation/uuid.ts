/**
 * UUID parsing worded as the Rust `uuid` crate words its errors (pydantic-core's UUID type uses
 * it, and a seed document shows the message). Returns the canonical lowercase hyphenated form, or
 * the reason it is not a UUID.
 */
export function parseUuid(input: string): { uuid: string } | { problem: string } {
  let body = input;
  let offset = 0;
  let simple = true;
  if (input.length >= 2 && input.startsWith('{') && input.endsWith('}')) {
    body = input.slice(1, -1);
    offset = 1;
    simple = false;
  } else if (input.startsWith('urn:uuid:')) {
    body = input.slice(9);
    offset = 9;
    simple = false;
  }
  const hex = /^[0-9a-fA-F]$/;
  const okHyphenated = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
  if ((simple && /^[0-9a-fA-F]{32}$/.test(body)) || okHyphenated.test(body)) {
    const h = body.replace(/-/g, '').toLowerCase();
    return { uuid: `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}` };
  }
  let hyphens = 0;
  const bounds: number[] = [];
  let byteIndex = 0;
  for (const ch of body) {
    if (ch.length > 1 || ch.charCodeAt(0) > 0x7f) return { problem: charProblem(ch, byteIndex + offset + 1) };
    if (ch === '-') {
      if (hyphens < 4) bounds.push(byteIndex);
      hyphens++;
    } else if (!hex.test(ch)) {
      return { problem: charProblem(ch, byteIndex + offset + 1) };
    }
    byteIndex += Buffer.byteLength(ch);
  }
  if (hyphens === 0 && simple)
    return { problem: `invalid length: expected length 32 for simple format, found ${Buffer.byteLength(input)}` };
  if (hyphens !== 4) return { problem: `invalid group count: expected 5, found ${hyphens + 1}` };
  const starts = [0, 9, 14, 19, 24];
  const expected = [8, 4, 4, 4, 12];
  for (let i = 0; i < 4; i++) {
    if (bounds[i] !== starts[i + 1] - 1)
      return { problem: `invalid group length in group ${i}: expected ${expected[i]}, found ${bounds[i] - starts[i]}` };
  }
  return { problem: `invalid group length in group 4: expected 12, found ${Buffer.byteLength(input) - starts[4]}` };
}

function charProblem(ch: string, index: number): string {
  return `invalid character: expected an optional prefix of \`urn:uuid:\` followed by [0-9a-fA-F-], found \`${ch}\` at ${index}`;
}
