import { createTestContext, type TestContext } from '../support/context';
import { readPdf } from '../support/pdf';
import { DEMO, postForm, signIn } from '../support/http';
import { agencyId, districtId, makeCase, userId } from './panels-builders';
import { publishedPanel, researchRequestOf } from './research-builders';
import { errorsOf, postFields, readForm } from '../security/payloads';

let ctx: TestContext;
let panelId: number;
let cases: Awaited<ReturnType<typeof makeCase>>[];
let police: number;
let lpft: number;

beforeAll(async () => {
  ctx = await createTestContext({ now: '2026-11-23T10:00:00Z' });
  const boston = await districtId(ctx, 'Boston');
  police = await agencyId(ctx, 'Police');
  lpft = await agencyId(ctx, 'LPFT');
  cases = [];
  for (let n = 0; n < 14; n += 1)
    cases.push(await makeCase(ctx, { districtId: boston, referringAgencyId: police, riskScore: 40 - n }));
  panelId = await publishedPanel(ctx, {
    districtId: boston,
    startsAt: '2026-12-08T10:00:00Z',
    agencyIds: [police, lpft, await agencyId(ctx, 'BBC')],
    researchClosesOn: '2026-12-04',
  });
});

afterAll(async () => {
  await ctx.close();
});

const requestFor = (agency: number, referralId: number) => researchRequestOf(ctx, agency, referralId);

