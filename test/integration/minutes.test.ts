import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createTestContext, type TestContext } from '../support/context';
import { DEMO, postForm, signIn, type Agent } from '../support/http';
import { firstPageToPng, readPdf } from '../support/pdf';
import { ARTIFACTS } from '../support/paths';
import { addToRegister, answeredDeputy, recordedPanel, type RecordedPanel } from './minutes-builders';

const IMG = '<img src=file:///etc/passwd>';
const SCRIPT = '<script>alert(1)</script>';

let ctx: TestContext;
let admin: Agent & { csrf: string };
let chair: Agent & { csrf: string };
let otherChair: Agent & { csrf: string };
let police: Agent & { csrf: string };
let council: Agent & { csrf: string };

beforeAll(async () => {
  ctx = await createTestContext({ now: '2026-12-09T09:00:00Z' });
  [admin, chair, otherChair, police, council] = await Promise.all([
    signIn(ctx, DEMO.admin),
    signIn(ctx, DEMO.chair),
    signIn(ctx, 'chair.east@example.org'),
    signIn(ctx, DEMO.police),
    signIn(ctx, DEMO.council),
  ]);
});
afterAll(() => ctx.close());

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#x27;/g, "'")
    .replace(/\s+/g, ' ');
const pdfOf = async (agent: Agent, url: string) => {
  const res = await agent
    .get(url)
    .buffer(true)
    .parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    });
  return { res, body: res.body as Buffer };
};
const flat = (s: string) => s.replace(/\s+/g, ' ');
const heading = (html: string) => text(/<h1[^>]*>([\s\S]*?)<\/h1>/.exec(html)![1]).trim();
const draftVersion = (html: string) => /name="version" value="(\d+)"/.exec(html)![1];
const approveVersion = (html: string) => /name="draftVersion" value="(\d+)"/.exec(html)![1];
const audits = (panelId: number, action: string) =>
  ctx.db
    .selectFrom('auditEvents')
    .select(['outcome', 'userId'])
    .where('entityType', '=', 'panel')
    .where('entityId', '=', String(panelId))
    .where('action', '=', action)
    .execute();

