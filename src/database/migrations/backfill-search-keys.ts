import { QueryRunner } from 'typeorm';
import { HcpKeySource, hcpSearchKeys, insertSearchKeys, userSearchKeys } from '../search-keys';

/** Fills the normalized columns and `search_keys` of rows written before they existed, in keyset batches. */
export async function backfillScaleColumns(q: QueryRunner, pg: boolean): Promise<void> {
  await q.query(`UPDATE users SET login_key = COALESCE(login, ''), email_key = LOWER(email)`);
  await q.query(`UPDATE healthcare_parties SET last_name_key = COALESCE(last_name, '')`);
  const p = (i: number) => (pg ? `$${i}` : '?');
  const batches = async (table: string, cols: string, each: (row: Record<string, unknown>) => Promise<void>) => {
    let after: [string, string] = ['', ''];
    for (;;) {
      const rows = (await q.query(
        `SELECT group_id, id, ${cols} FROM ${table} WHERE group_id > ${p(1)} OR (group_id = ${p(2)} AND id > ${p(3)}) ORDER BY group_id, id LIMIT 1000`,
        [after[0], after[0], after[1]],
      )) as Record<string, unknown>[];
      for (const r of rows) await each(r);
      if (rows.length < 1000) return;
      const last = rows[rows.length - 1];
      after = [last.group_id as string, last.id as string];
    }
  };
  await batches('users', 'login, email, mobile_phone, name, first_name, last_name', (r) =>
    insertSearchKeys(q.manager, pg, r.group_id as string, r.id as string, userSearchKeys(r as never)),
  );
  await batches(
    'healthcare_parties',
    'name, last_name, first_name, speciality, nihii, ssin, cbe, ehp, nihii_spec_code, extra, postal_codes',
    (r) =>
      insertSearchKeys(
        q.manager,
        pg,
        r.group_id as string,
        r.id as string,
        hcpSearchKeys({
          ...(r as unknown as HcpKeySource),
          extra: typeof r.extra === 'string' ? (JSON.parse(r.extra) as Record<string, unknown>) : null,
        }),
      ),
  );
}
