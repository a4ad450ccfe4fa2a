import { checkCountsTable, countChecks, type CheckForCount } from '../../src/insight/youth-check-counts';
import { workingDaysAfter } from '../../src/youth-checks/due-date';

const check = (districtName: string, month: string, dueOn: string, answeredOn: string | null): CheckForCount => ({
  districtName,
  month,
  dueOn,
  answeredOn,
});

describe('counting young-person checks by district and month', () => {
  // Boston in March: 4 asked, 2 on time (one on its due day), 1 late, 1 open past its due date.
  // Boston in April: 1 open, not yet due. City of Lincoln in March: 1 asked, answered on time.
  const checks = [
    check('Boston', '2026-03', '2026-03-04', '2026-03-03'),
    check('Boston', '2026-03', '2026-03-11', '2026-03-11'),
    check('Boston', '2026-03', '2026-03-18', '2026-03-20'),
    check('Boston', '2026-03', '2026-03-27', null),
    check('Boston', '2026-04', '2026-04-03', null),
    check('City of Lincoln', '2026-03', '2026-03-10', '2026-03-09'),
  ];
  const today = '2026-04-01';

  test('each district and month counts what was asked, on time, late, overdue and not yet due', () => {
    expect(countChecks(checks, today)).toEqual([
      { districtName: 'Boston', month: '2026-03', asked: 4, onTime: 2, late: 1, overdue: 1, notYetDue: 0 },
      { districtName: 'City of Lincoln', month: '2026-03', asked: 1, onTime: 1, late: 0, overdue: 0, notYetDue: 0 },
      { districtName: 'Boston', month: '2026-04', asked: 1, onTime: 0, late: 0, overdue: 0, notYetDue: 1 },
    ]);
  });

  test('the share answered on time is of the checks whose time is up, and a dash where none is', () => {
    const table = checkCountsTable(countChecks(checks, today));
    expect(table.rows).toEqual([
      ['Mar 2026', 'Boston', 4, 2, 1, 1, 0, '50%'],
      ['Mar 2026', 'City of Lincoln', 1, 1, 0, 0, 0, '100%'],
      ['Apr 2026', 'Boston', 1, 0, 0, 0, 1, '–'],
      ['All months', 'All districts', 6, 3, 1, 1, 1, '60%'],
    ]);
  });

  test('no checks make only the total row', () => {
    expect(checkCountsTable(countChecks([], today)).rows).toEqual([
      ['All months', 'All districts', 0, 0, 0, 0, 0, '–'],
    ]);
  });
});

describe('the answer’s due date in working days', () => {
  test.each([
    ['a Monday', '2026-11-30', 2, '2026-12-02'],
    ['a Thursday, over the weekend', '2026-12-03', 2, '2026-12-07'],
    ['Christmas Eve, over Christmas and the Boxing Day holiday', '2026-12-24', 2, '2026-12-30'],
    ['Maundy Thursday, over Good Friday and Easter Monday', '2026-04-02', 1, '2026-04-07'],
    ['a Saturday', '2026-12-05', 1, '2026-12-07'],
  ])('asked on %s', (_when, asked, days, due) => {
    expect(workingDaysAfter(asked, days)).toBe(due);
  });
});
