import { hashPassword } from '../../src/auth/passwords';
import { runRetention } from '../../src/retention/retention.service';
import { createTestContext, type TestContext } from '../support/context';
import { DEMO, postForm, signIn, type Agent } from '../support/http';
import { DEMO_PASSWORD } from '../support/paths';
import { ids, referral, type Ids } from './insight-builders';

let ctx: TestContext;
let id: Ids;
let admin: Agent & { csrf: string };
let second: Agent & { csrf: string };
let secondId: number;
const NOW = '2026-11-23T10:00:00Z';
const made: Record<string, number> = {};
const SECOND_ADMIN = 'second.admin@example.org';

const deps = () => ({ db: ctx.db, documents: ctx.services.pdfDocuments, mailDir: null });
const review = (referralId: number) =>
  ctx.db.selectFrom('retentionReviews').selectAll().where('referralId', '=', referralId).executeTakeFirstOrThrow();
async function decide(agent: Agent & { csrf: string }, referralId: number, fields: Record<string, unknown>) {
  const { version } = await review(referralId);
  return postForm(agent, `/admin/retention/reviews/${referralId}`, { version: String(version), ...fields });
}
const closedCase = (closedAt: string, name: string) =>
  referral(ctx, id, {
    district: 'Boston',
    submittedAt: '2019-01-10T10:00:00Z',
    status: 'closed',
    closedAt,
    subjects: [{ kind: 'victim', name }],
  });

