import { createTestContext, type TestContext } from '../support/context';
import { DEMO, postForm, signIn, textOf } from '../support/http';
import { actorFor, makeReferral, userNamed } from './referrals-builders';
import { addItem, awaitingCase, makePanel } from './meeting-builders';

let ctx: TestContext;
let admin: Awaited<ReturnType<typeof signIn>>;
let council: Awaited<ReturnType<typeof signIn>>;
let closedCase: { id: number; reference: string | null };
const VICTIM = 'Margaret Ellingham';
beforeAll(async () => {
  ctx = await createTestContext({ now: '2026-11-30T10:00:00Z' });
  admin = await signIn(ctx, DEMO.admin);
  council = await signIn(ctx, DEMO.council);
  closedCase = await makeReferral(
    ctx,
    DEMO.council,
    {
      districtId: String(
        (
          await ctx.db
            .selectFrom('districts')
            .select('id')
            .where('name', '=', 'City of Lincoln')
            .executeTakeFirstOrThrow()
        ).id,
      ),
      subjects: [
        {
          kind: 'victim',
          fullName: VICTIM,
          dateOfBirth: { day: '14', month: '3', year: '1941' },
          address: '12 Brayford Close, Lincoln',
          postcode: 'LN1 3AB',
          vulnerabilities: ['age'],
        },
        {
          kind: 'perpetrator',
          fullName: 'Dale Cropper',
          approximateAge: '35',
          address: '14 Brayford Close, Lincoln',
          postcode: 'LN1 3AB',
        },
      ],
      incidents: [
        { date: { day: '1', month: '9', year: '2026' }, type: 'harassment', summary: 'Banging on the door at night.' },
        { date: { day: '8', month: '9', year: '2026' }, type: 'harassment', summary: 'Shouting in the street.' },
      ],
      triedActions: ['warning', 'abc', 'cpw'],
    },
    { submit: true, screen: 'accept' },
  );
  const chair = await userNamed(ctx, DEMO.admin);
  await ctx.services.referrals.hear(actorFor(chair), closedCase.id);
  await ctx.services.referrals.close(actorFor(chair), closedCase.id, 'risk-reduced');
});
afterAll(() => ctx.close());

const study = (id: number) =>
  ctx.db.selectFrom('caseStudies').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const idFrom = (location: string | undefined) => Number(/\/case-studies\/(\d+)$/.exec(location ?? '')?.[1]);
const interventionId = async (name: string) =>
  String(
    (await ctx.db.selectFrom('caseStudyInterventions').select('id').where('name', '=', name).executeTakeFirstOrThrow())
      .id,
  );

/** The form as the pre-filled page left it, with the author's own words added. */
async function studyBody(overrides: Record<string, unknown> = {}) {
  const form = await council.get(`/case-studies/new?from=${closedCase.id}`);
  const checked = (name: string) =>
    [...form.text.matchAll(new RegExp(`name="${name}" type="checkbox" value="(\\d+)" checked`, 'g'))].map((m) => m[1]);
  const selected = (name: string) =>
    new RegExp(`<select[^>]*name="${name}"[\\s\\S]*?<option value="([^"]+)" selected`).exec(form.text)?.[1] ?? '';
  return {
    sourceReferralId: String(closedCase.id),
    title: 'Harassment of an older resident by a neighbour',
    category: selected('category'),
    placeType: 'residential-street',
    districtId: selected('districtId'),
    agencyIds: checked('agencyIds'),
    interventionIds: checked('interventionIds'),
    interventionsOther: 'Community protection warning',
    whatWorked: 'A joint visit by the police and the council, then an acceptable behaviour contract.',
    whatDidNot: 'Warning letters alone.',
    barriers: 'The victim was afraid to give statements.',
    outcome: 'worked',
    action: 'submit',
    ...overrides,
  };
}

let studyId = 0;

