/** Prints the README's configuration table from the one list in src/config/config.ts. */
import { CONFIG_VARIABLES } from '../src/config/config';

export function configTable(): string {
  const rows = CONFIG_VARIABLES.map(
    (v) => `| \`${v.name}\` | ${v.default.startsWith('(') ? v.default : `\`${v.default}\``} | ${v.description} |`,
  );
  return ['| Variable | Default | Meaning |', '|---|---|---|', ...rows].join('\n');
}

if (require.main === module) console.log(configTable());