describe('draft minutes', () => {
  let p: RecordedPanel;
  beforeAll(async () => {
    p = await recordedPanel(ctx);
    const district = await ctx.db
      .selectFrom('panels')
      .select('districtId')
      .where('id', '=', p.panelId)
      .executeTakeFirstOrThrow();
    const chairId = (
      await ctx.db.selectFrom('users').select('id').where('email', '=', DEMO.chair).executeTakeFirstOrThrow()
    ).id;
    await ctx.db
      .insertInto('panels')
      .values({
        districtId: district.districtId,
        startsAt: '2027-01-12T10:00:00Z',
        endsAt: '2027-01-12T12:00:00Z',
        chairUserId: chairId,
        researchClosesOn: '2027-01-08',
      })
      .execute();
  });

  test('when a panel has concluded, then the draft is assembled from its record', async () => {
    const res = await admin.get(`/panels/${p.panelId}/minutes`);
    expect(res.status).toBe(200);
    const page = text(res.text);
    expect(page).toContain('OFFICIAL-SENSITIVE');
    expect(page).toContain('8 December 2026, 10:00 to 12:30');
    expect(page).toContain('Municipal Buildings, Boston');
    expect(page).toContain('Insp. Sam Hartley');
    expect(page).toContain('PC Jordan Ellis, ASB Officer Present');
    expect(page).toContain('Arrived late at 10:25');
    expect(page).toContain('Left early at 11:40');
    expect(page).toContain(
      'Fenland Vale Housing Association Apologies Information sent: Yes, received 7 December 2026',
    );
    expect(page).toContain('Lee Observer, Student social worker');
    expect(page).toContain('Confidentiality statement (version 1)');
    expect(page).toContain('Agreed by: Dr Robin Marsh, PC Jordan Ellis, PCSO Taylor Grant, Lee Observer');
    expect(page).toContain(p.references[0]);
    expect(page).toContain('Morgan Testvictim (victim); Riley Testperp (perpetrator)');
    expect(page).toContain('Three calls in October.');
    expect(page).toContain('Known to services; engaging.');
    expect(page).toContain('Risk level Medium');
    expect(page).toContain('Keep under review. Next review: 12 January 2027');
    expect(page).toContain('Escalate to MARAC');
    // The draft offers each action for correction, as recorded.
    expect(res.text).toContain('Joint visit to the victim</textarea>');
    expect(res.text).toMatch(/name="actions\[a\d+\]\[due\]\[day\]"[^>]*value="20"/);
    expect(page).toContain('Refer to MARAC');
    expect(page).toContain('Fit a video doorbell Lincolnshire Police Completed: Fitted on 18 November');
    expect(page).toContain('Summer outreach plan');
    expect(page).toContain('12 January 2027 at 10:00');
    expect(await audits(p.panelId, 'minutes.viewed')).toContainEqual(expect.objectContaining({ outcome: 'success' }));
  });

  test('when the chair downloads the draft, then it is printed from the record with the marking, and not for a panel still in progress', async () => {
    const { res, body } = await pdfOf(chair, `/panels/${p.panelId}/minutes.pdf`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    const { pages } = await readPdf(body);
    expect(pages[0]).toContain('OFFICIAL-SENSITIVE');
    expect(pages.join('\n').replace(/\s+/g, ' ')).toContain('Joint visit to the victim');
    const open = await recordedPanel(ctx, { status: 'in-progress', startsAt: '2026-11-24T10:00:00Z' });
    expect((await chair.get(`/panels/${open.panelId}/minutes.pdf`)).status).toBe(404);
  });

  test('when the chair downloads the draft, then every page says DRAFT – not for circulation', async () => {
    const { res, body } = await pdfOf(chair, `/panels/${p.panelId}/minutes.pdf`);
    expect(res.status).toBe(200);
    const { pages } = await readPdf(body);
    expect(pages.length).toBeGreaterThanOrEqual(2);
    for (const page of pages.map(flat)) {
      expect(page).toContain('DRAFT – not for circulation');
      expect(page).not.toContain('Approved by');
    }
    const png = await firstPageToPng(body, 'minutes-draft-title-page');
    expect(png.width).toBeLessThan(png.height);
  });

  test('when a representative or an uninvited agency asks for minutes not yet approved, then it is not found and audited', async () => {
    expect((await police.get(`/panels/${p.panelId}/minutes`)).status).toBe(404);
    expect((await council.get(`/panels/${p.panelId}/minutes`)).status).toBe(404);
    expect((await police.get(`/panels/${p.panelId}/minutes.pdf`)).status).toBe(404);
    expect((await police.get(`/panels/999999/minutes`)).status).toBe(404);
    const denied = (await audits(p.panelId, 'minutes.viewed')).filter((a) => a.outcome === 'denied');
    expect(denied.length).toBeGreaterThanOrEqual(2);
  });

  test('when two people edit the draft at once, then the later save is refused with both texts shown and nothing lost', async () => {
    const page = await chair.get(`/panels/${p.panelId}/minutes`);
    const version = draftVersion(page.text);
    const first = await postForm(chair, `/panels/${p.panelId}/minutes`, {
      version,
      introduction: 'The chair welcomed everyone.',
      otherBusiness: '',
      [`summary[i${p.itemIds[0]}]`]: 'Summary by the chair.',
    });
    expect(first.status).toBe(303);
    const stale = await postForm(admin, `/panels/${p.panelId}/minutes`, {
      version,
      introduction: 'Introduction by the coordinator.',
      otherBusiness: 'Nothing else.',
    });
    expect(stale.status).toBe(409);
    expect(stale.text).toContain('Someone else saved the draft');
    expect(stale.text).toMatch(/id="theirs-introduction">The chair welcomed everyone\./);
    expect(stale.text).toContain('Summary by the chair.');
    expect(stale.text).toContain('>Introduction by the coordinator.</textarea>');
    const saved = await ctx.db
      .selectFrom('minutesDrafts')
      .selectAll()
      .where('panelId', '=', p.panelId)
      .executeTakeFirstOrThrow();
    expect(saved).toMatchObject({ introduction: 'The chair welcomed everyone.', otherBusiness: null, version: 1 });
    expect(saved.itemSummaries).toEqual({ [String(p.itemIds[0])]: 'Summary by the chair.' });
    // The summary replaces the recorded discussion; the recorded one is still offered beside it.
    const after = text((await chair.get(`/panels/${p.panelId}/minutes`)).text);
    expect(after).toContain('Incidents have reduced since the last panel.');
  });

  test('when the draft is too long or the form has no version, then it is refused and what was typed is kept', async () => {
    const long = await postForm(chair, `/panels/${p.panelId}/minutes`, {
      version: '1',
      introduction: 'x'.repeat(20001),
    });
    expect(long.status).toBe(400);
    expect(long.text).toContain('The introduction must be 20000 characters or fewer');
    const noVersion = await postForm(chair, `/panels/${p.panelId}/minutes`, {
      introduction: 'Typed without a version',
    });
    expect(noVersion.status).toBe(409);
    expect(noVersion.text).toContain('Typed without a version');
    const saved = await ctx.db
      .selectFrom('minutesDrafts')
      .select('introduction')
      .where('panelId', '=', p.panelId)
      .executeTakeFirstOrThrow();
    expect(saved.introduction).toBe('The chair welcomed everyone.');
  });
  test('when the chair corrects the information shared, the discussion and an action in the draft, then the minutes and PDF give the corrections, audited, and the meeting record is as it was', async () => {
    const [first, second] = p.itemIds;
    const recordOf = async (itemId: number) =>
      (
        await ctx.db
          .selectFrom('meetingRecords')
          .select('discussion')
          .where('agendaItemId', '=', itemId)
          .executeTakeFirstOrThrow()
      ).discussion;
    const recorded = await recordOf(first);
    const shared = await ctx.db
      .selectFrom('sharedInformation')
      .selectAll()
      .where('agendaItemId', '=', first)
      .orderBy('agencyId')
      .executeTakeFirstOrThrow();
    const action = await ctx.db
      .selectFrom('actions')
      .selectAll()
      .where('panelId', '=', p.panelId)
      .where('referralId', '=', p.referralIds[0])
      .orderBy('id')
      .executeTakeFirstOrThrow();
    const page = await chair.get(`/panels/${p.panelId}/minutes`);
    // A discussion box not yet edited starts from what was recorded.
    expect(page.text).toContain(`${await recordOf(second)}</textarea>`);
    const base = {
      version: draftVersion(page.text),
      introduction: 'The chair welcomed everyone.',
      [`summary[i${first}]`]: recorded,
      [`shared[i${first}][a${shared.agencyId}]`]: 'Corrected: two calls in October, not three.',
      [`actions[a${action.id}][description]`]: 'Joint visit to the victim with the housing officer',
      [`actions[a${action.id}][ownerAgencyId]`]: String(action.ownerAgencyId),
      [`actions[a${action.id}][ownerName]`]: 'PC Jordan Ellis',
      [`actions[a${action.id}][due][day]`]: '22',
      [`actions[a${action.id}][due][month]`]: '12',
      [`actions[a${action.id}][due][year]`]: '2026',
    };
    const refused = await postForm(chair, `/panels/${p.panelId}/minutes`, {
      ...base,
      [`actions[a${action.id}][description]`]: '',
      [`actions[a${action.id}][due][month]`]: '13',
    });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('Enter what is to be done');
    expect(refused.text).toContain('The due date must be a real date');
    expect(refused.text).toContain('Corrected: two calls in October, not three.</textarea>');
    const saved = await postForm(chair, `/panels/${p.panelId}/minutes`, base);
    expect(saved.status).toBe(303);
    const after = await chair.get(`/panels/${p.panelId}/minutes`);
    expect(after.text).toContain('Corrected: two calls in October, not three.</textarea>');
    expect(after.text).toMatch(new RegExp(`id="correct-action-${action.id}"[\\s\\S]*?Corrected`));
    const draft = await ctx.db
      .selectFrom('minutesDrafts')
      .selectAll()
      .where('panelId', '=', p.panelId)
      .executeTakeFirstOrThrow();
    // Only what differs from the record is kept: the discussion was left as recorded.
    expect(draft.itemSummaries[String(first)]).toBeUndefined();
    expect(draft.corrections.actions?.[String(action.id)]).toEqual({
      description: 'Joint visit to the victim with the housing officer',
      ownerAgencyId: action.ownerAgencyId,
      ownerName: 'PC Jordan Ellis',
      dueOn: '2026-12-22',
    });
    const pdf = {
      text: (await readPdf((await pdfOf(chair, `/panels/${p.panelId}/minutes.pdf`)).body)).pages.join(' '),
    };
    expect(flat(pdf.text)).toContain('Corrected: two calls in October, not three.');
    expect(flat(pdf.text)).toContain('Joint visit to the victim with the housing officer');
    expect(flat(pdf.text)).toContain('22 December 2026');
    // The meeting's record is as it was.
    expect(
      (
        await ctx.db
          .selectFrom('sharedInformation')
          .select('text')
          .where('agendaItemId', '=', first)
          .where('agencyId', '=', shared.agencyId)
          .executeTakeFirstOrThrow()
      ).text,
    ).toBe(shared.text);
    expect(
      await ctx.db
        .selectFrom('actions')
        .select(['description', 'dueOn'])
        .where('id', '=', action.id)
        .executeTakeFirstOrThrow(),
    ).toEqual({ description: action.description, dueOn: action.dueOn });
    const audit = await ctx.db
      .selectFrom('auditEvents')
      .select('details')
      .where('action', '=', 'minutes.draft-saved')
      .where('entityId', '=', String(p.panelId))
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(audit.details).toMatchObject({ correctedSharedInformation: 1, correctedActions: [action.id] });
    // An action cannot be given to an agency not invited to the panel.
    const outsider = await ctx.db
      .selectFrom('agencies')
      .select('id')
      .where('shortName', '=', 'Probation')
      .executeTakeFirstOrThrow();
    const notInvited = await postForm(chair, `/panels/${p.panelId}/minutes`, {
      ...base,
      version: draftVersion(after.text),
      [`actions[a${action.id}][ownerAgencyId]`]: String(outsider.id),
    });
    expect(notInvited.status).toBe(400);
    expect(notInvited.text).toContain('Select an agency invited to the panel');
  });
});

describe('attendance in the minutes', () => {
  const agencies = {
    'Lincolnshire Police':
      'Lincolnshire Police Present PC Jordan Ellis, ASB Officer Present PCSO Taylor Grant, PCSO Left early at 11:40',
    'Lincolnshire Partnership NHS Foundation Trust':
      'Lincolnshire Partnership NHS Foundation Trust Present Dr Robin Marsh, Clinical Lead (deputy) Arrived late at 10:25',
    'Probation Service (Lincolnshire)':
      'Probation Service (Lincolnshire) Present Sam Stand-in, Probation Officer (deputy) Online',
    'Fenland Vale Housing Association':
      'Fenland Vale Housing Association Apologies Information sent: Yes, received 7 December 2026',
    'Victim Support': 'Victim Support Apologies Information sent: No',
    'Lincolnshire Fire and Rescue': 'Lincolnshire Fire and Rescue Absent',
    'Lincolnshire Drug and Alcohol Recovery Service': 'Lincolnshire Drug and Alcohol Recovery Service Absent',
  };
  const count = (haystack: string, needle: string) => haystack.split(needle).length - 1;

  test('when the register has an agency present, one sending apologies on the day and one absent, then the minutes page and the PDF list every invited agency once with its status', async () => {
    const p = await recordedPanel(ctx, {
      startsAt: '2026-11-17T10:00:00Z',
      agencies: ['Police', 'LPFT', 'Fenland Vale', 'Drug and Alcohol'],
    });
    await answeredDeputy(ctx, p.panelId, 'Probation', {
      name: 'Sam Stand-in',
      role: 'Probation Officer',
      mode: 'online',
    });
    await addToRegister(ctx, p.panelId, [
      { agency: 'Probation', personName: 'Sam Stand-in', role: 'Probation Officer', status: 'online' },
      { agency: 'Victim Support', personName: 'Casey Lund', status: 'apologies' },
      { agency: 'Fire and Rescue', personName: 'Rowan Pike', status: 'absent' },
    ]);

    const res = await admin.get(`/panels/${p.panelId}/minutes`);
    expect(res.status).toBe(200);
    const table = /<table class="govuk-table" id="attendance">[\s\S]*?<\/table>/.exec(res.text)![0];
    const page = text(table);
    for (const [agency, row] of Object.entries(agencies)) {
      expect(page).toContain(row);
      expect(count(page, agency)).toBe(1);
    }
    expect(page).not.toContain('Casey Lund');
    expect(page).not.toContain('Rowan Pike');
    expect(page).not.toContain('Lee Observer');
    expect(text(res.text)).toContain('Observers Lee Observer, Student social worker');

    const { res: pdfRes, body } = await pdfOf(admin, `/panels/${p.panelId}/minutes.pdf`);
    expect(pdfRes.status).toBe(200);
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(path.join(ARTIFACTS, 'minutes-attendance.pdf'), body);
    const all = (await readPdf(body)).pages.join('\n').replace(/\s+/g, ' ');
    const attendance = all.slice(all.indexOf('Agency Attendance Name and role Details'), all.indexOf('Observers'));
    for (const [agency, row] of Object.entries(agencies)) {
      expect(attendance).toContain(row);
      expect(count(attendance, agency)).toBe(1);
    }
    expect(attendance).not.toContain('Casey Lund');
    expect(attendance).not.toContain('Rowan Pike');
    expect(all).toContain('Observers Lee Observer, Student social worker');
  });
});

describe('approval and versions', () => {
  let p: RecordedPanel;
  let v1: Buffer;
  beforeAll(async () => {
    p = await recordedPanel(ctx, { extraActions: 30, discussion: `Discussed. ${IMG} ${SCRIPT}` });
  });

  test('when another chair, or anyone for a panel not concluded, approves, then it is refused and nothing is stored', async () => {
    const page = await admin.get(`/panels/${p.panelId}/minutes`);
    expect(
      (await postForm(otherChair, `/panels/${p.panelId}/minutes/approve`, { draftVersion: approveVersion(page.text) }))
        .status,
    ).toBe(403);
    const open = await recordedPanel(ctx, { status: 'in-progress', startsAt: '2026-12-01T10:00:00Z' });
    const notReady = await admin.get(`/panels/${open.panelId}/minutes`);
    expect(notReady.text).toContain('Minutes are not ready yet');
    const refused = await postForm(admin, `/panels/${open.panelId}/minutes/approve`, { draftVersion: '0' });
    expect(refused.status).toBe(409);
    expect(refused.text).toContain('Minutes can be approved only once the panel has concluded');
    expect(
      await ctx.db
        .selectFrom('minutesVersions')
        .select('id')
        .where('panelId', 'in', [p.panelId, open.panelId])
        .execute(),
    ).toHaveLength(0);
  });

  test('when the chair approves, then version 1 is frozen with its PDF and hash and the panel is minutes approved', async () => {
    const page = await chair.get(`/panels/${p.panelId}/minutes`);
    const saved = await postForm(chair, `/panels/${p.panelId}/minutes`, {
      version: draftVersion(page.text),
      introduction: `Welcome ${IMG}`,
      otherBusiness: `Notes ${SCRIPT}`,
    });
    expect(saved.status).toBe(303);
    // Approving what the page showed before the save is refused: the text changed since.
    const stale = await postForm(chair, `/panels/${p.panelId}/minutes/approve`, {
      draftVersion: approveVersion(page.text),
    });
    expect(stale.status).toBe(409);
    const fresh = await chair.get(`/panels/${p.panelId}/minutes`);
    const res = await postForm(chair, `/panels/${p.panelId}/minutes/approve`, {
      draftVersion: approveVersion(fresh.text),
    });
    expect(res.status).toBe(303);
    const panel = await ctx.db
      .selectFrom('panels')
      .select('status')
      .where('id', '=', p.panelId)
      .executeTakeFirstOrThrow();
    expect(panel.status).toBe('minutes-approved');
    const row = await ctx.db
      .selectFrom('minutesVersions')
      .selectAll()
      .where('panelId', '=', p.panelId)
      .executeTakeFirstOrThrow();
    expect(row.version).toBe(1);
    v1 = Buffer.from(row.pdf!);
    expect(row.pdfSha256).toBe(sha(v1));
    expect((row.content as { introduction: string }).introduction).toBe(`Welcome ${IMG}`);
    expect((await audits(p.panelId, 'minutes.approved')).filter((a) => a.outcome === 'success')).toHaveLength(1);
  });

  test('when the minutes are approved, then the PDF states who approved them, when, and the version, and no page says DRAFT', async () => {
    const approved = 'Approved by Insp. Sam Hartley on 9 December 2026, version 1';
    const copy = await pdfOf(police, `/panels/${p.panelId}/minutes/versions/1.pdf`);
    expect(copy.res.status).toBe(200);
    for (const pdf of [v1, copy.body]) {
      const { pages } = await readPdf(pdf);
      expect(flat(pages[0])).toContain(approved);
      for (const page of pages.map(flat)) {
        expect(page).toContain(approved);
        expect(page).not.toContain('DRAFT');
      }
    }
    const png = await firstPageToPng(v1, 'minutes-approved-title-page');
    expect(png.width).toBeLessThan(png.height);
  });

  test('when the minutes are approved, then the page is headed as the approved version, not as a draft', async () => {
    const q = await recordedPanel(ctx, { startsAt: '2026-12-03T10:00:00Z' });
    const before = await chair.get(`/panels/${q.panelId}/minutes`);
    expect(heading(before.text)).toMatch(/^Draft minutes: Boston, 3 December 2026 Draft$/);
    const res = await postForm(chair, `/panels/${q.panelId}/minutes/approve`, {
      draftVersion: approveVersion(before.text),
    });
    expect(res.status).toBe(303);
    for (const agent of [chair, admin, police]) {
      const after = await agent.get(`/panels/${q.panelId}/minutes`);
      expect(after.status).toBe(200);
      expect(heading(after.text)).toBe('Minutes (approved, version 1): Boston, 3 December 2026 Approved, version 1');
      expect(after.text).toMatch(/<title>Minutes \(approved, version 1\)/);
    }
  });

  test('when the HTML page shows user text with markup, then it is escaped, never markup', async () => {
    const res = await admin.get(`/panels/${p.panelId}/minutes`);
    expect(res.text).toContain('&lt;img src&#x3D;file:///etc/passwd&gt;');
    expect(res.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(res.text).not.toContain(IMG);
    expect(res.text).not.toContain(SCRIPT);
  });

  test('when the approved PDF is read, then every page is marked and numbered, every action is present and markup is literal text', async () => {
    const { pages } = await readPdf(v1);
    expect(pages.length).toBeGreaterThanOrEqual(3);
    pages.forEach((page, i) => {
      expect(page.split('OFFICIAL-SENSITIVE').length - 1).toBeGreaterThanOrEqual(2);
      expect(page).toContain(`Page ${i + 1} of ${pages.length}`);
      expect(page).toContain('Boston');
    });
    const all = pages.join('\n').replace(/\s+/g, ' ');
    expect(pages[0]).toContain('Circulation list');
    expect(pages[0].replace(/\s+/g, ' ')).toContain('Not to be copied or shared without the agreement of the agencies');
    expect(pages[0]).toContain('PC Jordan Ellis');
    for (const action of [
      'Joint visit to the victim',
      'Mental health check-in',
      'Refer to MARAC',
      'Fit a video doorbell',
    ])
      expect(all).toContain(action);
    for (let n = 1; n <= 30; n++) expect(all).toContain(`Follow-up action number ${n} `);
    expect(all).toContain(IMG);
    expect(all).toContain(SCRIPT);
    expect(all).toContain('Welcome');
    const png = await firstPageToPng(v1, 'minutes-title-page');
    expect(png.width).toBeLessThan(png.height);
  });

  test('when a version is downloaded again, then the same stored bytes come back with their SHA-256', async () => {
    const a = await pdfOf(admin, `/panels/${p.panelId}/minutes/versions/1.pdf`);
    const b = await pdfOf(chair, `/panels/${p.panelId}/minutes/versions/1.pdf`);
    expect(a.res.status).toBe(200);
    expect(a.res.headers['content-type']).toBe('application/pdf');
    expect(a.body.equals(v1)).toBe(true);
    expect(b.body.equals(v1)).toBe(true);
    expect(a.res.headers.etag).toBe(`"sha256-${sha(v1)}"`);
    expect(a.res.headers['repr-digest']).toBe(`sha-256=:${createHash('sha256').update(v1).digest('base64')}:`);
    expect((await admin.get(`/panels/${p.panelId}/minutes/versions/7.pdf`)).status).toBe(404);
  });

  test('when an invited representative opens the minutes, then they see the approved version and get their agency copy', async () => {
    const page = await police.get(`/panels/${p.panelId}/minutes`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Approved, version 1');
    expect(page.text).not.toContain('id="draft-form"');
    const redirect = await police.get(`/panels/${p.panelId}/minutes.pdf`);
    expect(redirect.status).toBe(303);
    const copy = await pdfOf(police, `/panels/${p.panelId}/minutes/versions/1.pdf`);
    expect(copy.res.status).toBe(200);
    const { pages } = await readPdf(copy.body);
    for (const pageText of pages) expect(pageText).toContain('Copy for: Lincolnshire Police');
    const again = await pdfOf(police, `/panels/${p.panelId}/minutes/versions/1.pdf`);
    expect(again.body.equals(copy.body)).toBe(true);
    // Posting as a representative is refused by role.
    expect((await postForm(police, `/panels/${p.panelId}/minutes/approve`, { draftVersion: '1' })).status).toBe(403);
    expect((await council.get(`/panels/${p.panelId}/minutes`)).status).toBe(404);
  });

  test('when a correction is approved, then it needs a reason, makes version 2 and keeps version 1', async () => {
    const page = await admin.get(`/panels/${p.panelId}/minutes`);
    const noReason = await postForm(admin, `/panels/${p.panelId}/minutes/approve`, {
      draftVersion: approveVersion(page.text),
      reason: '  ',
    });
    expect(noReason.status).toBe(400);
    expect(noReason.text).toContain('Give the reason for the correction');
    const edit = await postForm(admin, `/panels/${p.panelId}/minutes`, {
      version: draftVersion(page.text),
      introduction: 'Corrected welcome',
      otherBusiness: '',
    });
    expect(edit.status).toBe(303);
    const fresh = await admin.get(`/panels/${p.panelId}/minutes`);
    const res = await postForm(admin, `/panels/${p.panelId}/minutes/approve`, {
      draftVersion: approveVersion(fresh.text),
      reason: 'Introduction corrected',
    });
    expect(res.status).toBe(303);
    const versions = await ctx.db
      .selectFrom('minutesVersions')
      .select(['version', 'correctionReason', 'pdfSha256'])
      .where('panelId', '=', p.panelId)
      .orderBy('version')
      .execute();
    expect(versions.map((v) => [v.version, v.correctionReason])).toEqual([
      [1, null],
      [2, 'Introduction corrected'],
    ]);
    expect(versions[0].pdfSha256).toBe(sha(v1));
    const listed = await admin.get(`/panels/${p.panelId}/minutes`);
    expect(listed.text).toContain('Version 1 (PDF)');
    expect(listed.text).toContain('Version 2 (PDF)');
    expect(listed.text).toContain('Correction: Introduction corrected');
    expect((await pdfOf(admin, `/panels/${p.panelId}/minutes/versions/1.pdf`)).body.equals(v1)).toBe(true);
    expect(text((await police.get(`/panels/${p.panelId}/minutes`)).text)).toContain('Corrected welcome');
  });

  test('when Chromium is killed while the minutes are approved, then the approval still completes', async () => {
    const q = await recordedPanel(ctx, { startsAt: '2026-12-02T10:00:00Z' });
    const page = await admin.get(`/panels/${q.panelId}/minutes`);
    const browser = ctx.services.pdf.currentBrowser();
    expect(browser?.pid).toBeDefined();
    const approving = postForm(admin, `/panels/${q.panelId}/minutes/approve`, {
      draftVersion: approveVersion(page.text),
    });
    await new Promise((r) => setTimeout(r, 40));
    process.kill(browser!.pid!, 'SIGKILL');
    // The renderer replaces the killed browser and prints the document again.
    expect((await approving).status).toBe(303);
    const row = await ctx.db
      .selectFrom('minutesVersions')
      .select(['pdf', 'pdfSha256'])
      .where('panelId', '=', q.panelId)
      .executeTakeFirstOrThrow();
    expect((await readPdf(Buffer.from(row.pdf!))).pages.join('\n')).toContain('Circulation list');
  });
});