test('a council officer starts a case study from their closed case: the problem, district, agencies and what was tried are filled in, and no one’s personal data', async () => {
  const start = await council.get('/case-studies/start');
  expect(start.text).toContain(`Write a case study from ${closedCase.reference}`);
  const form = await council.get(`/case-studies/new?from=${closedCase.id}`);
  expect(form.status).toBe(200);
  expect(textOf(form.text, 'source')).toContain(`Started from closed case ${closedCase.reference}`);
  expect(form.text).toMatch(/<option value="harassment" selected>/);
  expect(form.text).toMatch(new RegExp(`value="${await interventionId('Warning letter')}" checked`));
  expect(form.text).toMatch(new RegExp(`value="${await interventionId('Acceptable behaviour contract')}" checked`));
  expect(form.text).toContain('value="Community protection warning"');
  for (const personal of ['Margaret', 'Ellingham', 'Cropper', '1941', 'LN1 3AB', 'Brayford'])
    expect(form.text).not.toContain(personal);
});

test('a case that is not closed, or that the officer cannot see, cannot be the source of a study', async () => {
  const open = await awaitingCase(ctx, DEMO.council);
  const res = await council.get(`/case-studies/new?from=${open.id}`);
  expect(res.status).toBe(400);
  const police = await makeReferral(ctx, DEMO.police, {}, { submit: true });
  expect((await council.get(`/case-studies/new?from=${police.id}`)).status).toBe(404);
});

test('when the text names the victim, gives her date of birth or the case’s postcode, the officer is warned before the study is submitted', async () => {
  const before = (await ctx.db.selectFrom('caseStudies').select('id').execute()).length;
  const res = await postForm(
    council,
    '/case-studies/new',
    await studyBody({
      whatWorked: 'Mrs Ellingham felt safer once the contract was signed.',
      barriers: 'She was born 14/03/1941 and lives near ln13ab, so she could not come to meetings.',
    }),
  );
  expect(res.status).toBe(400);
  expect(res.text).toContain('id="personal-data-warning"');
  expect(res.text).toContain('The text holds personal data from the source case');
  expect(res.text).toContain('This text contains a name from the source case');
  expect(res.text).toContain('This text contains a date of birth and a postcode from the source case');
  expect(res.text).toContain('Mrs Ellingham felt safer');
  expect((await ctx.db.selectFrom('caseStudies').select('id').execute()).length).toBe(before);
});

test.each([
  ['category', { category: '' }, 'Select the ASB problem category'],
  ['category', { category: 'burglary' }, 'Select the ASB problem category from the list'],
  ['placeType', { placeType: '' }, 'Select the type of place'],
  ['districtId', { districtId: '999999' }, 'Select a district from the list'],
  ['agencyIds', { agencyIds: [] }, 'Select the agencies involved'],
  ['interventionIds', { interventionIds: ['abc'] }, 'Select the interventions from the list'],
  ['whatWorked', { whatWorked: '' }, 'Enter what worked'],
  ['barriers', { barriers: 'x'.repeat(3001) }, 'The barriers must be 3000 characters or fewer'],
  ['outcome', { outcome: 'brilliant' }, 'Select whether it worked, was promising or did not work'],
  ['title', { title: 'One\r\nTwo' }, 'must be on one line'],
])(
  'when the study is submitted with a bad %s, the message is by the field and nothing is saved',
  async (_f, change, message) => {
    const before = (await ctx.db.selectFrom('caseStudies').select('id').execute()).length;
    const res = await postForm(council, '/case-studies/new', await studyBody(change));
    expect(res.status).toBe(400);
    expect(res.text).toContain(message);
    expect((await ctx.db.selectFrom('caseStudies').select('id').execute()).length).toBe(before);
  },
);

