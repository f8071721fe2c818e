import { MigrationInterface, QueryRunner } from 'typeorm';

export class TextSearchProbeIndex1764510000000 implements MigrationInterface {
  name = 'TextSearchProbeIndex1764510000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "idx_search_keys_doc"');
    await queryRunner.query('CREATE INDEX "idx_search_keys_doc_key" ON "search_keys" ("group_id", "kind", "doc_id", "key") ');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "idx_search_keys_doc_key"');
    await queryRunner.query('CREATE INDEX "idx_search_keys_doc" ON "search_keys" ("group_id", "kind", "doc_id") ');
  }
}
