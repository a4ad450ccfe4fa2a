import { createTestContext, type TestContext } from '../support/context';
import { anonymous, DEMO, postForm, signIn, textOf } from '../support/http';
import { agencyId, answerOf, auditOf, cliniciansOf, makePanel, makeTokens, setStatus } from './attendance-builders';
import { makeReferral } from './referrals-builders';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ now: '2026-06-01T09:00:00Z' });
});
afterAll(() => ctx.close());

/** A new case on the panel's agenda, referred by the user given; returns the agenda item's id. */
async function addCase(c: TestContext, panelId: number, referrer: string, position = 1): Promise<number> {
  const referral = await makeReferral(c, referrer);
  const item = await c.db
    .insertInto('agendaItems')
    .values({ panelId, position, kind: 'new', referralId: referral.id, minutesAllotted: 20 })
    .returning('id')
    .executeTakeFirstOrThrow();
  return item.id;
}

const LINCOLN_PANEL = {
  district: 'City of Lincoln',
  startsAt: '2026-06-10T09:00:00Z',
  agencies: ['Police', 'LPFT', 'CoLC', 'Adult Care'],
};

describe('answering from the signed-in page', () => {
  test('when a representative answers "attending" with names and mode, then it is recorded for their agency, audited, and shown back', async () => {
    const panelId = await makePanel(ctx, LINCOLN_PANEL);
    const police = await signIn(ctx, DEMO.police);
    const page = await police.get(`/panels/${panelId}/attendance`);
    expect(page.status).toBe(200);
    expect(textOf(page.text, 'answer-summary')).toBe('Not yet answered');
    const res = await postForm(police, `/panels/${panelId}/attendance`, {
      version: '',
      answer: 'attending',
      attendees: 'PC Jordan Ellis\nPCSO Taylor Grant',
      mode: 'online',
    });
    expect(res.status).toBe(303);
    const saved = await answerOf(ctx, panelId, 'Police');
    expect(saved).toMatchObject({
      answer: 'attending',
      mode: 'online',
      answeredVia: 'signed-in',
      version: 1,
      attendees: [{ name: 'PC Jordan Ellis' }, { name: 'PCSO Taylor Grant' }],
    });
    const after = await police.get(`/panels/${panelId}/attendance`);
    expect(textOf(after.text, 'answer-summary')).toBe('Attending online: PC Jordan Ellis, PCSO Taylor Grant');
    const audit = await auditOf(ctx, 'attendance.answer', panelId);
    expect(audit.at(-1)?.details).toEqual({
      agencyId: await agencyId(ctx, 'Police'),
      answer: 'attending',
      via: 'signed-in',
    });
  });

  test('when the answer is changed, then the one row is updated (no duplicate) and its version rises; an old form is refused with the other answer shown', async () => {
    const panelId = await makePanel(ctx, LINCOLN_PANEL);
    const police = await signIn(ctx, DEMO.police);
    expect(
      (
        await postForm(police, `/panels/${panelId}/attendance`, {
          version: '',
          answer: 'apologies',
          apologyReason: 'Court',
          informationInAdvance: 'yes',
        })
      ).status,
    ).toBe(303);
    expect(
      (
        await postForm(police, `/panels/${panelId}/attendance`, {
          version: '1',
          answer: 'deputy',
          deputyName: 'PCSO Taylor Grant',
          deputyRole: 'PCSO',
          deputyMode: 'in-person',
        })
      ).status,
    ).toBe(303);
    const rows = await ctx.db.selectFrom('attendanceResponses').selectAll().where('panelId', '=', panelId).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      answer: 'deputy',
      deputyName: 'PCSO Taylor Grant',
      apologyReason: null,
      version: 2,
    });
    const stale = await postForm(police, `/panels/${panelId}/attendance`, {
      version: '1',
      answer: 'attending',
      attendees: 'Someone New',
      mode: 'online',
    });
    expect(stale.status).toBe(409);
    expect(stale.text).toContain('Someone else answered for your agency');
    expect(stale.text).toContain('Someone New');
    expect(textOf(stale.text, 'answer-summary')).toBe('Deputy: PCSO Taylor Grant (PCSO), in person');
    expect((await answerOf(ctx, panelId, 'Police'))?.version).toBe(2);
    const second = await postForm(police, `/panels/${panelId}/attendance`, {
      version: '',
      answer: 'attending',
      attendees: 'X',
      mode: 'online',
    });
    expect(second.status).toBe(409);
  });

  test('when the answer is incomplete, then each field has its message, what was typed is kept, and nothing is saved', async () => {
    const panelId = await makePanel(ctx, LINCOLN_PANEL);
    const police = await signIn(ctx, DEMO.police);
    const none = await postForm(police, `/panels/${panelId}/attendance`, { version: '' });
    expect(none.status).toBe(400);
    expect(none.text).toContain('Select whether your agency is attending, sending a deputy or sending apologies');
    const deputy = await postForm(police, `/panels/${panelId}/attendance`, {
      version: '',
      answer: 'deputy',
      deputyName: 'Kept <b>Name</b>',
      deputyRole: '',
    });
    expect(deputy.status).toBe(400);
    expect(deputy.text).toContain('Enter the deputy&#x27;s role');
    expect(deputy.text).toContain('value="Kept &lt;b&gt;Name&lt;/b&gt;"');
    const apologies = await postForm(police, `/panels/${panelId}/attendance`, {
      version: '',
      answer: 'apologies',
      apologyReason: 'Leave',
    });
    expect(apologies.text).toContain('Select whether your agency will send its information in advance');
    const tooMany = await postForm(police, `/panels/${panelId}/attendance`, {
      version: '',
      answer: 'attending',
      attendees: 'a\nb\nc\nd\ne\nf\ng',
      mode: 'in-person',
    });
    expect(tooMany.text).toContain('Enter no more than 6 people');
    expect(await answerOf(ctx, panelId, 'Police')).toBeUndefined();
  });

  test('when a hidden agency id is posted, then it is ignored: a representative only ever answers for their own agency', async () => {
    const panelId = await makePanel(ctx, LINCOLN_PANEL);
    const police = await signIn(ctx, DEMO.police);
    await postForm(police, `/panels/${panelId}/attendance`, {
      version: '',
      agencyId: String(await agencyId(ctx, 'LPFT')),
      answer: 'apologies',
      apologyReason: 'Leave',
      informationInAdvance: 'no',
    });
    expect(await answerOf(ctx, panelId, 'LPFT')).toBeUndefined();
    expect((await answerOf(ctx, panelId, 'Police'))?.answer).toBe('apologies');
  });

  test('when the agency is not invited, then the panel is a 404 and the attempt is audited; an unknown panel is a 404', async () => {
    const panelId = await makePanel(ctx, { ...LINCOLN_PANEL, agencies: ['Police'] });
    const housing = await signIn(ctx, DEMO.housing);
    expect((await housing.get(`/panels/${panelId}/attendance`)).status).toBe(404);
    expect(
      (
        await postForm(housing, `/panels/${panelId}/attendance`, {
          version: '',
          answer: 'apologies',
          apologyReason: 'x',
          informationInAdvance: 'no',
        })
      ).status,
    ).toBe(404);
    const denied = await auditOf(ctx, 'attendance.answer', panelId);
    expect(denied.map((a) => a.outcome)).toEqual(['denied']);
    expect((await housing.get('/panels/999999/attendance')).status).toBe(404);
  });

  test('when the panel has concluded or is cancelled, then answers are refused and nothing changes', async () => {
    const panelId = await makePanel(ctx, LINCOLN_PANEL);
    const police = await signIn(ctx, DEMO.police);
    await setStatus(ctx, panelId, 'concluded');
    const page = await police.get(`/panels/${panelId}/attendance`);
    expect(page.text).toContain('answers can no longer be given or changed');
    const res = await postForm(police, `/panels/${panelId}/attendance`, {
      version: '',
      answer: 'apologies',
      apologyReason: 'Leave',
      informationInAdvance: 'no',
    });
    expect(res.status).toBe(409);
    await setStatus(ctx, panelId, 'cancelled');
    expect(
      (
        await postForm(police, `/panels/${panelId}/attendance`, {
          version: '',
          answer: 'apologies',
          apologyReason: 'Leave',
          informationInAdvance: 'no',
        })
      ).status,
    ).toBe(409);
    expect(await answerOf(ctx, panelId, 'Police')).toBeUndefined();
  });
});

