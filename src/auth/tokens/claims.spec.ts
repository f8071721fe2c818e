import { claimProblem } from './claims';

const now = 1_800_000_000;
const good = {
  sub: 'u',
  grp: 'g',
  sid: 's',
  jti: 'j',
  typ: 'access',
  iss: 'caregate',
  aud: 'caregate',
  iat: now,
  nbf: now,
  exp: now + 600,
};
const header = { alg: 'ES256', kid: 'k' };

describe('claimProblem', () => {
  it('accepts a complete token within its time window (with 5 s of tolerance)', () => {
    expect(claimProblem(header, good, 'access', now)).toBeNull();
    expect(claimProblem(header, { ...good, nbf: now + 4 }, 'access', now)).toBeNull();
    expect(claimProblem(header, good, 'access', now + 604)).toBeNull();
  });

  it.each(['exp', 'iat', 'nbf', 'jti', 'sid', 'typ', 'sub', 'grp', 'iss', 'aud'])('requires %s', (k) => {
    const c: Record<string, unknown> = { ...good };
    delete c[k];
    expect(claimProblem(header, c, 'access', now)).not.toBeNull();
  });

  it('refuses wrong types, the other token type, expired, early and future-issued tokens', () => {
    expect(claimProblem(header, { ...good, exp: String(now + 600) }, 'access', now)).toBe('missing exp');
    expect(claimProblem(header, good, 'refresh', now)).toBe('wrong token type');
    expect(claimProblem(header, good, 'access', now + 605)).toBe('expired');
    expect(claimProblem(header, { ...good, nbf: now + 6 }, 'access', now)).toBe('not yet valid');
    expect(claimProblem(header, { ...good, iat: now + 60 }, 'access', now)).toBe('issued in the future');
  });

  it('refuses any crit header and embedded key material', () => {
    expect(claimProblem({ ...header, crit: ['b64'] }, good, 'access', now)).toBe('unsupported crit header');
    for (const h of ['jwk', 'jku', 'x5u', 'x5c'])
      expect(claimProblem({ ...header, [h]: 'x' }, good, 'access', now)).toBe('embedded key material');
  });
});
