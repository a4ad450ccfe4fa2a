import { createTestContext, type TestContext } from '../support/context';
import { DEMO, signIn } from '../support/http';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

const stateChanging = () =>
  ctx.app.declaredRoutes.filter((r) => r.method === 'post').map((r) => r.path.replace(/:(\w+)/g, '999999'));

test('every state-changing route refuses a request without the token, with a wrong token, or from another site', async () => {
  const agent = await signIn(ctx, DEMO.admin);
  const routes = stateChanging();
  expect(routes.length).toBeGreaterThan(5);
  for (const url of routes) {
    const missing = await agent.post(url).type('form').send({ name: 'x' });
    const wrong = await agent
      .post(url)
      .type('form')
      .send({ _csrf: `${agent.csrf}x` });
    const foreign = await agent
      .post(url)
      .set('Origin', 'https://evil.example.org')
      .type('form')
      .send({ _csrf: agent.csrf });
    const crossSite = await agent
      .post(url)
      .set('Sec-Fetch-Site', 'cross-site')
      .type('form')
      .send({ _csrf: agent.csrf });
    expect({ url, statuses: [missing.status, wrong.status, foreign.status, crossSite.status] }).toEqual({
      url,
      statuses: [403, 403, 403, 403],
    });
  }
  const rows = await ctx.db
    .selectFrom('auditEvents')
    .select(['details'])
    .where('action', '=', 'csrf.rejected')
    .execute();
  expect(rows.length).toBe(routes.length * 4);
  // The session survives a refused request: the right token still works.
  const ok = await agent
    .post('/admin/agencies/new')
    .set('Origin', 'http://127.0.0.1')
    .type('form')
    .send({ _csrf: agent.csrf, name: '' });
  expect(ok.status).toBe(400);
});

test('a refused form shows a page that says what to do, and changes nothing', async () => {
  const agent = await signIn(ctx, DEMO.admin);
  const count = async () => (await ctx.db.selectFrom('agencies').select('id').execute()).length;
  const before = await count();
  const res = await agent
    .post('/admin/agencies/new')
    .type('form')
    .send({ name: 'Forged Agency', shortName: 'Forged', type: 'other', active: 'true' });
  expect(res.status).toBe(403);
  expect(res.text).toContain('reload the page and try again');
  expect(await count()).toBe(before);
});

test('a form posted by a browser from this site (same-origin Origin and Sec-Fetch-Site) is accepted; Origin null is not', async () => {
  const agent = await signIn(ctx, DEMO.admin);
  const ok = await agent
    .post('/admin/agencies/new')
    .set('Origin', 'http://127.0.0.1')
    .set('Sec-Fetch-Site', 'same-origin')
    .type('form')
    .send({ _csrf: agent.csrf, name: '' });
  expect(ok.status).toBe(400);
  const opaque = await agent
    .post('/admin/agencies/new')
    .set('Origin', 'null')
    .type('form')
    .send({ _csrf: agent.csrf, name: '' });
  expect(opaque.status).toBe(403);
  const page = await agent.get('/admin/agencies');
  // Browsers send a real Origin on same-origin posts only when the referrer policy allows it.
  expect(page.headers['referrer-policy']).toBe('same-origin');
});
