import { createTestContext, type TestContext } from '../support/context';
import { DEMO, signIn } from '../support/http';
import { readPdf } from '../support/pdf';
import { action, heard, ids, panel, referral, referrals, register, type Ids } from './insight-builders';

let ctx: TestContext;
let id: Ids;
let admin: Awaited<ReturnType<typeof signIn>>;
let chair: Awaited<ReturnType<typeof signIn>>;
const NOW = '2026-11-23T10:00:00Z';
const PERIOD = 'from=2026-09&to=2026-11';
const SUBJECT_NAME = 'Zebedee Quartermaine';

/** The rows of the table with this id, as cell texts. */
function tableRows(html: string, tableId: string): string[][] {
  const table = new RegExp(`<table[^>]*id="${tableId}"[\\s\\S]*?</table>`).exec(html)?.[0];
  if (!table) throw new Error(`no table ${tableId}`);
  const body = /<tbody[\s\S]*?<\/tbody>/.exec(table)?.[0] ?? '';
  return [...body.matchAll(/<tr[\s\S]*?<\/tr>/g)].map((tr) =>
    [...tr[0].matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((c) =>
      c[1]
        .replace(/<[^>]+>/g, '')
        .replace(/&#x27;/g, "'")
        .replace(/&lt;/g, '<')
        .trim(),
    ),
  );
}

async function latestAudit(action: string) {
  return ctx.db
    .selectFrom('auditEvents')
    .selectAll()
    .where('action', '=', action)
    .orderBy('id', 'desc')
    .executeTakeFirst();
}

beforeAll(async () => {
  ctx = await createTestContext({ now: NOW });
  id = await ids(ctx);
  const r1 = await referral(ctx, id, {
    district: 'Boston',
    submittedAt: '2026-09-10T09:00:00Z',
    status: 'active',
    verdict: 'high',
    subjects: [
      { kind: 'victim', name: SUBJECT_NAME, vulnerabilities: ['age', 'isolation'] },
      { kind: 'perpetrator', name: 'Ignatius Prowle' },
    ],
  });
  await referral(ctx, id, {
    district: 'Boston',
    agency: 'Fenland Vale',
    submittedAt: '2026-09-20T09:00:00Z',
    status: 'rejected',
    subjects: [{ kind: 'location' }],
  });
  const r3 = await referral(ctx, id, {
    district: 'Boston',
    submittedAt: '2026-10-05T09:00:00Z',
    status: 'closed',
    closedAt: '2026-11-01T12:00:00Z',
    verdict: 'high',
    subjects: [{ kind: 'victim', vulnerabilities: ['age'] }],
  });
  await referral(ctx, id, {
    district: 'Boston',
    agency: 'CoLC',
    submittedAt: '2026-10-06T09:00:00Z',
    status: 'submitted',
    subjects: [{ kind: 'victim' }],
  });
  const r5 = await referral(ctx, id, {
    district: 'City of Lincoln',
    submittedAt: '2026-10-10T09:00:00Z',
    status: 'awaiting-panel',
    subjects: [{ kind: 'perpetrator' }],
  });
  const r6 = await referral(ctx, id, {
    district: 'Boston',
    submittedAt: '2025-06-01T09:00:00Z',
    status: 'closed',
    closedAt: '2025-07-01T09:00:00Z',
    subjects: [{ kind: 'victim' }],
  });
  await referral(ctx, id, { district: 'Boston', submittedAt: null, status: 'draft', subjects: [{ kind: 'victim' }] });
  await ctx.db.insertInto('referralLinks').values({ referralId: r3, linkedReferralId: r6, kind: 'repeat' }).execute();

  // Trend: West Lindsey 4 in its baseline year then 6 in August (flagged); South Holland 12 then 5 (not flagged).
  await referrals(ctx, id, 4, '2026-01-05T10:00:00Z', { district: 'West Lindsey' });
  await referrals(ctx, id, 6, '2026-08-03T10:00:00Z', { district: 'West Lindsey' });
  await referrals(ctx, id, 12, '2025-09-01T10:00:00Z', { district: 'South Holland', kind: 'perpetrator' });
  await referrals(ctx, id, 5, '2026-08-03T10:00:00Z', { district: 'South Holland', kind: 'perpetrator' });

  const p1 = await panel(ctx, id, {
    district: 'Boston',
    startsAt: '2026-10-15T09:00:00Z',
    invited: ['Police', 'LPFT'],
  });
  const p2 = await panel(ctx, id, {
    district: 'Boston',
    startsAt: '2026-11-30T09:00:00Z',
    status: 'scheduled',
    invited: ['Police'],
  });
  const p3 = await panel(ctx, id, {
    district: 'City of Lincoln',
    startsAt: '2026-10-20T09:00:00Z',
    invited: ['Police', 'LPFT'],
  });
  await heard(ctx, p1, r1, { decision: 'review' });
  await heard(ctx, p1, r3, { decision: 'close', closeReason: 'risk-reduced' });
  await heard(ctx, p2, r1);
  await heard(ctx, p3, r5, { decision: 'escalate', escalateTo: 'marac' });
  await register(ctx, id, p1, 'Police', 'present');
  await register(ctx, id, p1, 'LPFT', 'absent');
  await register(ctx, id, p3, 'Police', 'online');
  await register(ctx, id, p3, 'LPFT', 'apologies');

  const a = { referralId: r1, panelId: p1, createdAt: '2026-10-15T11:00:00Z' };
  await action(ctx, id, {
    ...a,
    agency: 'Police',
    dueOn: '2026-10-30',
    status: 'completed',
    closedAt: '2026-10-30T20:00:00Z',
  });
  await action(ctx, id, {
    ...a,
    agency: 'Police',
    dueOn: '2026-10-30',
    status: 'completed',
    closedAt: '2026-11-02T09:00:00Z',
  });
  await action(ctx, id, { ...a, agency: 'Police', dueOn: '2026-10-15', status: 'not-possible' });
  await action(ctx, id, { ...a, agency: 'LPFT', dueOn: '2026-11-01', status: 'open' });
  await action(ctx, id, { ...a, agency: 'LPFT', dueOn: '2026-12-01', status: 'in-progress' });
  await action(ctx, id, { ...a, agency: 'LPFT', dueOn: '2026-10-15', status: 'not-done' });

  admin = await signIn(ctx, DEMO.admin);
  chair = await signIn(ctx, DEMO.chair);
}, 60_000);
afterAll(() => ctx.close());

describe('the dashboard', () => {
  test('when a chair asks for September to November, then every figure matches the records and the view is audited', async () => {
    const res = await chair.get(`/reports?${PERIOD}`);
    expect(res.status).toBe(200);
    expect(tableRows(res.text, 'referrals-by-month-table')).toEqual([
      ['Sep 2026', '2'],
      ['Oct 2026', '3'],
      ['Nov 2026', '0'],
    ]);
    expect(tableRows(res.text, 'referrals-by-subject-type-table')).toEqual([
      ['Victim', '3'],
      ['Perpetrator', '2'],
      ['Location', '1'],
    ]);
    const byDistrict = Object.fromEntries(
      tableRows(res.text, 'referrals-by-district-table').map(([name, n]): [string, string] => [name, n]),
    );
    expect(byDistrict).toMatchObject({
      Boston: '4',
      'City of Lincoln': '1',
      'West Lindsey': '0',
      'South Holland': '0',
    });
    expect(tableRows(res.text, 'referrals-by-agency-table')).toEqual([
      ['Police', '3'],
      ['CoLC', '1'],
      ['Fenland Vale', '1'],
    ]);
    expect(tableRows(res.text, 'screening-table')).toEqual([
      ['Referrals submitted', '5'],
      ['Accepted as high risk', '3'],
      ['Share accepted as high risk', '60%'],
      ['Rejected', '1'],
      ['Waiting for screening or more information', '1'],
      ['Scored or judged high risk at referral', '2'],
    ]);
    expect(tableRows(res.text, 'vulnerabilities-table')).toEqual([
      ['Age (older person, or a child or young person)', '2'],
      ['Isolation', '1'],
    ]);
    expect(tableRows(res.text, 'case-outcomes-table')).toEqual([
      ['Heard at a panel in the period', '3'],
      ['Open now (awaiting a panel or active)', '2'],
      ['Closed in the period', '1'],
      ['Closed: Risk reduced', '1'],
      ['Escalated in the period', '1'],
      ['Escalated to MARAC', '1'],
    ]);
    expect(tableRows(res.text, 'actions-by-agency-table')).toEqual([
      ['LPFT', '3', '0', '0', '1', '1', '0', '1', '0%'],
      ['Police', '3', '1', '1', '0', '0', '1', '0', '33%'],
    ]);
    const audit = await latestAudit('report.view');
    expect(audit).toMatchObject({
      entityId: 'dashboard',
      details: { from: '2026-09', to: '2026-11', districtId: null },
    });
  });

  test('when one district is chosen, then only its figures are counted', async () => {
    const boston = id.district('Boston');
    const res = await admin.get(`/reports?${PERIOD}&districtId=${boston}`);
    expect(res.status).toBe(200);
    expect(tableRows(res.text, 'referrals-by-month-table').map((r) => r[1])).toEqual(['2', '2', '0']);
    expect(tableRows(res.text, 'screening-table').slice(0, 3)).toEqual([
      ['Referrals submitted', '4'],
      ['Accepted as high risk', '2'],
      ['Share accepted as high risk', '50%'],
    ]);
    expect(tableRows(res.text, 'case-outcomes-table')).toEqual([
      ['Heard at a panel in the period', '2'],
      ['Open now (awaiting a panel or active)', '1'],
      ['Closed in the period', '1'],
      ['Closed: Risk reduced', '1'],
      ['Escalated in the period', '0'],
    ]);
    expect(tableRows(res.text, 'referrals-by-district-table')).toEqual([['Boston', '4']]);
  });

  test('when the page is drawn, then each chart is an image with a title and description and no names appear', async () => {
    const res = await admin.get(`/reports?${PERIOD}`);
    const svgs = [...res.text.matchAll(/<svg[^>]*role="img"[^>]*aria-labelledby="([^" ]+) ([^"]+)"[^>]*>/g)];
    expect(svgs.length).toBeGreaterThanOrEqual(6);
    for (const [, titleId, descId] of svgs) {
      expect(res.text).toContain(`<title id="${titleId}">`);
      expect(res.text).toContain(`<desc id="${descId}">`);
    }
    expect(res.text).not.toContain(SUBJECT_NAME);
    expect(res.text).toContain('Poisson');
  });

  test('when a district rose well above its own baseline, then it is flagged, and a smaller rise is not', async () => {
    const res = await admin.get(`/reports?${PERIOD}`);
    const flagged = /<ul[^>]*id="flagged"[\s\S]*?<\/ul>/.exec(res.text)?.[0] ?? '';
    expect(flagged).toContain('West Lindsey');
    expect(flagged).not.toContain('South Holland');
    expect(flagged).not.toContain('Boston');
    const rows = tableRows(res.text, 'trend-alerts-table');
    expect(rows.find((r) => r[0] === 'West Lindsey' && r[1] === 'All referrals')).toEqual([
      'West Lindsey',
      'All referrals',
      '4',
      '1.00',
      '6',
      '<0.001',
      'Yes',
      'Flagged: 6 against 1.00 expected, less than a 5% chance by luck',
    ]);
    expect(rows.find((r) => r[0] === 'West Lindsey' && r[1] === 'Victim')?.[6]).toBe('Yes');
    expect(rows.find((r) => r[0] === 'South Holland' && r[1] === 'Perpetrator')).toEqual([
      'South Holland',
      'Perpetrator',
      '12',
      '3.00',
      '5',
      '0.185',
      'No',
      'Not flagged: a rise this size happens by luck 5% of the time or more',
    ]);
  });
});

describe('bad filters', () => {
  test.each([
    ['from=2026-05&to=2026-04', 'to', 'The end month must be the same as or after the start month', '2026-05'],
    ['from=1990-01&to=2026-04', 'from', 'The start month must be January 2000 or later', '1990-01'],
    ['from=2026-01&to=2027-01', 'to', 'The end month must not be in the future', '2027-01'],
    ['from=2010-01&to=2026-01', 'to', 'The period must be 10 years or shorter', '2010-01'],
    ['from=2026-01&to=2026-02&districtId=999999', 'districtId', 'Choose a district from the list', '2026-01'],
  ])(
    'when the filters are %s, then the page is refused with a message by %s and what was typed kept',
    async (query, field, message, typed) => {
      const res = await admin.get(`/reports?${query}`);
      expect(res.status).toBe(400);
      expect(res.text).toContain(`id="${field}-error"`);
      expect(res.text).toContain(message);
      expect(res.text).toContain(`value="${typed}"`);
      expect(res.text).not.toContain('id="referrals-by-month-table"');
    },
  );

  test('when an export is asked for with a reversed period, then it is refused', async () => {
    const res = await admin.get('/reports/referrals-by-month.csv?from=2026-05&to=2026-04');
    expect(res.status).toBe(400);
  });
});

describe('exports', () => {
  test('when a table is exported, then the CSV holds the same figures and the export is audited', async () => {
    const res = await admin.get(`/reports/referrals-by-month.csv?${PERIOD}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    expect(res.headers['content-disposition']).toBe('attachment; filename="referrals-by-month-2026-09-to-2026-11.csv"');
    expect(res.text).toBe('\ufeffMonth,Referrals\r\nSep 2026,2\r\nOct 2026,3\r\nNov 2026,0\r\n');
    const audit = await latestAudit('report.export');
    expect(audit).toMatchObject({
      userId: id.user(DEMO.admin),
      entityId: 'referrals-by-month',
      details: { from: '2026-09', to: '2026-11', rows: 3 },
    });
  });

  test('when the actions table is exported, then every column is there', async () => {
    const res = await chair.get(`/reports/actions-by-agency.csv?${PERIOD}`);
    expect(res.text.replace('\ufeff', '').split('\r\n')).toEqual([
      'Agency,Set,Completed on time,Completed late,Overdue,"Open, not yet due",Not possible,Not done by the agency,Completed on time (%)',
      'LPFT,3,0,0,1,1,0,1,0%',
      'Police,3,1,1,0,0,1,0,33%',
      '',
    ]);
  });

  test('when an empty period is exported, then the file holds only the headers', async () => {
    const res = await admin.get('/reports/referrals-by-agency.csv?from=2001-01&to=2001-03');
    expect(res.status).toBe(200);
    expect(res.text).toBe('\ufeffReferring agency,Referrals\r\n');
  });

  test('when an unknown table is asked for, then it is not found', async () => {
    expect((await admin.get('/reports/passwords.csv')).status).toBe(404);
    expect((await admin.get('/reports/999999.csv')).status).toBe(404);
  });
});

describe('access', () => {
  test('when an agency representative asks for any report or export, then it is refused', async () => {
    const police = await signIn(ctx, DEMO.police);
    for (const url of [
      '/reports',
      `/reports?${PERIOD}`,
      '/reports/referrals-by-month.csv',
      '/reports/quarterly',
      '/reports/quarterly.csv',
      '/reports/quarterly.pdf',
      '/admin/retention',
    ]) {
      expect([url, (await police.get(url)).status]).toEqual([url, 403]);
    }
  });

  test('when a chair opens the retention page, then it is refused; the dashboard is in their navigation', async () => {
    expect((await chair.get('/admin/retention')).status).toBe(403);
    const res = await chair.get('/');
    expect(res.text).toContain('href="/reports"');
    expect(res.text).not.toContain('href="/admin/retention"');
  });
});

describe('the quarterly data return', () => {
  test('when 2026-Q4 is shown, then the counts by district and by agency match the records', async () => {
    const res = await admin.get('/reports/quarterly?quarter=2026-Q4');
    expect(res.status).toBe(200);
    const districts = tableRows(res.text, 'districts');
    expect(districts.find((r) => r[0] === 'Boston')).toEqual(['Boston', '2', '2', '0', '0', '1', '2']);
    expect(districts.find((r) => r[0] === 'City of Lincoln')).toEqual([
      'City of Lincoln',
      '1',
      '0',
      '1',
      '0',
      '0',
      '1',
    ]);
    expect(districts.find((r) => r[0] === 'West Lindsey')).toEqual(['West Lindsey', '0', '0', '0', '0', '0', '0']);
    expect(districts[districts.length - 1]).toEqual(['All districts', '3', '2', '1', '0', '1', '3']);
    expect(tableRows(res.text, 'agencies')).toEqual([
      ['LPFT', '2', '0', '0%', '3', '0', '0%'],
      ['Police', '2', '2', '100%', '3', '1', '33%'],
    ]);
    expect(await latestAudit('report.view')).toMatchObject({ entityId: 'quarterly', details: { quarter: '2026-Q4' } });
  });

  test('when no quarter is chosen, then the last complete one is shown', async () => {
    const res = await admin.get('/reports/quarterly');
    expect(res.status).toBe(200);
    expect(res.text).toContain('value="2026-Q3"');
    // July to September: West Lindsey's 6 and South Holland's 5 in August, Boston's 2 in September.
    expect(tableRows(res.text, 'districts').at(-1)).toEqual(['All districts', '13', '7', '6', '1', '0', '0']);
  });

  test.each([
    ['2026-Q7', 'Enter a quarter as a year and quarter number, like 2026-Q3'],
    ['2027-Q1', 'The quarter must not be in the future'],
  ])('when the quarter %s is asked for, then it is refused with a message by the field', async (quarter, message) => {
    const res = await admin.get(`/reports/quarterly?quarter=${quarter}`);
    expect(res.status).toBe(400);
    expect(res.text).toContain('id="quarter-error"');
    expect(res.text).toContain(message);
    expect(res.text).toContain(`value="${quarter}"`);
    expect((await admin.get(`/reports/quarterly.csv?quarter=${quarter}`)).status).toBe(400);
  });

  test('when the CSV is downloaded, then it holds every count, no names, and the export is audited', async () => {
    const res = await chair.get('/reports/quarterly.csv?quarter=2026-Q4');
    expect(res.status).toBe(200);
    expect(res.headers['content-disposition']).toBe('attachment; filename="quarterly-return-2026-Q4.csv"');
    const lines = res.text.replace('\ufeff', '').split('\r\n');
    expect(lines[0]).toBe('Quarter,Section,Name,Measure,Value');
    expect(lines).toEqual(
      expect.arrayContaining([
        '2026-Q4,District,Boston,Referrals,2',
        '2026-Q4,District,Boston,Repeat referrals,1',
        '2026-Q4,District,Boston,Cases heard,2',
        '2026-Q4,District,All districts,Referrals,3',
        '2026-Q4,Agency,Police,Attendance rate,100%',
        '2026-Q4,Agency,LPFT,Panels invited to,2',
        '2026-Q4,Agency,Police,Completed on time (%),33%',
      ]),
    );
    // 8 district rows × 6 measures, 2 agencies × 6 measures, the header and the final line break.
    expect(lines).toHaveLength(1 + 8 * 6 + 2 * 6 + 1);
    expect(res.text).not.toContain(SUBJECT_NAME);
    expect(await latestAudit('report.export')).toMatchObject({
      entityId: 'quarterly',
      details: { quarter: '2026-Q4', format: 'csv' },
    });
  });

  test('when the PDF is downloaded, then it is one marked page with the counts and no personal data', async () => {
    const res = await admin
      .get('/reports/quarterly.pdf?quarter=2026-Q4')
      .buffer(true)
      .parse((r, done) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => done(null, Buffer.concat(chunks)));
      });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    const pdf = await readPdf(res.body as Buffer);
    expect(pdf.pages).toHaveLength(1);
    const text = pdf.pages[0].replace(/\s+/g, ' ');
    expect(text).toContain('OFFICIAL-SENSITIVE');
    expect(text).toContain('Quarterly data return 2026-Q4');
    expect(text).toContain('Boston 2 2 0 0 1 2');
    expect(text).toContain('All districts 3 2 1 0 1 3');
    expect(text).toContain('Police 2 2 100% 3 1 33%');
    expect(text).not.toContain(SUBJECT_NAME);
    expect(await latestAudit('report.export')).toMatchObject({ entityId: 'quarterly', details: { format: 'pdf' } });
  }, 60_000);
});
