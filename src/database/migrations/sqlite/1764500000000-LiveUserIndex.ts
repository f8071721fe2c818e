import { MigrationInterface, QueryRunner } from 'typeorm';

/** A partial index of live users per group (with the patient-only columns) that serves capped counts alone. */
export class LiveUserIndex1764500000000 implements MigrationInterface {
  name = 'LiveUserIndex1764500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE INDEX "idx_users_live_group" ON "users" ("group_id", "patient_id", "healthcare_party_id", "deletion_date") WHERE "deletion_date" IS NULL',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "idx_users_live_group"');
  }
}
