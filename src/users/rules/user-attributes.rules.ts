import { ValidationError } from '../../common/errors';

/** Limits on a user's external id and metadata (first written down by the Nabla document; core rules for every profile). */
export const EXTERNAL_ID_MAX_LENGTH = 256;
export const METADATA_MAX_KEYS = 50;
export const METADATA_KEY_MAX_LENGTH = 40;
export const METADATA_VALUE_MAX_LENGTH = 500;

function fail(field: string, msg: string, type: string, input: unknown, limit: number): never {
  throw new ValidationError([{ loc: [field], type, msg, input, ctx: { limit } }]);
}

export function assertExternalId(value: unknown): asserts value is string | null {
  if (value === null) return;
  if (typeof value !== 'string') fail('externalId', 'externalId must be a string or null', 'string_type', value, EXTERNAL_ID_MAX_LENGTH);
  if ([...value].length > EXTERNAL_ID_MAX_LENGTH)
    fail('externalId', `externalId must be at most ${EXTERNAL_ID_MAX_LENGTH} characters`, 'too_long', value, EXTERNAL_ID_MAX_LENGTH);
}

/** Metadata is replaced whole: at most 50 keys, keys of at most 40 characters, string values of at most 500. */
export function assertMetadata(value: unknown): asserts value is Record<string, string> | null {
  if (value === null) return;
  if (typeof value !== 'object' || Array.isArray(value))
    fail('metadata', 'metadata must be an object with string values, or null', 'dict_type', value, METADATA_MAX_KEYS);
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > METADATA_MAX_KEYS)
    fail(
      'metadata',
      `metadata may have at most ${METADATA_MAX_KEYS} keys (got ${entries.length})`,
      'too_many_keys',
      undefined,
      METADATA_MAX_KEYS,
    );
  for (const [k, v] of entries) {
    if ([...k].length > METADATA_KEY_MAX_LENGTH)
      fail(
        'metadata',
        `metadata key names may have at most ${METADATA_KEY_MAX_LENGTH} characters: "${k}"`,
        'key_too_long',
        k,
        METADATA_KEY_MAX_LENGTH,
      );
    if (typeof v !== 'string') fail('metadata', `metadata values must be strings: "${k}"`, 'string_type', v, METADATA_VALUE_MAX_LENGTH);
    if ([...v].length > METADATA_VALUE_MAX_LENGTH)
      fail(
        'metadata',
        `metadata values may have at most ${METADATA_VALUE_MAX_LENGTH} characters: "${k}"`,
        'value_too_long',
        undefined,
        METADATA_VALUE_MAX_LENGTH,
      );
  }
}
