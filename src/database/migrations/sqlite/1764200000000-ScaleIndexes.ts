import { MigrationInterface, QueryRunner } from 'typeorm';
import { backfillScaleColumns } from '../backfill-search-keys';

/** Every lookup served by an index: normalized key columns, search keys, (parent, id) for children. */
export class ScaleIndexes1764200000000 implements MigrationInterface {
  name = 'ScaleIndexes1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "idx_groups_super_group"');
    await queryRunner.query('DROP INDEX "idx_hcp_group_parent"');
    await queryRunner.query('DROP INDEX "idx_users_group_patient"');
    await queryRunner.query('DROP INDEX "idx_users_group_hcp"');
    await queryRunner.query(
      'CREATE TABLE "search_keys" ("group_id" varchar(64) NOT NULL, "kind" varchar(16) NOT NULL, "key" varchar(255) NOT NULL, "doc_id" varchar(64) NOT NULL, PRIMARY KEY ("group_id", "kind", "key", "doc_id"))',
    );
    await queryRunner.query('CREATE INDEX "idx_search_keys_doc" ON "search_keys" ("group_id", "kind", "doc_id") ');
    await queryRunner.query('ALTER TABLE "healthcare_parties" ADD COLUMN "last_name_key" varchar(255) NOT NULL DEFAULT (\'\')');
    await queryRunner.query('ALTER TABLE "users" ADD COLUMN "login_key" varchar(255) NOT NULL DEFAULT (\'\')');
    await queryRunner.query('ALTER TABLE "users" ADD COLUMN "email_key" varchar(320)');
    await backfillScaleColumns(queryRunner, false);
    await queryRunner.query('CREATE INDEX "idx_groups_super_group_id" ON "groups" ("super_group_id", "id") ');
    await queryRunner.query('CREATE INDEX "idx_hcp_group_id" ON "healthcare_parties" ("group_id", "id") ');
    await queryRunner.query('CREATE INDEX "idx_hcp_group_name" ON "healthcare_parties" ("group_id", "name", "id") ');
    await queryRunner.query('CREATE INDEX "idx_hcp_group_last_name_key" ON "healthcare_parties" ("group_id", "last_name_key", "id") ');
    await queryRunner.query('CREATE INDEX "idx_hcp_group_parent_id" ON "healthcare_parties" ("group_id", "parent_id", "id") ');
    await queryRunner.query('CREATE INDEX "idx_users_mobile_phone" ON "users" ("mobile_phone", "group_id", "id") ');
    await queryRunner.query('CREATE INDEX "idx_users_email_key" ON "users" ("email_key", "group_id", "id") ');
    await queryRunner.query('CREATE INDEX "idx_users_login" ON "users" ("login", "group_id", "id") ');
    await queryRunner.query('CREATE INDEX "idx_users_group_login_key" ON "users" ("group_id", "login_key", "id") ');
    await queryRunner.query('CREATE INDEX "idx_users_group_id" ON "users" ("group_id", "id") ');
    await queryRunner.query('CREATE INDEX "idx_users_group_created" ON "users" ("group_id", "created", "id") ');
    await queryRunner.query('CREATE INDEX "idx_users_group_patient_id" ON "users" ("group_id", "patient_id", "id") ');
    await queryRunner.query('CREATE INDEX "idx_users_group_hcp_id" ON "users" ("group_id", "healthcare_party_id", "id") ');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const i of [
      'idx_users_group_hcp_id',
      'idx_users_group_patient_id',
      'idx_users_group_id',
      'idx_users_group_created',
      'idx_users_group_login_key',
      'idx_users_login',
      'idx_users_email_key',
      'idx_users_mobile_phone',
      'idx_hcp_group_parent_id',
      'idx_hcp_group_last_name_key',
      'idx_hcp_group_name',
      'idx_hcp_group_id',
      'idx_groups_super_group_id',
    ])
      await queryRunner.query(`DROP INDEX "${i}"`);
    await queryRunner.query('ALTER TABLE "users" DROP COLUMN "email_key"');
    await queryRunner.query('ALTER TABLE "users" DROP COLUMN "login_key"');
    await queryRunner.query('ALTER TABLE "healthcare_parties" DROP COLUMN "last_name_key"');
    await queryRunner.query('DROP TABLE "search_keys"');
    await queryRunner.query('CREATE INDEX "idx_users_group_hcp" ON "users" ("group_id", "healthcare_party_id") ');
    await queryRunner.query('CREATE INDEX "idx_users_group_patient" ON "users" ("group_id", "patient_id") ');
    await queryRunner.query('CREATE INDEX "idx_hcp_group_parent" ON "healthcare_parties" ("group_id", "parent_id") ');
    await queryRunner.query('CREATE INDEX "idx_groups_super_group" ON "groups" ("super_group_id") ');
  }
}
