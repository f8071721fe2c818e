import { MigrationInterface, QueryRunner } from 'typeorm';

export class AuditWebhooks1764400000000 implements MigrationInterface {
  name = 'AuditWebhooks1764400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "audit_log" ("event_id" character varying(36) NOT NULL, "occurred_at" bigint NOT NULL, "actor" character varying(64) NOT NULL, "subject_type" character varying(16) NOT NULL, "subject_id" character varying(64) NOT NULL, "action" character varying(64) NOT NULL, "fields" text NOT NULL, "request_id" character varying(64), "ip" character varying(64), "client" character varying(128) NOT NULL, "group_id" character varying(64) NOT NULL, "seq" bigint NOT NULL, "prev_hash" character varying(64) NOT NULL, "hash" character varying(64) NOT NULL, CONSTRAINT "PK_406441bd365c0efe88b59a54611" PRIMARY KEY ("group_id", "seq"))',
    );
    await queryRunner.query('CREATE INDEX "idx_audit_group_time" ON "audit_log"  ("group_id", "occurred_at") ');
    await queryRunner.query('CREATE INDEX "idx_audit_group_actor" ON "audit_log"  ("group_id", "actor", "seq") ');
    await queryRunner.query('CREATE INDEX "idx_audit_group_subject" ON "audit_log"  ("group_id", "subject_id", "seq") ');
    await queryRunner.query(
      'CREATE TABLE "audit_checkpoints" ("group_id" character varying(64) NOT NULL, "seq" bigint NOT NULL, "hash" character varying(64) NOT NULL, "signed_at" bigint NOT NULL, "signature" character varying(64) NOT NULL, CONSTRAINT "PK_0fe3451f55e7645ef21ba942b17" PRIMARY KEY ("group_id"))',
    );
    await queryRunner.query(
      'CREATE TABLE "outbox_events" ("event_id" character varying(36) NOT NULL, "occurred_at" bigint NOT NULL, "actor" character varying(64) NOT NULL, "subject_type" character varying(16) NOT NULL, "subject_id" character varying(64) NOT NULL, "action" character varying(64) NOT NULL, "fields" text NOT NULL, "request_id" character varying(64), "ip" character varying(64), "client" character varying(128) NOT NULL, "position" SERIAL NOT NULL, "group_id" character varying(64) NOT NULL, "dispatched_at" bigint, CONSTRAINT "PK_1617ea1e2213aa021cf2131a36d" PRIMARY KEY ("position"))',
    );
    await queryRunner.query('CREATE UNIQUE INDEX "uq_outbox_event_id" ON "outbox_events"  ("event_id") ');
    await queryRunner.query('CREATE INDEX "idx_outbox_pending" ON "outbox_events"  ("dispatched_at", "position") ');
    await queryRunner.query(
      'CREATE TABLE "webhook_deliveries" ("id" character varying(36) NOT NULL, "webhook_id" character varying(36) NOT NULL, "group_id" character varying(64) NOT NULL, "event_id" character varying(36) NOT NULL, "event_position" bigint NOT NULL, "subject_id" character varying(64) NOT NULL, "action" character varying(64) NOT NULL, "payload" text NOT NULL, "status" character varying(16) NOT NULL, "attempts" integer NOT NULL DEFAULT \'0\', "next_attempt_at" bigint NOT NULL, "lease_until" bigint, "last_status" integer, "last_error" character varying(512), "created" bigint NOT NULL, "completed_at" bigint, CONSTRAINT "PK_535dd409947fb6d8fc6dfc0112a" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE INDEX "idx_deliveries_hook_recent" ON "webhook_deliveries"  ("group_id", "webhook_id", "created") ');
    await queryRunner.query(
      'CREATE INDEX "idx_deliveries_subject" ON "webhook_deliveries"  ("webhook_id", "subject_id", "event_position") ',
    );
    await queryRunner.query('CREATE INDEX "idx_deliveries_due" ON "webhook_deliveries"  ("status", "next_attempt_at") ');
    await queryRunner.query(
      'CREATE TABLE "webhooks" ("id" character varying(36) NOT NULL, "group_id" character varying(64) NOT NULL, "url" character varying(2048) NOT NULL, "secret" character varying(128) NOT NULL, "event_types" text, "include_subgroups" boolean NOT NULL DEFAULT false, "enabled" boolean NOT NULL DEFAULT true, "description" character varying(255), "created" bigint NOT NULL, "modified" bigint NOT NULL, CONSTRAINT "PK_9e8795cfc899ab7bdaa831e8527" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE INDEX "idx_webhooks_group" ON "webhooks"  ("group_id", "id") ');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "public"."idx_webhooks_group"');
    await queryRunner.query('DROP TABLE "webhooks"');
    await queryRunner.query('DROP INDEX "public"."idx_deliveries_due"');
    await queryRunner.query('DROP INDEX "public"."idx_deliveries_subject"');
    await queryRunner.query('DROP INDEX "public"."idx_deliveries_hook_recent"');
    await queryRunner.query('DROP TABLE "webhook_deliveries"');
    await queryRunner.query('DROP INDEX "public"."idx_outbox_pending"');
    await queryRunner.query('DROP INDEX "public"."uq_outbox_event_id"');
    await queryRunner.query('DROP TABLE "outbox_events"');
    await queryRunner.query('DROP TABLE "audit_checkpoints"');
    await queryRunner.query('DROP INDEX "public"."idx_audit_group_subject"');
    await queryRunner.query('DROP INDEX "public"."idx_audit_group_actor"');
    await queryRunner.query('DROP INDEX "public"."idx_audit_group_time"');
    await queryRunner.query('DROP TABLE "audit_log"');
  }
}
