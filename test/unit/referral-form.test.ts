import { readRaw, removeSubject } from '../../src/referrals/referral-form';
import { validateReferral, type ValidationContext } from '../../src/referrals/referral-validation';
import { addressKey, formatPostcode, isUkPostcode, nameKey, postcodeKey } from '../../src/referrals/matching';
import type { Matrix } from '../../src/risk/scoring';

const matrix: Matrix = {
  id: 7,
  number: 2,
  threshold: 5,
  perpetratorThreshold: 5,
  locationThreshold: 5,
  escalationIncidents: 3,
  escalationMonths: 12,
  repeatMonths: 12,
  questions: [
    {
      id: 101,
      position: 1,
      code: 'a',
      subjectKind: 'victim',
      text: 'A?',
      hint: null,
      options: [
        { key: 'yes', label: 'Yes', weight: 3 },
        { key: 'no', label: 'No', weight: 0 },
      ],
    },
    {
      id: 102,
      position: 2,
      code: 'b',
      subjectKind: 'victim',
      text: 'B?',
      hint: null,
      options: [
        { key: 'yes', label: 'Yes', weight: 3 },
        { key: 'no', label: 'No', weight: 0 },
      ],
    },
  ],
};

const ctx = (mode: 'draft' | 'submit'): ValidationContext => ({
  mode,
  today: '2026-03-10',
  districtIds: new Set([1, 2]),
  matrix,
});

function complete(overrides: Record<string, unknown> = {}) {
  return {
    districtId: '1',
    officerName: 'PC Ellis',
    officerEmail: 'police@example.org',
    reason: 'Intimidation of a neighbour.',
    subjects: [
      {
        kind: 'victim',
        fullName: 'Ada Test',
        dateOfBirth: { day: '1', month: '2', year: '1950' },
        address: '1 Lane',
        postcode: 'ln1 1aa',
        vulnerabilities: ['age'],
      },
      { kind: 'perpetrator', fullName: 'Bo Test', approximateAge: '25' },
    ],
    incidents: [{ date: { day: '1', month: '3', year: '2026' }, type: 'noise', summary: 'Loud music.' }],
    links: [{ from: '1', relation: 'perpetrator-of', to: '0' }],
    risk: { q101: 'yes', q102: 'no' },
    judgement: 'agree',
    lawfulBasis: 'crime-and-disorder',
    consent: 'yes',
    ...overrides,
  };
}

const check = (body: Record<string, unknown>, mode: 'draft' | 'submit' = 'submit') =>
  validateReferral(readRaw(body), ctx(mode));
const withSubject = (fields: Record<string, unknown>) =>
  complete({ links: [], subjects: [{ kind: 'victim', fullName: 'Ada Test', approximateAge: '70', ...fields }] });

describe('a complete referral', () => {
  test('when everything is given, then there are no errors and the values are normalised', () => {
    const { input, errors } = check(complete());
    expect(errors).toEqual({});
    expect(input.districtId).toBe(1);
    expect(input.subjects[0]).toMatchObject({
      kind: 'victim',
      dateOfBirth: '1950-02-01',
      postcode: 'LN1 1AA',
      vulnerabilities: ['age'],
    });
    expect(input.subjects[1]).toMatchObject({ kind: 'perpetrator', approximateAge: 25, dateOfBirth: null });
    expect(input.links).toEqual([{ from: 1, relation: 'perpetrator-of', to: 0 }]);
    expect(input.incidents[0]).toMatchObject({ date: '2026-03-01', type: 'noise' });
    expect(input.answers).toEqual({ 101: 'yes', 102: 'no' });
    expect(input.matrixVersionId).toBe(7);
  });

  test('fields the form does not have are ignored', () => {
    const { input, errors } = check(
      complete({ referringAgencyId: '99', status: 'active', risk: { q101: 'yes', q102: 'no', q999: 'yes', 5: 'yes' } }),
    );
    expect(errors).toEqual({});
    expect(input).not.toHaveProperty('referringAgencyId');
    expect(input.answers).toEqual({ 101: 'yes', 102: 'no' });
  });
});

