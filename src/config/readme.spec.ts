import * as fs from 'node:fs';
import * as path from 'node:path';
import { configTable } from '../../scripts/config-table';

describe('README configuration table', () => {
  it('lists every environment variable with its default, exactly as src/config/config.ts defines them', () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
    expect(readme).toContain(configTable());
  });
});
