/**
 * Text search as indexed prefix search: documents are indexed under normalized tokens
 * (accents folded, lower case, split on every non-alphanumeric run) and a query word matches a
 * document when it is a prefix of one of its tokens. Prefixes become index ranges, never `%…%`.
 */

/** Lower case, accents folded, every non-alphanumeric run becomes a space. */
export function fold(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

const MAX_TOKEN = 64;

/** The distinct tokens of some field values (null and empty values skipped). */
export function tokensOf(values: (string | null | undefined)[]): string[] {
  const out = new Set<string>();
  for (const v of values) {
    if (!v) continue;
    for (const w of fold(v).split(' ')) if (w) out.add(w.slice(0, MAX_TOKEN));
  }
  return [...out];
}

/** The query words of a search string (at most 8: a longer query narrows nothing useful). */
export function queryWords(search: string): string[] {
  return tokensOf([search]).slice(0, 8);
}

/**
 * The half-open range [lo, hi) of keys that start with `prefix`: the last character incremented.
 * Keys compare byte-wise (SQLite's BINARY; PostgreSQL databases in the C or C.UTF-8 collation).
 */
export function prefixRange(prefix: string): [string, string] {
  const last = prefix.charCodeAt(prefix.length - 1);
  return [prefix, prefix.slice(0, -1) + String.fromCharCode(last + 1)];
}
