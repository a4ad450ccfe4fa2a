import { seedDemoRiskMatrix } from '../../src/seed/demo-risk-matrix';
import type { Matrix } from '../../src/risk/scoring';
import { createTestContext, type TestContext } from '../support/context';
import { DEMO, signIn, textOf } from '../support/http';
import { makeReferral, postReferral, referralBody, uniqueName } from './referrals-builders';

let ctx: TestContext;
let matrix: Matrix;
beforeAll(async () => {
  ctx = await createTestContext({ now: '2026-03-10T10:00:00Z' });
  // The demo matrix: the victim questions, and the perpetrator and location questions with their thresholds.
  await seedDemoRiskMatrix(ctx.db, null);
  matrix = await ctx.services.referrals.riskMatrix.current();
});
afterAll(() => ctx.close());

/** Answers only the questions about one kind of subject: "yes" to the codes given, the lowest answer to the rest. */
function answersAbout(kind: string, yes: string[]): Record<string, string> {
  return Object.fromEntries(
    matrix.questions
      .filter((q) => q.subjectKind === kind)
      .map((q) => [
        `q${q.id}`,
        yes.includes(q.code) ? 'yes' : [...q.options].sort((a, b) => a.weight - b.weight)[0].key,
      ]),
  );
}

const perpetratorOnly = () => ({
  subjects: [
    {
      kind: 'perpetrator',
      fullName: uniqueName('Lee'),
      approximateAge: '24',
      address: `3 ${uniqueName('x').split(' ')[1]} Road\nBoston`,
      postcode: 'PE21 8QR',
    },
  ],
  links: [],
});

const row = (id: number) =>
  ctx.db
    .selectFrom('referrals')
    .select(['riskScore', 'riskVerdict', 'criteria'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();

describe('questions for each kind of subject', () => {
  test('a perpetrator referral is scored on perpetrator questions', async () => {
    // Violence 4, weapons 4, breaches 3, escalating 3: 14, the perpetrator threshold. No victim question is answered.
    const high = await makeReferral(ctx, DEMO.police, {
      ...perpetratorOnly(),
      risk: answersAbout('perpetrator', ['perp-violence', 'perp-weapons', 'perp-breaches', 'perp-escalating']),
    });
    expect(await row(high.id)).toEqual({ riskScore: 14, riskVerdict: 'high', criteria: ['score'] });

    const below = await makeReferral(ctx, DEMO.police, {
      ...perpetratorOnly(),
      risk: answersAbout('perpetrator', ['perp-violence', 'perp-weapons']),
    });
    expect(await row(below.id)).toEqual({ riskScore: 8, riskVerdict: 'standard', criteria: [] });

    const admin = await signIn(ctx, DEMO.admin);
    const record = await admin.get(`/referrals/${high.id}`);
    expect(textOf(record.text, 'risk-scored-on')).toBe('The perpetrator questions');
    expect(record.text).toContain('Perpetrator question');
    expect(record.text).not.toContain('Victim question');
  });

  test('when a perpetrator referral leaves a perpetrator question unanswered, then it cannot be submitted, and victim questions are not asked of it', async () => {
    const police = await signIn(ctx, DEMO.police);
    const risk = answersAbout('perpetrator', []);
    const skipped = matrix.questions.find((q) => q.code === 'perp-weapons')!;
    delete risk[`q${skipped.id}`];
    const body = await referralBody(ctx, { ...perpetratorOnly(), risk });
    const res = await postReferral(police, '/referrals/new', { ...body, action: 'continue' });
    expect(res.status).toBe(400);
    expect(res.text).toContain(`Answer question ${skipped.position} of the risk assessment`);
    const victimQuestion = matrix.questions.find((q) => q.subjectKind === 'victim')!;
    expect(res.text).not.toContain(`Answer question ${victimQuestion.position} of the risk assessment`);
  });

  test('a referral of a victim and a perpetrator is high risk when either meets its own threshold', async () => {
    const body = await referralBody(ctx);
    const { id } = await makeReferral(ctx, DEMO.police, {
      subjects: body.subjects,
      risk: {
        ...answersAbout('victim', []),
        ...answersAbout('perpetrator', ['perp-violence', 'perp-weapons', 'perp-hate', 'perp-persistent']),
      },
    });
    expect(await row(id)).toMatchObject({ riskVerdict: 'high', criteria: ['score'], riskScore: 15 });
    const admin = await signIn(ctx, DEMO.admin);
    const record = await admin.get(`/referrals/${id}`);
    expect(textOf(record.text, 'risk-score-victim')).toBe('0 of 42 (threshold 18)');
    expect(textOf(record.text, 'risk-score-perpetrator')).toBe('15 of 34 (threshold 14) Meets the threshold');
  });

  test('the referral form asks the questions about victims, perpetrators and locations in their own sections', async () => {
    const police = await signIn(ctx, DEMO.police);
    const form = await police.get('/referrals/new');
    for (const kind of ['victim', 'perpetrator', 'location']) expect(form.text).toContain(`id="risk-${kind}"`);
    expect(form.text).toMatch(/id="risk-preview-perpetrator">\s*Score so far: <strong>0<\/strong> \(threshold 14\)/);
    expect(form.text).toMatch(/id="risk-preview-location">\s*Score so far: <strong>0<\/strong> \(threshold 12\)/);
  });

  test('the administrator sees the questions and threshold of each kind of subject on the risk matrix page', async () => {
    const admin = await signIn(ctx, DEMO.admin);
    const page = await admin.get('/admin/risk-matrix');
    expect(textOf(page.text, 'threshold-victim')).toBe('18 (highest possible score 42)');
    expect(textOf(page.text, 'threshold-perpetrator')).toBe('14 (highest possible score 34)');
    expect(textOf(page.text, 'threshold-location')).toBe('12 (highest possible score 27)');
    expect(page.text).toContain('Is the perpetrator known to carry, or to have access to, weapons?');
    expect(page.text).toContain('Is there drug dealing or drug use at this place?');
  });

  test('when a high-risk referral is checked and submitted, then its verdict is shown in red, not in a green success panel', async () => {
    const police = await signIn(ctx, DEMO.police);
    const body = await referralBody(ctx, {
      ...perpetratorOnly(),
      risk: answersAbout('perpetrator', ['perp-violence', 'perp-weapons', 'perp-hate', 'perp-breaches']),
    });
    const created = await postReferral(police, '/referrals/new', { ...body, action: 'continue' });
    expect(created.status).toBe(303);
    const check = await police.get(created.headers.location);
    expect(check.text).not.toContain('govuk-panel--confirmation');
    expect(check.text).toMatch(/<strong class="govuk-tag govuk-tag--red" id="verdict">High risk<\/strong>/);
    expect(textOf(check.text, 'score-perpetrator')).toBe('Score 15 of 34 (threshold 14) Meets the threshold');
    const version = /name="version" value="(\d+)"/.exec(check.text)![1];
    const submitted = await postReferral(police, created.headers.location, { version });
    expect(submitted.status).toBe(303);
    const record = await police.get(submitted.headers.location);
    expect(record.text).toContain('It meets the high-risk criteria');
    expect(record.text).not.toContain('govuk-notification-banner--success');
  });
});
