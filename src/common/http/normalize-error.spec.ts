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

  it('hides the message of unknown errors', () => {
    const out = normalizeError(new Error('SELECT * FROM users at /work/main/src/x.ts:1'));
    expect(out.code).toBe('INTERNAL');
    expect(out.message).toBe('Internal server error');
  });
});
