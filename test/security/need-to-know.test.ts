import { createTestContext, type TestContext } from '../support/context';
import { DEMO, postForm, signIn } from '../support/http';
import { readPdf } from '../support/pdf';
import { agencyId, districtId, makeCase, makePanel } from '../integration/panels-builders';
import { actorFor, makeReferral, uniqueName, userNamed } from '../integration/referrals-builders';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ now: '2026-11-23T10:00:00Z' });
});
afterAll(() => ctx.close());

const revisionOf = async (panelId: number) =>
  String(
    (await ctx.db.selectFrom('panels').select('agendaRevision').where('id', '=', panelId).executeTakeFirstOrThrow())
      .agendaRevision,
  );

/** A Boston panel inviting the police, LPFT and Boston Borough Council, its agenda of three cases published. */
async function publishedPanel() {
  const boston = await districtId(ctx, 'Boston');
  const police = await agencyId(ctx, 'Police');
  const panelId = await makePanel(ctx, {
    districtId: boston,
    startsAt: '2026-12-08T10:00:00Z',
    agencyIds: [police, await agencyId(ctx, 'LPFT'), await agencyId(ctx, 'BBC')],
  });
  const cases = [];
  for (let n = 0; n < 3; n += 1)
    cases.push(await makeCase(ctx, { districtId: boston, referringAgencyId: police, riskScore: 40 - n }));
  const chair = await signIn(ctx, DEMO.chair);
  for (const action of ['propose', 'publish'])
    expect(
      (await postForm(chair, `/panels/${panelId}/agenda`, { action, revision: await revisionOf(panelId) })).status,
    ).toBe(303);
  return { panelId, cases, chair };
}

describe('a case taken off a published agenda', () => {
  test('when an invitee opens the agenda before it is published again, then the page and the PDF no longer show the case or its people', async () => {
    const { panelId, cases, chair } = await publishedPanel();
    const removed = cases[1];
    const lpft = await signIn(ctx, DEMO.lpft);
    const before = await lpft.get(`/panels/${panelId}/agenda`);
    expect(before.text).toContain(removed.reference);
    expect(before.text).toContain(removed.name);

    const item = await ctx.db
      .selectFrom('agendaItems')
      .select('id')
      .where('panelId', '=', panelId)
      .where('referralId', '=', removed.id)
      .executeTakeFirstOrThrow();
    const res = await postForm(chair, `/panels/${panelId}/agenda/items/${item.id}/remove`, {
      reason: 'Closed by the referring agency.',
      revision: await revisionOf(panelId),
    });
    expect(res.status).toBe(303);
    expect((await lpft.get(`/referrals/${removed.id}`)).status).toBe(404);

    const page = await lpft.get(`/panels/${panelId}/agenda`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Version 1');
    expect(page.text).toContain(cases[0].reference);
    expect(page.text).toContain(cases[2].reference);
    expect(page.text).not.toContain(removed.reference);
    expect(page.text).not.toContain(removed.name);
    expect(page.text).toContain('One item has been taken off this agenda since it was published.');

    const pdf = await lpft
      .get(`/panels/${panelId}/agenda.pdf`)
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    expect(pdf.status).toBe(200);
    const text = (await readPdf(pdf.body as Buffer)).pages.join('\n').replace(/\s+/g, '');
    expect(text).toContain(cases[0].reference);
    expect(text).not.toContain(removed.reference);
    expect(text).not.toContain(removed.name.replace(/\s+/g, ''));

    const published = await chair.get(`/panels/${panelId}/agenda/published`);
    expect(published.text).not.toContain(removed.name);
  });
});

describe('the duplicate and repeat checks', () => {
  test("when a referrer's subject matches a case it may not open, then it is told only that a match may exist, and the coordinator sees the case", async () => {
    const person = {
      kind: 'victim',
      fullName: uniqueName('Morgan'),
      dateOfBirth: { day: '9', month: '10', year: '1950' },
      address: '3 Matching Row',
      postcode: 'PE21 7AB',
    };
    const other = () => ({ kind: 'perpetrator', fullName: uniqueName('Sam'), approximateAge: '30' });
    // Heard at a panel and still open: a repeat (heard) and a possible duplicate (open) of the new referral.
    const theirs = await makeReferral(
      ctx,
      DEMO.police,
      { subjects: [person, other()] },
      { submit: true, screen: 'accept' },
    );
    const chair = await userNamed(ctx, DEMO.chair);
    await ctx.services.referrals.hear(actorFor(chair), theirs.id);
    const ours = await makeReferral(ctx, DEMO.housing, { subjects: [person, other()] }, {});
    const housing = await signIn(ctx, DEMO.housing);
    expect((await housing.get(`/referrals/${theirs.id}`)).status).toBe(404);

    const check = await housing.get(`/referrals/${ours.id}/submit`);
    expect(check.status).toBe(200);
    expect(check.text).toContain('There may be an open case about the same people or place held by another agency');
    expect(check.text).toContain('may have been referred by another agency');
    expect(check.text).not.toContain(theirs.reference!);
    expect(check.text).not.toContain(`value="${theirs.id}"`);
    expect(check.text).not.toContain('referred by Police');

    // A hand-made post naming the other case does not link it.
    const { version } = await ctx.db
      .selectFrom('referrals')
      .select('version')
      .where('id', '=', ours.id)
      .executeTakeFirstOrThrow();
    const submitted = await postForm(housing, `/referrals/${ours.id}/submit`, {
      version: String(version),
      linkTo: String(theirs.id),
    });
    expect(submitted.status).toBe(303);
    const duplicates = await ctx.db
      .selectFrom('referralLinks')
      .select('linkedReferralId')
      .where('referralId', '=', ours.id)
      .where('kind', '=', 'duplicate')
      .execute();
    expect(duplicates).toEqual([]);

    const record = await housing.get(`/referrals/${ours.id}`);
    expect(record.status).toBe(200);
    expect(record.text).toContain('A case held by another agency');
    expect(record.text).not.toContain(theirs.reference!);

    const coordinator = await signIn(ctx, DEMO.admin);
    const screening = await coordinator.get(`/referrals/${ours.id}`);
    expect(screening.text).toContain('id="possible-duplicates"');
    expect(screening.text).toContain(`href="/referrals/${theirs.id}">${theirs.reference}</a>`);
    expect(screening.text).toContain('referred by Police');
  });
});
