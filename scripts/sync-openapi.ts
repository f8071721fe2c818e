/**
 * Boots the app without listening (throwaway SQLite, no bootstrap side effects kept) and writes a
 * deterministic, key-sorted openapi.json. `--check` fails when the committed file differs.
 */
import 'reflect-metadata';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildOpenApiDocument, createApp } from '../src/app.factory';
import { loadConfig } from '../src/config/config';

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
    );
  return v;
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'caregate-openapi-'));
  const app = await createApp(
    loadConfig({ LOG_LEVEL: 'silent', CAREGATE_DATA_DIR: dir, CAREGATE_ADMIN_PASSWORD: 'openapi-generation-only' }),
  );
  try {
    const text = `${JSON.stringify(sortKeys(buildOpenApiDocument(app)), null, 2)}\n`;
    const file = path.join(__dirname, '..', '..', 'openapi.json');
    if (process.argv.includes('--check')) {
      const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
      if (current !== text) {
        console.error('openapi.json is out of date: run `npm run openapi` and commit it.');
        process.exit(1);
      }
      console.log('openapi.json is up to date.');
    } else {
      fs.writeFileSync(file, text);
      console.log(`wrote ${file}`);
    }
  } finally {
    await app.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
