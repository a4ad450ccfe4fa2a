import { createTestContext, type TestContext } from '../support/context';
import { DEMO, signIn } from '../support/http';
import type { AttendanceAnswer, RegisterStatus } from '../../src/db/schema';
import { agencyId, auditOf, districtIdOf, makePanel } from './attendance-builders';

let ctx: TestContext;
let southHolland: number;
beforeAll(async () => {
  ctx = await createTestContext({ now: '2026-06-01T09:00:00Z' });
  southHolland = await districtIdOf(ctx, 'South Holland');
  const A = ['Police', 'LPFT', 'Adult Care'];
  const jan = await makePanel(ctx, {
    district: 'South Holland',
    startsAt: '2025-01-15T10:00:00Z',
    status: 'concluded',
    agencies: A,
  });
  const feb = await makePanel(ctx, {
    district: 'South Holland',
    startsAt: '2025-02-12T10:00:00Z',
    status: 'minutes-circulated',
    agencies: A,
  });
  const mar = await makePanel(ctx, {
    district: 'South Holland',
    startsAt: '2025-03-12T10:00:00Z',
    status: 'minutes-approved',
    agencies: A,
  });
  await makePanel(ctx, {
    district: 'South Holland',
    startsAt: '2025-03-20T10:00:00Z',
    status: 'cancelled',
    agencies: A,
  });
  const elsewhere = await makePanel(ctx, {
    district: 'West Lindsey',
    startsAt: '2025-02-20T10:00:00Z',
    status: 'concluded',
    agencies: ['Police'],
  });
  // The evening of 31 March in London is still March, though it is 1 April nowhere: a month is London's.
  const lateMarch = await makePanel(ctx, {
    district: 'South Holland',
    startsAt: '2025-03-31T22:30:00Z',
    status: 'concluded',
    agencies: ['Probation'],
  });
  await answer(jan, 'LPFT', 'apologies', true);
  await register(jan, 'Police', 'present');
  await register(jan, 'LPFT', 'apologies');
  await register(jan, 'Adult Care', 'absent');
  await register(feb, 'Police', 'online');
  await answer(feb, 'LPFT', 'deputy');
  await register(feb, 'LPFT', 'present');
  await answer(feb, 'Adult Care', 'apologies', false);
  await register(mar, 'Police', 'late');
  await register(mar, 'Police', 'present');
  await answer(mar, 'Adult Care', 'attending');
  await register(mar, 'Adult Care', 'absent');
  await register(elsewhere, 'Police', 'absent');
  await register(lateMarch, 'Probation', 'present');
});
afterAll(() => ctx.close());

async function answer(
  panelId: number,
  agency: string,
  value: AttendanceAnswer,
  informationInAdvance: boolean | null = null,
) {
  await ctx.db
    .insertInto('attendanceResponses')
    .values({
      panelId,
      agencyId: await agencyId(ctx, agency),
      answer: value,
      informationInAdvance,
      answeredVia: 'signed-in',
      answeredAt: new Date('2025-01-01T00:00:00Z'),
    })
    .execute();
}

async function register(panelId: number, agency: string, status: RegisterStatus) {
  await ctx.db
    .insertInto('registerEntries')
    .values({ panelId, agencyId: await agencyId(ctx, agency), personName: 'Someone', status })
    .execute();
}

const rowOf = (html: string, id: number) => {
  const m = new RegExp(
    `<tr class="govuk-table__row( app-highlight-row)?" id="report-agency-${id}">([\\s\\S]*?)</tr>`,
  ).exec(html);
  if (!m) return null;
  return { highlighted: !!m[1], cells: [...m[2].matchAll(/<td[^>]*>([^<]*)<\/td>/g)].map((c) => c[1].trim()) };
};