describe('required fields', () => {
  test('when submitting an empty form, then every required field has its own message', () => {
    const { errors } = check({});
    expect(errors).toEqual({
      districtId: 'Select the district the case is in',
      officerName: 'Enter the name of the referring officer',
      officerEmail: 'Enter the email address of the referring officer',
      reason: 'Enter why you are referring this case',
      subjects: 'Add at least one subject: a victim, a perpetrator or a location',
      incidents: 'Add at least one incident',
      'risk[q101]': 'Answer question 1 of the risk assessment',
      'risk[q102]': 'Answer question 2 of the risk assessment',
      judgement: 'Select your professional judgement of the risk',
      lawfulBasis: 'Select the lawful basis for sharing this information',
      consent: 'Select whether the subject consented to the referral',
    });
  });

  test('when saving a draft, then missing fields are allowed', () => {
    expect(check({}, 'draft').errors).toEqual({});
    expect(check({ subjects: [{ kind: 'victim' }], incidents: [{ type: 'noise' }] }, 'draft').errors).toEqual({});
  });

  test('when saving a draft, then formats are still checked', () => {
    const { errors } = check(
      { districtId: '99', subjects: [{ postcode: 'nowhere' }], officerEmail: 'not-an-email' },
      'draft',
    );
    expect(errors).toEqual({
      districtId: 'Select a district from the list',
      officerEmail: 'Enter an email address in the correct format, like name@example.org',
      'subjects[0][postcode]': 'Enter a real postcode for subject 1, like LN1 1AA',
    });
  });

  test('a person needs a name and a date of birth or an approximate age', () => {
    const { errors } = check(complete({ subjects: [{ kind: 'victim' }] }));
    expect(errors['subjects[0][fullName]']).toBe('Enter the full name of subject 1');
    expect(errors['subjects[0][dateOfBirth]']).toBe('Enter the date of birth of subject 1, or their approximate age');
  });

  test('a subject needs a type', () => {
    expect(
      check(complete({ subjects: [{ fullName: 'Ada Test', approximateAge: '40' }] })).errors['subjects[0][kind]'],
    ).toBe('Select whether subject 1 is a victim, a perpetrator or a location');
  });

  test('a location needs an address or a description, not a name or a date of birth', () => {
    expect(check(complete({ links: [], subjects: [{ kind: 'location' }] })).errors).toEqual({
      'subjects[0][address]': 'Enter the address of location 1, or describe where it is',
    });
    expect(
      check(complete({ links: [], subjects: [{ kind: 'location', description: 'The bus station' }] })).errors,
    ).toEqual({});
  });

  test('an incident needs a date, a type and a summary', () => {
    const { errors } = check(complete({ incidents: [{ agencyReference: 'INC-1' }] }));
    expect(errors).toMatchObject({
      'incidents[0][date]': 'Enter the date of incident 1',
      'incidents[0][type]': 'Select the type of incident 1',
      'incidents[0][summary]': 'Enter a summary of incident 1',
    });
  });

  test('rows left completely empty are ignored, not reported', () => {
    const { errors, input } = check(
      complete({
        incidents: [
          { date: { day: '1', month: '3', year: '2026' }, type: 'noise', summary: 'x' },
          { date: { day: '', month: '', year: '' }, type: '', summary: '' },
        ],
      }),
    );
    expect(errors).toEqual({});
    expect(input.incidents).toHaveLength(1);
  });

  test('reasons are required for a judgement above or below the score', () => {
    expect(check(complete({ judgement: 'high' })).errors).toEqual({
      judgementReasons: 'Enter the reasons for your professional judgement',
    });
    expect(check(complete({ judgement: 'lower' })).errors).toEqual({
      judgementReasons: 'Enter the reasons for your professional judgement',
    });
    expect(check(complete({ judgement: 'high', judgementReasons: 'Known to carry a knife.' })).errors).toEqual({});
  });

  test('sharing without consent needs a reason, and consent cannot be the basis', () => {
    expect(check(complete({ consent: 'no' })).errors).toEqual({
      consentReason: 'Enter why the information is shared without consent',
    });
    expect(check(complete({ consent: 'no', consentReason: 'Too frightened.', lawfulBasis: 'consent' })).errors).toEqual(
      {
        lawfulBasis: 'The subject did not consent: choose another lawful basis for sharing',
      },
    );
  });

  test('"other" tried needs to say what', () => {
    expect(check(complete({ triedActions: ['warning', 'other'] })).errors).toEqual({
      triedOther: 'Enter the other action tried',
    });
  });
});