describe('answering by the link in the e-mail', () => {
  test('when the attending link is confirmed, then only that answer is recorded for its agency and panel, audited, and the link is used up', async () => {
    const panelId = await makePanel(ctx, LINCOLN_PANEL);
    const tokens = await makeTokens(ctx, panelId, 'LPFT');
    const visitor = await anonymous(ctx);
    const page = await visitor.get(`/attend/${tokens.attending}`);
    expect(page.status).toBe(200);
    expect(textOf(page.text, 'link-agency')).toBe('Lincolnshire Partnership NHS Foundation Trust');
    expect(textOf(page.text, 'link-answer')).toBe('Attending');
    expect(page.text).toContain('name="attendees"');
    expect(page.text).not.toContain('name="apologyReason"');
    const missing = await postForm(visitor, `/attend/${tokens.attending}`, { attendees: '' });
    expect(missing.status).toBe(400);
    expect(missing.text).toContain('Enter the name of each person attending');
    expect(await answerOf(ctx, panelId, 'LPFT')).toBeUndefined();
    // The link's own answer wins over anything posted.
    const done = await postForm(visitor, `/attend/${tokens.attending}`, {
      answer: 'apologies',
      agencyId: '1',
      attendees: 'Dr Robin Marsh',
      mode: 'in-person',
    });
    expect(done.status).toBe(200);
    expect(textOf(done.text, 'recorded')).toBe('Attending in person: Dr Robin Marsh');
    expect(textOf(done.text, 'how-to-change')).toContain('Use another link in the invitation e-mail, or sign in');
    expect(await answerOf(ctx, panelId, 'LPFT')).toMatchObject({
      answer: 'attending',
      answeredVia: 'link',
      answeredBy: null,
    });
    expect(
      await ctx.db.selectFrom('attendanceResponses').select('agencyId').where('panelId', '=', panelId).execute(),
    ).toHaveLength(1);
    const audit = await auditOf(ctx, 'attendance.answer', panelId);
    expect(audit[0].details).toMatchObject({ agencyId: await agencyId(ctx, 'LPFT'), answer: 'attending', via: 'link' });
    const again = await postForm(visitor, `/attend/${tokens.attending}`, { attendees: 'Someone Else', mode: 'online' });
    expect(again.status).toBe(410);
    expect(again.text).toContain('This link has already been used');
    expect((await answerOf(ctx, panelId, 'LPFT'))?.attendees).toEqual([{ name: 'Dr Robin Marsh' }]);
  });

  test('when a second link of the same e-mail is used, then it changes the answer (deputy, then apologies)', async () => {
    const panelId = await makePanel(ctx, LINCOLN_PANEL);
    const tokens = await makeTokens(ctx, panelId, 'Adult Care');
    const visitor = await anonymous(ctx);
    await visitor.get(`/attend/${tokens.deputy}`);
    expect(
      (
        await postForm(visitor, `/attend/${tokens.deputy}`, {
          deputyName: 'Casey Lund',
          deputyRole: 'Practitioner',
          deputyMode: 'online',
        })
      ).status,
    ).toBe(200);
    expect(await answerOf(ctx, panelId, 'Adult Care')).toMatchObject({
      answer: 'deputy',
      deputyName: 'Casey Lund',
      mode: 'online',
    });
    await visitor.get(`/attend/${tokens.apologies}`);
    expect(
      (
        await postForm(visitor, `/attend/${tokens.apologies}`, {
          apologyReason: 'Sickness',
          informationInAdvance: 'yes',
        })
      ).status,
    ).toBe(200);
    expect(await answerOf(ctx, panelId, 'Adult Care')).toMatchObject({
      answer: 'apologies',
      deputyName: null,
      apologyReason: 'Sickness',
      informationInAdvance: true,
      version: 2,
    });
  });

  test('when a link is expired, tampered with, unknown, or its panel has concluded, then a clear page says so and nothing changes', async () => {
    const panelId = await makePanel(ctx, LINCOLN_PANEL);
    const expired = await makeTokens(ctx, panelId, 'Police', new Date('2026-05-31T00:00:00Z'));
    const fresh = await makeTokens(ctx, panelId, 'CoLC');
    const visitor = await anonymous(ctx);
    const exp = await visitor.get(`/attend/${expired.attending}`);
    expect(exp.status).toBe(410);
    expect(exp.text).toContain('This link has expired');
    const tampered = `${fresh.attending.slice(0, -2)}${fresh.attending.endsWith('AA') ? 'BB' : 'AA'}`;
    const bad = await visitor.get(`/attend/${tampered}`);
    expect(bad.status).toBe(404);
    expect(bad.text).toContain('This link is not valid');
    expect((await visitor.get('/attend/not-a-token')).status).toBe(404);
    expect((await postForm(visitor, `/attend/${tampered}`, { attendees: 'X', mode: 'online' })).status).toBe(404);
    expect((await postForm(visitor, `/attend/${expired.attending}`, { attendees: 'X', mode: 'online' })).status).toBe(
      410,
    );
    await setStatus(ctx, panelId, 'concluded');
    const closed = await postForm(visitor, `/attend/${fresh.apologies}`, {
      apologyReason: 'Late',
      informationInAdvance: 'no',
    });
    expect(closed.status).toBe(410);
    expect(closed.text).toContain('Answers are closed for this panel');
    expect(
      await ctx.db.selectFrom('attendanceResponses').select('id').where('panelId', '=', panelId).execute(),
    ).toHaveLength(0);
    const unused = await ctx.db
      .selectFrom('attendanceTokens')
      .select('usedAt')
      .where('panelId', '=', panelId)
      .where('usedAt', 'is not', null)
      .execute();
    expect(unused).toHaveLength(0);
    const refusals = await auditOf(ctx, 'attendance.link');
    expect(refusals.map((r) => r.details.state)).toEqual(expect.arrayContaining(['expired', 'unknown', 'closed']));
  });

  test('when a link is for another panel, then it answers only for its own panel, and it never signs anyone in or opens any other page', async () => {
    const panelA = await makePanel(ctx, LINCOLN_PANEL);
    const panelB = await makePanel(ctx, LINCOLN_PANEL);
    const tokensA = await makeTokens(ctx, panelA, 'CoLC');
    const visitor = await anonymous(ctx);
    await visitor.get(`/attend/${tokensA.apologies}`);
    await postForm(visitor, `/attend/${tokensA.apologies}`, {
      apologyReason: 'Training',
      informationInAdvance: 'no',
      panelId: String(panelB),
    });
    expect((await answerOf(ctx, panelA, 'CoLC'))?.answer).toBe('apologies');
    expect(await answerOf(ctx, panelB, 'CoLC')).toBeUndefined();
    for (const url of [`/panels/${panelA}/attendance`, '/attendance', '/referrals', `/panels/${panelB}/attendance`]) {
      const res = await visitor.get(url);
      expect({ url, status: res.status, location: res.headers.location }).toEqual({
        url,
        status: 303,
        location: '/login',
      });
    }
    expect(
      (
        await postForm(visitor, `/panels/${panelB}/attendance`, {
          version: '',
          answer: 'apologies',
          apologyReason: 'x',
          informationInAdvance: 'no',
        })
      ).status,
    ).toBe(303);
    expect(await answerOf(ctx, panelB, 'CoLC')).toBeUndefined();
  });
});