describe('research requests', () => {
  it("when the single point of contact answers, then the answer is stored, audited and shown in the chair's matrix", async () => {
    const spoc = await signIn(ctx, DEMO.lpft);
    const list = await spoc.get('/research');
    expect(list.status).toBe(200);
    expect(list.text).toContain(cases[0].reference);
    expect(list.text).toContain('4 December 2026');
    const request = await requestFor(lpft, cases[0].id);
    const page = await spoc.get(`/research/${request.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(cases[0].name);
    const missing = await postForm(spoc, `/research/${request.id}`, {
      status: 'information-held',
      summary: '',
      version: String(request.version),
    });
    expect(missing.status).toBe(400);
    expect(missing.text).toContain('Enter a short summary of the information to share');
    const saved = await postForm(spoc, `/research/${request.id}`, {
      status: 'information-held',
      summary: 'Known to the community team <b>since 2024</b>.',
      version: String(request.version),
    });
    expect(saved.status).toBe(303);
    expect((await requestFor(lpft, cases[0].id)).status).toBe('information-held');
    const stale = await postForm(spoc, `/research/${request.id}`, {
      status: 'nothing-held',
      summary: '',
      version: String(request.version),
    });
    expect(stale.status).toBe(409);
    expect((await requestFor(lpft, cases[0].id)).status).toBe('information-held');
    const audit = await ctx.db
      .selectFrom('auditEvents')
      .select(['action', 'details'])
      .where('action', '=', 'research.answer')
      .where('entityId', '=', String(panelId))
      .execute();
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit[0].details)).not.toContain('community team');

    const policeRep = await signIn(ctx, DEMO.police);
    await postForm(policeRep, `/research/${(await requestFor(police, cases[0].id)).id}`, {
      status: 'nothing-held',
      version: '1',
    });

    const chair = await signIn(ctx, DEMO.chair);
    const matrix = await chair.get(`/panels/${panelId}/research`);
    expect(matrix.status).toBe(200);
    expect(matrix.text).toContain('2 of 42 requests answered');
    expect(matrix.text).toContain('data-status="information-held"');
    expect(matrix.text).toContain('data-status="nothing-held"');
    expect(matrix.text).not.toContain('Overdue</strong>');
  });

  it('when another agency asks for a request that is not theirs, then it is not found and the attempt audited', async () => {
    const council = await signIn(ctx, DEMO.council);
    const request = await requestFor(lpft, cases[1].id);
    expect((await council.get(`/research/${request.id}`)).status).toBe(404);
    expect((await postForm(council, `/research/${request.id}`, { status: 'nothing-held', version: '1' })).status).toBe(
      404,
    );
    expect((await requestFor(lpft, cases[1].id)).status).toBe('requested');
    const denied = await ctx.db
      .selectFrom('auditEvents')
      .select('action')
      .where('entityType', '=', 'research-request')
      .where('entityId', '=', String(request.id))
      .where('outcome', '=', 'denied')
      .execute();
    expect(denied.length).toBe(2);
    expect((await council.get(`/panels/${panelId}/research`)).status).toBe(403);
  });

  it('when the working day before the closing date comes, then each agency with unanswered requests is reminded once', async () => {
    const before = await ctx.services.research.sendResearchReminders(new Date('2026-12-02T08:00:00Z'));
    expect(before).toBe(0);
    const sent = await ctx.services.research.sendResearchReminders(new Date('2026-12-03T08:00:00Z'));
    expect(sent).toBeGreaterThan(0);
    const mails = await ctx.db.selectFrom('outbox').selectAll().where('kind', '=', 'research-reminder').execute();
    expect(mails.map((m) => m.toAddress)).toEqual(expect.arrayContaining([DEMO.police, DEMO.lpft]));
    for (const m of mails) {
      expect(m.subject).toMatch(/^OFFICIAL-SENSITIVE/);
      expect(m.textBody).not.toContain(cases[0].reference);
      expect(m.textBody).not.toContain(cases[0].name);
    }
    expect(await ctx.services.research.sendResearchReminders(new Date('2026-12-03T15:00:00Z'))).toBe(0);
    expect(await ctx.services.research.sendResearchReminders(new Date('2026-12-04T08:00:00Z'))).toBe(0);
  });

  it('when the closing date has passed, then unanswered cells are highlighted as overdue', async () => {
    ctx.clock.set('2026-12-05T09:00:00Z');
    try {
      const chair = await signIn(ctx, DEMO.chair);
      const matrix = await chair.get(`/panels/${panelId}/research`);
      expect(matrix.text).toContain('app-overdue');
      expect(matrix.text).toContain('Overdue</strong>');
    } finally {
      ctx.clock.set('2026-11-23T10:00:00Z');
    }
  });

  it('when an invited agency downloads the agenda PDF, then every page is marked and every case reference is in it', async () => {
    const policeRep = await signIn(ctx, DEMO.police);
    const res = await policeRep
      .get(`/panels/${panelId}/agenda.pdf`)
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    const pdf = await readPdf(res.body as Buffer);
    expect(pdf.pages.length).toBeGreaterThan(1);
    for (const page of pdf.pages) {
      expect(page.match(/OFFICIAL-SENSITIVE/g)?.length ?? 0).toBeGreaterThanOrEqual(2);
      expect(page).toMatch(/Page \d+ of \d+/);
      expect(page).toContain('agenda version 1');
    }
    const text = pdf.pages.join('\n');
    // Narrow table cells may wrap a reference across lines.
    const joined = text.replace(/\s+/g, '');
    for (const c of cases) expect(joined).toContain(c.reference);
    expect(text).toContain('Copy for: Lincolnshire Police');
    const exported = await ctx.db
      .selectFrom('auditEvents')
      .select('action')
      .where('action', '=', 'agenda.export')
      .where('entityId', '=', String(panelId))
      .execute();
    expect(exported).toHaveLength(1);
    const stranger = await signIn(ctx, DEMO.housing);
    expect((await stranger.get(`/panels/${panelId}/agenda.pdf`)).status).toBe(404);
    void userId;
  });
});

describe('an agency taken off the panel', () => {
  async function invite(agencies: number[]) {
    const chair = await signIn(ctx, DEMO.admin);
    const page = await chair.get(`/panels/${panelId}/edit`);
    const form = readForm(page.text, `/panels/${panelId}/edit`);
    const res = await postFields(chair, `/panels/${panelId}/edit`, {
      ...form.values,
      agencyIds: agencies.map(String),
    });
    expect({ status: res.status, errors: errorsOf(res.text) }).toEqual({ status: 303, errors: [] });
  }

  it('when its representative asks for its answered research, then it is not found, cannot be changed, and is withdrawn; invited again, it is back', async () => {
    const bbc = await agencyId(ctx, 'BBC');
    const boston = await signIn(ctx, 'boston@example.org');
    const request = await requestFor(bbc, cases[0].id);
    const answered = await postForm(boston, `/research/${request.id}`, {
      status: 'information-held',
      summary: 'Known to the council for noise complaints.',
      version: String(request.version),
    });
    expect(answered.status).toBe(303);

    await invite([police, lpft]);
    const view = await boston.get(`/research/${request.id}`);
    expect(view.status).toBe(404);
    expect(view.text).not.toContain(cases[0].reference);
    const change = await postForm(boston, `/research/${request.id}`, {
      status: 'nothing-held',
      version: String(request.version + 1),
    });
    expect(change.status).toBe(404);
    const list = await boston.get('/research');
    expect(list.status).toBe(200);
    expect(list.text).not.toContain(cases[0].reference);
    const stored = await ctx.db
      .selectFrom('researchRequests')
      .select(['status', 'summary', 'withdrawnAt'])
      .where('id', '=', request.id)
      .executeTakeFirstOrThrow();
    expect(stored).toEqual({
      status: 'information-held',
      summary: 'Known to the council for noise complaints.',
      withdrawnAt: ctx.clock.now(),
    });
    const denied = await ctx.db
      .selectFrom('auditEvents')
      .select(['action', 'outcome'])
      .where('entityType', '=', 'research-request')
      .where('entityId', '=', String(request.id))
      .execute();
    expect(denied).toEqual(
      expect.arrayContaining([
        { action: 'research.view', outcome: 'denied' },
        { action: 'research.answer', outcome: 'denied' },
      ]),
    );
    const matrix = await (await signIn(ctx, DEMO.chair)).get(`/panels/${panelId}/research`);
    expect(matrix.text).toContain('>LPFT<');
    expect(matrix.text).not.toContain('>BBC<');

    await invite([police, lpft, bbc]);
    const back = await boston.get(`/research/${request.id}`);
    expect(back.status).toBe(200);
    expect(back.text).toContain('Known to the council for noise complaints.');
  });
});
