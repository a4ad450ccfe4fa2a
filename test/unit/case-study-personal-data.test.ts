import { personalDataIn } from '../../src/case-studies/personal-data';

const terms = { names: ['Margaret Ellingham', 'Dale Cropper'], datesOfBirth: ['1941-03-14'], postcodes: ['LN1 3AB'] };

describe('personal data of the source case in a case study', () => {
  test.each([
    ['the full name', 'Margaret Ellingham was frightened.', 'a name'],
    ['a surname alone, in any case', 'mrs ellingham was frightened.', 'a name'],
    ['a first name', 'Dale kept knocking.', 'a name'],
    ['a date of birth with slashes', 'born 14/03/1941', 'a date of birth'],
    ['a date of birth without leading zeros', 'born 14/3/1941', 'a date of birth'],
    ['a date of birth in words', 'born on 14th March 1941', 'a date of birth'],
    ['a date of birth as ISO', '1941-03-14', 'a date of birth'],
    ['a postcode without its space', 'near ln13ab', 'a postcode'],
  ])('finds %s', (_what, text, kind) => {
    expect(personalDataIn({ whatWorked: text }, terms).whatWorked).toContain(kind);
  });

  test.each([
    ['another date', 'signed on 14/03/2026'],
    ['another postcode', 'near LN1 3AC'],
    ['a word containing a name', 'Cropperton estate'],
    ['short name parts', 'Al went to the shop'],
  ])('does not flag %s', (_what, text) => {
    expect(personalDataIn({ whatWorked: text }, { ...terms, names: [...terms.names, 'Al Ng'] })).toEqual({});
  });

  test('says which fields hold what, never the data itself', () => {
    const found = personalDataIn({ title: 'Dale Cropper at LN1 3AB', barriers: 'none', whatDidNot: null }, terms);
    expect(found).toEqual({
      title: 'This text contains a name and a postcode from the source case: remove personal data before submitting',
    });
  });
});
