/**
 * The tenancy matrix's explicit table. Every operation of the OpenAPI document must be either in
 * ROUTES (it is then called by a caller of group A with ids belonging to group B) or in
 * NON_TENANT_ROUTES (public or id-less routes). An operation in neither makes the test fail.
 *
 * To add a route: add `'METHOD /path/{param}': { params: (f) => ({ param: f.<B's id> }), ... }`.
 * `expect` defaults to 404 (another tenant's row is invisible); use 403 for inGroup/{groupId}
 * routes, and 'empty' for searches that answer 200 without B's data (the body must not contain
 * any of B's ids). `body`, `query`, `headers` are optional.
 */
export interface Fixture {
  groupA: string;
  groupB: string;
  groupA1: string;
  hcpB: string;
  hcpBName: string;
  userB: string;
  userBLogin: string;
  /** Refresh token of A's admin (for public routes keyed by refresh token). */
  refreshA: string;
  fresh: () => string;
}

export type Expectation = 404 | 403 | 400 | 'empty';

export interface RouteCase {
  params: (f: Fixture) => Record<string, string>;
  query?: (f: Fixture) => Record<string, string>;
  body?: (f: Fixture) => unknown;
  headers?: (f: Fixture) => Record<string, string>;
  /** Expected answer to A's administrator (default 404). A's plain user must get 403 or 404 (or 'empty'). */
  expect?: Expectation;
  /** Skip the caller's own credentials (public route). */
  anonymous?: boolean;
}

const G = (f: Fixture) => ({ id: f.groupB });
const HCP = (f: Fixture) => ({ healthcarePartyId: f.hcpB });
const U = (f: Fixture) => ({ userId: f.userB });
const GB = (f: Fixture) => ({ groupId: f.groupB });
const hcpDoc = (f: Fixture) => ({ id: f.hcpB, rev: '1-0', lastName: 'Overwrite' });

