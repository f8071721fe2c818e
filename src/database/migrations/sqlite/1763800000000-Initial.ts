import { MigrationInterface, QueryRunner } from 'typeorm';

export class Initial1763800000000 implements MigrationInterface {
  name = 'Initial1763800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "authentication_tokens" ("id" varchar(36) PRIMARY KEY NOT NULL, "group_id" varchar(64) NOT NULL, "user_id" varchar(64) NOT NULL, "key" varchar(255) NOT NULL, "token_hash" varchar(64) NOT NULL, "creation_time" bigint NOT NULL, "validity" integer NOT NULL, "deletion_date" bigint, CONSTRAINT "uq_auth_tokens_user_key" UNIQUE ("group_id", "user_id", "key"))',
    );
    await queryRunner.query('CREATE INDEX "idx_auth_tokens_group" ON "authentication_tokens" ("group_id") ');
    await queryRunner.query('CREATE INDEX "idx_auth_tokens_user" ON "authentication_tokens" ("user_id") ');
    await queryRunner.query(
      'CREATE TABLE "sessions" ("id" varchar(36) PRIMARY KEY NOT NULL, "group_id" varchar(64) NOT NULL, "user_id" varchar(64) NOT NULL, "created_at" bigint NOT NULL, "expires_at" bigint NOT NULL, "revoked_at" bigint, "revoked_reason" varchar(32), "matched_user_ids" text)',
    );
    await queryRunner.query('CREATE INDEX "idx_sessions_revoked_at" ON "sessions" ("revoked_at") ');
    await queryRunner.query('CREATE INDEX "idx_sessions_group_user" ON "sessions" ("group_id", "user_id") ');
    await queryRunner.query(
      'CREATE TABLE "verification_codes" ("id" varchar(36) PRIMARY KEY NOT NULL, "group_id" varchar(64) NOT NULL, "user_id" varchar(64) NOT NULL, "purpose" varchar(32) NOT NULL, "code_hash" varchar(64) NOT NULL, "created_at" bigint NOT NULL, "last_sent_at" bigint NOT NULL, "expires_at" bigint NOT NULL, "attempts" integer NOT NULL DEFAULT (0), "max_attempts" integer NOT NULL DEFAULT (5), "consumed_at" bigint)',
    );
    await queryRunner.query('CREATE INDEX "idx_verification_codes_hash" ON "verification_codes" ("code_hash") ');
    await queryRunner.query(
      'CREATE INDEX "idx_verification_codes_user_purpose" ON "verification_codes" ("group_id", "user_id", "purpose") ',
    );
    await queryRunner.query(
      'CREATE TABLE "groups" ("id" varchar(64) PRIMARY KEY NOT NULL, "rev" varchar(64) NOT NULL, "name" varchar(255) NOT NULL, "super_group_id" varchar(64), "path" varchar(2048) NOT NULL, "type" varchar(32), "super_admin" boolean NOT NULL DEFAULT (0), "properties" text, "tags" text, "default_user_roles" text, "created" bigint NOT NULL, "modified" bigint NOT NULL, "deletion_date" bigint)',
    );
    await queryRunner.query('CREATE INDEX "idx_groups_super_group" ON "groups" ("super_group_id") ');
    await queryRunner.query('CREATE INDEX "idx_groups_path" ON "groups" ("path") ');
    await queryRunner.query(
      'CREATE TABLE "healthcare_parties" ("id" varchar(64) NOT NULL, "group_id" varchar(64) NOT NULL, "rev" varchar(64) NOT NULL, "created" bigint NOT NULL, "modified" bigint NOT NULL, "deletion_date" bigint, "name" varchar(255), "last_name" varchar(255), "first_name" varchar(255), "nihii" varchar(64), "ssin" varchar(64), "cbe" varchar(64), "ehp" varchar(64), "speciality" varchar(255), "nihii_spec_code" varchar(64), "parent_id" varchar(64), "user_id" varchar(64), "search_terms" text, "postal_codes" varchar(1024), "extra" text, PRIMARY KEY ("id", "group_id"))',
    );
    await queryRunner.query('CREATE INDEX "idx_hcp_group_parent" ON "healthcare_parties" ("group_id", "parent_id") ');
    await queryRunner.query('CREATE INDEX "idx_hcp_group_last_name" ON "healthcare_parties" ("group_id", "last_name", "id") ');
    await queryRunner.query(
      'CREATE TABLE "users" ("id" varchar(64) NOT NULL, "group_id" varchar(64) NOT NULL, "rev" varchar(64) NOT NULL, "created" bigint NOT NULL, "modified" bigint NOT NULL, "deletion_date" bigint, "login" varchar(255), "email" varchar(320), "mobile_phone" varchar(32), "external_id" varchar(256), "name" varchar(255), "first_name" varchar(255), "last_name" varchar(255), "date_of_birth" varchar(10), "language" varchar(16), "status" varchar(16) NOT NULL DEFAULT (\'ACTIVE\'), "type" varchar(16), "password_hash" varchar(512), "secret" varchar(128), "use_2fa" boolean NOT NULL DEFAULT (0), "roles" text, "permissions" text, "properties" text, "auto_delegations" text, "metadata" text, "healthcare_party_id" varchar(64), "patient_id" varchar(64), "device_id" varchar(64), "created_date" bigint, "terms_of_use_date" bigint, "confirmed" boolean NOT NULL DEFAULT (0), "clinical" boolean NOT NULL DEFAULT (0), "template" boolean NOT NULL DEFAULT (0), "native_signup" boolean NOT NULL DEFAULT (0), "account_role" varchar(32), "failed_login_count" integer NOT NULL DEFAULT (0), "locked_until" bigint, CONSTRAINT "uq_users_group_external_id" UNIQUE ("group_id", "external_id"), CONSTRAINT "uq_users_group_mobile_phone" UNIQUE ("group_id", "mobile_phone"), CONSTRAINT "uq_users_group_email" UNIQUE ("group_id", "email"), CONSTRAINT "uq_users_group_login" UNIQUE ("group_id", "login"), PRIMARY KEY ("id", "group_id"))',
    );
    await queryRunner.query('CREATE INDEX "idx_users_group_patient" ON "users" ("group_id", "patient_id") ');
    await queryRunner.query('CREATE INDEX "idx_users_group_hcp" ON "users" ("group_id", "healthcare_party_id") ');
    await queryRunner.query('CREATE INDEX "idx_users_group_login_id" ON "users" ("group_id", "login", "id") ');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "idx_users_group_login_id"');
    await queryRunner.query('DROP INDEX "idx_users_group_hcp"');
    await queryRunner.query('DROP INDEX "idx_users_group_patient"');
    await queryRunner.query('DROP TABLE "users"');
    await queryRunner.query('DROP INDEX "idx_hcp_group_last_name"');
    await queryRunner.query('DROP INDEX "idx_hcp_group_parent"');
    await queryRunner.query('DROP TABLE "healthcare_parties"');
    await queryRunner.query('DROP INDEX "idx_groups_path"');
    await queryRunner.query('DROP INDEX "idx_groups_super_group"');
    await queryRunner.query('DROP TABLE "groups"');
    await queryRunner.query('DROP INDEX "idx_verification_codes_user_purpose"');
    await queryRunner.query('DROP INDEX "idx_verification_codes_hash"');
    await queryRunner.query('DROP TABLE "verification_codes"');
    await queryRunner.query('DROP INDEX "idx_sessions_group_user"');
    await queryRunner.query('DROP INDEX "idx_sessions_revoked_at"');
    await queryRunner.query('DROP TABLE "sessions"');
    await queryRunner.query('DROP INDEX "idx_auth_tokens_user"');
    await queryRunner.query('DROP INDEX "idx_auth_tokens_group"');
    await queryRunner.query('DROP TABLE "authentication_tokens"');
  }
}
