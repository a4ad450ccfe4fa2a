import { createTestContext, type TestContext } from '../support/context';
import { DEMO, postForm, signIn, textOf } from '../support/http';
import { agencyId } from './panels-builders';
import { districtId, makeReferral, uniqueName } from './referrals-builders';
import { publishedPanel } from './research-builders';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ now: '2026-03-10T10:00:00Z' });
});
afterAll(() => ctx.close());

const referralRow = (id: number) =>
  ctx.db
    .selectFrom('referrals')
    .select(['status', 'criteria', 'riskVerdict', 'mergedIntoId', 'districtId'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
const eventKinds = async (id: number) =>
  (
    await ctx.db
      .selectFrom('referralEvents')
      .select('kind')
      .where('referralId', '=', id)
      .orderBy('at')
      .orderBy('id')
      .execute()
  ).map((e) => e.kind);
const count = async (table: 'referralSubjects' | 'referralIncidents', id: number) =>
  Number(
    (
      await ctx.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('referralId', '=', id)
        .executeTakeFirstOrThrow()
    ).n,
  );
const auditOf = (action: string, id: number) =>
  ctx.db
    .selectFrom('auditEvents')
    .select(['details', 'userId'])
    .where('action', '=', action)
    .where('entityId', '=', String(id))
    .execute();

/** The same person referred by two agencies: the second submitted, waiting for screening. */
async function twoReferralsOfOnePerson(firstScreen?: 'accept') {
  const person = {
    kind: 'victim',
    fullName: uniqueName('Dora'),
    dateOfBirth: { day: '2', month: '3', year: '1944' },
  };
  const first = await makeReferral(
    ctx,
    DEMO.police,
    { subjects: [person], links: [] },
    { submit: true, screen: firstScreen },
  );
  const second = await makeReferral(ctx, DEMO.housing, {
    subjects: [{ ...person, fullName: person.fullName.toUpperCase() }],
    links: [],
  });
  return { first, second };
}

describe('duplicates and repeats', () => {
  test('when the same person is referred twice on the same day, then the second is a possible duplicate, not a repeat, and is not made high risk by it', async () => {
    const { first, second } = await twoReferralsOfOnePerson();
    const row = await referralRow(second.id);
    expect(row.criteria).not.toContain('repeat');
    expect(row.riskVerdict).toBe('standard');
    const repeats = await ctx.db
      .selectFrom('referralLinks')
      .select('kind')
      .where('referralId', '=', second.id)
      .where('kind', '=', 'repeat')
      .execute();
    expect(repeats).toEqual([]);
    // The coordinator screening it sees the earlier referral as a possible duplicate, and can merge.
    const admin = await signIn(ctx, DEMO.admin);
    const record = await admin.get(`/referrals/${second.id}`);
    expect(textOf(record.text, 'possible-duplicates')).toBe('Possible duplicates');
    expect(record.text).toContain(`Merge into ${first.reference}`);
  });
});

describe('screening', () => {
  test('a duplicate is merged at screening with both histories kept', async () => {
    const { first, second } = await twoReferralsOfOnePerson('accept');
    const firstEventsBefore = await eventKinds(first.id);
    const subjectsBefore = await count('referralSubjects', second.id);
    const incidentsBefore = await count('referralIncidents', second.id);
    const admin = await signIn(ctx, DEMO.admin);

    const res = await postForm(admin, `/referrals/${second.id}/merge`, {
      intoId: String(first.id),
      mergeNote: 'Same victim, same neighbour dispute.',
    });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/referrals/${second.id}`);

    // The duplicate ends as merged, pointing at the case; the case carries on as it was.
    expect(await referralRow(second.id)).toMatchObject({ status: 'merged', mergedIntoId: first.id });
    expect((await referralRow(first.id)).status).toBe('awaiting-panel');
    // Both histories are kept: the duplicate's subjects, incidents and timeline, and the case's timeline.
    expect(await count('referralSubjects', second.id)).toBe(subjectsBefore);
    expect(await count('referralIncidents', second.id)).toBe(incidentsBefore);
    expect(await eventKinds(second.id)).toEqual(['created', 'submitted', 'merged']);
    expect(await eventKinds(first.id)).toEqual([...firstEventsBefore, 'merged-in']);
    const links = await ctx.db
      .selectFrom('referralLinks')
      .select(['linkedReferralId', 'kind'])
      .where('referralId', '=', second.id)
      .execute();
    expect(links).toEqual([{ linkedReferralId: first.id, kind: 'duplicate' }]);

    const duplicatePage = await admin.get(`/referrals/${second.id}`);
    expect(textOf(duplicatePage.text, 'status')).toBe('Merged into another case');
    expect(duplicatePage.text).toContain(`<a class="govuk-link" href="/referrals/${first.id}">${first.reference}</a>`);
    expect(duplicatePage.text).toContain('Same victim, same neighbour dispute.');
    expect(duplicatePage.text).not.toContain('Screen this referral');
    const casePage = await admin.get(`/referrals/${first.id}`);
    expect(textOf(casePage.text, 'merged-referrals')).toBe('Referrals merged into this case');
    expect(casePage.text).toContain(`href="/referrals/${second.id}">${second.reference}</a>`);

    const admins = await ctx.db.selectFrom('users').select('id').where('email', '=', DEMO.admin).execute();
    expect(await auditOf('referral.merge', second.id)).toEqual([
      { details: { from: 'submitted', to: 'merged', into: first.id }, userId: admins[0].id },
    ]);
    const mail = await ctx.db
      .selectFrom('outbox')
      .select(['subject', 'textBody'])
      .where('kind', '=', 'referral.merge')
      .where('entityId', '=', String(second.id))
      .execute();
    expect(mail).toHaveLength(1);
    expect(mail[0].subject).toContain(second.reference!);
    expect(mail[0].textBody).not.toContain('Dora');

    // The referrer (housing) reads that its referral joined a case, and may not open the police's case.
    const housing = await signIn(ctx, DEMO.housing);
    const own = await housing.get(`/referrals/${second.id}`);
    expect(textOf(own.text, 'status')).toBe('Merged into another case');
    expect(own.text).toContain(`${first.reference}, a case held by another agency`);
    expect(own.text).not.toContain(`href="/referrals/${first.id}"`);

    // A merged referral cannot be screened again.
    const again = await postForm(admin, `/referrals/${second.id}/screen`, { outcome: 'accept' });
    expect(again.status).toBe(303);
    expect((await referralRow(second.id)).status).toBe('merged');
  });

  test('when the coordinator merges into a case that is not a possible duplicate, then it is refused and nothing changes', async () => {
    const { second } = await twoReferralsOfOnePerson('accept');
    const unrelated = await makeReferral(ctx, DEMO.police, {}, { submit: true, screen: 'accept' });
    const admin = await signIn(ctx, DEMO.admin);
    const res = await postForm(admin, `/referrals/${second.id}/merge`, { intoId: String(unrelated.id) });
    expect(res.status).toBe(400);
    expect(res.text).toContain('Choose one of the possible duplicates listed');
    expect((await referralRow(second.id)).status).toBe('submitted');
    expect(await auditOf('referral.merge', second.id)).toEqual([]);
  });

  test('when an agency representative tries to merge or move a referral, then it is forbidden and nothing changes', async () => {
    const { first, second } = await twoReferralsOfOnePerson('accept');
    const housing = await signIn(ctx, DEMO.housing);
    const merge = await postForm(housing, `/referrals/${second.id}/merge`, { intoId: String(first.id) });
    const move = await postForm(housing, `/referrals/${second.id}/move`, {
      districtId: String(await districtId(ctx, 'West Lindsey')),
    });
    expect([merge.status, move.status]).toEqual([403, 403]);
    expect(await referralRow(second.id)).toMatchObject({ status: 'submitted', mergedIntoId: null });
  });

  test('when the coordinator moves a referral to another district at screening, then the case belongs to that district and still waits for screening', async () => {
    const { id } = await makeReferral(ctx, DEMO.police);
    const westLindsey = await districtId(ctx, 'West Lindsey');
    const admin = await signIn(ctx, DEMO.admin);
    const page = await admin.get(`/referrals/${id}`);
    expect(page.text).toContain('Move to the district');

    const blank = await postForm(admin, `/referrals/${id}/move`, { districtId: '' });
    expect(blank.status).toBe(400);
    expect(blank.text).toContain('Select the district to move the referral to');

    const res = await postForm(admin, `/referrals/${id}/move`, { districtId: String(westLindsey) });
    expect(res.status).toBe(303);
    expect(await referralRow(id)).toMatchObject({ status: 'submitted', districtId: westLindsey });
    const after = await admin.get(`/referrals/${id}`);
    expect(after.text).toContain('Moved from Boston to West Lindsey');
    expect(after.text).toContain('Referral moved to West Lindsey');
    expect(await auditOf('referral.move-district', id)).toHaveLength(1);
  });

  test('the screening queue shows how long each referral has waited, the longest first', async () => {
    ctx.clock.set('2026-03-05T09:00:00Z');
    let older: { id: number; reference: string | null };
    try {
      older = await makeReferral(ctx, DEMO.police);
    } finally {
      ctx.clock.set('2026-03-10T10:00:00Z');
    }
    const newer = await makeReferral(ctx, DEMO.housing);
    const admin = await signIn(ctx, DEMO.admin);
    const queue = await admin.get('/referrals?status=submitted');
    expect(queue.status).toBe(200);
    expect(queue.text).toContain('<title>Screening queue');
    const olderAt = queue.text.indexOf(`>${older.reference}<`);
    const newerAt = queue.text.indexOf(`>${newer.reference}<`);
    expect(olderAt).toBeGreaterThan(-1);
    expect(newerAt).toBeGreaterThan(olderAt);
    const row = (ref: string | null) => queue.text.slice(queue.text.indexOf(`>${ref}<`)).split('</tr>')[0];
    expect(row(older.reference)).toContain('Waiting 5 days');
    expect(row(newer.reference)).toContain('Waiting since today');
  });

  test('when a case with a merged referral is on a published agenda, then the invited agencies can read the merged referral too, and others cannot', async () => {
    const { first, second } = await twoReferralsOfOnePerson('accept');
    const admin = await signIn(ctx, DEMO.admin);
    await postForm(admin, `/referrals/${second.id}/merge`, { intoId: String(first.id) });
    await publishedPanel(ctx, {
      districtId: await districtId(ctx, 'Boston'),
      startsAt: '2026-03-24T10:00:00Z',
      agencyIds: [await agencyId(ctx, 'LPFT')],
      researchClosesOn: '2026-03-20',
    });
    const lpft = await signIn(ctx, DEMO.lpft);
    expect((await lpft.get(`/referrals/${first.id}`)).status).toBe(200);
    const merged = await lpft.get(`/referrals/${second.id}`);
    expect(merged.status).toBe(200);
    expect(textOf(merged.text, 'status')).toBe('Merged into another case');
    const council = await signIn(ctx, DEMO.council);
    expect((await council.get(`/referrals/${second.id}`)).status).toBe(404);
  });
});
