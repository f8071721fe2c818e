/** Recognises a unique-constraint violation on either dialect and names the columns involved. */
export function uniqueViolationColumns(err: unknown): string[] | null {
  const e = err as { code?: string; driverError?: { code?: string; constraint?: string; message?: string }; message?: string };
  const driver: { code?: string; constraint?: string; message?: string } | undefined = e?.driverError ?? e;
  const code = driver?.code ?? e?.code;
  if (code === '23505') {
    // postgres: constraint names are uq_<table>_group_<column>
    const c = driver?.constraint ?? '';
    const m = /^uq_[a-z_]+?_group_(.+)$/.exec(c) ?? /^uq_[a-z]+_(.+)$/.exec(c);
    return [m ? m[1] : c];
  }
  if (typeof code === 'string' && code.startsWith('SQLITE_CONSTRAINT')) {
    const msg = driver?.message ?? e?.message ?? '';
    const m = /UNIQUE constraint failed: (.+)$/.exec(msg);
    if (!m) return code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ? ['id'] : null;
    return m[1]
      .split(',')
      .map((s) => s.trim().split('.').pop() ?? s)
      .filter((c) => c !== 'group_id');
  }
  return null;
}

/** snake_case column -> camelCase field. */
export function fieldOfColumn(column: string): string {
  return column.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

interface DriverErrorLike {
  code?: string;
  message?: string;
  column?: string;
  driverError?: DriverErrorLike;
}

function driverOf(err: unknown): DriverErrorLike {
  const e = err as DriverErrorLike | undefined;
  return e?.driverError ?? e ?? {};
}

// Connection-level failures of node-postgres / pg-pool (no SQLSTATE: the server never answered).
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);
const NETWORK_MESSAGES =
  /timeout exceeded when trying to connect|Connection terminated|Query read timeout|Client has encountered a connection error|Connection is closed|terminating connection/i;

/**
 * The database is down, restarting, overloaded or too slow: the request may succeed later, so it is
 * a 503 with Retry-After, never a 500. PostgreSQL classes 08 (connection), 53 (resources), 57P0x
 * (shutdown, cannot connect now), 57014 (statement_timeout); SQLite busy/locked after busy_timeout.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  const d = driverOf(err);
  const code = d.code ?? (err as DriverErrorLike)?.code;
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code)) return true;
    if (/^(08...|53...|57P0[1-5]|57014|58000|58030)$/.test(code)) return true;
    if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return true;
  }
  const message = d.message ?? (err as DriverErrorLike)?.message ?? '';
  return NETWORK_MESSAGES.test(message);
}

/**
 * A NOT NULL column received null: the client sent null for a field that has no "unset" state.
 * Returns the offending column, or null when the error is something else.
 */
export function notNullViolationColumn(err: unknown): string | null {
  const d = driverOf(err);
  if (d.code === '23502') return d.column ?? 'unknown';
  if (d.code === 'SQLITE_CONSTRAINT_NOTNULL') {
    const m = /NOT NULL constraint failed: (?:\w+\.)?(\w+)/.exec(d.message ?? '');
    return m ? m[1] : 'unknown';
  }
  return null;
}

/** PostgreSQL refused a character (NUL, invalid UTF-8): the input is at fault, not the server. */
export function isUnstorableCharacter(err: unknown): boolean {
  const code = driverOf(err).code;
  return code === '22021' || code === '22P05';
}
