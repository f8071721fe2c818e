import { parse } from 'csv-parse';
import * as fs from 'node:fs';
import * as readline from 'node:readline';

/** A row as read from the file, or why it could not be read (reported as refused). */
export type FileRow = { line: number; data: Record<string, unknown> } | { line: number; error: string };

export function formatOf(file: string, explicit?: string): 'csv' | 'jsonl' {
  const f = explicit ?? (/\.csv$/i.test(file) ? 'csv' : 'jsonl');
  if (f !== 'csv' && f !== 'jsonl') throw new Error(`unknown format ${f} (csv or jsonl)`);
  return f;
}

/** Number of data rows, for the progress bar (blank lines and the CSV header excluded). */
export async function countRows(file: string, format: 'csv' | 'jsonl'): Promise<number> {
  let n = 0;
  for await (const line of readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity })) if (line.trim()) n++;
  return format === 'csv' ? Math.max(0, n - 1) : n;
}

/**
 * Streams users from CSV (header row; `roles` separated by `;`; a `passwordHash` cell may hold a
 * Keycloak credential as JSON) or JSON lines (one object per line).
 */
export async function* readUsers(file: string, format: 'csv' | 'jsonl'): AsyncGenerator<FileRow> {
  if (format === 'jsonl') {
    let line = 0;
    for await (const text of readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity })) {
      line++;
      if (!text.trim()) continue;
      try {
        const data = JSON.parse(text) as unknown;
        if (!data || typeof data !== 'object' || Array.isArray(data)) yield { line, error: 'expected a JSON object' };
        else yield { line, data: data as Record<string, unknown> };
      } catch {
        yield { line, error: 'invalid JSON' };
      }
    }
    return;
  }
  const parser = fs.createReadStream(file).pipe(parse({ columns: true, skip_empty_lines: true, trim: true, relax_column_count: true }));
  let line = 1;
  for await (const rec of parser as AsyncIterable<Record<string, string>>) {
    line++;
    const data: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(rec)) {
      if (v === '' || v === undefined) continue;
      data[k] =
        k === 'roles'
          ? v
              .split(/[;|]/)
              .map((r) => r.trim())
              .filter(Boolean)
          : v;
    }
    yield { line, data };
  }
}
