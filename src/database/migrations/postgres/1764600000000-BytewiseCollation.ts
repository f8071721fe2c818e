import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The columns read as ranges or keyset orders compare byte-wise ("C") whatever the database's default
 * collation (see BYTEWISE in columns.ts). PostgreSQL rebuilds the indexes on them, the search_keys
 * primary key included; the types and lengths stay as they were.
 */
const COLUMNS: [table: string, column: string, type: string][] = [
  ['groups', 'path', 'character varying(2048)'],
  ['search_keys', 'key', 'character varying(255)'],
  ['users', 'login_key', 'character varying(255)'],
  ['healthcare_parties', 'last_name_key', 'character varying(255)'],
];

export class BytewiseCollation1764600000000 implements MigrationInterface {
  name = 'BytewiseCollation1764600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const [table, column, type] of COLUMNS)
      await queryRunner.query(`ALTER TABLE "${table}" ALTER COLUMN "${column}" TYPE ${type} COLLATE "C"`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const [table, column, type] of COLUMNS)
      await queryRunner.query(`ALTER TABLE "${table}" ALTER COLUMN "${column}" TYPE ${type} COLLATE pg_catalog."default"`);
  }
}
