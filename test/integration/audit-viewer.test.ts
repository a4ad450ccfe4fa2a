import { createTestContext, type TestContext } from '../support/context';
import { DEMO, signIn, type Agent } from '../support/http';
import { ids, referral, type Ids } from './insight-builders';

let ctx: TestContext;
let id: Ids;
let admin: Agent & { csrf: string };
let caseId: number;
const NOW = '2026-11-23T10:00:00Z';
const REFERENCE = 'ASB-2026-7001';

const rowsOf = (html: string) =>
  [...html.matchAll(/<tr class="govuk-table__row" id="audit-\d+">([\s\S]*?)<\/tr>/g)].map((m) => m[1]);
const actionsOf = (html: string) => rowsOf(html).map((r) => /<code>([^<]+)<\/code>/.exec(r)![1]);

beforeAll(async () => {
  ctx = await createTestContext({ now: NOW });
  id = await ids(ctx);
  caseId = await referral(ctx, id, {
    district: 'Boston',
    submittedAt: '2026-10-01T10:00:00Z',
    subjects: [{ kind: 'victim', name: 'Quinn Auditsubject' }],
  });
  await ctx.db.updateTable('referrals').set({ reference: REFERENCE }).where('id', '=', caseId).execute();
  const row = (email: string, agency: string, action: string, at: string, entity?: { type: string; id: string }) => ({
    userId: id.user(email),
    agencyId: id.agency(agency),
    action,
    outcome: 'success' as const,
    at: new Date(at),
    entityType: entity?.type ?? null,
    entityId: entity?.id ?? null,
  });
  await ctx.db
    .insertInto('auditEvents')
    .values([
      row(DEMO.police, 'Police', 'referral.view', '2026-11-02T09:00:00Z', { type: 'referral', id: String(caseId) }),
      row(DEMO.police, 'Police', 'referral.search', '2026-11-03T09:00:00Z'),
      row(DEMO.lpft, 'LPFT', 'referral.view', '2026-11-04T09:00:00Z', { type: 'referral', id: String(caseId) }),
      row(DEMO.lpft, 'LPFT', 'research.answer', '2026-11-10T09:00:00Z', { type: 'research-request', id: '55' }),
      row(DEMO.housing, 'Fenland Vale', 'minutes.downloaded', '2026-10-20T09:00:00Z', { type: 'panel', id: '9' }),
    ])
    .execute();
  admin = await signIn(ctx, DEMO.admin);
}, 60_000);
afterAll(() => ctx.close());

