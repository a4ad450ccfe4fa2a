import { lastCompleteQuarter, parsePeriod, parseQuarter } from '../../src/insight/period';
import { csvCell, toCsv } from '../../src/insight/csv';

const now = new Date('2026-11-23T10:00:00Z');
const districts = [1, 2, 3];

describe('the report period', () => {
  test('when nothing is chosen, then the last twelve months up to this one, all districts', () => {
    const result = parsePeriod({}, now, districts);
    expect(result.ok && result.period).toMatchObject({ fromMonth: '2025-12', toMonth: '2026-11', districtId: null });
    expect(result.ok && result.period.months).toHaveLength(12);
  });

  test('when a period is chosen, then it runs from London midnight on the first to the first of the month after', () => {
    const result = parsePeriod({ from: '2026-03', to: '2026-04', districtId: '2' }, now, districts);
    if (!result.ok) throw new Error('expected a valid period');
    // March begins in GMT, May in BST.
    expect(result.period.start.toISOString()).toBe('2026-03-01T00:00:00.000Z');
    expect(result.period.end.toISOString()).toBe('2026-04-30T23:00:00.000Z');
    expect(result.period.districtId).toBe(2);
  });

  test.each([
    [{ from: '2026-05', to: '2026-04' }, 'to', 'The end month must be the same as or after the start month'],
    [{ from: '1999-12', to: '2026-04' }, 'from', 'The start month must be January 2000 or later'],
    [{ from: '2026-01', to: '2026-12' }, 'to', 'The end month must not be in the future'],
    [{ from: '2016-10', to: '2026-10' }, 'to', 'The period must be 10 years or shorter'],
    [{ from: 'March', to: '2026-04' }, 'from', 'Enter the start month as a year and month, like 2026-04'],
    [{ from: '2026-13', to: '2026-04' }, 'from', 'Enter the start month as a year and month, like 2026-04'],
    [{ districtId: '99' }, 'districtId', 'Choose a district from the list'],
    [{ districtId: '1 or 1=1' }, 'districtId', 'Choose a district from the list'],
  ])('when the filters are %j, then %s is refused with a message', (query, field, message) => {
    const result = parsePeriod(query, now, districts);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors[field]).toBe(message);
  });

  test('when the period is exactly ten years, then it is accepted', () => {
    expect(parsePeriod({ from: '2016-12', to: '2026-11' }, now, districts).ok).toBe(true);
  });
});

describe('the quarter', () => {
  test('when none is chosen, then the last complete quarter', () => {
    expect(lastCompleteQuarter(now)).toBe('2026-Q3');
    expect(lastCompleteQuarter(new Date('2026-02-01T00:00:00Z'))).toBe('2025-Q4');
  });

  test('when 2026-Q3 is chosen, then July to September', () => {
    const result = parseQuarter('2026-q3', now);
    expect(result.ok && result.quarter).toMatchObject({
      label: '2026-Q3',
      firstDay: '2026-07-01',
      lastDay: '2026-09-30',
    });
  });

  test.each([
    ['2026-Q5', 'Enter a quarter as a year and quarter number, like 2026-Q3'],
    ['Q3', 'Enter a quarter as a year and quarter number, like 2026-Q3'],
    ['1999-Q4', 'The quarter must be in 2000 or later'],
    ['2027-Q1', 'The quarter must not be in the future'],
  ])('when %s is asked for, then it is refused', (value, message) => {
    expect(parseQuarter(value, now)).toEqual({ ok: false, error: message });
  });
});

describe('CSV', () => {
  test('when cells hold commas, quotes or line breaks, then they are quoted', () => {
    expect(
      toCsv(
        ['A', 'B'],
        [
          ['x, y', 'say "hi"'],
          ['line\nbreak', 3],
        ],
      ),
    ).toBe('A,B\r\n"x, y","say ""hi"""\r\n"line\nbreak",3\r\n');
  });

  test('when a text cell looks like a formula, then a spreadsheet will not run it', () => {
    expect(csvCell('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvCell('@SUM')).toBe("'@SUM");
    expect(csvCell(-3)).toBe('-3');
  });
});
