#!/usr/bin/env node
import 'reflect-metadata';
import { Command, InvalidArgumentError } from 'commander';
import { createAdmin, createGroup, exportUsers, importUsers, migrate, resetPassword, rotateKeys } from './commands';
import { CliError, remoteFrom } from './runtime';

/**
 * `caregate` (npm run cli -- ...): administration on the configured database directly (the same
 * environment variables as the service) or against a running service with --url and --token.
 */
const program = new Command('caregate')
  .description('Caregate administration: groups, administrators, passwords, bulk import/export, migrations, key rotation')
  .option('--url <url>', 'act through a running service at this base URL instead of the database (env CAREGATE_URL)')
  .option('--token <token>', 'administrator access token for --url (env CAREGATE_TOKEN)')
  .showHelpAfterError();

const remote = () => remoteFrom(program.opts<{ url?: string; token?: string }>());
const int = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n)) throw new InvalidArgumentError('expected an integer');
  return n;
};

program
  .command('create-group')
  .description('create a group (under the root group unless --parent)')
  .argument('<groupId>', 'id of the new group ([a-zA-Z0-9_-], 1..64)')
  .option('--name <name>', 'display name (default: the id)')
  .option('--parent <groupId>', 'parent group')
  .action((id: string, o: { name?: string; parent?: string }) => createGroup(remote(), id, o));

program
  .command('create-admin')
  .description('create an administrator in a group; prints a one-time password unless --password')
  .argument('<groupId>', 'group of the administrator')
  .argument('<login>', 'login of the administrator')
  .option('--email <email>', 'email address')
  .option('--password <password>', 'password (checked against the password policy)')
  .action((groupId: string, login: string, o: { email?: string; password?: string }) => createAdmin(remote(), groupId, login, o));

program
  .command('reset-password')
  .description("set a one-time password for a user and print it, or --send a reset link to the user's email")
  .argument('<groupId>', 'group of the user')
  .argument('<user>', 'id, login, email or mobile phone of the user')
  .option('--send', 'send a password reset email instead of printing a password')
  .action((groupId: string, who: string, o: { send?: boolean }) => resetPassword(remote(), groupId, who, o));

program
  .command('import')
  .description('import users from CSV (header row) or JSON lines, with clear passwords or existing hashes')
  .argument('<groupId>', 'group to import into')
  .argument('<file>', '.csv or .jsonl file')
  .option('--format <format>', 'csv or jsonl (default: by file extension)')
  .option('--batch-size <n>', 'users per batch (one transaction each), 1..10000', int, 5000)
  .option('--dry-run', 'check and report every row, write nothing')
  .option('--report <file>', 'write one JSON line per row (line, status, id or reason)')
  .option('--no-progress', 'no progress bar')
  .action(
    async (
      groupId: string,
      file: string,
      o: { format?: string; batchSize: number; dryRun?: boolean; report?: string; progress: boolean },
    ) => {
      const totals = await importUsers(remote(), groupId, file, o);
      if (totals.refused > 0) process.exitCode = 3;
    },
  );

program
  .command('export')
  .description("export a group's users as JSON lines (no password hashes or secrets unless --with-hashes)")
  .argument('<groupId>', 'group to export')
  .option('--out <file>', 'write to a file instead of stdout')
  .option('--with-hashes', 'include password hashes and TOTP secrets (database mode only; file mode 0600)')
  .action((groupId: string, o: { out?: string; withHashes?: boolean }) => exportUsers(remote(), groupId, o));

program
  .command('migrate')
  .description('run pending database migrations (database mode only)')
  .action(() => migrate());

program
  .command('rotate-keys')
  .description('generate a new signing key, keep the current one for verification, and reload the service (--url, or --pid)')
  .option('--algorithm <alg>', 'ES256, ES384 or RS256 (RSA 3072)', 'ES256')
  .option('--pid <pid>', 'send SIGHUP to this service process after writing the keys')
  .action((o: { algorithm: string; pid?: string }) => rotateKeys(remote(), o));

// `caregate export ... | head`: a closed pipe ends the command quietly.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

program.parseAsync(process.argv).catch((e: unknown) => {
  process.stderr.write(`caregate: ${e instanceof CliError || e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
