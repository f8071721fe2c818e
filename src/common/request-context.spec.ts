import { NO_GROUP, RequestContext } from './request-context';

describe('RequestContext.crossTenant: the one named way to read across tenants', () => {
  it('carries its reason, belongs to no group unless narrowed, and holds no role', () => {
    const ctx = RequestContext.crossTenant('login');
    expect(ctx.crossTenantReason).toBe('login');
    expect(ctx.groupId).toBe(NO_GROUP);
    expect(ctx.isAdmin).toBe(false);
    expect(() => ctx.assertCrossTenant()).not.toThrow();
    const narrowed = RequestContext.crossTenant('login-matches', { groupId: 'g-2' });
    expect(narrowed.groupId).toBe('g-2');
    expect(narrowed.crossTenantReason).toBe('login-matches');
  });

  it.each([
    ['system', RequestContext.system('root')],
    ['anonymous', RequestContext.anonymous()],
    ['a caller', RequestContext.forTest({ groupId: 'g-1', roles: ['ADMINISTRATOR'] })],
    ['a caller acting in a descendant group', RequestContext.forTest({ groupId: 'g-1' }).inGroup('g-2', ['g-1'])],
  ])('any other context (%s) is refused by the queries that span groups', (_name, ctx) => {
    expect(ctx.crossTenantReason).toBeUndefined();
    expect(() => ctx.assertCrossTenant()).toThrow(/RequestContext\.crossTenant/);
  });

  it('a reason cannot be smuggled in through the target', () => {
    const ctx = RequestContext.crossTenant('home-group', { groupId: 'g-1', crossTenant: 'login' });
    expect(ctx.crossTenantReason).toBe('home-group');
  });
});
