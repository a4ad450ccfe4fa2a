import { sql } from 'kysely';
import { createTestContext, type TestContext } from '../support/context';
import { DEMO, postForm, signIn } from '../support/http';
import { action, heard, ids, panel, referral, type Ids } from './insight-builders';
import { REMOVED, runRetention } from '../../src/retention/retention.service';

const deps = () => ({ db: ctx.db, documents: ctx.services.pdfDocuments, mailDir: null });

let ctx: TestContext;
let id: Ids;
let admin: Awaited<ReturnType<typeof signIn>>;
const NOW = '2026-11-23T10:00:00Z';
const made: Record<string, number> = {};
let agendaItemId: number;
let actionId: number;

/** Every row of a case that the job could touch, for comparing before and after. */
async function snapshot(referralId: number) {
  const items = await ctx.db
    .selectFrom('agendaItems')
    .selectAll()
    .where('referralId', '=', referralId)
    .orderBy('id')
    .execute();
  const itemIds = items.length ? items.map((i) => i.id) : [-1];
  return {
    referral: await ctx.db.selectFrom('referrals').selectAll().where('id', '=', referralId).executeTakeFirstOrThrow(),
    subjects: await ctx.db
      .selectFrom('referralSubjects')
      .selectAll()
      .select(sql<string>`date_of_birth::text`.as('dob'))
      .where('referralId', '=', referralId)
      .orderBy('id')
      .execute(),
    incidents: await ctx.db
      .selectFrom('referralIncidents')
      .selectAll()
      .where('referralId', '=', referralId)
      .orderBy('id')
      .execute(),
    items,
    records: await ctx.db.selectFrom('meetingRecords').selectAll().where('agendaItemId', 'in', itemIds).execute(),
    shared: await ctx.db.selectFrom('sharedInformation').selectAll().where('agendaItemId', 'in', itemIds).execute(),
    actions: await ctx.db
      .selectFrom('actions')
      .selectAll()
      .where('referralId', '=', referralId)
      .orderBy('id')
      .execute(),
  };
}

/** A case full of personal data and free text, closed at the given time. */
async function fullCase(closedAt: string | undefined, status: 'closed' | 'active' = 'closed'): Promise<number> {
  const referralId = await referral(ctx, id, {
    district: 'East Lindsey',
    submittedAt: '2020-01-10T10:00:00Z',
    status,
    closedAt,
    verdict: 'high',
    reason: 'Neighbour at 3 Mill Row shouts at Ada Lovelace-Byron daily.',
    subjects: [
      { kind: 'victim', name: 'Ada Lovelace-Byron', vulnerabilities: ['mental-health', 'isolation'] },
      { kind: 'perpetrator', name: 'Victor Grimshaw' },
    ],
  });
  await ctx.db
    .updateTable('referralSubjects')
    .set({
      dateOfBirth: '1950-02-03',
      address: '3 Mill Row, Louth',
      postcode: 'LN11 0AA',
      description: 'Tall, walks with a stick',
      nameKey: 'ada lovelace byron',
    })
    .where('referralId', '=', referralId)
    .execute();
  await ctx.db
    .updateTable('referrals')
    .set({
      officerName: 'PC Jordan Ellis',
      officerEmail: 'police@example.org',
      closedReason: 'Ada moved to her daughter in Leeds.',
      searchText: 'ada lovelace byron 3 mill row',
    })
    .where('id', '=', referralId)
    .execute();
  await ctx.db
    .insertInto('referralIncidents')
    .values({
      referralId,
      position: 1,
      incidentDate: '2019-12-01',
      type: 'verbal-abuse',
      summary: 'Shouted at Ada on the doorstep.',
      agencyReference: 'LP-123',
    })
    .execute();
  await ctx.db
    .insertInto('referralEvents')
    .values({ referralId, at: new Date('2020-01-10T10:00:00Z'), kind: 'submitted', note: 'Ada called again.' })
    .execute();
  return referralId;
}

