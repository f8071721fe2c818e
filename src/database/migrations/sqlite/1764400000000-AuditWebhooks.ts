import { MigrationInterface, QueryRunner } from 'typeorm';

export class AuditWebhooks1764400000000 implements MigrationInterface {
  name = 'AuditWebhooks1764400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "audit_log" ("event_id" varchar(36) NOT NULL, "occurred_at" bigint NOT NULL, "actor" varchar(64) NOT NULL, "subject_type" varchar(16) NOT NULL, "subject_id" varchar(64) NOT NULL, "action" varchar(64) NOT NULL, "fields" text NOT NULL, "request_id" varchar(64), "ip" varchar(64), "client" varchar(128) NOT NULL, "group_id" varchar(64) NOT NULL, "seq" bigint NOT NULL, "prev_hash" varchar(64) NOT NULL, "hash" varchar(64) NOT NULL, PRIMARY KEY ("group_id", "seq"))',
    );
    await queryRunner.query('CREATE INDEX "idx_audit_group_time" ON "audit_log" ("group_id", "occurred_at") ');
    await queryRunner.query('CREATE INDEX "idx_audit_group_actor" ON "audit_log" ("group_id", "actor", "seq") ');
    await queryRunner.query('CREATE INDEX "idx_audit_group_subject" ON "audit_log" ("group_id", "subject_id", "seq") ');
    await queryRunner.query(
      'CREATE TABLE "audit_checkpoints" ("group_id" varchar(64) PRIMARY KEY NOT NULL, "seq" bigint NOT NULL, "hash" varchar(64) NOT NULL, "signed_at" bigint NOT NULL, "signature" varchar(64) NOT NULL)',
    );
    await queryRunner.query(
      'CREATE TABLE "outbox_events" ("event_id" varchar(36) NOT NULL, "occurred_at" bigint NOT NULL, "actor" varchar(64) NOT NULL, "subject_type" varchar(16) NOT NULL, "subject_id" varchar(64) NOT NULL, "action" varchar(64) NOT NULL, "fields" text NOT NULL, "request_id" varchar(64), "ip" varchar(64), "client" varchar(128) NOT NULL, "position" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "group_id" varchar(64) NOT NULL, "dispatched_at" bigint)',
    );
    await queryRunner.query('CREATE UNIQUE INDEX "uq_outbox_event_id" ON "outbox_events" ("event_id") ');
    await queryRunner.query('CREATE INDEX "idx_outbox_pending" ON "outbox_events" ("dispatched_at", "position") ');
    await queryRunner.query(
      'CREATE TABLE "webhook_deliveries" ("id" varchar(36) PRIMARY KEY NOT NULL, "webhook_id" varchar(36) NOT NULL, "group_id" varchar(64) NOT NULL, "event_id" varchar(36) NOT NULL, "event_position" bigint NOT NULL, "subject_id" varchar(64) NOT NULL, "action" varchar(64) NOT NULL, "payload" text NOT NULL, "status" varchar(16) NOT NULL, "attempts" integer NOT NULL DEFAULT (0), "next_attempt_at" bigint NOT NULL, "lease_until" bigint, "last_status" integer, "last_error" varchar(512), "created" bigint NOT NULL, "completed_at" bigint)',
    );
    await queryRunner.query('CREATE INDEX "idx_deliveries_hook_recent" ON "webhook_deliveries" ("group_id", "webhook_id", "created") ');
    await queryRunner.query(
      'CREATE INDEX "idx_deliveries_subject" ON "webhook_deliveries" ("webhook_id", "subject_id", "event_position") ',
    );
    await queryRunner.query('CREATE INDEX "idx_deliveries_due" ON "webhook_deliveries" ("status", "next_attempt_at") ');
    await queryRunner.query(
      'CREATE TABLE "webhooks" ("id" varchar(36) PRIMARY KEY NOT NULL, "group_id" varchar(64) NOT NULL, "url" varchar(2048) NOT NULL, "secret" varchar(128) NOT NULL, "event_types" text, "include_subgroups" boolean NOT NULL DEFAULT (0), "enabled" boolean NOT NULL DEFAULT (1), "description" varchar(255), "created" bigint NOT NULL, "modified" bigint NOT NULL)',
    );
    await queryRunner.query('CREATE INDEX "idx_webhooks_group" ON "webhooks" ("group_id", "id") ');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "idx_webhooks_group"');
    await queryRunner.query('DROP TABLE "webhooks"');
    await queryRunner.query('DROP INDEX "idx_deliveries_due"');
    await queryRunner.query('DROP INDEX "idx_deliveries_subject"');
    await queryRunner.query('DROP INDEX "idx_deliveries_hook_recent"');
    await queryRunner.query('DROP TABLE "webhook_deliveries"');
    await queryRunner.query('DROP INDEX "idx_outbox_pending"');
    await queryRunner.query('DROP INDEX "uq_outbox_event_id"');
    await queryRunner.query('DROP TABLE "outbox_events"');
    await queryRunner.query('DROP TABLE "audit_checkpoints"');
    await queryRunner.query('DROP INDEX "idx_audit_group_subject"');
    await queryRunner.query('DROP INDEX "idx_audit_group_actor"');
    await queryRunner.query('DROP INDEX "idx_audit_group_time"');
    await queryRunner.query('DROP TABLE "audit_log"');
  }
}
