import { CoreError, ValidationError } from '../common/errors';
import type { PropertyValue } from './group.entity';

export const PROPERTY_TYPES = ['BOOLEAN', 'INTEGER', 'DOUBLE', 'STRING', 'DATE', 'CLOB', 'JSON'] as const;
const VALUE_FIELD: Record<string, string> = {
  BOOLEAN: 'booleanValue',
  INTEGER: 'integerValue',
  DOUBLE: 'doubleValue',
  STRING: 'stringValue',
  DATE: 'dateValue',
  CLOB: 'stringValue',
  JSON: 'stringValue',
};

function inferType(tv: Record<string, unknown> | undefined): string | undefined {
  if (!tv) return undefined;
  if (typeof tv.type === 'string') return tv.type;
  if (tv.booleanValue !== undefined) return 'BOOLEAN';
  if (tv.integerValue !== undefined) return 'INTEGER';
  if (tv.doubleValue !== undefined) return 'DOUBLE';
  if (tv.dateValue !== undefined) return 'DATE';
  if (tv.stringValue !== undefined) return 'STRING';
  return undefined;
}

/**
 * THE property-merge rule, for users and groups alike (iCure modifyProperties): stubs are merged by
 * `type.identifier`; an existing property gets the new typed value (type kept, or inferred),
 * unknown ones are appended; `deletionDate` and `encryptedSelf` are kept as sent (and `id` on a new
 * one). Limits: `maxCount` properties (VALIDATION, too_long) and `maxValueBytes` per typed value
 * (PAYLOAD_TOO_LARGE, with the offending field as an issue).
 * `at` is where the stubs sit in the document (e.g. `properties` of a group), for the issues' `loc`;
 * the HTTP layer adds the request location.
 */
export function mergeProperties(
  existing: PropertyValue[],
  stubs: PropertyValue[],
  limits: { maxCount: number; maxValueBytes: number },
  at: (string | number)[] = [],
): PropertyValue[] {
  const out = existing.map((p) => ({ ...p }));
  stubs.forEach((stub, i) => {
    const identifier = stub && typeof stub === 'object' ? stub.type?.identifier : undefined;
    if (!identifier || typeof identifier !== 'string')
      throw new ValidationError([{ loc: [...at, i, 'type', 'identifier'], type: 'missing', msg: 'Each property needs type.identifier' }]);
    const current = out.find((p) => p.type?.identifier === identifier);
    const type = stub.type?.type ?? current?.type?.type ?? inferType(stub.typedValue);
    if (type !== undefined && !(PROPERTY_TYPES as readonly string[]).includes(type)) {
      throw new ValidationError([
        { loc: [...at, i, 'type', 'type'], type: 'enum', msg: `type must be one of ${PROPERTY_TYPES.join(', ')}`, input: type },
      ]);
    }
    const typedValue = stub.typedValue ? { ...stub.typedValue, ...(type ? { type } : {}) } : undefined;
    if (type && typedValue) checkValue([...at, i], type, typedValue);
    if (typedValue && Buffer.byteLength(JSON.stringify(typedValue)) > limits.maxValueBytes) {
      const msg = `Property ${identifier} is larger than ${limits.maxValueBytes} bytes`;
      throw new CoreError('PAYLOAD_TOO_LARGE', msg, {
        issues: [{ loc: [...at, i, 'typedValue'], type: 'too_long', msg, ctx: { max_length: limits.maxValueBytes } }],
      });
    }
    if (current) {
      current.type = { identifier, ...(type ? { type } : {}) };
      current.typedValue = typedValue;
      if (stub.deletionDate !== undefined) current.deletionDate = stub.deletionDate;
      if (stub.encryptedSelf !== undefined) current.encryptedSelf = stub.encryptedSelf;
    } else {
      out.push({
        ...(stub.id ? { id: stub.id } : {}),
        type: { identifier, ...(type ? { type } : {}) },
        ...(typedValue ? { typedValue } : {}),
        ...(stub.deletionDate !== undefined ? { deletionDate: stub.deletionDate } : {}),
        ...(stub.encryptedSelf !== undefined ? { encryptedSelf: stub.encryptedSelf } : {}),
      });
    }
  });
  if (out.length > limits.maxCount)
    throw new ValidationError([{ loc: [...at], type: 'too_long', msg: `At most ${limits.maxCount} properties are allowed` }]);
  return out;
}

function checkValue(loc: (string | number)[], type: string, tv: Record<string, unknown>): void {
  const field = VALUE_FIELD[type];
  const v = tv[field];
  if (v === undefined || v === null) return;
  const ok =
    (type === 'BOOLEAN' && typeof v === 'boolean') ||
    ((type === 'INTEGER' || type === 'DATE') && Number.isInteger(v)) ||
    (type === 'DOUBLE' && typeof v === 'number') ||
    (['STRING', 'CLOB'].includes(type) && typeof v === 'string') ||
    (type === 'JSON' && typeof v === 'string' && isJson(v));
  if (!ok)
    throw new ValidationError([
      { loc: [...loc, 'typedValue', field], type: 'value_error', msg: `${field} does not hold a valid ${type} value`, input: v },
    ]);
}

function isJson(s: string): boolean {
  try {
    JSON.parse(s);
    return true;
  } catch {
    return false;
  }
}
