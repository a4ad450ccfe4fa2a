import { attendanceCsv, csvCell, monthsBetween, outcomeOf, readFilters } from '../../src/reports/attendance-report';

const NOW = new Date('2026-06-15T12:00:00Z');

describe('how an agency took part in a panel', () => {
  test('when the register and the answer are combined, then each case has one outcome', () => {
    expect(outcomeOf('attending', ['present'])).toBe('in-person');
    expect(outcomeOf(null, ['late', 'online'])).toBe('in-person');
    expect(outcomeOf('attending', ['online'])).toBe('online');
    expect(outcomeOf('deputy', ['left-early'])).toBe('deputy');
    expect(outcomeOf('apologies', [])).toBe('apologies');
    expect(outcomeOf(null, ['apologies'])).toBe('apologies');
    expect(outcomeOf('attending', ['absent'])).toBe('no-show');
    expect(outcomeOf(null, [])).toBe('no-show');
  });
});

describe('the report filters', () => {
  test('when nothing is given, then the last twelve months, all districts and 75 % are used', () => {
    expect(readFilters({}, NOW)).toEqual({
      filters: { from: '2025-07', to: '2026-06', districtId: null, threshold: 75 },
      errors: {},
      values: { from: '', to: '', district: '', threshold: '' },
    });
  });

  test('when values are reversed, malformed, too long a period or out of range, then each gets its message', () => {
    expect(readFilters({ from: '2026-05', to: '2026-01' }, NOW).errors).toEqual({
      to: 'The end of the period must be the same as or after its start',
    });
    expect(readFilters({ from: '2026-5', to: '9999-01' }, NOW).errors).toMatchObject({
      from: expect.stringContaining('must be a month') as string,
      to: expect.stringContaining('must be a month') as string,
    });
    expect(readFilters({ from: '2020-01', to: '2025-01' }, NOW).errors).toEqual({
      to: 'The period must be 60 months or shorter',
    });
    expect(readFilters({ from: '2021-02', to: '2026-01' }, NOW).errors).toEqual({});
    for (const threshold of ['0', '101', '7.5', '-1', 'abc', '1e2'])
      expect(readFilters({ threshold }, NOW).errors).toEqual({
        threshold: 'The threshold must be a whole number from 1 to 100',
      });
    expect(readFilters({ threshold: '100' }, NOW).filters.threshold).toBe(100);
    expect(readFilters({ district: '0' }, NOW).errors).toEqual({ district: 'Select a district from the list' });
    expect(readFilters({ from: ['2026-01', '2026-02'] }, NOW).filters.from).toBe('2025-07');
  });

  test('when months are listed, then both ends are included across a year end', () => {
    expect(monthsBetween('2025-11', '2026-02')).toEqual(['2025-11', '2025-12', '2026-01', '2026-02']);
  });
});

describe('the CSV', () => {
  test('when a cell could be read as a formula or holds a comma or quote, then it is neutralised and quoted', () => {
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell('A, B')).toBe('"A, B"');
    expect(csvCell(null)).toBe('');
    expect(csvCell(-3)).toBe("'-3");
  });

  test('when rows are written, then there is a header and one CRLF line per agency', () => {
    const csv = attendanceCsv([
      {
        agencyId: 1,
        agency: 'Police',
        invitations: 2,
        inPerson: 1,
        online: 0,
        deputy: 0,
        apologies: 1,
        apologiesWithInformation: 1,
        noShows: 0,
        attended: 1,
        rate: 50,
        underThreshold: true,
      },
    ]);
    expect(csv.split('\r\n')[1]).toBe('Police,2,1,0,0,1,1,0,50,yes');
    expect(csv.endsWith('\r\n')).toBe(true);
  });
});
