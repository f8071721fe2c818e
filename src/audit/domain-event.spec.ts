import { canonicalForm, canonicalFormOfRaw, checkpointSignature, checkpointValid, GENESIS_HASH, rowHash } from './audit-chain';
import { createdFields, userUpdateEvents } from './domain-event';

describe('domain events', () => {
  it('splits one user update into password, roles, status and other-field events, without values', () => {
    const events = userUpdateEvents(
      'u1',
      { name: 'A', roles: [], status: 'ACTIVE', email: 'a@x' },
      { name: 'B', roles: ['ADMINISTRATOR'], status: 'DISABLED', email: 'a@x', passwordHash: 'argon2...', modified: 5 },
    );
    expect(events.map((e) => [e.action, e.fields])).toEqual([
      ['user.password_changed', ['password']],
      ['user.roles_changed', ['roles']],
      ['user.disabled', ['status']],
      ['user.updated', ['name']],
    ]);
    expect(JSON.stringify(events)).not.toContain('argon2');
    expect(userUpdateEvents('u1', { passwordHash: 'x' }, { passwordHash: 'y' }, { passwordReset: true })[0].action).toBe(
      'user.password_reset',
    );
    expect(userUpdateEvents('u1', { name: 'A' }, { name: 'A', modified: 1 })).toEqual([]);
  });

  it('names created fields, secrets as password', () => {
    expect(createdFields({ login: 'x', password: 's3cret', email: null, secret: 'totp' })).toEqual([
      'login',
      'password',
      'twoFactorSecret',
    ]);
  });
});

describe('audit chain', () => {
  const row = {
    groupId: 'g',
    seq: 1,
    id: 'e1',
    occurredAt: 1,
    actor: 'a',
    subjectType: 'user' as const,
    subjectId: 's',
    action: 'user.created' as const,
    fields: ['b', 'a'],
    requestId: null,
    ip: null,
    client: 'system',
    prevHash: GENESIS_HASH,
  };

  it('hashes a canonical form that does not depend on field order and covers every column', () => {
    expect(canonicalForm(row)).toBe(canonicalForm({ ...row, fields: ['a', 'b'] }));
    const h = rowHash(row);
    for (const k of Object.keys(row) as (keyof typeof row)[]) {
      const changed = { ...row, [k]: k === 'fields' ? ['c'] : k === 'seq' || k === 'occurredAt' ? 2 : 'x' };
      expect(rowHash(changed)).not.toBe(h);
    }
  });

  it('computes the same canonical form from a stored row (the fast path of verify)', () => {
    const stored = {
      group_id: 'g',
      seq: '1',
      event_id: 'e1',
      occurred_at: '1',
      actor: 'a',
      subject_type: 'user',
      subject_id: 's',
      action: 'user.created',
      fields: JSON.stringify(['a', 'b']),
      request_id: null,
      ip: null,
      client: 'system',
      prev_hash: GENESIS_HASH,
    };
    expect(canonicalFormOfRaw(stored)).toBe(canonicalForm(row));
    for (const odd of ['r"1', 'back\\slash', 'tab\tnl\n', 'lone \ud800', 'pair 😀', 'sep \u2028'])
      expect(canonicalFormOfRaw({ ...stored, request_id: odd, ip: '::1' })).toBe(canonicalForm({ ...row, requestId: odd, ip: '::1' }));
  });

  it('signs checkpoints with the server key', () => {
    const key = Buffer.from('k'.repeat(32));
    const sig = checkpointSignature(key, 'g', 10, 'ab'.repeat(32));
    expect(checkpointValid(key, 'g', 10, 'ab'.repeat(32), sig)).toBe(true);
    expect(checkpointValid(key, 'g', 11, 'ab'.repeat(32), sig)).toBe(false);
    expect(checkpointValid(Buffer.from('other'), 'g', 10, 'ab'.repeat(32), sig)).toBe(false);
  });
});
