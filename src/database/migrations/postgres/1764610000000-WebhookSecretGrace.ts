import { MigrationInterface, QueryRunner } from 'typeorm';

/** A rotated webhook secret may keep signing beside the new one for a grace period. */
export class WebhookSecretGrace1764610000000 implements MigrationInterface {
  name = 'WebhookSecretGrace1764610000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "webhooks" ADD COLUMN "previous_secret" character varying(128)');
    await queryRunner.query('ALTER TABLE "webhooks" ADD COLUMN "previous_secret_until" bigint');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "webhooks" DROP COLUMN "previous_secret_until"');
    await queryRunner.query('ALTER TABLE "webhooks" DROP COLUMN "previous_secret"');
  }
}