export const ROUTES: Record<string, RouteCase> = {
  // groups
  'GET /rest/v2/group/{id}': { params: G },
  'POST /rest/v2/group/{id}': { params: (f) => ({ id: f.fresh() }), query: (f) => ({ name: 'x', superGroup: f.groupB }) },
  'DELETE /rest/v2/group/{id}': { params: G },
  'DELETE /rest/v2/group/hard/{id}': { params: G },
  'GET /rest/v2/group/{id}/children': { params: G },
  'GET /rest/v2/group/{id}/children/search': { params: G, query: () => ({ searchString: 'a' }) },
  'GET /rest/v2/group/{id}/parent/name': { params: G },
  'PUT /rest/v2/group/{id}/name/{name}': { params: (f) => ({ id: f.groupB, name: 'Hijacked' }) },
  'PUT /rest/v2/group/{id}/properties': { params: G, body: () => ({ properties: [{ type: { identifier: 'x' } }] }) },
  'PUT /rest/v2/group/{id}/parent/{superGroupId}': { params: (f) => ({ id: f.groupB, superGroupId: f.groupA }) },
  'PUT /rest/v2/group/{id}/password': { params: G },
  'GET /rest/v2/group/{id}/r': { params: G },
  'PUT /rest/v2/group/{id}/dd': { params: G },
  'POST /rest/v2/group/{id}/reset/storage': { params: G, body: () => ({ ids: [] }) },
  'POST /rest/v2/group/{id}/conflicts': { params: G },
  // healthcare parties
  'GET /rest/v2/hcparty/{healthcarePartyId}': { params: HCP },
  'GET /rest/v2/hcparty/{healthcarePartyId}/children': { params: HCP },
  'GET /rest/v2/hcparty/{healthcarePartyId}/publicKey': { params: HCP },
  'GET /rest/v2/hcparty/{healthcarePartyId}/keys': { params: HCP },
  'GET /rest/v2/hcparty/{healthcarePartyId}/aesExchangeKeys': { params: HCP },
  'DELETE /rest/v2/hcparty/{healthcarePartyIds}': { params: (f) => ({ healthcarePartyIds: f.hcpB }) },
  'GET /rest/v2/hcparty/byIds/{ids}': { params: (f) => ({ ids: f.hcpB }), expect: 'empty' },
  'GET /rest/v2/hcparty/byNameStrict/{name}': { params: (f) => ({ name: f.hcpBName }), expect: 'empty' },
  'GET /rest/v2/hcparty/byNihiiOrSsin/{searchValue}': { params: () => ({ searchValue: '999' }), expect: 'empty' },
  'GET /rest/v2/hcparty/bySpecialityAndPostCode/{type}/{spec}/{firstCode}/to/{lastCode}': {
    params: () => ({ type: 'persphysician', spec: '001', firstCode: '0000', lastCode: '9999' }),
    expect: 'empty',
  },
  'PUT /rest/v2/hcparty': { params: () => ({}), body: hcpDoc },
  'POST /rest/v2/hcparty/filter': {
    params: () => ({}),
    body: (f) => ({ filter: { $type: 'HealthcarePartyByIdsFilter', ids: [f.hcpB] } }),
    expect: 'empty',
  },
  'POST /rest/v2/hcparty/match': {
    params: () => ({}),
    body: (f) => ({ $type: 'HealthcarePartyByIdsFilter', ids: [f.hcpB] }),
    expect: 'empty',
  },
  'GET /rest/v2/hcparty': { params: () => ({}), expect: 'empty' },
  'GET /rest/v2/hcparty/byName': { params: () => ({}), query: () => ({ name: 'Bee' }), expect: 'empty' },
  'POST /rest/v2/hcparty/inGroup/{groupId}/byIds': {
    params: (f) => ({ groupId: f.groupB }),
    body: (f) => ({ ids: [f.hcpB] }),
    expect: 403,
  },
  'POST /rest/v2/hcparty/inGroup/{groupId}': { params: (f) => ({ groupId: f.groupB }), body: () => ({ lastName: 'Planted' }), expect: 403 },
  'PUT /rest/v2/hcparty/inGroup/{groupId}': { params: (f) => ({ groupId: f.groupB }), body: hcpDoc, expect: 403 },
  'DELETE /rest/v2/hcparty/inGroup/{groupId}/{ids}': { params: (f) => ({ groupId: f.groupB, ids: f.hcpB }), expect: 403 },
  'POST /rest/v2/hcparty/register/inGroup/{groupId}': {
    params: (f) => ({ groupId: f.groupB }),
    body: () => ({ lastName: 'Planted' }),
    expect: 403,
  },
  'POST /rest/v2/hcparty': { params: () => ({}), body: (f) => ({ lastName: 'Planted', groupId: f.groupB }), expect: 400 },
  // native users
  'GET /rest/v2/user': { params: () => ({}), expect: 'empty' },
  'POST /rest/v2/user': { params: () => ({}), body: (f) => ({ login: f.fresh(), groupId: f.groupB }), expect: 400 },
  'PUT /rest/v2/user': { params: () => ({}), body: (f) => ({ id: f.userB, rev: '1-0', login: 'hijacked' }) },
  'GET /rest/v2/user/{userId}': { params: U },
  'DELETE /rest/v2/user/{userId}': { params: U },
  'PUT /rest/v2/user/{userId}/properties': { params: U, body: () => [{ type: { identifier: 'x' }, typedValue: { stringValue: 'y' } }] },
  'GET /rest/v2/user/byEmail/{email}': { params: (f) => ({ email: f.userBLogin }) },
  'GET /rest/v2/user/byHealthcarePartyId/{id}': { params: (f) => ({ id: f.hcpB }), expect: 'empty' },
  'GET /rest/v2/user/byPatientId/{id}': { params: () => ({ id: 'patient-b' }), expect: 'empty' },
  'PUT /rest/v2/user/current/hcparty/{healthcarePartyId}': { params: HCP },
  'POST /rest/v2/user/filter': {
    params: () => ({}),
    body: (f) => ({ filter: { $type: 'UserByIdsFilter', ids: [f.userB] } }),
    expect: 'empty',
  },
  'POST /rest/v2/user/match': { params: () => ({}), body: (f) => ({ $type: 'UserByIdsFilter', ids: [f.userB] }), expect: 'empty' },
  'POST /rest/v2/user/token/{userId}/{key}': { params: (f) => ({ userId: f.userB, key: 'matrix' }) },
  'GET /rest/v2/user/token/{userId}': { params: U, headers: () => ({ token: 'some-token-value' }) },
  'GET /rest/v2/user/inGroup/{groupId}': { params: GB, expect: 403 },
  'POST /rest/v2/user/inGroup/{groupId}': { params: GB, body: (f) => ({ login: f.fresh() }), expect: 403 },
  'PUT /rest/v2/user/inGroup/{groupId}': { params: GB, body: (f) => ({ id: f.userB, rev: '1-0', login: 'hijacked' }), expect: 403 },
  'GET /rest/v2/user/inGroup/{groupId}/{userId}': { params: (f) => ({ groupId: f.groupB, userId: f.userB }), expect: 403 },
  'DELETE /rest/v2/user/inGroup/{groupId}/{userId}': { params: (f) => ({ groupId: f.groupB, userId: f.userB }), expect: 403 },
  'POST /rest/v2/user/filter/inGroup/{groupId}': { params: GB, body: () => ({ filter: { $type: 'AllUsersFilter' } }), expect: 403 },
  'POST /rest/v2/user/inGroup/{groupId}/import': { params: GB, body: (f) => ({ users: [{ login: f.fresh() }] }), expect: 403 },
  'POST /rest/v2/user/inGroup/{groupId}/token/{userId}/{key}': {
    params: (f) => ({ groupId: f.groupB, userId: f.userB, key: 'matrix' }),
    expect: 403,
  },
  // Infermedica-style users
  'GET /api/mgp/v1/users': { params: () => ({}), expect: 'empty' },
  'GET /api/mgp/v1/users/{user_id}': { params: (f) => ({ user_id: f.userB }) },
  'PATCH /api/mgp/v1/users/{user_id}': { params: (f) => ({ user_id: f.userB }), body: () => ({ email: 'hijack@example.org' }) },
  'DELETE /api/mgp/v1/users/{user_id}': { params: (f) => ({ user_id: f.userB }) },
  // Nabla-style users
  'GET /v1/copilot-api/server/users': { params: () => ({}), expect: 'empty' },
  'GET /v1/copilot-api/server/users/{id}': { params: (f) => ({ id: f.userB }) },
  'PATCH /v1/copilot-api/server/users/{id}': { params: (f) => ({ id: f.userB }), body: () => ({ external_id: 'hijack' }) },
  'POST /v1/copilot-api/server/users/{id}/activate': { params: (f) => ({ id: f.userB }) },
  'POST /v1/copilot-api/server/users/{id}/deactivate': { params: (f) => ({ id: f.userB }) },
  // accounts lifecycle
  'GET /v1/users': { params: () => ({}), expect: 'empty' },
  'PUT /v1/users/{id}': { params: (f) => ({ id: f.userB }), body: () => ({ user: { first_name: 'Hijack' } }) },
  'POST /v1/users/{id}/cancel': { params: (f) => ({ id: f.userB }) },
  'DELETE /v1/users/{id}': { params: (f) => ({ id: f.userB }) },
  'POST /v1/users/resend_confirmation': { params: () => ({}), body: (f) => ({ user_id: f.userB }) },
  // multi-group identity
  'POST /rest/v2/auth/switch/{groupId}': {
    params: (f) => ({ groupId: f.groupB }),
    headers: (f) => ({ 'Refresh-Token': f.refreshA }),
    anonymous: true,
  },
  'POST /rest/v2/user/inAllGroups/token/{userIdentifier}/{key}': { params: (f) => ({ userIdentifier: f.userBLogin, key: 'matrix' }) },
  // audit trail and webhooks (issue 15)
  'GET /rest/v2/audit/inGroup/{groupId}': { params: GB, expect: 403 },
  'GET /rest/v2/audit/inGroup/{groupId}/verify': { params: GB, expect: 403 },
  'GET /rest/v2/audit/inGroup/{groupId}/export': { params: GB, expect: 403 },
  'POST /rest/v2/webhook/inGroup/{groupId}': { params: GB, body: () => ({ url: 'http://127.0.0.1:9/x' }), expect: 403 },
  'GET /rest/v2/webhook/inGroup/{groupId}': { params: GB, expect: 403 },
  'GET /rest/v2/webhook/inGroup/{groupId}/{id}': { params: (f) => ({ groupId: f.groupB, id: f.fresh() }), expect: 403 },
  'PUT /rest/v2/webhook/inGroup/{groupId}/{id}': {
    params: (f) => ({ groupId: f.groupB, id: f.fresh() }),
    body: () => ({ enabled: false }),
    expect: 403,
  },
  'DELETE /rest/v2/webhook/inGroup/{groupId}/{id}': { params: (f) => ({ groupId: f.groupB, id: f.fresh() }), expect: 403 },
  'POST /rest/v2/webhook/inGroup/{groupId}/{id}/rotate': { params: (f) => ({ groupId: f.groupB, id: f.fresh() }), expect: 403 },
  'GET /rest/v2/webhook/inGroup/{groupId}/{id}/deliveries': { params: (f) => ({ groupId: f.groupB, id: f.fresh() }), expect: 403 },
  'POST /rest/v2/webhook/inGroup/{groupId}/{id}/deliveries/{deliveryId}/redeliver': {
    params: (f) => ({ groupId: f.groupB, id: f.fresh(), deliveryId: f.fresh() }),
    expect: 403,
  },
};

