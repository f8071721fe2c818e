import { HealthcarePartyEntity } from './healthcare-party.entity';
import { fold, toColumns, toDocument } from './hcp-document';

describe('hcp-document', () => {
  it('folds accents, case and punctuation', () => {
    expect(fold('  Émile-Zoé  D’Artagnan ')).toBe('emile zoe d artagnan');
  });

  it('splits a document into columns and extra, and back', () => {
    const doc = {
      id: 'x',
      rev: '1-a',
      lastName: 'Dupont',
      firstName: 'Émile',
      speciality: 'Cardio',
      nihii: '1',
      addresses: [{ postalCode: '1000' }, { postalCode: ' 4000 ' }],
      languages: ['fr'],
      groupId: 'g',
    };
    const cols = toColumns(doc);
    expect(cols).toMatchObject({ lastName: 'Dupont', nihii: '1', searchTerms: ' dupont emile cardio ', postalCodes: ' 1000 4000 ' });
    expect(cols.extra).toEqual({ addresses: doc.addresses, languages: ['fr'] });
    const e = Object.assign(new HealthcarePartyEntity(), cols, {
      id: 'x',
      rev: '1-a',
      created: 1,
      modified: 2,
      deletionDate: null,
      groupId: 'g',
    });
    const { groupId: _g, ...rest } = doc;
    expect(toDocument(e)).toEqual({ ...rest, created: 1, modified: 2 });
  });
});