test('a draft needs only a title; the officer then submits the study for approval', async () => {
  const draft = await postForm(council, '/case-studies/new', {
    sourceReferralId: String(closedCase.id),
    title: 'Harassment draft',
    action: 'save',
  });
  expect(draft.status).toBe(303);
  studyId = idFrom(draft.headers.location);
  expect(await study(studyId)).toMatchObject({ status: 'draft', sourceReferralId: closedCase.id });
  const { version } = await study(studyId);
  const submitted = await postForm(council, `/case-studies/${studyId}/edit`, {
    ...(await studyBody()),
    version: String(version),
  });
  expect(submitted.status).toBe(303);
  expect(await study(studyId)).toMatchObject({ status: 'submitted', category: 'harassment', outcome: 'worked' });
  expect(
    (
      await ctx.db
        .selectFrom('auditEvents')
        .select('id')
        .where('action', '=', 'case-study.submit')
        .where('entityId', '=', String(studyId))
        .execute()
    ).length,
  ).toBe(1);
});

test('before approval nobody else can read the study: 404, audited', async () => {
  const police = await signIn(ctx, DEMO.police);
  expect((await police.get(`/case-studies/${studyId}`)).status).toBe(404);
  const denied = await ctx.db
    .selectFrom('auditEvents')
    .select('outcome')
    .where('action', '=', 'case-study.view')
    .where('entityId', '=', String(studyId))
    .execute();
  expect(denied.map((d) => d.outcome)).toContain('denied');
  expect(
    (await postForm(police, `/case-studies/${studyId}/review`, { decision: 'approved', version: '1' })).status,
  ).toBe(403);
});

test('the co-ordinator returns the study with comments, the author corrects it, and the co-ordinator approves it', async () => {
  let { version } = await study(studyId);
  const noComment = await postForm(admin, `/case-studies/${studyId}/review`, {
    decision: 'returned',
    version: String(version),
  });
  expect(noComment.status).toBe(400);
  expect(noComment.text).toContain('Enter comments saying what the author should change');
  const returned = await postForm(admin, `/case-studies/${studyId}/review`, {
    decision: 'returned',
    reviewComments: 'Say how long the contract lasted.',
    version: String(version),
  });
  expect(returned.status).toBe(303);
  const page = await council.get(`/case-studies/${studyId}`);
  expect(page.text).toContain('id="review-comments"');
  expect(page.text).toContain('Say how long the contract lasted.');
  const mail = await ctx.db
    .selectFrom('outbox')
    .selectAll()
    .where('entityType', '=', 'case-study')
    .where('entityId', '=', String(studyId))
    .executeTakeFirstOrThrow();
  expect(mail).toMatchObject({
    toAddress: 'council@example.org',
    subject: 'OFFICIAL-SENSITIVE: Your case study has been returned with comments',
  });
  ({ version } = await study(studyId));
  const resubmitted = await postForm(council, `/case-studies/${studyId}/edit`, {
    ...(await studyBody({ whatWorked: 'A joint visit, then a six-month acceptable behaviour contract.' })),
    version: String(version),
  });
  expect(resubmitted.status).toBe(303);
  ({ version } = await study(studyId));
  const approved = await postForm(admin, `/case-studies/${studyId}/review`, {
    decision: 'approved',
    version: String(version),
  });
  expect(approved.status).toBe(303);
  expect(await study(studyId)).toMatchObject({ status: 'approved', reviewedAt: new Date('2026-11-30T10:00:00Z') });
});

test('every agency’s users search the library by category, intervention, place type, outcome and district', async () => {
  const lpft = await signIn(ctx, DEMO.lpft);
  const district = (await study(studyId)).districtId;
  const abc = await interventionId('Acceptable behaviour contract');
  const found = await lpft.get(
    `/case-studies?category=harassment&interventionId=${abc}&placeType=residential-street&outcome=worked&districtId=${district}`,
  );
  expect(found.status).toBe(200);
  expect(textOf(found.text, 'result-count')).toBe('1 case study matches.');
  expect(found.text).toContain('Harassment of an older resident by a neighbour');
  const none = await lpft.get('/case-studies?category=harassment&outcome=did-not-work');
  expect(textOf(none.text, 'result-count')).toBe('0 case studies match.');
  const bad = await lpft.get('/case-studies?category=burglary&districtId=abc');
  expect(bad.status).toBe(400);
  expect(bad.text).toContain('Select an ASB problem category from the list');
  expect(bad.text).toContain('Select a district from the list');
  expect((await lpft.get(`/case-studies/${studyId}`)).status).toBe(200);
});