beforeAll(async () => {
  ctx = await createTestContext({ now: NOW });
  id = await ids(ctx);
  made.past = await fullCase('2020-11-01T10:00:00Z');
  made.soon = await fullCase('2020-12-10T10:00:00Z');
  made.recent = await fullCase('2024-03-01T10:00:00Z');
  made.active = await fullCase(undefined, 'active');
  const p = await panel(ctx, id, { district: 'East Lindsey', startsAt: '2020-02-01T10:00:00Z', invited: ['Police'] });
  agendaItemId = await heard(ctx, p, made.past, {
    decision: 'close',
    closeReason: 'moved-away',
    discussion: 'Ada is frightened of Victor.',
  });
  await ctx.db
    .insertInto('sharedInformation')
    .values({ agendaItemId, agencyId: id.agency('Police'), text: 'Victor has a caution for assault.' })
    .execute();
  actionId = await action(ctx, id, {
    referralId: made.past,
    panelId: p,
    agency: 'Police',
    dueOn: '2020-03-01',
    status: 'completed',
    createdAt: '2020-02-01T11:00:00Z',
    closedAt: '2020-02-20T10:00:00Z',
    description: 'Visit Ada at 3 Mill Row.',
  });
  await ctx.db
    .insertInto('actionUpdates')
    .values({
      actionId,
      at: new Date('2020-02-20T10:00:00Z'),
      fromStatus: 'open',
      toStatus: 'completed',
      note: 'Saw Ada; she is well.',
    })
    .execute();
  await heard(ctx, p, made.soon, { decision: 'review', discussion: 'Soon case discussion.' });
  // Audit rows written three years ago (inserting is allowed; changing or deleting is not).
  await ctx.db
    .insertInto('auditEvents')
    .values([
      { action: 'test.ancient', outcome: 'success', at: new Date('2023-06-01T10:00:00Z') },
      { action: 'test.ancient', outcome: 'success', at: new Date('2024-11-01T10:00:00Z') },
    ])
    .execute();
  await ctx.db
    .insertInto('auditEvents')
    .values({ action: 'test.recent', outcome: 'success', at: new Date('2025-06-01T10:00:00Z') })
    .execute();
  admin = await signIn(ctx, DEMO.admin);
}, 60_000);
afterAll(() => ctx.close());

describe('the retention page', () => {
  test('when an administrator opens it, then it shows the default periods and the cases reaching review in the next 30 days', async () => {
    const res = await admin.get('/admin/retention');
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/name="closedCaseYears" type="text" value="6"/);
    expect(res.text).toMatch(/name="outboxBodyDays" type="text" value="30"/);
    expect(res.text).toMatch(/name="auditYears" type="text" value="2"/);
    const due = /<table[^>]*id="upcoming"[\s\S]*?<\/table>/.exec(res.text)?.[0] ?? '';
    expect(due).toContain(`href="/referrals/${made.past}"`);
    expect(due).toContain(`href="/referrals/${made.soon}"`);
    expect(due).toContain('10 December 2026');
    expect(due).not.toContain(`href="/referrals/${made.recent}"`);
    expect(due).not.toContain(`href="/referrals/${made.active}"`);
    expect(due).not.toContain('Ada');
  });

  test.each([
    [
      { closedCaseYears: 'six', outboxBodyDays: '30' },
      'closedCaseYears',
      'Enter how long closed cases are kept as a whole number of years, like 6',
      'six',
    ],
    [
      { closedCaseYears: '6', outboxBodyDays: '0' },
      'outboxBodyDays',
      'How long sent e-mails keep their text and attachments must be between 1 and 3650 days',
      '0',
    ],
    [
      { closedCaseYears: '', outboxBodyDays: '30' },
      'closedCaseYears',
      'Enter how long closed cases are kept in whole years',
      '',
    ],
  ])(
    'when %j is saved, then it is refused with a message by the field and nothing changes',
    async (fields, field, message) => {
      const { version } = await ctx.db.selectFrom('retentionSettings').select('version').executeTakeFirstOrThrow();
      const res = await postForm(admin, '/admin/retention', { ...fields, version: String(version) });
      expect(res.status).toBe(400);
      expect(res.text).toContain(`id="${field}-error"`);
      expect(res.text).toContain(message);
      expect(
        await ctx.db
          .selectFrom('retentionSettings')
          .select(['closedCaseYears', 'outboxBodyDays', 'version'])
          .executeTakeFirstOrThrow(),
      ).toEqual({ closedCaseYears: 6, outboxBodyDays: 30, version });
    },
  );

  test('when a form loaded before someone else saved is sent, then it is refused and what was typed is kept', async () => {
    const { version } = await ctx.db.selectFrom('retentionSettings').select('version').executeTakeFirstOrThrow();
    await ctx.db
      .updateTable('retentionSettings')
      .set({ version: version + 1 })
      .execute();
    const res = await postForm(admin, '/admin/retention', {
      closedCaseYears: '9',
      outboxBodyDays: '40',
      version: String(version),
    });
    expect(res.status).toBe(409);
    expect(res.text).toContain('Someone else changed the retention periods');
    expect(res.text).toMatch(/name="closedCaseYears" type="text" value="9"/);
    expect(res.text).toContain(`name="version" value="${version + 1}"`);
    expect(await ctx.db.selectFrom('retentionSettings').select('closedCaseYears').executeTakeFirstOrThrow()).toEqual({
      closedCaseYears: 6,
    });
    await ctx.db.updateTable('retentionSettings').set({ version }).execute();
  });

  test('when valid periods are saved, then they are kept and the change is audited', async () => {
    const { version } = await ctx.db.selectFrom('retentionSettings').select('version').executeTakeFirstOrThrow();
    const res = await postForm(admin, '/admin/retention', {
      closedCaseYears: '7',
      outboxBodyDays: '45',
      version: String(version),
    });
    expect(res.status).toBe(303);
    expect(
      await ctx.db
        .selectFrom('retentionSettings')
        .select(['closedCaseYears', 'outboxBodyDays', 'auditYears'])
        .executeTakeFirstOrThrow(),
    ).toEqual({ closedCaseYears: 7, outboxBodyDays: 45, auditYears: 2 });
    const audit = await ctx.db
      .selectFrom('auditEvents')
      .selectAll()
      .where('action', '=', 'retention.settings-changed')
      .executeTakeFirstOrThrow();
    expect(audit.details).toEqual({
      closedCaseYearsFrom: 6,
      closedCaseYearsTo: 7,
      outboxBodyDaysFrom: 30,
      outboxBodyDaysTo: 45,
    });
    // Back to the defaults for the job's tests.
    await postForm(admin, '/admin/retention', {
      closedCaseYears: '6',
      outboxBodyDays: '30',
      version: String(version + 1),
    });
  });
});

