import type { User } from '../../../users/user.model';
import { toNativeUser } from './user.mapper';

const base: User = {
  id: 'u1',
  groupId: 'g1',
  rev: '1-a',
  created: 1,
  modified: 2,
  deletionDate: null,
  login: null,
  email: null,
  mobilePhone: null,
  externalId: null,
  name: null,
  firstName: null,
  lastName: null,
  dateOfBirth: null,
  language: null,
  status: 'ACTIVE',
  type: null,
  passwordHash: null,
  secret: null,
  use2fa: false,
  roles: null,
  permissions: null,
  properties: null,
  autoDelegations: null,
  metadata: null,
  healthcarePartyId: null,
  patientId: null,
  deviceId: null,
  createdDate: null,
  termsOfUseDate: null,
  confirmed: false,
  clinical: false,
  template: false,
  nativeSignup: false,
  accountRole: null,
  failedLoginCount: 0,
  lockedUntil: null,
};

describe('toNativeUser', () => {
  it('leaves absent fields out and keeps iCure key order (the JSON text clients see)', () => {
    expect(JSON.stringify(toNativeUser(base))).toBe(
      '{"id":"u1","rev":"1-a","created":1,"properties":[],"permissions":[],"roles":[],"status":"ACTIVE","groupId":"g1",' +
        '"autoDelegations":{},"applicationTokens":{},"authenticationTokens":{},' +
        '"systemMetadata":{"roles":[],"isAdmin":false,"inheritsRoles":false}}',
    );
  });

  it('renders every field in order, a set password as "*", never the secret', () => {
    const full: User = {
      ...base,
      deletionDate: 3,
      name: 'N',
      properties: [],
      permissions: [{ grants: [] }],
      roles: ['ADMINISTRATOR'],
      type: 'database',
      login: 'l',
      passwordHash: 'argon2-hash',
      secret: 'totp-secret',
      use2fa: true,
      healthcarePartyId: 'h',
      patientId: 'p',
      deviceId: 'd',
      autoDelegations: { all: ['x'] },
      createdDate: 4,
      termsOfUseDate: 5,
      email: 'e@x.org',
      mobilePhone: '+32470000000',
    };
    const json = JSON.stringify(toNativeUser(full, [{ key: '__proto__', creationTime: 6, validity: 7 }]));
    expect(json).toBe(
      '{"id":"u1","rev":"1-a","created":1,"deletionDate":3,"name":"N","properties":[],"permissions":[{"grants":[]}],' +
        '"roles":["ADMINISTRATOR"],"type":"database","status":"ACTIVE","login":"l","passwordHash":"*","use2fa":true,"groupId":"g1",' +
        '"healthcarePartyId":"h","patientId":"p","deviceId":"d","autoDelegations":{"all":["x"]},"createdDate":4,"termsOfUseDate":5,' +
        '"email":"e@x.org","mobilePhone":"+32470000000","applicationTokens":{},' +
        '"authenticationTokens":{"__proto__":{"creationTime":6,"validity":7}},' +
        '"systemMetadata":{"roles":["ADMINISTRATOR"],"isAdmin":true,"inheritsRoles":false}}',
    );
    expect(json).not.toContain('totp-secret');
    expect(json).not.toContain('argon2-hash');
  });
});
