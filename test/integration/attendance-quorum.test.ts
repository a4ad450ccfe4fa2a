import { createTestContext, type TestContext } from '../support/context';
import { DEMO, postForm, signIn } from '../support/http';
import { sendAttendanceReminders } from '../../src/attendance/attendance.service';
import { registeredJobs } from '../../src/jobs/all-jobs';
import { agencyId, auditOf, makePanel, setStatus } from './attendance-builders';
import { makeReferral } from './referrals-builders';

const plain = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .replace(/ \(/g, ' (');

let ctx: TestContext;
beforeAll(async () => {
  // A Monday.
  ctx = await createTestContext({ now: '2026-06-01T08:00:00Z' });
});
afterAll(() => ctx.close());

const reminders = (panelId: number) =>
  ctx.db
    .selectFrom('outbox')
    .select(['toAddress', 'subject', 'textBody', 'attachments', 'kind'])
    .where('kind', '=', 'panel-reminder')
    .where('entityId', '=', String(panelId))
    .orderBy('id')
    .execute();

async function answer(panelId: number, email: string, fields: Record<string, string>) {
  const agent = await signIn(ctx, email);
  const res = await postForm(agent, `/panels/${panelId}/attendance`, { version: '', ...fields });
  if (res.status !== 303) throw new Error(`answer as ${email} failed with ${res.status}`);
}

describe("the chair's view before the meeting", () => {
  test('when required agencies have not confirmed, then they are highlighted as not quorate, with who is coming and research completion', async () => {
    const panelId = await makePanel(ctx, {
      startsAt: '2026-06-15T09:00:00Z',
      agencies: ['Police', 'LPFT', 'Adult Care', 'Fenland Vale', 'CoLC'],
    });
    await answer(panelId, DEMO.police, { answer: 'attending', attendees: 'PC Jordan Ellis', mode: 'in-person' });
    await answer(panelId, DEMO.lpft, { answer: 'apologies', apologyReason: 'Clinic', informationInAdvance: 'yes' });
    await answer(panelId, DEMO.council, {
      answer: 'deputy',
      deputyName: 'Dana Cole',
      deputyRole: 'ASB Officer',
      deputyMode: 'online',
    });
    const referral = await makeReferral(ctx, DEMO.police);
    {
      const item = await ctx.db
        .insertInto('agendaItems')
        .values({ panelId, position: 1, kind: 'new', referralId: referral.id, minutesAllotted: 15 })
        .returning('id')
        .executeTakeFirstOrThrow();
      await ctx.db
        .insertInto('researchRequests')
        .values({ panelId, agendaItemId: item.id, agencyId: await agencyId(ctx, 'Police'), status: 'information-held' })
        .execute();
    }
    const chair = await signIn(ctx, DEMO.chair);
    const page = await chair.get(`/panels/${panelId}/attendance`);
    expect(page.status).toBe(200);
    expect(plain(page.text)).toContain(
      'Not quorate yet: 2 agencies whose attendance is required have not confirmed (Adult Care, LPFT)',
    );
    const row = (id: number) =>
      new RegExp(`<tr class="govuk-table__row( app-highlight-row)?" id="agency-${id}">`).exec(page.text)?.[1];
    expect(row(await agencyId(ctx, 'LPFT'))).toBe(' app-highlight-row');
    expect(row(await agencyId(ctx, 'Adult Care'))).toBe(' app-highlight-row');
    expect(row(await agencyId(ctx, 'Police'))).toBeUndefined();
    // Not required: unanswered, but no quorum problem.
    expect(row(await agencyId(ctx, 'Fenland Vale'))).toBeUndefined();
    expect(page.text).toContain('Attending in person: PC Jordan Ellis');
    expect(page.text).toContain('Deputy: Dana Cole (ASB Officer), online');
    expect(page.text).toContain('Apologies, information sent in advance');
    expect(page.text).toContain('1 of 1 answered');
    expect(page.text).toContain('None requested');
    expect(page.text).toContain('3 of 5 invited agencies have answered');
  });

  test('when everyone required has confirmed, then the panel shows as quorate', async () => {
    const panelId = await makePanel(ctx, { startsAt: '2026-06-15T09:00:00Z', agencies: ['Police', 'Fenland Vale'] });
    await answer(panelId, DEMO.police, { answer: 'attending', attendees: 'PC Jordan Ellis', mode: 'in-person' });
    const chair = await signIn(ctx, DEMO.chair);
    const page = await chair.get(`/panels/${panelId}/attendance`);
    expect(page.text).toContain('id="quorum-ok"');
    expect(page.text).not.toContain('id="remind-all"');
  });

  test('when the chair sends a reminder to one agency, then its people get the invitation again with fresh links and nothing personal; the send is recorded and audited', async () => {
    const panelId = await makePanel(ctx, {
      startsAt: '2026-06-15T09:00:00Z',
      agencies: ['Police', 'LPFT', 'Adult Care'],
    });
    const chair = await signIn(ctx, DEMO.chair);
    const lpft = await agencyId(ctx, 'LPFT');
    const res = await postForm(chair, `/panels/${panelId}/attendance/remind`, { agencyId: String(lpft) });
    expect(res.status).toBe(303);
    const mail = await reminders(panelId);
    expect(mail.map((m) => m.toAddress).sort()).toEqual(['lpft.deputy@example.org', 'lpft@example.org']);
    expect(mail[0].subject).toMatch(/^OFFICIAL-SENSITIVE: ASBRAC panel reminder: City of Lincoln, 15 June 2026$/);
    // The stored message holds a placeholder: the one-click link's token is made as it is sent.
    expect(mail[0].textBody).toMatch(/http:\/\/127\.0\.0\.1\/attend\/\{\{attend:[A-Za-z0-9_-]{22}\}\}/);
    expect(mail[0].textBody).not.toMatch(/Priya|Robin|Shah|Marsh/);
    const ics = Buffer.from(mail[0].attachments[0].contentBase64, 'base64').toString('utf8');
    expect(ics).toContain('METHOD:REQUEST');
    expect(ics).toMatch(/UID:[^\r\n]+/);
    expect(ics).toContain('SEQUENCE:0');
    const audit = await auditOf(ctx, 'attendance.remind', panelId);
    expect(audit[0].details).toEqual({ agencyIds: [lpft], messages: 2 });
    expect(
      await ctx.db
        .selectFrom('reminderLog')
        .select('subjectKey')
        .where('kind', '=', 'attendance-reminder-manual')
        .where('subjectKey', 'like', `${panelId}:%`)
        .execute(),
    ).toHaveLength(1);
    const page = await chair.get(`/panels/${panelId}/attendance`);
    expect(page.text).toContain('Reminder sent to 1 agency');
  });

  test('when the chair reminds all unconfirmed, then only required agencies without attending or deputy get it; an agency not invited is a 404', async () => {
    const panelId = await makePanel(ctx, {
      startsAt: '2026-06-15T09:00:00Z',
      agencies: ['Police', 'LPFT', 'Fenland Vale'],
    });
    await answer(panelId, DEMO.police, { answer: 'attending', attendees: 'PC Jordan Ellis', mode: 'in-person' });
    const chair = await signIn(ctx, DEMO.chair);
    await postForm(chair, `/panels/${panelId}/attendance/remind`, {});
    expect((await reminders(panelId)).map((m) => m.toAddress).sort()).toEqual([
      'lpft.deputy@example.org',
      'lpft@example.org',
    ]);
    expect(
      (
        await postForm(chair, `/panels/${panelId}/attendance/remind`, {
          agencyId: String(await agencyId(ctx, 'Probation')),
        })
      ).status,
    ).toBe(404);
    expect((await postForm(chair, '/panels/999999/attendance/remind', {})).status).toBe(404);
    const rep = await signIn(ctx, DEMO.police);
    expect((await postForm(rep, `/panels/${panelId}/attendance/remind`, {})).status).toBe(403);
    await setStatus(ctx, panelId, 'concluded');
    expect((await postForm(chair, `/panels/${panelId}/attendance/remind`, {})).status).toBe(409);
  });
});

describe('automatic reminders', () => {
  test('when it is three working days before the panel, then each agency that has not answered is reminded once, however often the job runs', async () => {
    // Panel on Thursday 2 July 2026: three working days before is Monday 29 June.
    const panelId = await makePanel(ctx, {
      startsAt: '2026-07-02T09:00:00Z',
      agencies: ['Police', 'LPFT', 'Adult Care'],
    });
    await answer(panelId, DEMO.police, { answer: 'attending', attendees: 'PC Jordan Ellis', mode: 'in-person' });
    expect(registeredJobs()).toContain('attendance-reminders');
    ctx.clock.set('2026-06-26T16:00:00Z');
    await sendAttendanceReminders(ctx.services, ctx.clock.now());
    expect(await reminders(panelId)).toHaveLength(0);
    ctx.clock.set('2026-06-29T07:00:00Z');
    await sendAttendanceReminders(ctx.services, ctx.clock.now());
    const first = await reminders(panelId);
    expect(first.map((m) => m.toAddress).sort()).toEqual([
      'adultcare@example.org',
      'lpft.deputy@example.org',
      'lpft@example.org',
    ]);
    ctx.clock.set('2026-06-30T07:00:00Z');
    await sendAttendanceReminders(ctx.services, ctx.clock.now());
    await sendAttendanceReminders(ctx.services, ctx.clock.now());
    expect(await reminders(panelId)).toHaveLength(3);
    expect(
      await ctx.db
        .selectFrom('reminderLog')
        .select('subjectKey')
        .where('kind', '=', 'attendance-reminder')
        .where('subjectKey', 'like', `${panelId}:%`)
        .execute(),
    ).toHaveLength(2);
  });

  test('when a bank holiday falls in the three working days, then the reminder day moves back past it', async () => {
    // Tuesday 1 September 2026; Monday 31 August is the summer bank holiday, so the day is Wednesday 26 August.
    const panelId = await makePanel(ctx, { startsAt: '2026-09-01T09:00:00Z', agencies: ['LPFT'] });
    ctx.clock.set('2026-08-25T12:00:00Z');
    await sendAttendanceReminders(ctx.services, ctx.clock.now());
    expect(await reminders(panelId)).toHaveLength(0);
    ctx.clock.set('2026-08-26T12:00:00Z');
    await sendAttendanceReminders(ctx.services, ctx.clock.now());
    expect(await reminders(panelId)).toHaveLength(2);
  });

  test('when the panel has started, or is cancelled, then no reminder is sent', async () => {
    const started = await makePanel(ctx, { startsAt: '2026-10-05T09:00:00Z', agencies: ['LPFT'] });
    const cancelled = await makePanel(ctx, { startsAt: '2026-10-06T09:00:00Z', agencies: ['LPFT'] });
    await setStatus(ctx, cancelled, 'cancelled');
    ctx.clock.set('2026-10-05T10:00:00Z');
    await sendAttendanceReminders(ctx.services, ctx.clock.now());
    expect(await reminders(started)).toHaveLength(0);
    expect(await reminders(cancelled)).toHaveLength(0);
  });
});

describe('information sent with apologies', () => {
  test('when the chair records the day the information arrived, then it is kept and audited; a wrong or future date is refused by its field', async () => {
    const panelId = await makePanel(ctx, { startsAt: '2026-06-15T09:00:00Z', agencies: ['LPFT', 'Police'] });
    ctx.clock.set('2026-06-05T09:00:00Z');
    await answer(panelId, DEMO.lpft, { answer: 'apologies', apologyReason: 'Clinic', informationInAdvance: 'yes' });
    const chair = await signIn(ctx, DEMO.chair);
    const lpft = await agencyId(ctx, 'LPFT');
    const name = `received-${lpft}`;
    const future = await postForm(chair, `/panels/${panelId}/attendance/information`, {
      agencyId: String(lpft),
      [`${name}[day]`]: '7',
      [`${name}[month]`]: '6',
      [`${name}[year]`]: '2026',
    });
    expect(future.status).toBe(400);
    expect(future.text).toContain('The date the information was received must be today or in the past');
    expect(future.text).toContain(`id="${name}-day" name="${name}[day]" type="text" inputmode="numeric" value="7"`);
    const bad = await postForm(chair, `/panels/${panelId}/attendance/information`, {
      agencyId: String(lpft),
      [`${name}[day]`]: '31',
      [`${name}[month]`]: '2',
      [`${name}[year]`]: '2026',
    });
    expect(bad.text).toContain('must be a real date');
    expect(
      (
        await ctx.db
          .selectFrom('attendanceResponses')
          .select('informationReceivedOn')
          .where('panelId', '=', panelId)
          .executeTakeFirstOrThrow()
      ).informationReceivedOn,
    ).toBeNull();
    const ok = await postForm(chair, `/panels/${panelId}/attendance/information`, {
      agencyId: String(lpft),
      [`${name}[day]`]: '4',
      [`${name}[month]`]: '6',
      [`${name}[year]`]: '2026',
    });
    expect(ok.status).toBe(303);
    expect(
      (
        await ctx.db
          .selectFrom('attendanceResponses')
          .select('informationReceivedOn')
          .where('panelId', '=', panelId)
          .executeTakeFirstOrThrow()
      ).informationReceivedOn,
    ).toBe('2026-06-04');
    expect((await auditOf(ctx, 'attendance.information', panelId))[0].details).toEqual({
      agencyId: lpft,
      receivedOn: '2026-06-04',
    });
    // An agency that did not send apologies has nothing to record.
    const police = await agencyId(ctx, 'Police');
    expect(
      (await postForm(chair, `/panels/${panelId}/attendance/information`, { agencyId: String(police) })).status,
    ).toBe(404);
    expect((await postForm(chair, '/panels/999999/attendance/information', {})).status).toBe(404);
  });
});