/** Public or id-less routes that cannot name another tenant's row. */
export const NON_TENANT_ROUTES = new Set<string>([
  'GET /health',
  'GET /health/ready',
  'GET /.well-known/jwks.json',
  'GET /.well-known/openid-configuration',
  'POST /rest/v2/keys/reload',
  'GET /rest/v2/user/current',
  'GET /rest/v2/user/matches',
  'GET /rest/v2/group',
  'GET /rest/v2/group/apps',
  'POST /rest/v2/group/storage/info',
  'POST /rest/v2/group/register/trial',
  'GET /rest/v2/hcparty/current',
  'POST /rest/v2/auth/login',
  'POST /rest/v2/auth/check',
  'POST /rest/v2/auth/refresh',
  'POST /rest/v2/auth/invalidate',
  'GET /rest/v2/auth/logout',
  'POST /rest/v2/auth/logout',
  'GET /rest/v2/auth/token/{method}/{path}',
  'POST /rest/v2/auth/login/{thirdParty}',
  'GET /rest/v2/user/session',
  'GET /rest/v2/user/checkPassword',
  'GET /rest/v2/user/encodePassword',
  'POST /rest/v2/user/forgottenPassword/{email}',
  // creates in the caller's own group; no id of another tenant can be named
  'POST /api/mgp/v1/users',
  'POST /v1/copilot-api/server/users',
  // public lifecycle routes, keyed by the registration group or by a secret
  'POST /v1/users',
  'POST /v1/users/confirmation',
  'POST /v1/users/email_has_account',
  'POST /v1/users/passwords',
  'GET /v1/users/passwords/validate',
  'POST /v1/users/passwords/reset',
]);

/** Operations of the document that are in neither list (the matrix fails on any). */
export function unclassified(ops: string[]): string[] {
  return ops.filter((op) => !ROUTES[op] && !NON_TENANT_ROUTES.has(op));
}