describe('dates', () => {
  const dob = (day: string, month: string, year: string) =>
    check(withSubject({ approximateAge: '', dateOfBirth: { day, month, year } })).errors['subjects[0][dateOfBirth]'];

  test.each([
    [['', '2', '1950'], 'The date of birth of subject 1 must include a day'],
    [['1', '', ''], 'The date of birth of subject 1 must include a month and year'],
    [['31', '2', '1950'], 'The date of birth of subject 1 must be a real date'],
    [['x', '2', '1950'], 'The date of birth of subject 1 must be a real date'],
    [['1', '2', '50'], 'The date of birth of subject 1 must be a real date'],
    [['11', '3', '2026'], 'The date of birth of subject 1 must be today or in the past'],
    [['31', '12', '1899'], 'The date of birth of subject 1 must be on or after 1 January 1900'],
  ])('a date of birth of %j is refused: %s', (parts, message) => {
    expect(dob(parts[0], parts[1], parts[2])).toBe(message);
  });

  test('today and 1 January 1900 are the limits of a date of birth', () => {
    expect(dob('10', '3', '2026')).toBeUndefined();
    expect(dob('1', '1', '1900')).toBeUndefined();
  });

  test('an incident date cannot be in the future or before 2000', () => {
    const incident = (year: string, month = '1') =>
      check(complete({ incidents: [{ date: { day: '1', month, year }, type: 'noise', summary: 'x' }] })).errors[
        'incidents[0][date]'
      ];
    expect(incident('2027')).toBe('The date of incident 1 must be today or in the past');
    expect(incident('1999')).toBe('The date of incident 1 must be on or after 1 January 2000');
  });
});

describe('formats and limits', () => {
  test.each(['-1', '121', '4.5', 'forty', '1000'])('an approximate age of %s is refused', (age) => {
    expect(check(withSubject({ approximateAge: age })).errors['subjects[0][approximateAge]']).toBe(
      'The approximate age of subject 1 must be a whole number from 0 to 120',
    );
  });

  test('0 and 120 are allowed ages', () => {
    expect(check(withSubject({ approximateAge: '0' })).errors).toEqual({});
    expect(check(withSubject({ approximateAge: '120' })).errors).toEqual({});
  });

  test('both a date of birth and an age is refused', () => {
    expect(
      check(withSubject({ dateOfBirth: { day: '1', month: '1', year: '1960' } })).errors['subjects[0][approximateAge]'],
    ).toBe('Give either a date of birth or an approximate age for subject 1, not both');
  });

  test.each([
    'LN1 1AA',
    'ln11aa',
    'PE21 8QR',
    'NG31 6BU',
    'DN21 2QA',
    'EC1A 1BB',
    'W1A 0AX',
    'M1 1AE',
    'B33 8TH',
    'CR2 6XH',
    'GIR 0AA',
  ])('the postcode %s is accepted', (postcode) => {
    expect(isUkPostcode(postcode)).toBe(true);
  });

  test.each(['LN1', '12345', 'LN1 1A', 'QQ1 1AA', 'LN1 1AAA', 'LN1 1CA', 'V1 1AA', 'LN1\n1AA'])(
    'the postcode %j is refused',
    (postcode) => {
      expect(isUkPostcode(postcode)).toBe(false);
      expect(check(withSubject({ postcode })).errors['subjects[0][postcode]']).toBe(
        'Enter a real postcode for subject 1, like LN1 1AA',
      );
    },
  );

  test('a line break in a one-line field is refused', () => {
    const { errors } = check(
      complete({
        officerName: 'PC Ellis\r\nBcc: x@example.org',
        subjects: [{ kind: 'victim', fullName: 'Ada\nTest', approximateAge: '40' }],
      }),
    );
    expect(errors.officerName).toBe('The name of the referring officer must be on one line');
    expect(errors['subjects[0][fullName]']).toBe('The full name of subject 1 must be on one line');
  });

  test('text longer than its limit is refused with the limit in the message', () => {
    const { errors } = check(
      complete({
        reason: 'x'.repeat(5001),
        officerName: 'x'.repeat(121),
        subjects: [
          {
            kind: 'victim',
            fullName: 'x'.repeat(121),
            approximateAge: '40',
            address: 'x'.repeat(301),
            description: 'x'.repeat(501),
          },
        ],
        incidents: [
          {
            date: { day: '1', month: '3', year: '2026' },
            type: 'noise',
            summary: 'x'.repeat(2001),
            agencyReference: 'x'.repeat(41),
          },
        ],
        judgement: 'high',
        judgementReasons: 'x'.repeat(3001),
      }),
    );
    expect(errors).toMatchObject({
      reason: 'Why you are referring this case must be 5000 characters or fewer',
      officerName: 'The name of the referring officer must be 120 characters or fewer',
      'subjects[0][fullName]': 'The full name of subject 1 must be 120 characters or fewer',
      'subjects[0][address]': 'The address of subject 1 must be 300 characters or fewer',
      'subjects[0][description]': 'A description of location 1 must be 500 characters or fewer',
      'incidents[0][summary]': 'A summary of incident 1 must be 2000 characters or fewer',
      'incidents[0][agencyReference]': 'The reference of incident 1 must be 40 characters or fewer',
      judgementReasons: 'The reasons for your professional judgement must be 3000 characters or fewer',
    });
  });

  test('unknown codes in lists are refused by the field', () => {
    const { errors } = check(
      complete({
        subjects: [
          { kind: 'witness', fullName: 'Ada', approximateAge: '4', gender: 'x', vulnerabilities: ['age', 'wealth'] },
        ],
        incidents: [{ date: { day: '1', month: '3', year: '2026' }, type: 'jaywalking', summary: 'x' }],
        triedActions: ['asbo'],
        judgement: 'maybe',
        lawfulBasis: 'because',
        consent: 'sort-of',
        risk: { q101: 'perhaps', q102: 'no' },
      }),
    );
    expect(errors).toMatchObject({
      'subjects[0][kind]': 'Select whether subject 1 is a victim, a perpetrator or a location',
      'subjects[0][gender]': 'Select the gender of subject 1 from the list',
      'subjects[0][vulnerabilities]': 'Select the vulnerabilities of subject 1 from the list',
      'incidents[0][type]': 'Select the type of incident 1 from the list',
      triedActions: 'Select what has been tried from the list',
      judgement: 'Select your professional judgement from the list',
      lawfulBasis: 'Select a lawful basis from the list',
      consent: 'Select whether the subject consented to the referral',
      'risk[q101]': 'Select one of the answers to question 1',
    });
  });

  test('a district id that is not a district is refused', () => {
    for (const districtId of ['3', '0', '-1', '1 OR 1=1', 'abc']) {
      expect(check(complete({ districtId })).errors.districtId).toBe('Select a district from the list');
    }
  });

  test('a repeated or structured value where text is expected counts as empty, never as text', () => {
    const { errors, input } = check(complete({ officerName: ['a', 'b'], reason: { $gt: '' } }));
    expect(errors.officerName).toBe('Enter the name of the referring officer');
    expect(errors.reason).toBe('Enter why you are referring this case');
    expect(input.officerName).toBeNull();
  });
});

