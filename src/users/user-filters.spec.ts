import { parseUserFilter } from './user-filters';
import { thrownBy } from '../../test/support/thrown';

describe('parseUserFilter', () => {
  it('accepts nested filters', () => {
    expect(
      parseUserFilter({ $type: 'UnionFilter', filters: [{ $type: 'UserByIdsFilter', ids: ['a'] }, { $type: 'AllUsersFilter' }] }),
    ).toEqual({
      $type: 'UnionFilter',
      filters: [
        { $type: 'UserByIdsFilter', ids: ['a'], desc: undefined },
        { $type: 'AllUsersFilter', desc: undefined },
      ],
      desc: undefined,
    });
  });

  it.each([
    [{}],
    [{ $type: 'NopeFilter' }],
    [{ $type: 'UserByIdsFilter', ids: 'a' }],
    [{ $type: 'ComplementFilter', superSet: { $type: 'AllUsersFilter' } }],
    [null],
  ])('refuses %j', (f) => {
    expect(thrownBy(() => parseUserFilter(f))).toMatchObject({ code: 'VALIDATION' });
  });
});
