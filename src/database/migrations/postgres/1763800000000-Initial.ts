import { MigrationInterface, QueryRunner } from 'typeorm';

export class Initial1763800000000 implements MigrationInterface {
  name = 'Initial1763800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "authentication_tokens" ("id" character varying(36) NOT NULL, "group_id" character varying(64) NOT NULL, "user_id" character varying(64) NOT NULL, "key" character varying(255) NOT NULL, "token_hash" character varying(64) NOT NULL, "creation_time" bigint NOT NULL, "validity" integer NOT NULL, "deletion_date" bigint, CONSTRAINT "uq_auth_tokens_user_key" UNIQUE ("group_id", "user_id", "key"), CONSTRAINT "PK_b4f11eff979c295f51126eeb3c9" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE INDEX "idx_auth_tokens_group" ON "authentication_tokens"  ("group_id") ');
    await queryRunner.query('CREATE INDEX "idx_auth_tokens_user" ON "authentication_tokens"  ("user_id") ');
    await queryRunner.query(
      'CREATE TABLE "sessions" ("id" character varying(36) NOT NULL, "group_id" character varying(64) NOT NULL, "user_id" character varying(64) NOT NULL, "created_at" bigint NOT NULL, "expires_at" bigint NOT NULL, "revoked_at" bigint, "revoked_reason" character varying(32), "matched_user_ids" text, CONSTRAINT "PK_3238ef96f18b355b671619111bc" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE INDEX "idx_sessions_revoked_at" ON "sessions"  ("revoked_at") ');
    await queryRunner.query('CREATE INDEX "idx_sessions_group_user" ON "sessions"  ("group_id", "user_id") ');
    await queryRunner.query(
      'CREATE TABLE "verification_codes" ("id" character varying(36) NOT NULL, "group_id" character varying(64) NOT NULL, "user_id" character varying(64) NOT NULL, "purpose" character varying(32) NOT NULL, "code_hash" character varying(64) NOT NULL, "created_at" bigint NOT NULL, "last_sent_at" bigint NOT NULL, "expires_at" bigint NOT NULL, "attempts" integer NOT NULL DEFAULT \'0\', "max_attempts" integer NOT NULL DEFAULT \'5\', "consumed_at" bigint, CONSTRAINT "PK_18741b6b8bf1680dbf5057421d7" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE INDEX "idx_verification_codes_hash" ON "verification_codes"  ("code_hash") ');
    await queryRunner.query(
      'CREATE INDEX "idx_verification_codes_user_purpose" ON "verification_codes"  ("group_id", "user_id", "purpose") ',
    );
    await queryRunner.query(
      'CREATE TABLE "groups" ("id" character varying(64) NOT NULL, "rev" character varying(64) NOT NULL, "name" character varying(255) NOT NULL, "super_group_id" character varying(64), "path" character varying(2048) NOT NULL, "type" character varying(32), "super_admin" boolean NOT NULL DEFAULT false, "properties" text, "tags" text, "default_user_roles" text, "created" bigint NOT NULL, "modified" bigint NOT NULL, "deletion_date" bigint, CONSTRAINT "PK_659d1483316afb28afd3a90646e" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE INDEX "idx_groups_super_group" ON "groups"  ("super_group_id") ');
    await queryRunner.query('CREATE INDEX "idx_groups_path" ON "groups"  ("path") ');
    await queryRunner.query(
      'CREATE TABLE "healthcare_parties" ("id" character varying(64) NOT NULL, "group_id" character varying(64) NOT NULL, "rev" character varying(64) NOT NULL, "created" bigint NOT NULL, "modified" bigint NOT NULL, "deletion_date" bigint, "name" character varying(255), "last_name" character varying(255), "first_name" character varying(255), "nihii" character varying(64), "ssin" character varying(64), "cbe" character varying(64), "ehp" character varying(64), "speciality" character varying(255), "nihii_spec_code" character varying(64), "parent_id" character varying(64), "user_id" character varying(64), "search_terms" text, "postal_codes" character varying(1024), "extra" text, CONSTRAINT "PK_9c7926d0c828e5c558581dac634" PRIMARY KEY ("id", "group_id"))',
    );
    await queryRunner.query('CREATE INDEX "idx_hcp_group_parent" ON "healthcare_parties"  ("group_id", "parent_id") ');
    await queryRunner.query('CREATE INDEX "idx_hcp_group_last_name" ON "healthcare_parties"  ("group_id", "last_name", "id") ');
    await queryRunner.query(
      'CREATE TABLE "users" ("id" character varying(64) NOT NULL, "group_id" character varying(64) NOT NULL, "rev" character varying(64) NOT NULL, "created" bigint NOT NULL, "modified" bigint NOT NULL, "deletion_date" bigint, "login" character varying(255), "email" character varying(320), "mobile_phone" character varying(32), "external_id" character varying(256), "name" character varying(255), "first_name" character varying(255), "last_name" character varying(255), "date_of_birth" character varying(10), "language" character varying(16), "status" character varying(16) NOT NULL DEFAULT \'ACTIVE\', "type" character varying(16), "password_hash" character varying(512), "secret" character varying(128), "use_2fa" boolean NOT NULL DEFAULT false, "roles" text, "permissions" text, "properties" text, "auto_delegations" text, "metadata" text, "healthcare_party_id" character varying(64), "patient_id" character varying(64), "device_id" character varying(64), "created_date" bigint, "terms_of_use_date" bigint, "confirmed" boolean NOT NULL DEFAULT false, "clinical" boolean NOT NULL DEFAULT false, "template" boolean NOT NULL DEFAULT false, "native_signup" boolean NOT NULL DEFAULT false, "account_role" character varying(32), "failed_login_count" integer NOT NULL DEFAULT \'0\', "locked_until" bigint, CONSTRAINT "uq_users_group_external_id" UNIQUE ("group_id", "external_id"), CONSTRAINT "uq_users_group_mobile_phone" UNIQUE ("group_id", "mobile_phone"), CONSTRAINT "uq_users_group_email" UNIQUE ("group_id", "email"), CONSTRAINT "uq_users_group_login" UNIQUE ("group_id", "login"), CONSTRAINT "PK_7012f94bc313183742e83d9bb25" PRIMARY KEY ("id", "group_id"))',
    );
    await queryRunner.query('CREATE INDEX "idx_users_group_patient" ON "users"  ("group_id", "patient_id") ');
    await queryRunner.query('CREATE INDEX "idx_users_group_hcp" ON "users"  ("group_id", "healthcare_party_id") ');
    await queryRunner.query('CREATE INDEX "idx_users_group_login_id" ON "users"  ("group_id", "login", "id") ');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "public"."idx_users_group_login_id"');
    await queryRunner.query('DROP INDEX "public"."idx_users_group_hcp"');
    await queryRunner.query('DROP INDEX "public"."idx_users_group_patient"');
    await queryRunner.query('DROP TABLE "users"');
    await queryRunner.query('DROP INDEX "public"."idx_hcp_group_last_name"');
    await queryRunner.query('DROP INDEX "public"."idx_hcp_group_parent"');
    await queryRunner.query('DROP TABLE "healthcare_parties"');
    await queryRunner.query('DROP INDEX "public"."idx_groups_path"');
    await queryRunner.query('DROP INDEX "public"."idx_groups_super_group"');
    await queryRunner.query('DROP TABLE "groups"');
    await queryRunner.query('DROP INDEX "public"."idx_verification_codes_user_purpose"');
    await queryRunner.query('DROP INDEX "public"."idx_verification_codes_hash"');
    await queryRunner.query('DROP TABLE "verification_codes"');
    await queryRunner.query('DROP INDEX "public"."idx_sessions_group_user"');
    await queryRunner.query('DROP INDEX "public"."idx_sessions_revoked_at"');
    await queryRunner.query('DROP TABLE "sessions"');
    await queryRunner.query('DROP INDEX "public"."idx_auth_tokens_user"');
    await queryRunner.query('DROP INDEX "public"."idx_auth_tokens_group"');
    await queryRunner.query('DROP TABLE "authentication_tokens"');
  }
}