describe('the single point of contact', () => {
  test('when the LPFT single point of contact opens their page, then every upcoming panel in every district is listed with the answer, and they answer for LPFT in each', async () => {
    const lincoln = await makePanel(ctx, {
      district: 'City of Lincoln',
      startsAt: '2026-06-20T09:00:00Z',
      agencies: ['LPFT', 'CoLC'],
    });
    const boston = await makePanel(ctx, {
      district: 'Boston',
      startsAt: '2026-06-21T09:00:00Z',
      agencies: ['LPFT', 'BBC'],
    });
    const past = await makePanel(ctx, {
      district: 'Boston',
      startsAt: '2026-05-01T09:00:00Z',
      status: 'concluded',
      agencies: ['LPFT'],
    });
    const notInvited = await makePanel(ctx, {
      district: 'West Lindsey',
      startsAt: '2026-06-22T09:00:00Z',
      agencies: ['Police'],
    });
    const spoc = await signIn(ctx, DEMO.lpft);
    const list = await spoc.get('/attendance');
    expect(list.status).toBe(200);
    expect(textOf(list.text, `panel-${lincoln}-answer`)).toBe('Not yet answered');
    expect(list.text).toContain(`href="/panels/${lincoln}/attendance"`);
    expect(list.text).toContain(`href="/panels/${boston}/attendance"`);
    expect(list.text).not.toContain(`href="/panels/${past}/attendance"`);
    expect(list.text).not.toContain(`href="/panels/${notInvited}/attendance"`);
    for (const panelId of [lincoln, boston]) {
      expect(
        (
          await postForm(spoc, `/panels/${panelId}/attendance`, {
            version: '',
            answer: 'attending',
            attendees: 'Priya Shah',
            mode: 'in-person',
          })
        ).status,
      ).toBe(303);
    }
    expect((await answerOf(ctx, lincoln, 'LPFT'))?.answer).toBe('attending');
    expect((await answerOf(ctx, boston, 'LPFT'))?.answer).toBe('attending');
    const after = await spoc.get('/attendance');
    expect(textOf(after.text, `panel-${lincoln}-answer`)).toBe('Attending in person');
    expect(textOf(after.text, `panel-${boston}-answer`)).toBe('Attending in person');
  });

  test('when the single point of contact marks clinicians per case, then each is saved for LPFT; another representative cannot', async () => {
    const panelId = await makePanel(ctx, { ...LINCOLN_PANEL, agencies: ['LPFT', 'Police'] });
    const referral = await makeReferral(ctx, DEMO.police);
    const item = await ctx.db
      .insertInto('agendaItems')
      .values({ panelId, position: 1, kind: 'new', referralId: referral.id, minutesAllotted: 20 })
      .returning('id')
      .executeTakeFirstOrThrow();
    const spoc = await signIn(ctx, DEMO.lpft);
    const page = await spoc.get(`/panels/${panelId}/attendance`);
    expect(page.text).toContain('Clinicians for each case');
    expect(page.text).toContain(referral.reference!);
    const missingName = await postForm(spoc, `/panels/${panelId}/clinicians`, {
      [`items[item-${item.id}][attending]`]: 'yes',
      [`items[item-${item.id}][name]`]: '',
    });
    expect(missingName.status).toBe(400);
    expect(missingName.text).toContain('Enter the clinician&#x27;s name');
    expect(
      (
        await postForm(spoc, `/panels/${panelId}/clinicians`, {
          [`items[item-${item.id}][attending]`]: 'yes',
          [`items[item-${item.id}][name]`]: 'Dr Robin Marsh',
        })
      ).status,
    ).toBe(303);
    expect(
      await ctx.db
        .selectFrom('clinicianAttendance')
        .select(['attending', 'clinicianName', 'agencyId'])
        .where('agendaItemId', '=', item.id)
        .execute(),
    ).toEqual([{ attending: true, clinicianName: 'Dr Robin Marsh', agencyId: await agencyId(ctx, 'LPFT') }]);
    expect(
      (await postForm(spoc, `/panels/${panelId}/clinicians`, { 'items[item-999999][attending]': 'no' })).status,
    ).toBe(404);
    const police = await signIn(ctx, DEMO.police);
    expect((await police.get(`/panels/${panelId}/attendance`)).text).not.toContain('Clinicians for each case');
    expect(
      (await postForm(police, `/panels/${panelId}/clinicians`, { [`items[item-${item.id}][attending]`]: 'no' })).status,
    ).toBe(403);
  });
  test('when the single point of contact names a clinician and then presses Save answer, then both the answer and the clinician are saved', async () => {
    const panelId = await makePanel(ctx, { ...LINCOLN_PANEL, agencies: ['LPFT', 'Police'] });
    const item = await addCase(ctx, panelId, DEMO.police);
    const spoc = await signIn(ctx, DEMO.lpft);
    const page = await spoc.get(`/panels/${panelId}/attendance`);
    expect(page.text).toContain(`name="items[item-${item}][name]"`);
    const whole = {
      version: '',
      answer: 'attending',
      attendees: 'Priya Shah',
      mode: 'online',
      [`items[item-${item}][attending]`]: 'yes',
      [`items[item-${item}][name]`]: 'Dr Robin Marsh',
    };
    const refused = await postForm(spoc, `/panels/${panelId}/attendance`, {
      ...whole,
      mode: '',
      [`items[item-${item}][name]`]: '',
    });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('Select whether they will attend in person or online');
    expect(refused.text).toContain('Enter the clinician&#x27;s name');
    expect(refused.text).toContain('Priya Shah');
    // Shown again, several lines come back exactly as typed, without spaces added to each line.
    const twoLines = await postForm(spoc, `/panels/${panelId}/attendance`, {
      ...whole,
      mode: '',
      attendees: 'Priya Shah\nDr Robin Marsh',
    });
    expect(twoLines.text).toMatch(/>Priya Shah\nDr Robin Marsh<\/textarea>/);
    expect(await answerOf(ctx, panelId, 'LPFT')).toBeUndefined();
    expect(await cliniciansOf(ctx, item)).toEqual([]);
    expect((await postForm(spoc, `/panels/${panelId}/attendance`, whole)).status).toBe(303);
    expect((await answerOf(ctx, panelId, 'LPFT'))?.answer).toBe('attending');
    expect(await cliniciansOf(ctx, item)).toEqual([{ attending: true, clinicianName: 'Dr Robin Marsh' }]);
    const stale = await postForm(spoc, `/panels/${panelId}/clinicians`, {
      ...whole,
      save: 'clinicians',
      [`items[item-${item}][attending]`]: 'no',
    });
    expect(stale.status).toBe(409);
    expect(await cliniciansOf(ctx, item)).toEqual([{ attending: true, clinicianName: 'Dr Robin Marsh' }]);
    // Changing only the clinician leaves the answer as it was: same version, nothing re-recorded.
    const answered = await answerOf(ctx, panelId, 'LPFT');
    const auditsBefore = (await auditOf(ctx, 'attendance.answer')).length;
    const onlyClinician = await postForm(spoc, `/panels/${panelId}/clinicians`, {
      ...whole,
      version: String(answered!.version),
      save: 'clinicians',
      [`items[item-${item}][name]`]: 'Dr Alex Kerr',
    });
    expect(onlyClinician.status).toBe(303);
    expect(await cliniciansOf(ctx, item)).toEqual([{ attending: true, clinicianName: 'Dr Alex Kerr' }]);
    expect((await answerOf(ctx, panelId, 'LPFT'))?.version).toBe(answered!.version);
    expect(await auditOf(ctx, 'attendance.answer')).toHaveLength(auditsBefore);
  });
  test("when the single point of contact has named clinicians, then the chair's attendance page shows who attends for which case", async () => {
    const panelId = await makePanel(ctx, { ...LINCOLN_PANEL, agencies: ['LPFT', 'Police'] });
    const first = await addCase(ctx, panelId, DEMO.police, 1);
    await addCase(ctx, panelId, DEMO.police, 2);
    const third = await addCase(ctx, panelId, DEMO.police, 3);
    const spoc = await signIn(ctx, DEMO.lpft);
    const saved = await postForm(spoc, `/panels/${panelId}/clinicians`, {
      [`items[item-${first}][attending]`]: 'yes',
      [`items[item-${first}][name]`]: 'Dr Robin Marsh',
      [`items[item-${third}][attending]`]: 'no',
    });
    expect(saved.status).toBe(303);
    const chair = await signIn(ctx, DEMO.chair);
    const page = await chair.get(`/panels/${panelId}/attendance`);
    expect(page.status).toBe(200);
    const lpft = await agencyId(ctx, 'LPFT');
    expect(textOf(page.text, `plan-1-${lpft}`)).toBe('LPFT: Dr Robin Marsh');
    expect(textOf(page.text, 'plan-item-2')).toBe('No clinician named yet');
    expect(textOf(page.text, `plan-3-${lpft}`)).toBe('LPFT: not attending');
  });
  test('when the single point of contact names a clinician for a case, then the contact sees each slot, invitees see the clinician beside the case on the agenda, and on the day the chair finds the clinician on the meeting item and the register without retyping', async () => {
    const panelId = await makePanel(ctx, { ...LINCOLN_PANEL, agencies: ['LPFT', 'Police'] });
    const first = await addCase(ctx, panelId, DEMO.police, 1);
    const second = await addCase(ctx, panelId, DEMO.police, 2);
    const spoc = await signIn(ctx, DEMO.lpft);
    const page = await spoc.get(`/panels/${panelId}/attendance`);
    // The panel starts at 10:00 London time; each case has 20 minutes.
    expect(textOf(page.text, `slot-${first}`)).toContain('10:00 to 10:20');
    expect(textOf(page.text, `slot-${second}`)).toContain('10:20 to 10:40');
    const saved = await postForm(spoc, `/panels/${panelId}/clinicians`, {
      [`items[item-${first}][attending]`]: 'yes',
      [`items[item-${first}][name]`]: 'Dr Robin Marsh',
      [`items[item-${second}][attending]`]: 'yes',
      [`items[item-${second}][name]`]: 'Dr Robin Marsh',
    });
    expect(saved.status).toBe(303);
    // Invitees read it on the published agenda beside each case.
    const chair = await signIn(ctx, DEMO.chair);
    const revision = (
      await ctx.db.selectFrom('panels').select('agendaRevision').where('id', '=', panelId).executeTakeFirstOrThrow()
    ).agendaRevision;
    expect(
      (await postForm(chair, `/panels/${panelId}/agenda`, { action: 'publish', revision: String(revision) })).status,
    ).toBe(303);
    const police = await signIn(ctx, DEMO.police);
    const agenda = await police.get(`/panels/${panelId}/agenda`);
    expect(textOf(agenda.text, 'clinicians-1')).toBe('LPFT: Dr Robin Marsh');
    await setStatus(ctx, panelId, 'in-progress');
    const item = await chair.get(`/panels/${panelId}/meeting/items/${first}`);
    expect(textOf(item.text, 'item-clinicians')).toBe('LPFT: Dr Robin Marsh');
    const register = await chair.get(`/panels/${panelId}/register`);
    expect(register.text).toContain('value="Dr Robin Marsh"');
    expect(register.text).toContain('value="Clinician for items 1, 2"');
    // One line for the clinician, not one per case.
    expect(register.text.match(/value="Dr Robin Marsh"/g)).toHaveLength(1);
  });
});
