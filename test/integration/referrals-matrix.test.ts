import { createTestContext, type TestContext } from '../support/context';
import { DEMO, signIn, textOf } from '../support/http';
import { seedDemoData } from '../../src/seed/seed';
import { seedReferrals } from '../../src/seed/demo-referrals';
import { DISTRICTS } from '../../src/seed/demo-foundation';
import { STATUSES } from '../../src/referrals/referral-codes';
import { rawFromMatrix } from '../../src/risk/matrix-form';
import { answers, makeReferral, postReferral } from './referrals-builders';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ now: '2026-03-10T10:00:00Z' });
});
afterAll(() => ctx.close());

async function editorBody() {
  const current = await ctx.services.referrals.riskMatrix.current();
  return rawFromMatrix(current) as unknown as Record<string, unknown>;
}

describe('the risk matrix', () => {
  test('the default matrix has fifteen questions, a threshold and the escalation and repeat rules', async () => {
    const admin = await signIn(ctx, DEMO.admin);
    const page = await admin.get('/admin/risk-matrix');
    expect(page.status).toBe(200);
    expect(textOf(page.text, 'threshold-victim')).toBe('18 (highest possible score 42)');
    expect(page.text).toContain('3 or more incidents in 12 months');
    expect(
      (page.text.match(/<tr class="govuk-table__row">\s*<td class="govuk-table__cell">\d+\. /g) ?? []).length,
    ).toBe(15);
  });

  test('when an administrator adds a question and changes the threshold, then a new version is made and old referrals keep theirs', async () => {
    const oldMatrix = await ctx.services.referrals.riskMatrix.current();
    const scored = await makeReferral(ctx, DEMO.police);
    const draft = await makeReferral(
      ctx,
      DEMO.police,
      { risk: answers(oldMatrix, { 'threats-of-violence': 'yes' }) },
      {},
    );
    const admin = await signIn(ctx, DEMO.admin);

    const body = await editorBody();
    const added = await postReferral(admin, '/admin/risk-matrix/edit', { ...body, action: 'add-question' });
    expect(added.status).toBe(200);
    expect(added.text).toContain('name="questions[15][text]"');
    const questions = [
      ...(body.questions as unknown[]),
      {
        code: '',
        text: 'Has a weapon been seen?',
        hint: '',
        options: [
          { key: 'yes', label: 'Yes', weight: '5' },
          { key: 'no', label: 'No', weight: '0' },
        ],
      },
    ];
    const saved = await postReferral(admin, '/admin/risk-matrix/edit', {
      ...body,
      questions,
      threshold: '20',
      changeNote: 'Weapons question added',
      action: 'save',
    });
    expect(saved.status).toBe(303);
    const page = await admin.get('/admin/risk-matrix');
    expect(page.text).toContain('Version 2 of the risk matrix saved');
    expect(textOf(page.text, 'threshold-victim')).toBe('20 (highest possible score 47)');
    expect(page.text).toContain('Has a weapon been seen?');

    const current = await ctx.services.referrals.riskMatrix.current();
    expect(current.number).toBe(2);
    expect(current.questions.at(-1)?.code).toBe('has-a-weapon-been-seen');
    const old = await ctx.db
      .selectFrom('referrals')
      .select('riskMatrixVersionId')
      .where('id', '=', scored.id)
      .executeTakeFirstOrThrow();
    expect(old.riskMatrixVersionId).toBe(oldMatrix.id);
    const police = await signIn(ctx, DEMO.police);
    expect((await police.get(`/referrals/${scored.id}`)).text).toContain('matrix version 1');

    const form = await police.get('/referrals/new');
    expect(form.text).toContain('Has a weapon been seen?');
    const edit = await police.get(`/referrals/${draft.id}/edit`);
    const threats = current.questions.find((q) => q.code === 'threats-of-violence')!;
    expect(edit.text).toContain(`name="matrixVersionId" value="${current.id}"`);
    expect(edit.text).toMatch(
      new RegExp(`name="risk\\[q${threats.id}\\]" type="radio" value="yes" data-weight="4" checked`),
    );
    const weapon = current.questions.at(-1)!;
    expect(edit.text).not.toMatch(new RegExp(`name="risk\\[q${weapon.id}\\]"[^>]*checked`));
  });

  test('when the form is wrong, then nothing is saved and the messages are by the fields', async () => {
    const admin = await signIn(ctx, DEMO.admin);
    const before = (await ctx.services.referrals.riskMatrix.current()).number;
    const body = await editorBody();
    const res = await postReferral(admin, '/admin/risk-matrix/edit', {
      ...body,
      threshold: '9999',
      changeNote: '',
      action: 'save',
    });
    expect(res.status).toBe(400);
    expect(res.text).toContain(
      'Enter the high-risk threshold of the victim questions as a whole number from 1 to 1000',
    );
    expect(res.text).toContain('Enter what changed and why');
    expect((await ctx.services.referrals.riskMatrix.current()).number).toBe(before);
  });

  test('when someone saved a version meanwhile, then the older form is refused', async () => {
    const admin = await signIn(ctx, DEMO.admin);
    const body = await editorBody();
    const first = await postReferral(admin, '/admin/risk-matrix/edit', {
      ...body,
      changeNote: 'First',
      action: 'save',
    });
    expect(first.status).toBe(303);
    const second = await postReferral(admin, '/admin/risk-matrix/edit', {
      ...body,
      changeNote: 'Second from an old page',
      action: 'save',
    });
    expect(second.status).toBe(409);
    expect(second.text).toContain('Someone else saved version');
    const versions = await ctx.services.referrals.riskMatrix.versions();
    expect(versions.map((v) => v.changeNote)).not.toContain('Second from an old page');
  });

  test('an earlier version can still be read', async () => {
    const admin = await signIn(ctx, DEMO.admin);
    const versions = await ctx.services.referrals.riskMatrix.versions();
    const first = versions.at(-1)!;
    const page = await admin.get(`/admin/risk-matrix/versions/${first.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Earlier version');
    expect((await admin.get('/admin/risk-matrix/versions/999999')).status).toBe(404);
  });
});

describe('demo data', () => {
  test('when the database already holds data, then no demo referrals are added', async () => {
    const before = await ctx.db
      .selectFrom('referrals')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    expect(await seedDemoData(ctx.db, ctx.clock, 'demo-password', ctx.config.baseUrl)).toBe(false);
    const after = await ctx.db
      .selectFrom('referrals')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });

  test('the demo referrals cover every district and every status, with repeats, scores and timelines', async () => {
    const start = await ctx.db
      .selectFrom('referrals')
      .select((eb) => eb.fn.max('id').as('max'))
      .executeTakeFirstOrThrow();
    const added = await seedReferrals(ctx.db, ctx.clock);
    expect(added).toBe(40);
    const rows = await ctx.db
      .selectFrom('referrals')
      .leftJoin('districts', 'districts.id', 'referrals.districtId')
      .select([
        'referrals.id',
        'referrals.status',
        'districts.name as district',
        'referrals.criteria',
        'referrals.riskVerdict',
      ])
      .where('referrals.id', '>', Number(start.max ?? 0))
      .execute();
    expect(rows).toHaveLength(40);
    expect(new Set(rows.map((r) => r.status))).toEqual(new Set(STATUSES));
    expect(new Set(rows.map((r) => r.district))).toEqual(new Set(DISTRICTS));
    expect(rows.some((r) => r.criteria.includes('repeat'))).toBe(true);
    expect(rows.some((r) => r.criteria.includes('judgement'))).toBe(true);
    expect(rows.some((r) => r.riskVerdict === 'standard')).toBe(true);
    const events = await ctx.db
      .selectFrom('referralEvents')
      .select('kind')
      .where(
        'referralId',
        'in',
        rows.map((r) => r.id),
      )
      .execute();
    expect(new Set(events.map((e) => e.kind))).toEqual(
      new Set([
        'created',
        'submitted',
        'accepted',
        'rejected',
        'information-requested',
        'heard',
        'closed',
        'merged',
        'merged-in',
      ]),
    );
    // The demo matrix asks its own questions about perpetrators and locations.
    const matrix = await ctx.services.referrals.riskMatrix.current();
    const count = (kind: string) => matrix.questions.filter((q) => q.subjectKind === kind).length;
    expect(count('victim')).toBeGreaterThanOrEqual(15);
    expect([count('perpetrator'), count('location')]).toEqual([12, 10]);
    expect([matrix.perpetratorThreshold, matrix.locationThreshold]).toEqual([14, 12]);
  });
});
