import { MigrationInterface } from 'typeorm';

/**
 * The PostgreSQL migration of this name gives the range and keyset columns the "C" collation. SQLite
 * compares text BINARY (byte-wise) unless a column says otherwise, and these never did: nothing to do.
 */
export class BytewiseCollation1764600000000 implements MigrationInterface {
  name = 'BytewiseCollation1764600000000';

  async up(): Promise<void> {}

  async down(): Promise<void> {}
}
