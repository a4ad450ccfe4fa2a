import { createTestContext, type TestContext } from '../support/context';
import { DEMO, postForm, signIn, type Agent } from '../support/http';
import { postReferral } from './referrals-builders';
import {
  agencyId,
  districtId,
  formFieldsOf,
  heardCase,
  makeCase,
  makePanel,
  parseIcs,
  typeInto,
  userId,
} from './panels-builders';

let ctx: TestContext;
let boston: number;
let police: number;
let council: number;

beforeAll(async () => {
  ctx = await createTestContext({ now: '2026-11-23T10:00:00Z' });
  boston = await districtId(ctx, 'Boston');
  police = await agencyId(ctx, 'Police');
  council = await agencyId(ctx, 'BBC');
});

afterAll(async () => {
  await ctx.close();
});

const panelFields = (over: Record<string, unknown> = {}) => ({
  districtId: String(boston),
  'date[day]': '8',
  'date[month]': '12',
  'date[year]': '2026',
  startTime: '10:00',
  endTime: '11:00',
  venue: 'Municipal Buildings, Boston',
  onlineLink: '',
  chairUserId: '',
  // Panels of one district scheduled close together clash; these tests schedule them anyway.
  action: 'confirm',
  ...over,
});

async function coreIds() {
  return ctx.services.panels.coreAgencyIds(boston);
}

async function schedule(over: Record<string, unknown> = {}) {
  const admin = await signIn(ctx, DEMO.admin);
  const chair = await userId(ctx, DEMO.chair);
  const res = await postForm(
    admin,
    '/panels/new',
    panelFields({ chairUserId: String(chair), agencyIds: (await coreIds()).map(String), ...over }),
  );
  expect(res.status).toBe(303);
  return { admin, panelId: Number(/\/panels\/(\d+)$/.exec(res.headers.location)![1]) };
}

/** Presses a button of a page's form, sending every field as the browser would. */
function press(agent: Agent, url: string, fields: [string, string][], button: [string, string]) {
  return agent
    .post(url)
    .type('form')
    .send(new URLSearchParams([...fields, button]).toString());
}

async function revisionOf(panelId: number) {
  return (
    await ctx.db.selectFrom('panels').select('agendaRevision').where('id', '=', panelId).executeTakeFirstOrThrow()
  ).agendaRevision;
}

async function items(panelId: number) {
  return ctx.db
    .selectFrom('agendaItems')
    .leftJoin('referrals', 'referrals.id', 'agendaItems.referralId')
    .select([
      'agendaItems.id',
      'agendaItems.kind',
      'agendaItems.referralId',
      'agendaItems.minutesAllotted',
      'referrals.reference',
    ])
    .where('panelId', '=', panelId)
    .where('removedAt', 'is', null)
    .orderBy('position')
    .execute();
}

