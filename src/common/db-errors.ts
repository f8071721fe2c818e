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
