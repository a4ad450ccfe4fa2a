import { createTestContext, type TestContext } from '../support/context';
import { DEMO, postForm, signIn, textOf } from '../support/http';
import { IllegalTransitionError } from '../../src/referrals/status';
import { RefusedError } from '../../src/http/errors';
import { actorFor, makeReferral, postReferral, referralBody, userNamed } from './referrals-builders';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ now: '2026-03-10T10:00:00Z' });
});
afterAll(() => ctx.close());

const statusOf = async (id: number) =>
  (await ctx.db.selectFrom('referrals').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;
const mailFor = (id: number) =>
  ctx.db
    .selectFrom('outbox')
    .selectAll()
    .where('entityType', '=', 'referral')
    .where('entityId', '=', String(id))
    .orderBy('id')
    .execute();
const eventsOf = async (id: number) =>
  await ctx.db
    .selectFrom('referralEvents')
    .select(['kind', 'note'])
    .where('referralId', '=', id)
    .orderBy('id')
    .execute();

/** The personal details of a referral, none of which may appear in an email. */
async function personalDetails(id: number): Promise<string[]> {
  const subjects = await ctx.db
    .selectFrom('referralSubjects')
    .select(['fullName', 'address', 'postcode'])
    .where('referralId', '=', id)
    .execute();
  const referral = await ctx.db
    .selectFrom('referrals')
    .select(['reason', 'screeningNote', 'officerName'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  return [
    ...subjects.flatMap((s) => [s.fullName, s.address?.split('\n')[0], s.postcode]),
    referral.reason,
    referral.screeningNote,
    referral.officerName,
  ].filter((v): v is string => !!v);
}

describe('the screening queue', () => {
  test('when a referral is submitted, then the administrators are told by email and it waits in the queue, oldest first', async () => {
    const older = await makeReferral(ctx, DEMO.police);
    ctx.clock.advance(60_000);
    const newer = await makeReferral(ctx, DEMO.housing);
    const mail = await mailFor(older.id);
    expect(mail).toHaveLength(1);
    expect(mail[0]).toMatchObject({
      kind: 'referral.submitted',
      toAddress: 'admin@example.org',
      subject: `OFFICIAL-SENSITIVE: Referral ${older.reference} waiting for screening`,
    });
    expect(mail[0].textBody).toContain(`http://127.0.0.1/referrals/${older.id}`);
    const admin = await signIn(ctx, DEMO.admin);
    const queue = await admin.get('/referrals?status=submitted&sort=submitted-asc');
    expect(queue.text).toContain('<h1 class="govuk-heading-l">Screening queue</h1>');
    expect(queue.text.indexOf(older.reference!)).toBeLessThan(queue.text.indexOf(newer.reference!));
    const home = await admin.get('/referrals');
    expect(textOf(home.text, 'waiting')).toMatch(/\d+ referrals are waiting for screening/);
  });
});

describe('screening outcomes', () => {
  test('when the coordinator accepts a referral, then it awaits its panel and the referrer gets an email with only the reference and a link', async () => {
    const { id, reference } = await makeReferral(ctx, DEMO.police);
    const admin = await signIn(ctx, DEMO.admin);
    const record = await admin.get(`/referrals/${id}`);
    expect(record.text).toContain('Screen this referral');
    const res = await postForm(admin, `/referrals/${id}/screen`, { outcome: 'accept', note: '' });
    expect(res.status).toBe(303);
    expect(await statusOf(id)).toBe('awaiting-panel');
    const mail = (await mailFor(id)).filter((m) => m.kind === 'referral.accept');
    expect(mail).toHaveLength(1);
    expect(mail[0].toAddress).toBe('police@example.org');
    expect(mail[0].subject).toBe(`OFFICIAL-SENSITIVE: Referral ${reference} accepted`);
    expect(mail[0].textBody).toContain(`http://127.0.0.1/referrals/${id}`);
    for (const detail of await personalDetails(id)) {
      expect(mail[0].subject).not.toContain(detail);
      expect(mail[0].textBody).not.toContain(detail);
    }
    expect(await eventsOf(id)).toEqual([
      { kind: 'created', note: null },
      { kind: 'submitted', note: null },
      { kind: 'accepted', note: null },
    ]);
    const after = await admin.get(`/referrals/${id}`);
    expect(textOf(after.text, 'status')).toBe('Awaiting panel');
    expect(after.text).not.toContain('Screen this referral');
    const audit = await ctx.db
      .selectFrom('auditEvents')
      .select(['details', 'userId'])
      .where('action', '=', 'referral.screen')
      .where('entityId', '=', String(id))
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0].details).toEqual({ outcome: 'accept', from: 'submitted', to: 'awaiting-panel' });
  });

  test('when the coordinator rejects a referral, then advice is required, the referrer reads it on the record, and the email does not hold it', async () => {
    const { id, reference } = await makeReferral(ctx, DEMO.housing);
    const admin = await signIn(ctx, DEMO.admin);
    const missing = await postForm(admin, `/referrals/${id}/screen`, { outcome: 'reject', note: '  ' });
    expect(missing.status).toBe(400);
    expect(missing.text).toContain('Enter your advice to the referrer');
    expect(await statusOf(id)).toBe('submitted');
    const advice = 'Manage through the landlord and the neighbourhood team; refer again if it escalates.';
    expect((await postForm(admin, `/referrals/${id}/screen`, { outcome: 'reject', note: advice })).status).toBe(303);
    expect(await statusOf(id)).toBe('rejected');
    const mail = (await mailFor(id)).filter((m) => m.kind === 'referral.reject');
    expect(mail).toMatchObject([
      { toAddress: 'housing@example.org', subject: `OFFICIAL-SENSITIVE: Referral ${reference} not accepted` },
    ]);
    expect(mail[0].textBody).not.toContain('landlord');
    const referrer = await signIn(ctx, DEMO.housing);
    const record = await referrer.get(`/referrals/${id}`);
    expect(textOf(record.text, 'status')).toBe('Rejected');
    expect(record.text).toContain(advice);
  });

  test('when the coordinator asks for more information, then the referrer updates the referral and resubmits it under the same reference', async () => {
    const { id, reference } = await makeReferral(ctx, DEMO.police);
    const chair = await signIn(ctx, DEMO.chair);
    const request = 'Please add the police incident numbers.';
    expect(
      (await postForm(chair, `/referrals/${id}/screen`, { outcome: 'request-information', note: request })).status,
    ).toBe(303);
    expect(await statusOf(id)).toBe('more-information-requested');
    const mail = (await mailFor(id)).filter((m) => m.kind === 'referral.request-information');
    expect(mail).toMatchObject([
      {
        toAddress: 'police@example.org',
        subject: `OFFICIAL-SENSITIVE: Referral ${reference}: more information needed`,
      },
    ]);

    const referrer = await signIn(ctx, DEMO.police);
    const record = await referrer.get(`/referrals/${id}`);
    expect(textOf(record.text, 'screening-note')).toBe('More information requested');
    expect(record.text).toContain(request);
    const edit = await referrer.get(`/referrals/${id}/edit`);
    expect(edit.status).toBe(200);
    expect(textOf(edit.text, 'more-information')).toBe('The coordinator asked for more information');
    expect(edit.text).toContain(request);
    const version = /name="version" value="(\d+)"/.exec(edit.text)![1];
    const body = await referralBody(ctx, {
      incidents: [
        {
          date: { day: '1', month: '2', year: '2026' },
          type: 'noise',
          summary: 'Music',
          agencyReference: 'INC-2026-0099',
        },
      ],
    });
    const saved = await postReferral(referrer, `/referrals/${id}/edit`, { ...body, version, action: 'continue' });
    expect(saved.status).toBe(303);
    const check = await referrer.get(`/referrals/${id}/submit`);
    const resubmitted = await postReferral(referrer, `/referrals/${id}/submit`, {
      version: /name="version" value="(\d+)"/.exec(check.text)![1],
    });
    expect(resubmitted.status).toBe(303);
    const row = await ctx.db
      .selectFrom('referrals')
      .select(['status', 'reference'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'submitted', reference });
    expect((await eventsOf(id)).map((e) => e.kind)).toEqual([
      'created',
      'submitted',
      'information-requested',
      'resubmitted',
    ]);
    expect((await mailFor(id)).filter((m) => m.kind === 'referral.submitted')).toHaveLength(2);
  });

  test('when a referral has already been screened, then a second decision changes nothing and sends nothing', async () => {
    const { id } = await makeReferral(ctx, DEMO.police);
    const admin = await signIn(ctx, DEMO.admin);
    const chair = await signIn(ctx, DEMO.chair);
    const adminPage = await admin.get(`/referrals/${id}`);
    expect(adminPage.text).toContain('Screen this referral');
    expect((await postForm(chair, `/referrals/${id}/screen`, { outcome: 'accept' })).status).toBe(303);
    const late = await postForm(admin, `/referrals/${id}/screen`, { outcome: 'reject', note: 'Too late' });
    expect(late.status).toBe(303);
    const page = await admin.get(`/referrals/${id}`);
    expect(page.text).toContain('This referral has already been screened');
    expect(await statusOf(id)).toBe('awaiting-panel');
    expect(
      (await mailFor(id)).filter((m) => m.kind.startsWith('referral.') && m.kind !== 'referral.submitted'),
    ).toHaveLength(1);
  });

  test('when a representative tries to screen, then they are refused and it is audited', async () => {
    const { id } = await makeReferral(ctx, DEMO.police);
    const rep = await signIn(ctx, DEMO.police);
    const res = await postForm(rep, `/referrals/${id}/screen`, { outcome: 'accept' });
    expect(res.status).toBe(403);
    expect(await statusOf(id)).toBe('submitted');
    const denied = await ctx.db
      .selectFrom('auditEvents')
      .select('details')
      .where('action', '=', 'access.denied')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(denied.details).toMatchObject({ route: '/referrals/:id/screen' });
  });

  test('when the outcome or note is wrong, then each gets its message', async () => {
    const { id } = await makeReferral(ctx, DEMO.police);
    const admin = await signIn(ctx, DEMO.admin);
    const noOutcome = await postForm(admin, `/referrals/${id}/screen`, { note: 'x' });
    expect(noOutcome.status).toBe(400);
    expect(noOutcome.text).toContain('Select the outcome of screening');
    const long = await postForm(admin, `/referrals/${id}/screen`, {
      outcome: 'request-information',
      note: 'x'.repeat(3001),
    });
    expect(long.status).toBe(400);
    expect(long.text).toContain('The information you need must be 3000 characters or fewer');
    const bogus = await postForm(admin, `/referrals/${id}/screen`, { outcome: 'approve' });
    expect(bogus.status).toBe(400);
    expect(await statusOf(id)).toBe('submitted');
  });
});

describe('status transitions after screening', () => {
  test('when a panel hears and closes a case, then it becomes active, then closed with its reason, each on the timeline', async () => {
    const { id } = await makeReferral(ctx, DEMO.police, {}, { submit: true, screen: 'accept' });
    const chair = await userNamed(ctx, DEMO.chair);
    expect(await ctx.services.referrals.hear(actorFor(chair), id, { panelId: 7 })).toEqual({
      from: 'awaiting-panel',
      to: 'active',
    });
    expect(await ctx.services.referrals.hear(actorFor(chair), id)).toEqual({ from: 'active', to: 'active' });
    expect(
      await ctx.services.referrals.close(actorFor(chair), id, 'Perpetrator moved away; no incidents for three months.'),
    ).toEqual({ from: 'active', to: 'closed' });
    const row = await ctx.db
      .selectFrom('referrals')
      .select(['status', 'closedReason'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'closed', closedReason: 'Perpetrator moved away; no incidents for three months.' });
    expect((await eventsOf(id)).map((e) => e.kind)).toEqual([
      'created',
      'submitted',
      'accepted',
      'heard',
      'heard',
      'closed',
    ]);
    const admin = await signIn(ctx, DEMO.admin);
    const record = await admin.get(`/referrals/${id}`);
    expect(textOf(record.text, 'status')).toBe('Closed');
    expect(record.text).toContain('Perpetrator moved away; no incidents for three months.');
    expect(textOf(record.text, 'timeline')).toBe('Timeline');
    expect(record.text).toContain('Heard at a panel');
  });

  test('a case awaiting its panel can be closed without being heard', async () => {
    const { id } = await makeReferral(ctx, DEMO.police, {}, { submit: true, screen: 'accept' });
    const chair = await userNamed(ctx, DEMO.chair);
    await ctx.services.referrals.close(actorFor(chair), id, 'Victim moved out of the county.');
    expect(await statusOf(id)).toBe('closed');
  });

  test.each([
    ['hear', 'submitted'],
    ['hear', 'rejected'],
    ['hear', 'closed'],
    ['close', 'submitted'],
    ['close', 'closed'],
    ['close', 'draft'],
    ['hear', 'more-information-requested'],
  ] as const)('when a case is %s-d while %s, then it is refused and nothing changes', async (transition, from) => {
    const steps =
      from === 'draft'
        ? {}
        : from === 'submitted'
          ? { submit: true }
          : from === 'rejected'
            ? { submit: true, screen: 'reject' as const }
            : from === 'more-information-requested'
              ? { submit: true, screen: 'request-information' as const }
              : { submit: true, screen: 'accept' as const };
    const { id } = await makeReferral(ctx, DEMO.police, {}, steps);
    const chair = await userNamed(ctx, DEMO.chair);
    if (from === 'closed') await ctx.services.referrals.close(actorFor(chair), id, 'Closed');
    const before = await ctx.db
      .selectFrom('referrals')
      .select(['status', 'version'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    const attempt =
      transition === 'hear'
        ? ctx.services.referrals.hear(actorFor(chair), id)
        : ctx.services.referrals.close(actorFor(chair), id, 'Again');
    await expect(attempt).rejects.toBeInstanceOf(IllegalTransitionError);
    expect(
      await ctx.db.selectFrom('referrals').select(['status', 'version']).where('id', '=', id).executeTakeFirstOrThrow(),
    ).toEqual(before);
  });

  test.each(['accept', 'reject', 'request-information'] as const)(
    'when a case that is not submitted is screened (%s), then nothing changes',
    async (outcome) => {
      const { id } = await makeReferral(ctx, DEMO.police, {}, { submit: true, screen: 'accept' });
      const admin = await userNamed(ctx, DEMO.admin);
      const attempt = ctx.services.referrals.screen(admin, actorFor(admin), id, outcome, 'note');
      await expect(attempt).rejects.toBeInstanceOf(RefusedError);
      await expect(attempt).rejects.toMatchObject({
        reason: 'already-screened',
        fieldErrors: { '': 'It is now: awaiting panel. Nothing was changed.' },
      });
      expect(await statusOf(id)).toBe('awaiting-panel');
    },
  );

  test('a rejected or accepted referral cannot be submitted again by its referrer', async () => {
    const police = await userNamed(ctx, DEMO.police);
    for (const screen of ['reject', 'accept'] as const) {
      const { id } = await makeReferral(ctx, DEMO.police, {}, { submit: true, screen });
      const attempt = ctx.services.referrals.submit(police, actorFor(police), id, 99, []);
      await expect(attempt).rejects.toBeInstanceOf(RefusedError);
      await expect(attempt).rejects.toMatchObject({ reason: 'read-only' });
    }
  });
});
