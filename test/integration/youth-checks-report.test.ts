import { createTestContext, type TestContext } from '../support/context';
import { DEMO, signIn } from '../support/http';
import { districtIdOf } from './youth-checks-builders';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ now: '2026-04-01T09:00:00Z' });
  const requester = await ctx.db
    .selectFrom('users')
    .select(['id', 'agencyId'])
    .where('email', '=', DEMO.council)
    .executeTakeFirstOrThrow();
  const rows: [string, string, string, string | null][] = [
    // district, asked at (UTC), due on, answered at (UTC)
    ['Boston', '2026-03-02T10:00:00Z', '2026-03-04', '2026-03-03T15:00:00Z'],
    ['Boston', '2026-03-09T10:00:00Z', '2026-03-11', '2026-03-11T16:00:00Z'],
    ['Boston', '2026-03-16T10:00:00Z', '2026-03-18', '2026-03-20T09:00:00Z'],
    ['Boston', '2026-03-25T10:00:00Z', '2026-03-27', null],
    // Asked at 23:30 UTC on 31 March, which is 00:30 on 1 April in London: an April check.
    ['Boston', '2026-03-31T23:30:00Z', '2026-04-03', null],
    ['City of Lincoln', '2026-03-06T10:00:00Z', '2026-03-10', '2026-03-09T11:00:00Z'],
    // February: outside the period asked for.
    ['Boston', '2026-02-10T10:00:00Z', '2026-02-12', '2026-02-11T10:00:00Z'],
  ];
  for (const [district, askedAt, dueOn, answeredAt] of rows)
    await ctx.db
      .insertInto('youthChecks')
      .values({
        requestedBy: requester.id,
        requesterAgencyId: requester.agencyId,
        districtId: await districtIdOf(ctx, district),
        requestedAt: new Date(askedAt),
        dueOn,
        status: answeredAt ? 'answered' : 'requested',
        answeredAt: answeredAt ? new Date(answeredAt) : null,
        knownToYouthOffending: answeredAt ? false : null,
        knownToChildrensServices: answeredAt ? false : null,
      })
      .execute();
});
afterAll(() => ctx.close());

/** The report table's rows, cell by cell. */
function tableRows(html: string): string[][] {
  const table = html.slice(html.indexOf('id="youth-checks-by-district-and-month"'), html.indexOf('</table>'));
  return [...table.matchAll(/<tr class="govuk-table__row">([\s\S]*?)<\/tr>/g)]
    .map((m) => [...m[1].matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((c) => c[1].trim()))
    .filter((r) => r.length > 0);
}

test('the co-ordinator sees checks by district and month with the share answered on time, on hand-made checks', async () => {
  const admin = await signIn(ctx, DEMO.admin);
  const res = await admin.get('/reports/youth-checks?from=2026-03&to=2026-04');
  expect(res.status).toBe(200);
  expect(tableRows(res.text)).toEqual([
    ['Mar 2026', 'Boston', '4', '2', '1', '1', '0', '50%'],
    ['Mar 2026', 'City of Lincoln', '1', '1', '0', '0', '0', '100%'],
    ['Apr 2026', 'Boston', '1', '0', '0', '0', '1', '–'],
    ['All months', 'All districts', '6', '3', '1', '1', '1', '60%'],
  ]);
  const audit = await ctx.db
    .selectFrom('auditEvents')
    .selectAll()
    .where('action', '=', 'report.view')
    .where('entityId', '=', 'youth-checks')
    .execute();
  expect(audit).toHaveLength(1);
});

test('one district, and the same table as CSV', async () => {
  const chair = await signIn(ctx, DEMO.chair);
  const lincoln = await districtIdOf(ctx, 'City of Lincoln');
  const res = await chair.get(`/reports/youth-checks?from=2026-03&to=2026-04&districtId=${lincoln}`);
  expect(tableRows(res.text)).toEqual([
    ['Mar 2026', 'City of Lincoln', '1', '1', '0', '0', '0', '100%'],
    ['All months', 'All districts', '1', '1', '0', '0', '0', '100%'],
  ]);
  const csv = await chair.get('/reports/youth-checks/export.csv?from=2026-02&to=2026-02&districtId=');
  expect(csv.headers['content-type']).toMatch(/^text\/csv/);
  expect(csv.text).toContain('Feb 2026,Boston,1,1,0,0,0,100%');
  const exported = await ctx.db
    .selectFrom('auditEvents')
    .select('details')
    .where('action', '=', 'report.export')
    .where('entityId', '=', 'youth-checks')
    .execute();
  expect(exported.map((e) => e.details)).toEqual([{ from: '2026-02', to: '2026-02', districtId: null }]);
});

test('bad months are answered by the field; agency representatives may not see the report', async () => {
  const admin = await signIn(ctx, DEMO.admin);
  const bad = await admin.get('/reports/youth-checks?from=March&to=2030-01');
  expect(bad.status).toBe(400);
  expect(bad.text).toContain('Enter the start month as a year and month, like 2026-04');
  expect(bad.text).toContain('The end month must not be in the future');
  const police = await signIn(ctx, DEMO.police);
  expect((await police.get('/reports/youth-checks')).status).toBe(403);
});
