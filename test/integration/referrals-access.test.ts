import { createTestContext, type TestContext } from '../support/context';
import { anonymous, DEMO, postForm, signIn } from '../support/http';
import { canSeeReferral } from '../../src/referrals/case-access';
import { makeReferral, postReferral, referralBody, userNamed } from './referrals-builders';

let ctx: TestContext;
let policeCase: { id: number; reference: string | null };
let policeDraft: { id: number };
let housingDraft: { id: number };

beforeAll(async () => {
  ctx = await createTestContext({ now: '2026-03-10T10:00:00Z' });
  policeCase = await makeReferral(ctx, DEMO.police);
  policeDraft = await makeReferral(ctx, DEMO.police, {}, {});
  housingDraft = await makeReferral(ctx, DEMO.housing, {}, {});
});
afterAll(() => ctx.close());

const audit = (action: string, entityId: number) =>
  ctx.db
    .selectFrom('auditEvents')
    .selectAll()
    .where('action', '=', action)
    .where('entityId', '=', String(entityId))
    .orderBy('id')
    .execute();

describe('who sees a case', () => {
  test.each([
    [DEMO.police, 200],
    ['police.deputy@example.org', 200],
    [DEMO.admin, 200],
    [DEMO.chair, 200],
    ['chair.east@example.org', 200],
    [DEMO.lpft, 404],
    [DEMO.housing, 404],
    [DEMO.council, 404],
  ])('when %s opens a police referral, then the answer is %i', async (email, status) => {
    const agent = await signIn(ctx, email);
    const res = await agent.get(`/referrals/${policeCase.id}`);
    expect(res.status).toBe(status);
    if (status === 200) expect(res.text).toContain(policeCase.reference);
    else expect(res.text).not.toContain(policeCase.reference);
  });

  test('when another agency asks for a referral by id, then it is 404 exactly like an unknown id, and the attempt is audited as denied', async () => {
    const lpft = await signIn(ctx, DEMO.lpft);
    const user = await userNamed(ctx, DEMO.lpft);
    const before = (await audit('referral.view', policeCase.id)).length;
    const forbidden = await lpft.get(`/referrals/${policeCase.id}`);
    const unknown = await lpft.get('/referrals/987654');
    expect(forbidden.status).toBe(404);
    expect(forbidden.text.replace(/[a-f0-9-]{36}/g, '')).toBe(unknown.text.replace(/[a-f0-9-]{36}/g, ''));
    const rows = await audit('referral.view', policeCase.id);
    expect(rows).toHaveLength(before + 1);
    expect(rows.at(-1)).toMatchObject({
      outcome: 'denied',
      userId: user.id,
      agencyId: user.agencyId,
      entityType: 'referral',
      entityId: String(policeCase.id),
    });
    expect(rows.at(-1)?.ip).toBeTruthy();
  });

  test.each([
    ['get', '/edit'],
    ['get', '/submit'],
    ['get', '/discard'],
    ['post', '/edit'],
    ['post', '/submit'],
    ['post', '/discard'],
  ])(
    'when another agency tries %s %s on a referral, then it is 404, audited, and nothing changes',
    async (method, suffix) => {
      const housing = await signIn(ctx, DEMO.housing);
      const url = `/referrals/${policeDraft.id}${suffix}`;
      const before = await ctx.db
        .selectFrom('referrals')
        .select(['version', 'status', 'reason'])
        .where('id', '=', policeDraft.id)
        .executeTakeFirstOrThrow();
      const res =
        method === 'get'
          ? await housing.get(url)
          : await postReferral(housing, url, {
              ...(await referralBody(ctx)),
              reason: 'Hijacked',
              version: '2',
              action: 'save',
            });
      expect(res.status).toBe(404);
      expect(
        await ctx.db
          .selectFrom('referrals')
          .select(['version', 'status', 'reason'])
          .where('id', '=', policeDraft.id)
          .executeTakeFirstOrThrow(),
      ).toEqual(before);
      const denied = await ctx.db
        .selectFrom('auditEvents')
        .selectAll()
        .where('entityId', '=', String(policeDraft.id))
        .where('outcome', '=', 'denied')
        .orderBy('id', 'desc')
        .executeTakeFirstOrThrow();
      expect(denied.userId).toBe((await userNamed(ctx, DEMO.housing)).id);
    },
  );

  test("a draft stays with its agency: administrators and chairs do not see another agency's draft", async () => {
    for (const email of [DEMO.admin, DEMO.chair]) {
      const agent = await signIn(ctx, email);
      expect((await agent.get(`/referrals/${housingDraft.id}`)).status).toBe(404);
    }
    const colleague = await signIn(ctx, DEMO.housing);
    expect((await colleague.get(`/referrals/${housingDraft.id}`)).status).toBe(200);
  });

  test('a colleague in the same agency can continue a draft; a deputy of another agency cannot', async () => {
    const deputy = await signIn(ctx, 'police.deputy@example.org');
    expect((await deputy.get(`/referrals/${policeDraft.id}/edit`)).status).toBe(200);
    const otherDeputy = await signIn(ctx, 'lpft.deputy@example.org');
    expect((await otherDeputy.get(`/referrals/${policeDraft.id}/edit`)).status).toBe(404);
  });

  test('an administrator can read a submitted referral of another agency but not change it', async () => {
    const admin = await signIn(ctx, DEMO.admin);
    const res = await admin.get(`/referrals/${policeCase.id}/edit`);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/referrals/${policeCase.id}`);
  });

  test('the one access function agrees with the pages', async () => {
    const [police, lpft, admin] = await Promise.all([
      userNamed(ctx, DEMO.police),
      userNamed(ctx, DEMO.lpft),
      userNamed(ctx, DEMO.admin),
    ]);
    expect(await canSeeReferral(ctx.db, police, policeCase.id)).toBe(true);
    expect(await canSeeReferral(ctx.db, lpft, policeCase.id)).toBe(false);
    expect(await canSeeReferral(ctx.db, admin, policeCase.id)).toBe(true);
    expect(await canSeeReferral(ctx.db, admin, housingDraft.id)).toBe(false);
  });
});

describe('the list shows only what the user may see', () => {
  test("a representative's list and search hold only their agency's referrals", async () => {
    const other = await makeReferral(ctx, DEMO.housing);
    const police = await signIn(ctx, DEMO.police);
    const list = await police.get('/referrals');
    expect(list.text).toContain(policeCase.reference);
    expect(list.text).not.toContain(other.reference);
    const byReference = await police.get(`/referrals?q=${other.reference}`);
    expect(byReference.text).toContain('0 referrals');
    const housing = await signIn(ctx, DEMO.housing);
    expect((await housing.get('/referrals')).text).toContain(other.reference);
  });

  test('administrators list every submitted referral and only their own drafts', async () => {
    const admin = await signIn(ctx, DEMO.admin);
    const list = await admin.get('/referrals?sort=updated');
    expect(list.text).toContain(policeCase.reference);
    expect(list.text).not.toContain(`href="/referrals/${housingDraft.id}"`);
    expect(list.text).not.toContain(`href="/referrals/${policeDraft.id}"`);
  });
});

describe('role rules on routes', () => {
  test('only administrators use the risk matrix pages', async () => {
    for (const email of [DEMO.chair, DEMO.police]) {
      const agent = await signIn(ctx, email);
      expect((await agent.get('/admin/risk-matrix')).status).toBe(403);
      expect((await agent.get('/admin/risk-matrix/edit')).status).toBe(403);
      expect((await postForm(agent, '/admin/risk-matrix/edit', { threshold: '1' })).status).toBe(403);
    }
  });

  test('signed-out visitors are sent to sign in, and nothing is shown', async () => {
    const visitor = await anonymous(ctx);
    for (const path of ['/referrals', '/referrals/new', `/referrals/${policeCase.id}`]) {
      const res = await visitor.get(path);
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/login');
    }
  });
});

describe('the audit trail', () => {
  test('every view, search and change of a referral is recorded, with ids and codes but no personal details', async () => {
    const agent = await signIn(ctx, DEMO.police);
    const user = await userNamed(ctx, DEMO.police);
    const body = await referralBody(ctx);
    const firstSubject = body.subjects[0].fullName!;
    const started = ctx.clock.now().getTime();
    const saved = await postReferral(agent, '/referrals/new', { ...body, action: 'continue' });
    const id = Number(/\/referrals\/(\d+)\//.exec(saved.headers.location)?.[1]);
    const check = await agent.get(`/referrals/${id}/submit`);
    await postReferral(agent, `/referrals/${id}/submit`, {
      version: /name="version" value="(\d+)"/.exec(check.text)![1],
    });
    await agent.get(`/referrals/${id}`);
    await agent.get(`/referrals?q=${encodeURIComponent(firstSubject)}&status=submitted&page=1`);

    const rows = await ctx.db
      .selectFrom('auditEvents')
      .selectAll()
      .where('userId', '=', user.id)
      .where('at', '>=', new Date(started - 5 * 60_000))
      .where('action', 'like', 'referral.%')
      .orderBy('id')
      .execute();
    const mine = rows.filter((r) => r.entityId === String(id) || r.action === 'referral.search');
    expect(mine.map((r) => r.action)).toEqual(
      expect.arrayContaining(['referral.create', 'referral.view', 'referral.submit', 'referral.search']),
    );
    for (const row of mine) expect(row).toMatchObject({ userId: user.id, agencyId: user.agencyId, outcome: 'success' });
    const search = mine.filter((r) => r.action === 'referral.search').at(-1)!;
    expect(search.details).toMatchObject({ filters: ['status'], text: true, page: 1, results: 1, shown: [id] });
    const submit = mine.find((r) => r.action === 'referral.submit')!;
    expect(submit.details).toMatchObject({ from: 'draft', verdict: 'standard', score: 0 });
    const everything = JSON.stringify(rows);
    for (const detail of [firstSubject, body.subjects[1].fullName!, 'PE21 8QR', body.reason, 'Shouting and swearing']) {
      expect(everything).not.toContain(detail);
    }
  });

  test('the audit trail cannot be changed by the application', async () => {
    await expect(
      ctx.db.updateTable('auditEvents').set({ action: 'x' }).where('action', '=', 'referral.view').execute(),
    ).rejects.toThrow(/append-only/);
  });
});
