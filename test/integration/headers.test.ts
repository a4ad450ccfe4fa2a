import request from 'supertest';
import { get } from '../../src/http/routes';
import { createTestContext, type TestContext } from '../support/context';
import { DEMO, signIn } from '../support/http';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({
    extraRoutes: [
      get('/test/explode', 'public', () => {
        throw new Error('secret internal detail');
      }),
    ],
  });
});
afterAll(() => ctx.close());

function expectSecurityHeaders(res: request.Response) {
  const csp = res.headers['content-security-policy'];
  expect(csp).toContain("default-src 'self'");
  expect(csp).toContain("object-src 'none'");
  expect(csp).toContain("base-uri 'none'");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).not.toContain('unsafe-inline');
  expect(csp).not.toContain('unsafe-eval');
  expect(res.headers['x-content-type-options']).toBe('nosniff');
  expect(res.headers['referrer-policy']).toBe('same-origin');
  expect(res.headers['x-frame-options']).toBe('DENY');
  expect(res.headers['x-powered-by']).toBeUndefined();
}

test.each([
  ['a page', '/login', 200],
  ['an unknown page', '/no/such/page', 404],
  ['a failing page', '/test/explode', 500],
  ['a GOV.UK Frontend asset', '/assets/govuk-frontend.min.css', 200],
  ['a font', '/assets/fonts/light-94a07e06a1-v2.woff2', 200],
  ['an application script', '/public/app.js', 200],
  ['the health check', '/healthz', 200],
])('%s carries the security headers', async (_what, url, status) => {
  const res = await request(ctx.app).get(url);
  expect(res.status).toBe(status);
  expectSecurityHeaders(res);
});

test('pages are never cached, nor hashed to be revalidated; static files may be', async () => {
  const login = await request(ctx.app).get('/login');
  expect(login.headers['cache-control']).toBe('no-store');
  expect(login.headers.etag).toBeUndefined();
  expect((await request(ctx.app).get('/no/such/page')).headers['cache-control']).toBe('no-store');
  const script = await request(ctx.app).get('/public/app.js');
  expect(script.headers['cache-control']).toMatch(/max-age=\d+/);
  expect(script.headers.etag).toBeDefined();
  const agent = await signIn(ctx, DEMO.admin);
  const page = await agent.get('/admin/agencies');
  expect(page.headers['cache-control']).toBe('no-store');
  expect(page.headers.etag).toBeUndefined();
  expectSecurityHeaders(page);
});

test('a server error shows a reference and no internal detail', async () => {
  const res = await request(ctx.app).get('/test/explode');
  expect(res.text).toContain('Sorry, there is a problem with the service');
  const reference = /id="error-reference">([^<]+)</.exec(res.text)?.[1];
  expect(reference).toBe(res.headers['x-request-id']);
  expect(res.text).not.toContain('secret internal detail');
  expect(res.text).not.toMatch(/at .*\.ts:\d+/);
});

test('the 404 page is a proper page and the marking appears once signed in', async () => {
  const anon = await request(ctx.app).get('/no/such/page');
  expect(anon.text).toContain('Page not found');
  const agent = await signIn(ctx, DEMO.police);
  const res = await agent.get('/no/such/page');
  expect(res.status).toBe(404);
  expect(res.text.match(/OFFICIAL-SENSITIVE/g)?.length).toBeGreaterThanOrEqual(2);
});

test('a body that is too large is refused with 413 and a page', async () => {
  const agent = await signIn(ctx, DEMO.admin);
  const res = await agent
    .post('/admin/agencies/new')
    .type('form')
    .send({ _csrf: agent.csrf, name: 'x'.repeat(300_000) });
  expect(res.status).toBe(413);
  expect(res.text).toContain('too large');
});