describe('links between subjects', () => {
  test('a link must join two different subjects that exist, with a relation from the list', () => {
    const { errors } = check(
      complete({
        links: [
          { from: '0', relation: 'perpetrator-of', to: '0' },
          { from: '5', relation: 'perpetrator-of', to: '0' },
          { from: '1', relation: 'enemy-of', to: '0' },
        ],
      }),
    );
    expect(errors).toEqual({
      'links[0][to]': 'Link 1 must be between two different subjects',
      'links[1][from]': 'Select the first subject of link 2 from the list',
      'links[2][relation]': 'Select how the subjects in link 3 are related',
    });
  });

  test('when a subject is removed, then its links go and later subjects keep theirs', () => {
    const raw = readRaw(
      complete({
        subjects: [{ fullName: 'A' }, { fullName: 'B' }, { fullName: 'C' }],
        links: [
          { from: '0', relation: 'perpetrator-of', to: '1' },
          { from: '2', relation: 'perpetrator-of', to: '0' },
        ],
      }),
    );
    const after = removeSubject(raw, 1);
    expect(after.subjects.map((s) => s.fullName)).toEqual(['A', 'C']);
    expect(after.links).toEqual([{ from: '1', relation: 'perpetrator-of', to: '0' }]);
  });
});

describe('matching keys', () => {
  test('names match whatever the case, accents, punctuation and order', () => {
    expect(nameKey("Mary-Jane O'Brien")).toBe(nameKey('OBRIEN, mary jane'));
    expect(nameKey('Zoë  Smith')).toBe(nameKey('smith zoe'));
    expect(nameKey('  ')).toBeNull();
  });

  test('addresses match on their first line, letters and digits only', () => {
    expect(addressKey('12 Willow Lane,\nBoston')).toBe(addressKey('12 willow lane'));
    expect(addressKey('12 Willow Lane')).not.toBe(addressKey('14 Willow Lane'));
  });

  test('postcodes match without spaces and are shown in the usual form', () => {
    expect(postcodeKey('pe21 8qr')).toBe('PE218QR');
    expect(formatPostcode('pe218qr')).toBe('PE21 8QR');
  });
});