describe('the attendance report', () => {
  test('when the chair reports on a district and period, then each agency has its counts and rate, and those under 75 % are highlighted', async () => {
    const chair = await signIn(ctx, DEMO.chair);
    const res = await chair.get(`/reports/attendance?from=2025-01&to=2025-03&district=${southHolland}`);
    expect(res.status).toBe(200);
    // Invitations, in person, online, deputy, apologies, apologies with information, no-shows, rate.
    expect(rowOf(res.text, await agencyId(ctx, 'Police'))).toEqual({
      highlighted: false,
      cells: ['3', '2', '1', '0', '0', '0', '0', '100%'],
    });
    expect(rowOf(res.text, await agencyId(ctx, 'LPFT'))).toEqual({
      highlighted: true,
      cells: ['3', '0', '0', '1', '1', '1', '1', '33.3%'],
    });
    expect(rowOf(res.text, await agencyId(ctx, 'Adult Care'))).toEqual({
      highlighted: true,
      cells: ['3', '0', '0', '0', '1', '0', '2', '0%'],
    });
    expect(rowOf(res.text, await agencyId(ctx, 'Probation'))).toEqual({
      highlighted: false,
      cells: ['1', '1', '0', '0', '0', '0', '0', '100%'],
    });
    expect(res.text).toContain('South Holland, 2025-01 to 2025-03: 4 panels met.');
    const audit = await auditOf(ctx, 'report.attendance.view');
    expect(audit.at(-1)?.details).toEqual({ from: '2025-01', to: '2025-03', districtId: southHolland, threshold: 75 });
  });

  test('when the threshold is changed, then only agencies under it are highlighted; all districts include the other panel', async () => {
    const admin = await signIn(ctx, DEMO.admin);
    const low = await admin.get(`/reports/attendance?from=2025-01&to=2025-03&district=${southHolland}&threshold=30`);
    expect(rowOf(low.text, await agencyId(ctx, 'LPFT'))?.highlighted).toBe(false);
    expect(rowOf(low.text, await agencyId(ctx, 'Adult Care'))?.highlighted).toBe(true);
    const all = await admin.get('/reports/attendance?from=2025-01&to=2025-03');
    expect(rowOf(all.text, await agencyId(ctx, 'Police'))?.cells.slice(0, 3)).toEqual(['4', '2', '1']);
    expect(rowOf(all.text, await agencyId(ctx, 'Police'))?.cells.at(-1)).toBe('75%');
  });

  test('when the report is shown, then the chart is an accessible SVG with a title and description, and its table holds the monthly rates', async () => {
    const chair = await signIn(ctx, DEMO.chair);
    const res = await chair.get(`/reports/attendance?from=2025-01&to=2025-04&district=${southHolland}`);
    expect(res.text).toMatch(/<svg[^>]*role="img"[^>]*aria-labelledby="attendance-chart-title attendance-chart-desc"/);
    expect(res.text).toContain('<title id="attendance-chart-title">Attendance rate by month, South Holland</title>');
    expect(res.text).toMatch(/<desc id="attendance-chart-desc">[^<]+<\/desc>/);
    const table = /<table[^>]*id="chart-table">([\s\S]*?)<\/table>/.exec(res.text)![1];
    const rows = [...table.matchAll(/<th scope="row"[^>]*>([^<]+)<\/th><td[^>]*>([^<]+)<\/td>/g)].map((m) => [
      m[1],
      m[2],
    ]);
    // January 1 of 3; February 2 of 3; March 1 of 3 plus Probation's late-evening panel: 2 of 4; April none.
    expect(rows).toEqual([
      ['Jan 2025', '33.3%'],
      ['Feb 2025', '66.7%'],
      ['Mar 2025', '50%'],
      ['Apr 2025', 'No data'],
    ]);
  });

  test('when the CSV is downloaded, then it holds the same table, and the export is audited', async () => {
    const chair = await signIn(ctx, DEMO.chair);
    const res = await chair.get(`/reports/attendance.csv?from=2025-01&to=2025-03&district=${southHolland}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="attendance-2025-01-to-2025-03.csv"');
    expect(res.text.split('\r\n')).toEqual([
      'Agency,Invitations,Attended in person,Attended online,Attended by deputy,Apologies,Apologies with information sent,No-shows,Attendance rate (%),Under threshold',
      'Adult Care,3,0,0,0,1,0,2,0,yes',
      'LPFT,3,0,0,1,1,1,1,33.3,yes',
      'Police,3,2,1,0,0,0,0,100,no',
      'Probation,1,1,0,0,0,0,0,100,no',
      '',
    ]);
    const audit = await auditOf(ctx, 'report.attendance.export');
    expect(audit.at(-1)?.details).toEqual({
      from: '2025-01',
      to: '2025-03',
      districtId: southHolland,
      threshold: 75,
      rows: 4,
    });
  });

  test('when the filters are wrong, then each has its message, what was typed is kept, and no figures are shown or exported', async () => {
    const chair = await signIn(ctx, DEMO.chair);
    const reversed = await chair.get('/reports/attendance?from=2025-06&to=2025-01');
    expect(reversed.status).toBe(400);
    expect(reversed.text).toContain('The end of the period must be the same as or after its start');
    expect(reversed.text).toContain('value="2025-06"');
    expect(reversed.text).not.toContain('id="attendance-report"');
    const absurd = await chair.get('/reports/attendance?from=1900-01&to=2025-13&threshold=0&district=abc');
    expect(absurd.status).toBe(400);
    expect(absurd.text).toContain('The start of the period must be a month like');
    expect(absurd.text).toContain('The end of the period must be a month like');
    expect(absurd.text).toContain('The threshold must be a whole number from 1 to 100');
    expect(absurd.text).toContain('Select a district from the list');
    expect((await chair.get('/reports/attendance?threshold=101')).status).toBe(400);
    expect((await chair.get('/reports/attendance?district=999999')).status).toBe(400);
    expect((await chair.get('/reports/attendance?from=2015-01&to=2025-01')).text).toContain(
      'The period must be 60 months or shorter',
    );
    expect((await chair.get('/reports/attendance.csv?from=2025-06&to=2025-01')).status).toBe(400);
    expect((await chair.get('/reports/attendance.csv?district=999999')).status).toBe(400);
  });

  test('when a representative asks for the report or its CSV, then it is refused', async () => {
    const rep = await signIn(ctx, DEMO.lpft);
    expect((await rep.get('/reports/attendance')).status).toBe(403);
    expect((await rep.get('/reports/attendance.csv')).status).toBe(403);
  });
});
