/**
 * A synthetic text-search group, seeded in SQL with the keys the repositories would write: `n` users
 * and `n` healthcare parties with ids u000000.., each with 4 keys of kind `user` / `hcp` (ln0..ln49,
 * fn0..fn39, "id" + id, "bench"); HCP last names ln0..ln49. `deleted` ids are soft-deleted (their keys
 * stay). On PostgreSQL the tables are then analysed, so that statements plan as they would at scale.
 */
export async function seedSearchGroup(
  query: (sql: string) => Promise<unknown>,
  pg: boolean,
  groupId: string,
  n: number,
  deleted: string[] = [],
): Promise<void> {
  const ids = pg
    ? `SELECT i, 'u' || lpad(i::text, 6, '0') AS id FROM generate_series(0, ${n - 1}) i`
    : `WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < ${n - 1}) SELECT i, printf('u%06d', i) AS id FROM s`;
  await query(`INSERT INTO users (id, group_id, rev, created, modified) SELECT id, '${groupId}', '1-a', 0, 0 FROM (${ids}) s`);
  await query(
    `INSERT INTO healthcare_parties (id, group_id, rev, created, modified, last_name_key) SELECT id, '${groupId}', '1-a', 0, 0, 'ln' || (i % 50) FROM (${ids}) s`,
  );
  for (const kind of ['user', 'hcp'])
    for (const key of [`'ln' || (i % 50)`, `'fn' || (i % 40)`, `'id' || id`, `'bench'`])
      await query(`INSERT INTO search_keys (group_id, kind, key, doc_id) SELECT '${groupId}', '${kind}', ${key}, id FROM (${ids}) s`);
  if (deleted.length) {
    const list = deleted.map((id) => `'${id}'`).join(', ');
    for (const table of ['users', 'healthcare_parties'])
      await query(`UPDATE ${table} SET deletion_date = 1 WHERE group_id = '${groupId}' AND id IN (${list})`);
  }
  if (pg) await query('VACUUM ANALYZE users, healthcare_parties, search_keys');
}
