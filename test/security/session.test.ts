import request from 'supertest';
import { createTestContext, type TestContext } from '../support/context';
import { csrfFrom, DEMO, postForm, signIn } from '../support/http';
import { DEMO_PASSWORD } from '../support/paths';

const sessionCookie = (setCookie: string[] | string | undefined, name: string) =>
  [setCookie ?? []].flat().find((c) => c.startsWith(`${name}=`));

describe('over http', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext();
  });
  afterAll(() => ctx.close());

  test('the session cookie is HttpOnly, SameSite=Lax, without Secure and without the __Host- prefix', async () => {
    const agent = request.agent(ctx.app);
    const page = await agent.get('/login');
    const res = await agent
      .post('/login')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), email: DEMO.chair, password: DEMO_PASSWORD });
    expect(res.status).toBe(303);
    const cookie = sessionCookie(res.headers['set-cookie'], ctx.services.sessionCookieName)!;
    expect(ctx.services.sessionCookieName).toBe('asbrac.sid');
    expect(cookie).toMatch(/; HttpOnly/i);
    expect(cookie).toMatch(/; SameSite=Lax/i);
    expect(cookie).toMatch(/; Path=\//i);
    expect(cookie).not.toMatch(/; Secure/i);
  });

  test("when a signed-out user's session cookie is replayed, then it is refused: sent to sign in, and nothing of theirs is shown", async () => {
    const agent = await signIn(ctx, DEMO.chair);
    const cookies = (
      agent as unknown as { jar: { getCookies(o: object): { name: string; value: string }[] } }
    ).jar.getCookies({ path: '/', domain: '127.0.0.1', secure: false, script: false });
    const header = cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    expect(header).toContain('asbrac.sid=');
    // It works while signed in...
    expect((await request(ctx.app).get('/panels').set('Cookie', header)).status).toBe(200);
    expect((await postForm(agent, '/logout')).status).toBe(303);
    // ...and not once signed out, for pages and for forms.
    for (const path of ['/', '/panels', '/referrals', '/admin/users']) {
      const replayed = await request(ctx.app).get(path).set('Cookie', header);
      expect({ path, status: replayed.status, location: replayed.headers.location }).toEqual({
        path,
        status: 303,
        location: '/login',
      });
    }
    const post = await request(ctx.app).post('/account/password').set('Cookie', header).type('form').send({
      currentPassword: DEMO_PASSWORD,
      newPassword: 'a-long-new-password',
      confirmPassword: 'a-long-new-password',
    });
    // Without its session the form's CSRF token is no longer valid: refused before anything runs.
    expect(post.status).toBe(403);
  });
});

describe('over https', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext({ env: { BASE_URL: 'https://asbrac.example.org', TRUST_PROXY: 'true' } });
  });
  afterAll(() => ctx.close());

  test('the session cookie is __Host- prefixed, Secure, HttpOnly, SameSite=Lax, Path=/ and has no Domain', async () => {
    // A browser sends a Secure cookie back over https only; the test stands in for the proxy and the browser.
    const page = await request(ctx.app).get('/login').set('X-Forwarded-Proto', 'https');
    const first = sessionCookie(page.headers['set-cookie'], '__Host-asbrac.sid');
    expect(first).toMatch(/; Secure/i);
    const res = await request(ctx.app)
      .post('/login')
      .set('X-Forwarded-Proto', 'https')
      .set('Origin', 'https://asbrac.example.org')
      .set('Cookie', first!.split(';')[0])
      .type('form')
      .send({ _csrf: csrfFrom(page.text), email: DEMO.chair, password: DEMO_PASSWORD });
    const cookie = sessionCookie(res.headers['set-cookie'], '__Host-asbrac.sid');
    expect({ status: res.status, cookie: Boolean(cookie) }).toEqual({ status: 303, cookie: true });
    expect(cookie).toMatch(/; Secure/i);
    expect(cookie).toMatch(/; HttpOnly/i);
    expect(cookie).toMatch(/; SameSite=Lax/i);
    expect(cookie).toMatch(/; Path=\/(;|$)/i);
    expect(cookie).not.toMatch(/; Domain=/i);
  });
});