describe('scheduling panels', () => {
  it('when an administrator schedules a panel, then the core agencies are invited and e-mailed an iCalendar request, with research closing two working days before', async () => {
    const { admin, panelId } = await schedule();
    const panel = await ctx.db.selectFrom('panels').selectAll().where('id', '=', panelId).executeTakeFirstOrThrow();
    expect(panel.status).toBe('scheduled');
    expect(panel.researchClosesOn).toBe('2026-12-04');
    expect(panel.startsAt.toISOString()).toBe('2026-12-08T10:00:00.000Z');
    const invited = await ctx.db
      .selectFrom('panelInvitations')
      .select(['agencyId', 'reason'])
      .where('panelId', '=', panelId)
      .execute();
    expect(invited.map((i) => i.agencyId).sort()).toEqual((await coreIds()).sort());
    expect(invited.map((i) => i.agencyId)).not.toContain(await agencyId(ctx, 'CoLC'));
    const mail = await ctx.db
      .selectFrom('outbox')
      .selectAll()
      .where('entityType', '=', 'panel')
      .where('entityId', '=', String(panelId))
      .execute();
    expect(mail.length).toBeGreaterThan(0);
    expect(mail.map((m) => m.toAddress)).toContain(DEMO.police);
    const ics = parseIcs(mail[0].attachments[0].contentBase64);
    expect(ics.get('METHOD')).toBe('REQUEST');
    expect(ics.get('SEQUENCE')).toBe('0');
    expect(ics.get('DTSTART')).toMatch(/20261208T100000Z?/);
    const page = await admin.get(`/panels/${panelId}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Build the agenda');
    expect(page.text).toContain('4 December 2026');
  });

  it('when the end is before the start, the date is past, the chair lacks the chair role and no agency is ticked, then each field says so and nothing is saved', async () => {
    const admin = await signIn(ctx, DEMO.admin);
    const before = await ctx.db
      .selectFrom('panels')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    const res = await postForm(
      admin,
      '/panels/new',
      panelFields({
        'date[day]': '1',
        'date[month]': '11',
        startTime: '12:00',
        endTime: '11:00',
        chairUserId: String(await userId(ctx, DEMO.admin)),
        venue: 'Kept venue',
      }),
    );
    expect(res.status).toBe(400);
    expect(res.text).toContain('The date of the panel must be today or in the future');
    expect(res.text).toContain('The end time must be after the start time');
    expect(res.text).toContain('Select at least one agency to invite');
    expect(res.text).toContain('value="Kept venue"');
    const chairRes = await postForm(
      admin,
      '/panels/new',
      panelFields({ chairUserId: String(await userId(ctx, DEMO.admin)), agencyIds: [String(police)] }),
    );
    expect(chairRes.status).toBe(400);
    expect(chairRes.text).toContain('the person must have the chair role');
    const after = await ctx.db
      .selectFrom('panels')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });

  it('when a monthly series is created with one date unticked, then a panel is made on each ticked date only', async () => {
    const chair = await signIn(ctx, DEMO.chair);
    const fields = {
      districtId: String(await districtId(ctx, 'West Lindsey')),
      nth: '2',
      weekday: '2',
      firstMonth: '2027-01',
      months: '3',
      startTime: '10:00',
      endTime: '12:30',
      venue: 'Guildhall',
      chairUserId: String(await userId(ctx, DEMO.chair)),
    };
    const preview = await postForm(chair, '/panels/series/new', { ...fields, action: 'preview' });
    expect(preview.status).toBe(200);
    expect(preview.text).toContain('12 January 2027');
    expect(preview.text).toContain('9 March 2027');
    const none = await postForm(chair, '/panels/series/new', { ...fields, action: 'create' });
    expect(none.status).toBe(400);
    expect(none.text).toContain('Select at least one date');
    const made = await postForm(chair, '/panels/series/new', {
      ...fields,
      action: 'create',
      dates: ['2027-01-12', '2027-03-09'],
    });
    expect(made.status).toBe(303);
    const panels = await ctx.db
      .selectFrom('panels')
      .select(['startsAt', 'researchClosesOn', 'seriesId'])
      .where('districtId', '=', Number(fields.districtId))
      .orderBy('startsAt')
      .execute();
    expect(panels.map((p) => p.startsAt.toISOString().slice(0, 10))).toEqual(['2027-01-12', '2027-03-09']);
    expect(panels[0].seriesId).not.toBeNull();
    expect(panels[0].researchClosesOn).toBe('2027-01-08');
  });

  it('when a panel is rescheduled, then the calendar sequence rises and invitees are sent an update; a stale form is refused', async () => {
    const { admin, panelId } = await schedule();
    const edit = await admin.get(`/panels/${panelId}/edit`);
    expect(edit.status).toBe(200);
    const agencies = (await coreIds()).map(String);
    const moved = await postForm(
      admin,
      `/panels/${panelId}/edit`,
      panelFields({
        'date[day]': '9',
        chairUserId: String(await userId(ctx, DEMO.chair)),
        agencyIds: agencies,
        version: '1',
      }),
    );
    expect(moved.status).toBe(303);
    const panel = await ctx.db.selectFrom('panels').selectAll().where('id', '=', panelId).executeTakeFirstOrThrow();
    expect(panel.icsSequence).toBe(1);
    const updates = await ctx.db
      .selectFrom('outbox')
      .selectAll()
      .where('entityId', '=', String(panelId))
      .where('kind', '=', 'panel-changed')
      .execute();
    expect(updates.length).toBeGreaterThan(0);
    expect(parseIcs(updates[0].attachments[0].contentBase64).get('SEQUENCE')).toBe('1');
    const stale = await postForm(
      admin,
      `/panels/${panelId}/edit`,
      panelFields({
        'date[day]': '10',
        venue: 'My typed venue',
        chairUserId: String(await userId(ctx, DEMO.chair)),
        agencyIds: agencies,
        version: '1',
      }),
    );
    expect(stale.status).toBe(409);
    expect(stale.text).toContain('My typed venue');
    expect(
      (
        await ctx.db.selectFrom('panels').select('startsAt').where('id', '=', panelId).executeTakeFirstOrThrow()
      ).startsAt.toISOString(),
    ).toBe('2026-12-09T10:00:00.000Z');
  });

  it("when the coordinator types the date and times, then presses Invite the district's core members, then the date and times are still there and the core agencies are ticked", async () => {
    const admin = await signIn(ctx, DEMO.admin);
    const colc = await agencyId(ctx, 'CoLC');
    const blank = await admin.get('/panels/new');
    const typed = typeInto(formFieldsOf(blank.text, 'panel-form'), {
      districtId: String(boston),
      'date[day]': '15',
      'date[month]': '12',
      'date[year]': '2026',
      startTime: '13:30',
      endTime: '15:00',
      venue: 'Council Chamber, Boston',
      'researchClosesOn[day]': '10',
      'researchClosesOn[month]': '12',
      'researchClosesOn[year]': '2026',
    });
    const res = await press(admin, '/panels/new', [...typed, ['agencyIds', String(colc)]], ['action', 'defaults']);
    expect(res.status).toBe(200);
    const shown = new Map(formFieldsOf(res.text, 'panel-form'));
    expect(shown.get('districtId')).toBe(String(boston));
    expect(shown.get('date[day]')).toBe('15');
    expect(shown.get('date[month]')).toBe('12');
    expect(shown.get('date[year]')).toBe('2026');
    expect(shown.get('startTime')).toBe('13:30');
    expect(shown.get('endTime')).toBe('15:00');
    expect(shown.get('venue')).toBe('Council Chamber, Boston');
    expect(shown.get('researchClosesOn[day]')).toBe('10');
    const ticked = formFieldsOf(res.text, 'panel-form')
      .filter(([name]) => name === 'agencyIds')
      .map(([, value]) => Number(value));
    expect(ticked.sort()).toEqual([...(await coreIds()), colc].sort());
    expect(
      await ctx.db.selectFrom('panels').select('id').where('venue', '=', 'Council Chamber, Boston').execute(),
    ).toEqual([]);
  });
});

describe('clashes, moves and core members', () => {
  it('when the coordinator schedules a panel a week after another of the district, with the same chair and venue at the same time as a third, then the page warns of each clash, saves nothing, and Schedule it anyway saves it', async () => {
    const { panelId: first } = await schedule({ 'date[day]': '1', 'date[month]': '2', 'date[year]': '2027' });
    const chair = await userId(ctx, DEMO.chair);
    const lincoln = await districtId(ctx, 'City of Lincoln');
    await schedule({
      districtId: String(lincoln),
      'date[day]': '8',
      'date[month]': '2',
      'date[year]': '2027',
      agencyIds: (await ctx.services.panels.coreAgencyIds(lincoln)).map(String),
    });
    const before = await ctx.db.selectFrom('panels').select('id').execute();
    const admin = await signIn(ctx, DEMO.admin);
    const fields = panelFields({
      action: 'save',
      'date[day]': '8',
      'date[month]': '2',
      'date[year]': '2027',
      chairUserId: String(chair),
      agencyIds: (await coreIds()).map(String),
    });
    const warned = await postForm(admin, '/panels/new', fields);
    expect(warned.status).toBe(200);
    const clashes = /id="clashes"[\s\S]*?<\/ul>/
      .exec(warned.text)![0]
      .replace(/<[^>]+>/g, ' ')
      .replace(/\s+/g, ' ');
    expect(clashes).toContain('Another Boston panel is within 14 days: 1 February 2027');
    expect(clashes).toContain('The chair is already chairing the City of Lincoln panel at that time: 8 February 2027');
    expect(clashes).toContain(
      'Municipal Buildings, Boston is already booked for the City of Lincoln panel at that time',
    );
    expect((await ctx.db.selectFrom('panels').select('id').execute()).length).toBe(before.length);
    // What was typed is kept.
    expect(new Map(formFieldsOf(warned.text, 'panel-form')).get('date[day]')).toBe('8');
    const anyway = await postForm(admin, '/panels/new', { ...fields, action: 'confirm' });
    expect(anyway.status).toBe(303);
    expect(first).toBeGreaterThan(0);
  });

  it('when the coordinator previews a monthly series, then each date that clashes says why, so it can be unticked', async () => {
    await schedule({ 'date[day]': '9', 'date[month]': '3', 'date[year]': '2027' });
    const admin = await signIn(ctx, DEMO.admin);
    const preview = await postForm(admin, '/panels/series/new', {
      districtId: String(boston),
      nth: '2',
      weekday: '2',
      firstMonth: '2027-03',
      months: '2',
      startTime: '10:00',
      endTime: '12:00',
      venue: 'Council offices',
      onlineLink: '',
      chairUserId: String(await userId(ctx, DEMO.chair)),
      action: 'preview',
    });
    expect(preview.status).toBe(200);
    const text = preview.text.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
    expect(text).toMatch(/9 March 2027 Clash: Another Boston panel is within 14 days: 9 March 2027/);
    expect(text).not.toMatch(/13 April 2027 Clash/);
  });

  it('when a panel of a series is moved a week later, then its research closing date moves a week with it and the series description says it was moved', async () => {
    const { admin, panelId } = await schedule({ 'date[day]': '5', 'date[month]': '4', 'date[year]': '2027' });
    const before = await ctx.db.selectFrom('panels').selectAll().where('id', '=', panelId).executeTakeFirstOrThrow();
    const page = await admin.get(`/panels/${panelId}/edit`);
    const moved = await press(
      admin,
      `/panels/${panelId}/edit`,
      typeInto(formFieldsOf(page.text, 'panel-form'), { 'date[day]': '12' }),
      ['action', 'confirm'],
    );
    expect(moved.status).toBe(303);
    const after = await ctx.db.selectFrom('panels').selectAll().where('id', '=', panelId).executeTakeFirstOrThrow();
    expect(before.researchClosesOn).toBe('2027-04-01');
    expect(after.researchClosesOn).toBe('2027-04-08');
    // A panel of a series says it no longer falls on the series' usual date.
    const series = await ctx.db
      .insertInto('panelSeries')
      .values({ districtId: boston, rule: 'First Monday of each month, 10:00-11:00', createdAt: new Date() })
      .returning('id')
      .executeTakeFirstOrThrow();
    await ctx.db.updateTable('panels').set({ seriesId: series.id }).where('id', '=', panelId).execute();
    const overview = (await admin.get(`/panels/${panelId}`)).text;
    expect(overview).toContain("This panel has been moved from the series' usual date, time or place.");
  });

  it('when the coordinator opens a new panel for a district, then its core agencies are ticked from the start, housing providers included', async () => {
    const admin = await signIn(ctx, DEMO.admin);
    const eastLindsey = await districtId(ctx, 'East Lindsey');
    const page = await admin.get(`/panels/new?districtId=${eastLindsey}`);
    const ticked = formFieldsOf(page.text, 'panel-form')
      .filter(([name]) => name === 'agencyIds')
      .map(([, value]) => Number(value));
    expect(ticked).toEqual(
      expect.arrayContaining([await agencyId(ctx, 'Fenland Vale'), await agencyId(ctx, 'Wolds and Marsh')]),
    );
    const bostonPage = await admin.get(`/panels/new?districtId=${boston}`);
    const bostonTicked = formFieldsOf(bostonPage.text, 'panel-form')
      .filter(([name]) => name === 'agencyIds')
      .map(([, value]) => Number(value));
    expect(bostonTicked).toContain(await agencyId(ctx, 'Fenland Vale'));
    expect(bostonTicked).not.toContain(await agencyId(ctx, 'Wolds and Marsh'));
  });
});

describe('the agenda', () => {
  it('when the chair proposes, reorders, retimes, publishes and changes the agenda, then items, slots, versions, requests and e-mails follow', async () => {
    const { admin, panelId } = await schedule();
    const review = await heardCase(ctx, {
      districtId: boston,
      referringAgencyId: police,
      riskScore: 20,
      heardAt: '2026-10-13T10:00:00Z',
      openActions: 2,
    });
    const anniversary = await heardCase(ctx, {
      districtId: boston,
      referringAgencyId: police,
      riskScore: 50,
      heardAt: '2025-10-14T10:00:00Z',
    });
    const child = await makeCase(ctx, {
      districtId: boston,
      referringAgencyId: council,
      riskScore: 25,
      children: true,
    });
    const minor = await makeCase(ctx, {
      districtId: boston,
      referringAgencyId: police,
      riskScore: 21,
      dateOfBirth: '2012-02-02',
    });
    const adult = await makeCase(ctx, {
      districtId: boston,
      referringAgencyId: await agencyId(ctx, 'Drug and Alcohol'),
      riskScore: 60,
    });
    await makeCase(ctx, { districtId: await districtId(ctx, 'West Lindsey'), referringAgencyId: police });
    await makeCase(ctx, { districtId: boston, referringAgencyId: police, status: 'submitted' });

    const proposed = await postForm(admin, `/panels/${panelId}/agenda`, {
      action: 'propose',
      revision: String(await revisionOf(panelId)),
    });
    expect(proposed.status).toBe(303);
    let list = await items(panelId);
    expect(list.map((i) => [i.referralId, i.kind])).toEqual([
      [review.id, 'review'],
      [child.id, 'new'],
      [minor.id, 'new'],
      [adult.id, 'new'],
      [anniversary.id, 'anniversary'],
    ]);
    // Proposing again adds nothing twice.
    await postForm(admin, `/panels/${panelId}/agenda`, {
      action: 'propose',
      revision: String(await revisionOf(panelId)),
    });
    expect(await items(panelId)).toHaveLength(5);

    let page = await admin.get(`/panels/${panelId}/agenda`);
    expect(page.text).toContain('2 incomplete actions');
    expect(page.text).toContain('Decide on closure');
    // 10 + 15 + 15 + 15 + 10 = 65 minutes in a 60-minute panel.
    expect(page.text).toContain('runs 5 minutes past');

    const stale = await postForm(admin, `/panels/${panelId}/agenda`, {
      action: 'down:0',
      item0: String(list[0].id),
      revision: String((await revisionOf(panelId)) - 1),
    });
    expect(stale.status).toBe(409);
    expect(stale.text).toContain('Someone else changed this agenda');
    expect((await items(panelId))[0].id).toBe(list[0].id);

    const moved = await postForm(admin, `/panels/${panelId}/agenda`, {
      action: 'down:0',
      item0: String(list[0].id),
      revision: String(await revisionOf(panelId)),
    });
    expect(moved.status).toBe(303);
    list = await items(panelId);
    expect(list[1].referralId).toBe(review.id);

    const bad = await postReferral(admin, `/panels/${panelId}/agenda`, {
      action: 'save',
      revision: String(await revisionOf(panelId)),
      items: list.map((i, n) => ({ id: String(i.id), minutes: n === 0 ? '0' : '5' })),
    });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Enter the minutes for item 1 as a whole number from 1 to 240');
    expect((await items(panelId)).map((i) => i.minutesAllotted)).toEqual(list.map((i) => i.minutesAllotted));

    const saved = await postReferral(admin, `/panels/${panelId}/agenda`, {
      action: 'save',
      revision: String(await revisionOf(panelId)),
      items: list.map((i) => ({ id: String(i.id), minutes: '5', presentingAgencyId: String(police) })),
    });
    expect(saved.status).toBe(303);
    page = await admin.get(`/panels/${panelId}/agenda`);
    expect(page.text).not.toContain('past the panel');
    expect(page.text).toContain('10:20–10:25');

    const published = await postForm(admin, `/panels/${panelId}/agenda`, {
      action: 'publish',
      revision: String(await revisionOf(panelId)),
    });
    expect(published.status).toBe(303);
    const panel = await ctx.db.selectFrom('panels').selectAll().where('id', '=', panelId).executeTakeFirstOrThrow();
    expect(panel.status).toBe('agenda-published');
    expect(panel.agendaVersion).toBe(1);
    const invited = await ctx.db
      .selectFrom('panelInvitations')
      .select(['agencyId', 'reason'])
      .where('panelId', '=', panelId)
      .execute();
    expect(invited).toContainEqual({ agencyId: await agencyId(ctx, 'Drug and Alcohol'), reason: 'referrer' });
    const requests = await ctx.db.selectFrom('researchRequests').select('id').where('panelId', '=', panelId).execute();
    expect(requests).toHaveLength(5 * invited.length);
    const listed = await ctx.db
      .selectFrom('referralEvents')
      .select('referralId')
      .where('kind', '=', 'listed')
      .where(
        'referralId',
        'in',
        list.map((i) => i.referralId!),
      )
      .execute();
    expect(listed).toHaveLength(5);
    const mails = await ctx.db
      .selectFrom('outbox')
      .selectAll()
      .where('entityId', '=', String(panelId))
      .where('kind', '=', 'panel-agenda-published')
      .execute();
    expect(mails.map((m) => m.toAddress)).toEqual(expect.arrayContaining([DEMO.police, DEMO.lpft, DEMO.housing]));
    for (const m of mails) {
      expect(m.subject.startsWith('OFFICIAL-SENSITIVE')).toBe(true);
      for (const c of [review, child, adult]) {
        expect(m.subject + m.textBody).not.toContain(c.name);
        expect(m.textBody).not.toContain(c.reference);
      }
    }

    const unchanged = await postForm(admin, `/panels/${panelId}/agenda`, {
      action: 'publish',
      revision: String(await revisionOf(panelId)),
    });
    expect(unchanged.status).toBe(400);
    expect(unchanged.text).toContain('Nothing has changed since the last published version');

    const removeItem = list.find((i) => i.referralId === adult.id)!;
    const noReason = await postForm(admin, `/panels/${panelId}/agenda/items/${removeItem.id}/remove`, {
      revision: String(await revisionOf(panelId)),
      reason: '',
    });
    expect(noReason.status).toBe(400);
    await postForm(admin, `/panels/${panelId}/agenda/items/${removeItem.id}/remove`, {
      revision: String(await revisionOf(panelId)),
      reason: 'Heard at MARAC instead',
    });
    page = await admin.get(`/panels/${panelId}/agenda`);
    expect(page.text).toContain('There are changes not yet published');
    // Until version 2 is published, invitees still see version 1, without the case taken off it.
    const police1 = await signIn(ctx, DEMO.police);
    const stillV1 = (await police1.get(`/panels/${panelId}/agenda`)).text;
    expect(stillV1).toContain('Version 1, published');
    expect(stillV1).not.toContain(adult.reference);
    expect(stillV1).toContain('One item has been taken off this agenda since it was published.');
    await postForm(admin, `/panels/${panelId}/agenda`, {
      action: 'publish',
      revision: String(await revisionOf(panelId)),
    });
    const v2 = await ctx.db
      .selectFrom('agendaVersions')
      .selectAll()
      .where('panelId', '=', panelId)
      .where('version', '=', 2)
      .executeTakeFirstOrThrow();
    expect(v2.changes).toContain(`Removed: ${adult.reference}`);
    expect(v2.changes.some((c) => c.startsWith('Time changed'))).toBe(true);
    expect(
      (await ctx.db.selectFrom('referrals').select('status').where('id', '=', adult.id).executeTakeFirstOrThrow())
        .status,
    ).toBe('awaiting-panel');
    const changedMail = await ctx.db
      .selectFrom('outbox')
      .select('id')
      .where('entityId', '=', String(panelId))
      .where('kind', '=', 'panel-changed')
      .execute();
    expect(changedMail.length).toBeGreaterThan(0);
    const policeView = await police1.get(`/panels/${panelId}/agenda`);
    expect(policeView.status).toBe(200);
    expect(policeView.text).toContain('Version 2');
    expect(policeView.text).toContain(review.name);
    expect(policeView.text).toContain('17 May 1980');
    const headings = [...policeView.text.matchAll(/<h2 class="govuk-heading-m">([^<]*)/g)].map((m) => m[1]).join('|');
    expect(headings).toContain(review.reference);
    expect(headings).not.toContain(adult.reference);
    expect(policeView.text).toContain(`Removed: ${adult.reference}`);

    // An invited agency sees the cases on the published agenda; an uninvited one gets 404, audited.
    const lpft = await signIn(ctx, DEMO.lpft);
    expect((await lpft.get(`/referrals/${child.id}`)).status).toBe(200);
    const colc = await signIn(ctx, DEMO.council);
    expect((await colc.get(`/panels/${panelId}/agenda`)).status).toBe(404);
    expect((await colc.get(`/panels/${panelId}`)).status).toBe(404);
    expect((await colc.get(`/referrals/${child.id}`)).status).toBe(404);
    const denied = await ctx.db
      .selectFrom('auditEvents')
      .select('action')
      .where('entityType', '=', 'panel')
      .where('entityId', '=', String(panelId))
      .where('outcome', '=', 'denied')
      .execute();
    expect(denied.map((d) => d.action)).toEqual(expect.arrayContaining(['agenda.view', 'panel.view']));
    const viewed = await ctx.db
      .selectFrom('auditEvents')
      .select('action')
      .where('entityType', '=', 'panel')
      .where('entityId', '=', String(panelId))
      .where('outcome', '=', 'success')
      .where('action', '=', 'agenda.view')
      .execute();
    expect(viewed.length).toBeGreaterThan(2);
  });

  it('when the chair types new minutes, a presenting agency and other business, then moves an item down, then everything typed is kept', async () => {
    const { admin, panelId } = await schedule({ 'date[day]': '9' });
    const chair = await signIn(ctx, DEMO.chair);
    const first = await makeCase(ctx, { districtId: boston, referringAgencyId: police });
    const second = await makeCase(ctx, { districtId: boston, referringAgencyId: council });
    for (const c of [first, second])
      await postForm(chair, `/panels/${panelId}/agenda`, {
        action: 'add-case',
        referralId: String(c.id),
        revision: String(await revisionOf(panelId)),
      });
    const url = `/panels/${panelId}/agenda`;
    const page = await chair.get(url);
    const typed = typeInto(formFieldsOf(page.text, 'agenda-form'), {
      'items[0][minutes]': '25',
      'items[0][presentingAgencyId]': String(council),
      'items[1][minutes]': '7',
    });

    const moved = await press(chair, url, typed, ['action', 'down:0']);
    expect(moved.status).toBe(303);
    const stored = await ctx.db
      .selectFrom('agendaItems')
      .select(['referralId', 'minutesAllotted', 'presentingAgencyId'])
      .where('panelId', '=', panelId)
      .where('removedAt', 'is', null)
      .orderBy('position')
      .execute();
    expect(stored).toEqual([
      { referralId: second.id, minutesAllotted: 7, presentingAgencyId: null },
      { referralId: first.id, minutesAllotted: 25, presentingAgencyId: council },
    ]);
    const shown = new Map(formFieldsOf((await chair.get(url)).text, 'agenda-form'));
    expect(shown.get('items[0][minutes]')).toBe('7');
    expect(shown.get('items[1][minutes]')).toBe('25');
    expect(shown.get('items[1][presentingAgencyId]')).toBe(String(council));

    // A refused move (someone else changed the agenda) shows again everything typed, and saves nothing.
    const stalePage = formFieldsOf((await chair.get(url)).text, 'agenda-form');
    await postForm(admin, url, {
      action: 'add-other',
      otherTitle: 'Date of the next meeting',
      otherMinutes: '5',
      revision: String(await revisionOf(panelId)),
    });
    const refused = await press(chair, url, typeInto(stalePage, { 'items[0][minutes]': '12' }), ['action', 'up:1']);
    expect(refused.status).toBe(409);
    expect(new Map(formFieldsOf(refused.text, 'agenda-form')).get('items[0][minutes]')).toBe('12');
    expect((await items(panelId)).map((i) => [i.referralId, i.minutesAllotted])).toEqual([
      [second.id, 7],
      [first.id, 25],
      [null, 5],
    ]);

    // Remove keeps what was typed too: it is saved before the removal page opens.
    const before = formFieldsOf((await chair.get(url)).text, 'agenda-form');
    const remove = await press(chair, url, typeInto(before, { 'items[1][minutes]': '30' }), ['action', 'remove:0']);
    expect(remove.status).toBe(303);
    const [top] = await items(panelId);
    expect(remove.headers.location).toBe(`/panels/${panelId}/agenda/items/${top.id}/remove`);
    expect((await items(panelId)).map((i) => i.minutesAllotted)).toEqual([7, 30, 5]);
    expect((await chair.get(remove.headers.location)).status).toBe(200);

    // Other business typed but not yet added stays in its box when another button is pressed.
    const withOther = typeInto(formFieldsOf((await chair.get(url)).text, 'agenda-form'), {
      otherTitle: 'Summer outreach plan',
      otherMinutes: '10',
    });
    const reordered = await press(chair, url, withOther, ['action', 'down:0']);
    expect(reordered.status).toBe(200);
    const kept = new Map(formFieldsOf(reordered.text, 'agenda-form'));
    expect(kept.get('otherTitle')).toBe('Summer outreach plan');
    expect(kept.get('otherMinutes')).toBe('10');
    expect((await items(panelId)).filter((i) => i.kind === 'other-business')).toHaveLength(1);
  });

  it('when a representative asks for an unpublished agenda of a panel they are invited to, then it is not found', async () => {
    const { panelId } = await schedule();
    const policeAgent = await signIn(ctx, DEMO.police);
    expect((await policeAgent.get(`/panels/${panelId}`)).status).toBe(200);
    expect((await policeAgent.get(`/panels/${panelId}/agenda`)).status).toBe(404);
    expect(
      (await policeAgent.post(`/panels/${panelId}/agenda`).type('form').send({ _csrf: policeAgent.csrf })).status,
    ).toBe(403);
    expect((await policeAgent.get('/panels')).text).toContain(`href="/panels/${panelId}"`);
    const colc = await signIn(ctx, DEMO.council);
    const list = await colc.get('/panels');
    expect(list.status).toBe(200);
    expect(list.text).not.toContain(`href="/panels/${panelId}"`);
  });

  it('when a panel with an agenda is cancelled, then invitees get a CANCEL with a raised sequence and its cases stay awaiting', async () => {
    const { admin, panelId } = await schedule();
    const c = await makeCase(ctx, { districtId: boston, referringAgencyId: police });
    await postForm(admin, `/panels/${panelId}/agenda`, {
      action: 'add-case',
      referralId: String(c.id),
      revision: String(await revisionOf(panelId)),
    });
    await postForm(admin, `/panels/${panelId}/agenda`, {
      action: 'add-other',
      otherTitle: 'Date of the next meeting',
      otherMinutes: '5',
      revision: String(await revisionOf(panelId)),
    });
    expect((await items(panelId)).map((i) => i.kind)).toEqual(['new', 'other-business']);
    const noReason = await postForm(admin, `/panels/${panelId}/cancel`, { version: '1', reason: ' ' });
    expect(noReason.status).toBe(400);
    const res = await postForm(admin, `/panels/${panelId}/cancel`, { version: '1', reason: 'Venue unavailable' });
    expect(res.status).toBe(303);
    const panel = await ctx.db.selectFrom('panels').selectAll().where('id', '=', panelId).executeTakeFirstOrThrow();
    expect(panel.status).toBe('cancelled');
    expect(panel.icsSequence).toBe(1);
    const cancels = await ctx.db
      .selectFrom('outbox')
      .selectAll()
      .where('entityId', '=', String(panelId))
      .where('kind', '=', 'panel-cancelled')
      .execute();
    expect(cancels.length).toBeGreaterThan(0);
    const ics = parseIcs(cancels[0].attachments[0].contentBase64);
    expect(ics.get('METHOD')).toBe('CANCEL');
    expect(ics.get('SEQUENCE')).toBe('1');
    expect(
      (await ctx.db.selectFrom('referrals').select('status').where('id', '=', c.id).executeTakeFirstOrThrow()).status,
    ).toBe('awaiting-panel');
    const closed = await postForm(admin, `/panels/${panelId}/agenda`, {
      action: 'propose',
      revision: String(await revisionOf(panelId)),
    });
    expect(closed.status).toBe(400);
    expect(closed.text).toContain('can no longer be changed');
  });

  it('when the coordinator schedules the next panel before the last one is held and proposes cases, then cases on the first agenda are left out and listed for it, and moving one takes it off the first agenda', async () => {
    const { admin, panelId: first } = await schedule({ 'date[day]': '10' });
    const listed = await makeCase(ctx, { districtId: boston, referringAgencyId: police, riskScore: 30 });
    const other = await makeCase(ctx, { districtId: boston, referringAgencyId: council, riskScore: 28 });
    for (const c of [listed, other])
      await postForm(admin, `/panels/${first}/agenda`, {
        action: 'add-case',
        referralId: String(c.id),
        revision: String(await revisionOf(first)),
      });
    const { panelId: second } = await schedule({ 'date[day]': '22' });
    const proposed = await postForm(admin, `/panels/${second}/agenda`, {
      action: 'propose',
      revision: String(await revisionOf(second)),
    });
    expect(proposed.status).toBe(303);
    expect((await items(second)).map((i) => i.referralId)).not.toEqual(expect.arrayContaining([listed.id]));
    expect((await items(second)).map((i) => i.referralId)).not.toContain(other.id);
    const page = await admin.get(`/panels/${second}/agenda`);
    const elsewhere = /id="listed-elsewhere"[\s\S]*?<\/ul>/
      .exec(page.text)![0]
      .replace(/<[^>]+>/g, ' ')
      .replace(/\s+/g, ' ');
    expect(elsewhere).toContain(`${listed.reference} : listed for the Boston panel of 10 December 2026`);
    // Adding it by hand is refused: it is moved instead.
    const added = await postForm(admin, `/panels/${second}/agenda`, {
      action: 'add-case',
      referralId: String(listed.id),
      revision: String(await revisionOf(second)),
    });
    expect(added.status).toBe(400);
    expect(added.text).toContain(`${listed.reference} is listed for the Boston panel of 10 December 2026`);
    // Moving it takes it off the first agenda, which then has changes to publish.
    const index = [...page.text.matchAll(/name="elsewhere(\d+)" value="(\d+)"/g)].find(
      (m) => Number(m[2]) === listed.id,
    )![1];
    const firstRevision = await revisionOf(first);
    const moved = await postForm(admin, `/panels/${second}/agenda`, {
      action: `move-here:${index}`,
      [`elsewhere${index}`]: String(listed.id),
      revision: String(await revisionOf(second)),
    });
    expect(moved.status).toBe(303);
    expect((await items(second)).map((i) => i.referralId)).toContain(listed.id);
    expect((await items(first)).map((i) => i.referralId)).toEqual([other.id]);
    expect(await revisionOf(first)).toBeGreaterThan(firstRevision);
  });

  it('when another panel closes a case that an upcoming agenda still lists, then that agenda flags it and asks for a new version', async () => {
    const { admin, panelId: upcoming } = await schedule({ 'date[day]': '17' });
    const c = await makeCase(ctx, { districtId: boston, referringAgencyId: police, riskScore: 26 });
    await postForm(admin, `/panels/${upcoming}/agenda`, {
      action: 'add-case',
      referralId: String(c.id),
      revision: String(await revisionOf(upcoming)),
    });
    const held = await makePanel(ctx, { districtId: boston, startsAt: '2026-11-20T10:00:00Z', status: 'concluded' });
    const item = await ctx.db
      .insertInto('agendaItems')
      .values({ panelId: held, position: 1, kind: 'new', referralId: c.id, minutesAllotted: 15, createdAt: new Date() })
      .returning('id')
      .executeTakeFirstOrThrow();
    await ctx.db
      .insertInto('meetingRecords')
      .values({
        agendaItemId: item.id,
        decision: 'close',
        closeReason: 'risk-reduced',
        discussed: true,
        updatedAt: new Date(),
      })
      .execute();
    const page = await admin.get(`/panels/${upcoming}/agenda`);
    expect(page.text).toContain('Decided elsewhere');
    expect(page.text).toContain(
      'Closed at the Boston panel of 20 November 2026. Remove it from this agenda and publish a new version',
    );
  });

  it('when ids are unknown, then the panel pages are not found', async () => {
    const admin = await signIn(ctx, DEMO.admin);
    for (const url of [
      '/panels/999999',
      '/panels/999999/agenda',
      '/panels/999999/research',
      '/panels/abc',
      '/research/999999',
    ]) {
      expect((await admin.get(url)).status).toBe(404);
    }
  });
});