beforeAll(async () => {
  ctx = await createTestContext({ now: NOW });
  id = await ids(ctx);
  made.destroy = await closedCase('2020-01-01T10:00:00Z', 'Dana Appraised');
  made.extend = await closedCase('2020-02-01T10:00:00Z', 'Eli Extended');
  made.hold = await closedCase('2020-03-01T10:00:00Z', 'Harper Held');
  const agency = (
    await ctx.db.selectFrom('users').select('agencyId').where('email', '=', DEMO.admin).executeTakeFirstOrThrow()
  ).agencyId;
  secondId = (
    await ctx.db
      .insertInto('users')
      .values({
        email: SECOND_ADMIN,
        name: 'Sam Second',
        role: 'administrator',
        agencyId: agency,
        passwordHash: await hashPassword(DEMO_PASSWORD),
      })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id;
  await ctx.db
    .insertInto('auditEvents')
    .values([
      { action: 'test.ancient', outcome: 'success', at: new Date('2023-06-01T10:00:00Z') },
      { action: 'test.recent', outcome: 'success', at: new Date('2025-06-01T10:00:00Z') },
    ])
    .execute();
  await runRetention(deps(), ctx.clock.now());
  [admin, second] = await Promise.all([signIn(ctx, DEMO.admin), signIn(ctx, SECOND_ADMIN)]);
}, 60_000);
afterAll(() => ctx.close());

describe('appraisal', () => {
  test('when the job has run, then every case past its period waits on the review list, none destroyed', async () => {
    const page = await admin.get('/admin/retention');
    for (const referralId of Object.values(made))
      expect(page.text).toContain(`href="/admin/retention/reviews/${referralId}"`);
    expect(page.text).toContain('3 cases to review.');
    const anonymised = await ctx.db
      .selectFrom('referrals')
      .select('anonymisedAt')
      .where('id', 'in', Object.values(made))
      .execute();
    expect(anonymised.every((r) => r.anonymisedAt === null)).toBe(true);
  });

  test.each([
    [{}, 'decision', 'Choose what happens to this case'],
    [{ decision: 'shred' }, 'decision', 'Choose what happens to this case'],
    [{ decision: 'destroy' }, 'confirm', 'Confirm that this case’s personal data is to be destroyed'],
    [{ decision: 'extend', reason: 'Civil claim expected' }, 'until', 'Enter the date to keep it until'],
    [
      { decision: 'extend', reason: 'Civil claim expected', until: { day: '1', month: '1', year: '2026' } },
      'until',
      'The date to keep it until must be in the future',
    ],
    [
      { decision: 'extend', reason: 'Civil claim expected', until: { day: '31', month: '2', year: '2028' } },
      'until',
      'The date to keep it until must be a real date',
    ],
    [
      { decision: 'extend', reason: '', until: { day: '1', month: '1', year: '2028' } },
      'reason',
      'Enter why the case is kept longer',
    ],
    [{ decision: 'hold', reason: 'x'.repeat(2001) }, 'reason', 'The reason must be 2000 characters or fewer'],
    [{ decision: 'hold' }, 'reason', 'Enter the reason for the legal hold'],
    [{ decision: 'lift' }, 'decision', 'This case is not on hold'],
  ])(
    'when %j is sent, then it is refused with a message by the field, what was typed is kept and nothing changes',
    async (fields, field, message) => {
      const before = await review(made.extend);
      const res = await decide(admin, made.extend, fields);
      expect(res.status).toBe(400);
      expect(res.text).toContain(`id="${field}-error"`);
      expect(res.text).toContain(message);
      if ('reason' in fields && fields.reason && fields.reason.length < 100) expect(res.text).toContain(fields.reason);
      expect(await review(made.extend)).toEqual(before);
    },
  );

  test('when the coordinator keeps a case longer with a reason, then it leaves the review list until that date, and comes back after it', async () => {
    const res = await decide(admin, made.extend, {
      decision: 'extend',
      reason: 'Civil claim expected',
      until: { day: '1', month: '6', year: '2027' },
    });
    expect(res.status).toBe(303);
    expect(await review(made.extend)).toMatchObject({
      status: 'extended',
      keepUntil: new Date('2027-05-31T23:00:00Z'),
      reason: 'Civil claim expected',
      decidedBy: id.user(DEMO.admin),
    });
    const page = await admin.get('/admin/retention');
    expect(/<table[^>]*id="due"[\s\S]*?<\/table>/.exec(page.text)?.[0]).not.toContain(`/reviews/${made.extend}"`);
    expect(/<table[^>]*id="kept"[\s\S]*?<\/table>/.exec(page.text)?.[0]).toContain('Kept until 1 June 2027');
    ctx.clock.set('2027-06-02T03:00:00Z');
    expect((await runRetention(deps(), ctx.clock.now())).listedForReview).toBe(1);
    expect((await review(made.extend)).status).toBe('due');
    ctx.clock.set(NOW);
  });

  test('when a legal hold is placed, then the clock stops; when lifted, the case is due again that much later', async () => {
    expect((await decide(admin, made.hold, { decision: 'hold', reason: 'Inquest pending' })).status).toBe(303);
    expect(await review(made.hold)).toMatchObject({
      status: 'held',
      heldSince: new Date(NOW),
      reason: 'Inquest pending',
    });
    // A held case cannot be destroyed, even by a hand-made request.
    const refused = await decide(admin, made.hold, { decision: 'destroy', confirm: 'true' });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('Only a case on the review list can be destroyed');
    // Held for 100 days, at a time when it was already due: after lifting it is due again at once.
    ctx.clock.set('2027-03-03T10:00:00Z');
    second = await signIn(ctx, SECOND_ADMIN);
    const page = await second.get(`/admin/retention/reviews/${made.hold}`);
    expect(page.text).toContain('Lift the legal hold');
    expect(page.text).not.toContain('value="destroy"');
    expect((await decide(second, made.hold, { decision: 'lift' })).status).toBe(303);
    expect(await review(made.hold)).toMatchObject({ status: 'due', heldSince: null, decidedBy: secondId });
    ctx.clock.set(NOW);
    admin = await signIn(ctx, DEMO.admin);
    second = await signIn(ctx, SECOND_ADMIN);
  });

  test('when the review page was loaded before someone else decided, then the decision is refused', async () => {
    const { version } = await review(made.destroy);
    await ctx.db
      .updateTable('retentionReviews')
      .set({ version: version + 1 })
      .where('referralId', '=', made.destroy)
      .execute();
    const res = await postForm(admin, `/admin/retention/reviews/${made.destroy}`, {
      decision: 'destroy',
      confirm: 'true',
      version: String(version),
    });
    expect(res.status).toBe(409);
    expect(res.text).toContain('Someone else decided on this case meanwhile');
    expect((await review(made.destroy)).status).toBe('due');
  });

  test('when destruction is confirmed, then the certificate says what, when and who approved, with no personal data', async () => {
    expect((await decide(admin, made.destroy, { decision: 'destroy', confirm: 'true' })).status).toBe(303);
    const page = await admin.get('/admin/retention/certificates');
    expect(page.status).toBe(200);
    const row = /<tr class="govuk-table__row" id="certificate-\d+">[\s\S]*?<\/tr>/.exec(page.text)![0];
    expect(row).toContain('Boston');
    expect(row).toContain('1 January 2020');
    expect(row).toContain('23 November 2026');
    expect(row).toContain('Subjects: 1');
    const certificate = await ctx.db.selectFrom('destructionCertificates').selectAll().executeTakeFirstOrThrow();
    expect(JSON.stringify(certificate)).not.toContain('Dana');
    expect(certificate.approvedBy).toBe(id.user(DEMO.admin));
    expect((await review(made.destroy)).status).toBe('destroyed');
    expect((await admin.get(`/admin/retention/reviews/${made.destroy}`)).status).toBe(404);
    const chair = await signIn(ctx, DEMO.chair);
    expect((await chair.get('/admin/retention/certificates')).status).toBe(403);
    expect(
      (await postForm(chair, `/admin/retention/reviews/${made.extend}`, { decision: 'destroy', confirm: 'true' }))
        .status,
    ).toBe(403);
  });
});

describe('two administrators for the audit trail', () => {
  test('when one administrator asks for a shorter audit period, then nothing changes until a second approves', async () => {
    expect((await postForm(admin, '/admin/retention/audit-period', { auditYears: 'one' })).text).toContain(
      'Enter how long audit records are kept as a whole number of years, like 2',
    );
    const same = await postForm(admin, '/admin/retention/audit-period', { auditYears: '2' });
    expect(same.status).toBe(400);
    expect(same.text).toContain('Audit records are already kept for 2 years');
    expect((await postForm(admin, '/admin/retention/audit-period', { auditYears: '1' })).status).toBe(303);
    const pending = await ctx.db
      .selectFrom('retentionApprovals')
      .selectAll()
      .where('status', '=', 'pending')
      .executeTakeFirstOrThrow();
    expect(
      (await ctx.db.selectFrom('retentionSettings').select('auditYears').executeTakeFirstOrThrow()).auditYears,
    ).toBe(2);
    const own = await postForm(admin, `/admin/retention/approvals/${pending.id}`, { decision: 'approve' });
    expect(own.status).toBe(400);
    expect(own.text).toContain('Another administrator must approve or refuse what you asked for');
    expect((await postForm(second, `/admin/retention/approvals/${pending.id}`, { decision: 'approve' })).status).toBe(
      303,
    );
    expect(
      (await ctx.db.selectFrom('retentionSettings').select('auditYears').executeTakeFirstOrThrow()).auditYears,
    ).toBe(1);
    expect(
      await ctx.db
        .selectFrom('retentionApprovals')
        .select(['status', 'decidedBy'])
        .where('id', '=', pending.id)
        .executeTakeFirstOrThrow(),
    ).toEqual({ status: 'approved', decidedBy: secondId });
  });

  test('when a purge is asked for and approved by a second administrator, then only rows older than the period are deleted', async () => {
    expect((await postForm(admin, '/admin/retention/audit-purge')).status).toBe(303);
    const pending = await ctx.db
      .selectFrom('retentionApprovals')
      .selectAll()
      .where('status', '=', 'pending')
      .executeTakeFirstOrThrow();
    expect(pending.purgeBefore).toEqual(new Date('2025-11-23T10:00:00Z'));
    expect((await postForm(admin, `/admin/retention/approvals/${pending.id}`, { decision: 'bogus' })).status).toBe(400);
    const page = await second.get('/admin/retention');
    expect(page.text).toContain(`id="approval-${pending.id}"`);
    expect((await postForm(second, `/admin/retention/approvals/${pending.id}`, { decision: 'approve' })).status).toBe(
      303,
    );
    const left = (
      await ctx.db.selectFrom('auditEvents').select('action').where('action', 'like', 'test.%').execute()
    ).map((a) => a.action);
    expect(left).toEqual([]);
    expect(
      await ctx.db
        .selectFrom('auditEvents')
        .select('details')
        .where('action', '=', 'audit.purged')
        .executeTakeFirstOrThrow(),
    ).toEqual({ details: expect.objectContaining({ approvalId: pending.id }) as unknown });
    // Approved once, used once: the database function refuses it again.
    await expect(
      ctx.db
        .transaction()
        .execute((trx) =>
          trx
            .selectNoFrom((eb) =>
              eb.fn<number>('purge_audit_events', [eb.val(pending.id), eb.val(new Date(NOW))]).as('n'),
            )
            .execute(),
        ),
    ).rejects.toThrow(/not approved by a second administrator/);
  });

  test('when a request is withdrawn by the one who asked, then nothing happens; another cannot withdraw it', async () => {
    expect((await postForm(admin, '/admin/retention/audit-purge')).status).toBe(303);
    const pending = await ctx.db
      .selectFrom('retentionApprovals')
      .selectAll()
      .where('status', '=', 'pending')
      .executeTakeFirstOrThrow();
    expect((await postForm(second, `/admin/retention/approvals/${pending.id}`, { decision: 'withdraw' })).status).toBe(
      400,
    );
    expect((await postForm(admin, `/admin/retention/approvals/${pending.id}`, { decision: 'withdraw' })).status).toBe(
      303,
    );
    expect((await postForm(second, `/admin/retention/approvals/${pending.id}`, { decision: 'approve' })).status).toBe(
      404,
    );
  });

  test('when nothing but the purge function deletes or changes an audit row, then the database refuses', async () => {
    const { id: rowId } = await ctx.db
      .selectFrom('auditEvents')
      .select('id')
      .where('action', '=', 'audit.purged')
      .executeTakeFirstOrThrow();
    await expect(ctx.db.deleteFrom('auditEvents').where('id', '=', rowId).execute()).rejects.toThrow(/append-only/);
    await expect(
      ctx.db.updateTable('auditEvents').set({ action: 'x' }).where('id', '=', rowId).execute(),
    ).rejects.toThrow(/append-only/);
  });
});

describe('sent e-mails', () => {
  test('when a message was sent more than the configured days ago, then its text and attachments are cleared and who, when and status are kept', async () => {
    const values = (sentAt: string) => ({
      kind: 'minutes',
      toAddress: DEMO.police,
      subject: 'OFFICIAL-SENSITIVE: Minutes',
      textBody: 'The approved minutes are attached.',
      attachments: JSON.stringify([{ filename: 'm.pdf', contentType: 'application/pdf', contentBase64: 'JVBERi0=' }]),
      status: 'sent' as const,
      sentAt: new Date(sentAt),
      nextAttemptAt: new Date(sentAt),
    });
    const [old, recent] = await ctx.db
      .insertInto('outbox')
      .values([values('2026-10-20T10:00:00Z'), values('2026-11-01T10:00:00Z')])
      .returning('id')
      .execute();
    expect(await runRetention(deps(), ctx.clock.now())).toEqual({ listedForReview: 0, mailCleared: 1 });
    const rows = await ctx.db
      .selectFrom('outbox')
      .select(['id', 'toAddress', 'subject', 'status', 'sentAt', 'textBody', 'attachments', 'bodyClearedAt'])
      .where('id', 'in', [old.id, recent.id])
      .orderBy('id')
      .execute();
    expect(rows[0]).toMatchObject({
      toAddress: DEMO.police,
      subject: 'OFFICIAL-SENSITIVE: Minutes',
      status: 'sent',
      sentAt: new Date('2026-10-20T10:00:00Z'),
      textBody: '',
      attachments: [],
      bodyClearedAt: new Date(NOW),
    });
    expect(rows[1]).toMatchObject({ textBody: 'The approved minutes are attached.', bodyClearedAt: null });
  });
});
