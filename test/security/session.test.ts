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

  test('a signed-out visitor sent to sign in, who reads the form and gets the password wrong, stores no session', async () => {
    const sessions = async () => (await ctx.db.selectFrom('sessions').select('sid').execute()).length;
    const before = await sessions();
    const visitor = request.agent(ctx.app);
    const sentAway = await visitor.get('/admin/users');
    expect(sentAway.headers.location).toBe('/login');
    const page = await visitor.get('/login');
    const wrong = await visitor
      .post('/login')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), email: DEMO.chair, password: 'not-the-password' });
    expect(wrong.status).toBe(401);
    const link = await visitor.get('/attend/not-a-token');
    for (const res of [sentAway, page, wrong, link])
      expect(sessionCookie(res.headers['set-cookie'], ctx.services.sessionCookieName)).toBeUndefined();
    expect(await sessions()).toBe(before);
    // Signing in still returns to the page asked for, and only then is a session stored.
    const res = await visitor
      .post('/login')
      .type('form')
      .send({ _csrf: csrfFrom(wrong.text), email: DEMO.chair, password: DEMO_PASSWORD });
    expect(res.headers.location).toBe('/admin/users');
    expect(await sessions()).toBe(before + 1);
  });

  test("the sign-in form is refused without the visitor's own cookie, or with another visitor's token", async () => {
    const first = request.agent(ctx.app);
    const second = request.agent(ctx.app);
    const firstToken = csrfFrom((await first.get('/login')).text);
    await second.get('/login');
    const fields = { _csrf: firstToken, email: DEMO.chair, password: DEMO_PASSWORD };
    const withoutCookie = await request(ctx.app).post('/login').type('form').send(fields);
    const withAnotherCookie = await second.post('/login').type('form').send(fields);
    const forged = await first
      .post('/login')
      .type('form')
      .send({ ...fields, _csrf: `${firstToken.slice(0, -2)}AA` });
    expect([withoutCookie.status, withAnotherCookie.status, forged.status]).toEqual([403, 403, 403]);
    expect((await first.post('/login').type('form').send(fields)).status).toBe(303);
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
    // Signed out, there is no session: the form's token is bound to a cookie of its own, as strict.
    expect(sessionCookie(page.headers['set-cookie'], '__Host-asbrac.sid')).toBeUndefined();
    const form = sessionCookie(page.headers['set-cookie'], '__Host-asbrac.form');
    expect(form).toMatch(/; Secure/i);
    expect(form).toMatch(/; HttpOnly/i);
    expect(form).toMatch(/; SameSite=Lax/i);
    expect(form).toMatch(/; Path=\/(;|$)/i);
    expect(form).not.toMatch(/; Domain=/i);
    const res = await request(ctx.app)
      .post('/login')
      .set('X-Forwarded-Proto', 'https')
      .set('Origin', 'https://asbrac.example.org')
      .set('Cookie', form!.split(';')[0])
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