describe('the audit trail, as an administrator', () => {
  test('when filtered by a user, then only that user’s rows show, newest first, and the viewing is audited', async () => {
    const res = await admin.get(`/admin/audit?user=${id.user(DEMO.police)}`);
    expect(res.status).toBe(200);
    expect(actionsOf(res.text)).toEqual(['referral.search', 'referral.view']);
    expect(res.text).toContain(REFERENCE);
    const audit = await ctx.db
      .selectFrom('auditEvents')
      .selectAll()
      .where('action', '=', 'audit.view')
      .executeTakeFirstOrThrow();
    expect(audit).toMatchObject({
      userId: id.user(DEMO.admin),
      details: expect.objectContaining({ userId: id.user(DEMO.police), total: 2 }) as unknown,
    });
  });

  test('when filtered by case reference, then every agency’s views of the case show', async () => {
    const res = await admin.get(`/admin/audit?case=${REFERENCE}`);
    expect(actionsOf(res.text)).toEqual(['referral.view', 'referral.view']);
    expect(rowsOf(res.text).join()).toMatch(/LPFT[\s\S]*Police/);
  });

  test('when filtered by agency, action prefix and dates, then only rows matching all of them show', async () => {
    const res = await admin.get(
      `/admin/audit?agency=${id.agency('LPFT')}&action=referral.&from[day]=1&from[month]=11&from[year]=2026&to[day]=5&to[month]=11&to[year]=2026`,
    );
    expect(res.status).toBe(200);
    expect(actionsOf(res.text)).toEqual(['referral.view']);
    const late = await admin.get('/admin/audit?action=minutes.downloaded&from[day]=21&from[month]=10&from[year]=2026');
    expect(actionsOf(late.text)).toEqual([]);
    expect(late.text).toContain('No audit records match.');
  });

  test.each([
    ['user=abc', 'user', 'Choose a user from the list'],
    ['case=ASB 2026', 'case', 'Enter a case reference like ASB-2026-0042'],
    ['case=ASB-1999-0001', 'case', 'No case has this reference'],
    ['action=DROP%20TABLE', 'action', 'Enter an action like referral.view, or the start of one like referral.'],
    ['from[day]=31&from[month]=2&from[year]=2026', 'from', 'The first day must be a real date'],
    [
      'from[day]=5&from[month]=11&from[year]=2026&to[day]=1&to[month]=11&to[year]=2026',
      'to',
      'The last day must be the same as or after the first day',
    ],
    ['to[day]=1&to[month]=1&to[year]=2030', 'to', 'The last day must be today or in the past'],
  ])(
    'when the filter is %s, then the page answers 400 with a message by the field and what was typed',
    async (query, field, message) => {
      const res = await admin.get(`/admin/audit?${query}`);
      expect(res.status).toBe(400);
      expect(res.text).toContain(`id="${field}-error"`);
      expect(res.text).toContain(message);
      expect(res.text).not.toContain('id="audit"');
    },
  );

  test('when exported, then the CSV holds the filtered rows with names, and the export is audited', async () => {
    const res = await admin.get(`/admin/audit.csv?agency=${id.agency('LPFT')}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="audit-2026-11-23.csv"');
    const lines = res.text
      .replace(/^\ufeff/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe('Time (UK),User,Email,Agency,Action,Outcome,Record,Case,Address,Request,Details');
    expect(lines.slice(1).map((l) => l.split(',')[4])).toEqual(['research.answer', 'referral.view']);
    expect(lines[2]).toContain(REFERENCE);
    expect(lines[2]).toContain(DEMO.lpft);
    expect(
      await ctx.db
        .selectFrom('auditEvents')
        .select('details')
        .where('action', '=', 'audit.export')
        .executeTakeFirstOrThrow(),
    ).toEqual({ details: expect.objectContaining({ agencyId: id.agency('LPFT'), rows: 2 }) as unknown });
  });
});

describe('the audit trail, as an agency', () => {
  test('when the single point of contact opens it, then only their agency’s staff show, whatever is asked for', async () => {
    const lpft = await signIn(ctx, DEMO.lpft);
    const res = await lpft.get('/audit');
    expect(res.status).toBe(200);
    expect(res.text).toContain('href="/audit"');
    const agencies = rowsOf(res.text).map(
      (r) => /<td class="govuk-table__cell">([^<]*)<\/td>\s*<td class="govuk-table__cell"><code>/.exec(r)![1],
    );
    expect(new Set(agencies)).toEqual(new Set(['LPFT']));
    expect(actionsOf(res.text)).toEqual(expect.arrayContaining(['referral.view', 'research.answer']));
    expect(res.text).not.toContain('name="agency"');
    const police = await lpft.get(`/audit?agency=${id.agency('Police')}&user=${id.user(DEMO.police)}`);
    expect(actionsOf(police.text)).toEqual([]);
    const csv = await lpft.get('/audit.csv?action=referral.');
    expect(csv.text).not.toContain(DEMO.police);
    expect(csv.text).toContain(DEMO.lpft);
    expect(
      await ctx.db
        .selectFrom('auditEvents')
        .select('agencyId')
        .where('action', '=', 'audit.agency-view')
        .executeTakeFirstOrThrow(),
    ).toEqual({ agencyId: id.agency('LPFT') });
  });

  test('when someone who is not an agency’s single point of contact asks, then it is not found; the whole trail is for administrators only', async () => {
    const police = await signIn(ctx, DEMO.police);
    expect((await police.get('/audit')).status).toBe(404);
    expect((await police.get('/audit.csv')).status).toBe(404);
    expect((await police.get('/admin/audit')).status).toBe(403);
    expect((await police.get('/admin/audit.csv')).status).toBe(403);
    const chair = await signIn(ctx, DEMO.chair);
    expect((await chair.get('/admin/audit')).status).toBe(403);
    expect((await chair.get('/audit')).status).toBe(404);
    expect((await police.get('/')).text).not.toContain('href="/audit"');
  });
});