describe('the retention job', () => {
  test('when an administrator runs it, then the case past its period goes on the review list and nothing is destroyed', async () => {
    const before = await snapshot(made.past);
    const res = await postForm(admin, '/admin/retention/run');
    expect(res.status).toBe(303);
    const page = await admin.get('/admin/retention');
    expect(page.text).toContain('1 case added to the review list; 0 sent e-mails cleared of text and attachments.');
    const due = /<table[^>]*id="due"[\s\S]*?<\/table>/.exec(page.text)?.[0] ?? '';
    expect(due).toContain(`href="/admin/retention/reviews/${made.past}"`);
    expect(due).not.toContain(`/reviews/${made.soon}"`);
    expect(due).not.toContain('Ada');
    expect(await snapshot(made.past)).toEqual(before);
    // Audit rows are no longer purged by the job: that needs two administrators.
    expect(
      await ctx.db.selectFrom('auditEvents').select('id').where('action', '=', 'test.ancient').execute(),
    ).toHaveLength(2);
  });

  test('when the coordinator confirms destruction, then only that case is anonymised, counts are unchanged and a certificate is written', async () => {
    const countsBefore = await admin.get('/reports/referrals-by-district.csv?from=2020-01&to=2026-11');
    const vulnerabilitiesBefore = await admin.get('/reports/vulnerabilities.csv?from=2020-01&to=2026-11');
    const outcomesBefore = await admin.get('/reports/case-outcomes.csv?from=2020-01&to=2026-11');
    const untouched = {
      soon: await snapshot(made.soon),
      recent: await snapshot(made.recent),
      active: await snapshot(made.active),
    };
    const before = await snapshot(made.past);
    const review = await admin.get(`/admin/retention/reviews/${made.past}`);
    const version = /name="version" value="(\d+)"/.exec(review.text)![1];
    const res = await postForm(admin, `/admin/retention/reviews/${made.past}`, {
      decision: 'destroy',
      confirm: 'true',
      version,
    });
    expect(res.status).toBe(303);

    const after = await snapshot(made.past);
    expect(after.referral).toMatchObject({
      officerName: null,
      officerEmail: null,
      reason: null,
      closedReason: null,
      searchText: '',
      status: 'closed',
      districtId: before.referral.districtId,
      referringAgencyId: before.referral.referringAgencyId,
      riskVerdict: 'high',
      subjectKinds: ['victim', 'perpetrator'],
      submittedAt: before.referral.submittedAt,
      closedAt: before.referral.closedAt,
    });
    expect(after.referral.anonymisedAt).toEqual(new Date(NOW));
    for (const s of after.subjects) {
      expect(s).toMatchObject({
        fullName: null,
        nameKey: null,
        dob: null,
        address: null,
        postcode: null,
        description: null,
      });
    }
    expect(after.subjects.map((s) => [s.kind, s.vulnerabilities])).toEqual([
      ['victim', ['mental-health', 'isolation']],
      ['perpetrator', []],
    ]);
    expect(after.incidents).toEqual([
      expect.objectContaining({
        summary: null,
        agencyReference: null,
        type: 'verbal-abuse',
        incidentDate: '2019-12-01',
      }),
    ]);
    expect(after.records).toEqual([
      expect.objectContaining({ discussion: null, decision: 'close', closeReason: 'moved-away' }),
    ]);
    expect(after.shared).toEqual([expect.objectContaining({ text: REMOVED })]);
    expect(after.actions).toEqual([
      expect.objectContaining({ description: REMOVED, status: 'completed', dueOn: '2020-03-01' }),
    ]);
    const update = await ctx.db
      .selectFrom('actionUpdates')
      .select(['note', 'toStatus'])
      .where('actionId', '=', actionId)
      .executeTakeFirstOrThrow();
    expect(update).toEqual({ note: null, toStatus: 'completed' });
    const event = await ctx.db
      .selectFrom('referralEvents')
      .select(['note', 'kind'])
      .where('referralId', '=', made.past)
      .executeTakeFirstOrThrow();
    expect(event).toEqual({ note: null, kind: 'submitted' });

    // Nothing else touched: the case due next month, the recent one and the open one are as they were.
    expect({
      soon: await snapshot(made.soon),
      recent: await snapshot(made.recent),
      active: await snapshot(made.active),
    }).toEqual(untouched);

    // The reports count the same.
    expect((await admin.get('/reports/referrals-by-district.csv?from=2020-01&to=2026-11')).text).toBe(
      countsBefore.text,
    );
    expect((await admin.get('/reports/vulnerabilities.csv?from=2020-01&to=2026-11')).text).toBe(
      vulnerabilitiesBefore.text,
    );
    expect((await admin.get('/reports/case-outcomes.csv?from=2020-01&to=2026-11')).text).toBe(outcomesBefore.text);

    const audit = await ctx.db
      .selectFrom('auditEvents')
      .selectAll()
      .where('action', '=', 'referral.anonymised')
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      entityType: 'referral',
      entityId: String(made.past),
      userId: id.user(DEMO.admin),
      details: { closedCaseYears: 6 },
    });
    expect(JSON.stringify(audit[0])).not.toMatch(/Ada|Mill Row|Victor/);

    const certificate = await ctx.db
      .selectFrom('destructionCertificates')
      .selectAll()
      .where('referralId', '=', made.past)
      .executeTakeFirstOrThrow();
    expect(certificate).toMatchObject({
      approvedBy: id.user(DEMO.admin),
      retentionYears: 6,
      destroyedAt: new Date(NOW),
    });
    expect(certificate.stores).toMatchObject({ referral: 1, subjects: 2, agendaItems: 1 });
    expect(JSON.stringify(certificate)).not.toMatch(/Ada|Mill Row|Victor|LN11|1950/);
  });

  test('when it runs again, then nothing more is changed or audited', async () => {
    const before = await snapshot(made.past);
    const result = await runRetention(deps(), ctx.clock.now());
    expect(result).toEqual({ listedForReview: 0, mailCleared: 0 });
    expect(await snapshot(made.past)).toEqual(before);
    expect(
      await ctx.db.selectFrom('auditEvents').select('id').where('action', '=', 'referral.anonymised').execute(),
    ).toHaveLength(1);
  });

  test('when a month passes, then the next case falls due and the daily run lists it for review without destroying it', async () => {
    ctx.clock.set('2026-12-11T03:00:00Z');
    const result = await runRetention(deps(), ctx.clock.now());
    expect(result.listedForReview).toBe(1);
    expect((await snapshot(made.soon)).referral.anonymisedAt).toBeNull();
    expect(
      await ctx.db
        .selectFrom('retentionReviews')
        .select('status')
        .where('referralId', '=', made.soon)
        .executeTakeFirst(),
    ).toEqual({ status: 'due' });
    expect((await snapshot(made.recent)).referral.anonymisedAt).toBeNull();
    ctx.clock.set(NOW);
  });

  test('when anything but the purge deletes an audit row, then the database refuses', async () => {
    await expect(ctx.db.deleteFrom('auditEvents').where('action', '=', 'test.recent').execute()).rejects.toThrow(
      /append-only/,
    );
  });
});
