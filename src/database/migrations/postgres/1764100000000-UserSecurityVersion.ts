import { MigrationInterface, QueryRunner } from 'typeorm';

/** Per-user security version: bumped on every change of roles, permissions, status or password. */
export class UserSecurityVersion1764100000000 implements MigrationInterface {
  name = 'UserSecurityVersion1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE "users" ADD "security_version" integer NOT NULL DEFAULT \'0\'');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE "users" DROP COLUMN "security_version"');
  }
}
