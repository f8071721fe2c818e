import { NotFoundException, PayloadTooLargeException } from '@nestjs/common';
import { NotFoundError } from '../errors';
import { normalizeError } from './normalize-error';

describe('normalizeError', () => {
  it('keeps core errors', () => {
    const e = new NotFoundError('User', 'x');
    expect(normalizeError(e)).toBe(e);
  });

  it.each([
    [new NotFoundException(), 'ROUTE_NOT_FOUND'],
    [new PayloadTooLargeException(), 'PAYLOAD_TOO_LARGE'],
    [Object.assign(new Error('too big'), { code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 }), 'PAYLOAD_TOO_LARGE'],
    [Object.assign(new Error('bad media'), { code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE', statusCode: 415 }), 'UNSUPPORTED_MEDIA_TYPE'],
    [new SyntaxError('Unexpected token'), 'BAD_REQUEST'],
    [Object.assign(new Error('duplicate key'), { code: '23505', constraint: 'uq_users_group_email' }), 'DUPLICATE'],
  ])('maps %p to %s', (err, code) => {
    expect(normalizeError(err).code).toBe(code);
  });

  it.each([
    [{ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:5432' }],
    [new Error('timeout exceeded when trying to connect')],
    [new Error('Connection terminated unexpectedly')],
    [{ driverError: { code: '57014', message: 'canceling statement due to statement timeout' } }],
    [{ driverError: { code: '57P01', message: 'terminating connection due to administrator command' } }],
    [{ driverError: { code: '08006' } }],
    [{ driverError: { code: '53300' } }],
    [{ code: 'SQLITE_BUSY', message: 'database is locked' }],
  ])('an unavailable or too slow database is a 503 with Retry-After: %p', (err) => {
    const out = normalizeError(err);
    expect(out.code).toBe('SERVICE_UNAVAILABLE');
    expect(out.details.retryAfterSeconds).toBeGreaterThan(0);
  });

  it.each([
    [{ driverError: { code: '23502', column: 'mobile_phone', message: 'null value in column' } }, 'mobilePhone'],
    [{ driverError: { code: 'SQLITE_CONSTRAINT_NOTNULL', message: 'NOT NULL constraint failed: users.status' } }, 'status'],
  ])('a NOT NULL violation is a validation error on the field: %p', (err, field) => {
    const out = normalizeError(err);
    expect(out.code).toBe('VALIDATION');
    expect(out.details.issues?.[0].loc).toEqual(['body', field]);
  });

  it.each([
    [{ driverError: { code: '22021', message: 'invalid byte sequence for encoding "UTF8": 0x00' } }, 'BAD_REQUEST'],
    [Object.assign(new Error("'/%zz' is not a valid url component"), { code: 'FST_ERR_BAD_URL', statusCode: 400 }), 'BAD_REQUEST'],
    [Object.assign(new Error('too long'), { code: 'FST_ERR_MAX_PARAM_LENGTH', statusCode: 414 }), 'URI_TOO_LONG'],
  ])('client faults raised below the routes stay 4xx: %p', (err, code) => {
    expect(normalizeError(err).code).toBe(code);
  });

  it('hides the message of unknown errors', () => {
    const out = normalizeError(new Error('SELECT * FROM users at /work/main/src/x.ts:1'));
    expect(out.code).toBe('INTERNAL');
    expect(out.message).toBe('Internal server error');
  });
});