test('at screening, a new harassment referral shows the approved study under “Similar case studies”', async () => {
  const fresh = await makeReferral(
    ctx,
    DEMO.police,
    {
      incidents: [
        { date: { day: '2', month: '11', year: '2026' }, type: 'harassment', summary: 'Threats at the door.' },
      ],
    },
    { submit: true },
  );
  const page = await admin.get(`/referrals/${fresh.id}`);
  const similar = page.text.slice(page.text.indexOf('id="similar-case-studies"'), page.text.indexOf('</aside>'));
  expect(similar).toContain('Similar case studies');
  expect(similar).toContain(`href="/case-studies/${studyId}"`);
  const noise = await makeReferral(
    ctx,
    DEMO.police,
    { incidents: [{ date: { day: '2', month: '11', year: '2026' }, type: 'noise', summary: 'Loud music.' }] },
    { submit: true },
  );
  const other = await admin.get(`/referrals/${noise.id}`);
  expect(other.text).toContain('No approved case studies of this kind of problem yet.');
});

test('in meeting mode the chair sees the similar case studies beside a harassment case', async () => {
  const panel = await makePanel(ctx, { startsAt: '2026-11-30T09:00:00Z', status: 'in-progress' });
  const harassment = await makeReferral(
    ctx,
    DEMO.police,
    { incidents: [{ date: { day: '2', month: '11', year: '2026' }, type: 'harassment', summary: 'Threats.' }] },
    { submit: true, screen: 'accept' },
  );
  const itemId = await addItem(ctx, panel.id, harassment.id);
  const chair = await signIn(ctx, DEMO.chair);
  const page = await chair.get(`/panels/${panel.id}/meeting/items/${itemId}`);
  expect(page.status).toBe(200);
  expect(page.text).toContain(`href="/case-studies/${studyId}"`);
});

test('the co-ordinator adds an intervention to the list, refuses a duplicate, and stops offering one', async () => {
  const added = await postForm(admin, '/admin/case-study-interventions', { name: 'Dispersal order' });
  expect(added.status).toBe(303);
  const dup = await postForm(admin, '/admin/case-study-interventions', { name: 'dispersal ORDER' });
  expect(dup.status).toBe(400);
  expect(dup.text).toContain('This intervention is already on the list');
  const empty = await postForm(admin, '/admin/case-study-interventions', { name: '' });
  expect(empty.text).toContain('Enter the name of the intervention');
  const form = await council.get('/case-studies/new');
  expect(form.text).toContain('Dispersal order');
  const id = await interventionId('Dispersal order');
  expect((await postForm(admin, `/admin/case-study-interventions/${id}`, { active: 'false' })).status).toBe(303);
  expect((await council.get('/case-studies/new')).text).not.toContain('Dispersal order');
  expect((await postForm(council, '/admin/case-study-interventions', { name: 'Anything' })).status).toBe(403);
});

test('lists and objects where text is expected get messages by the field, never a server error', async () => {
  const res = await postForm(council, '/case-studies/new', {
    title: ['One', 'Two'],
    category: { code: 'harassment' },
    agencyIds: { 0: 'x' },
    whatWorked: ['a', 'b'],
    action: 'submit',
  });
  expect(res.status).toBe(400);
  expect(res.text).toContain('Enter a title');
  expect(res.text).toContain('Select the ASB problem category');
  const search = await council.get('/case-studies?category[]=noise&outcome[x]=worked');
  expect(search.status).toBe(200);
});
