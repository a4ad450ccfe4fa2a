import request from 'supertest';
import { createTestContext, type TestContext } from '../support/context';
import { anonymous, csrfFrom, DEMO, postForm, signIn } from '../support/http';
import type { KyselyPlugin } from 'kysely';
import { DatabaseSessionStore, SESSION_IDLE_MS } from '../../src/auth/session-store';
import { ACCOUNT_LIMIT, ADDRESS_LIMIT, PAIR_FREE_ATTEMPTS } from '../../src/auth/auth.service';

let ctx: TestContext;
beforeAll(async () => {
  // Behind a proxy, so that each test can sign in from the addresses it names (X-Forwarded-For).
  ctx = await createTestContext({ env: { TRUST_PROXY: 'true' } });
});
afterAll(() => ctx.close());

function auditRows(action: string) {
  return ctx.db.selectFrom('auditEvents').selectAll().where('action', '=', action).orderBy('id').execute();
}

function sessionCookie(res: request.Response): string | undefined {
  const cookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  return cookies.find((c) => c.startsWith('asbrac.sid='))?.split(';')[0];
}

describe('signing in', () => {
  test('when the password is right, then the user is redirected to where they were going with a new session id', async () => {
    const agent = await anonymous(ctx);
    const before = await agent.get('/admin/users');
    expect(before.status).toBe(303);
    expect(before.headers.location).toBe('/login');
    const page = await agent.get('/login');
    const preLoginCookie = sessionCookie(page) ?? sessionCookie(before);
    const res = await postForm(agent, '/login', {
      email: DEMO.admin,
      password: 'demo-password',
      _csrf: csrfFrom(page.text),
    });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/admin/users');
    const newCookie = sessionCookie(res);
    expect(newCookie).toBeDefined();
    expect(newCookie).not.toEqual(preLoginCookie);
    const users = await agent.get('/admin/users');
    expect(users.status).toBe(200);
    expect(users.text).toContain('Alex Morgan');
    const rows = await auditRows('auth.sign-in');
    expect(rows.at(-1)).toMatchObject({ outcome: 'success' });
    expect(typeof rows.at(-1)?.userId).toBe('number');
  });

  test('when the session id was fixed before sign-in, then the old id does not carry the signed-in session', async () => {
    const agent = await anonymous(ctx);
    const page = await agent.get('/login');
    const fixed = sessionCookie(page) ?? '';
    await postForm(agent, '/login', { email: DEMO.chair, password: 'demo-password' });
    const attacker = await request(ctx.app).get('/').set('Cookie', fixed);
    expect(attacker.status).toBe(303);
    expect(attacker.headers.location).toBe('/login');
  });

  test('when the account is unknown or the password wrong, then the answer is the same and both are audited', async () => {
    const agent = await anonymous(ctx);
    const unknown = await postForm(agent, '/login', { email: 'nobody@example.org', password: 'whatever-password' });
    const wrong = await postForm(agent, '/login', { email: DEMO.housing, password: 'not-the-password' });
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    const message = 'The email address or password is not correct';
    expect(unknown.text).toContain(message);
    expect(wrong.text).toContain(message);
    expect(unknown.text).toContain('value="nobody@example.org"');
    expect(wrong.text).not.toContain('not-the-password');
    const failures = (await auditRows('auth.sign-in')).filter((r) => r.outcome === 'failure');
    expect(failures.map((f) => f.details.reason)).toEqual(
      expect.arrayContaining(['unknown-account', 'wrong-password']),
    );
    // No personal data in the audit trail: the email address typed is not stored.
    expect(JSON.stringify(failures)).not.toContain('nobody@example.org');
  });

  test('when fields are missing, then each gets a message by the field', async () => {
    const agent = await anonymous(ctx);
    const res = await postForm(agent, '/login', { email: '', password: '' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('Enter your email address');
    expect(res.text).toContain('Enter your password');
    expect(res.text).toContain('href="#email"');
  });

  test(`when one address fails ${PAIR_FREE_ATTEMPTS} times for an account, then it waits a minute, and twice as long after each further failure`, async () => {
    const agent = await anonymous(ctx);
    const from = (ip: string, password: string) =>
      agent
        .post('/login')
        .set('X-Forwarded-For', ip)
        .type('form')
        .send({ _csrf: agent.csrf, email: DEMO.council, password });
    for (let i = 0; i < PAIR_FREE_ATTEMPTS; i++) expect((await from('198.51.100.7', `wrong-${i}`)).status).toBe(401);
    const blocked = await from('198.51.100.7', 'demo-password');
    expect(blocked.status).toBe(429);
    expect(blocked.text).toContain('too many attempts to sign in. Wait 1 minute and try again');
    const denied = (await auditRows('auth.sign-in')).filter((r) => r.outcome === 'denied');
    expect(denied.at(-1)?.details.reason).toBe('pair-throttled');
    ctx.clock.advance(61 * 1000);
    expect((await from('198.51.100.7', 'wrong-again')).status).toBe(401);
    expect((await from('198.51.100.7', 'demo-password')).text).toContain('Wait 2 minutes');
    ctx.clock.advance(2 * 60 * 1000 + 1000);
    expect((await from('198.51.100.7', 'demo-password')).status).toBe(303);
  });

  test(`when a stranger fails ${ACCOUNT_LIMIT} times from many addresses, then the owner still signs in from their usual address, and an unfamiliar one is refused`, async () => {
    ctx.clock.advance(2 * 60 * 60 * 1000);
    const owner = await anonymous(ctx);
    const attempt = (agent: typeof owner, ip: string, password: string) =>
      agent
        .post('/login')
        .set('X-Forwarded-For', ip)
        .type('form')
        .send({ _csrf: agent.csrf, email: DEMO.chair, password });
    expect((await attempt(owner, '192.0.2.10', 'demo-password')).status).toBe(303);
    const stranger = await anonymous(ctx);
    const statuses = new Set<number>();
    for (let n = 0; n < ACCOUNT_LIMIT / PAIR_FREE_ATTEMPTS; n++)
      for (let i = 0; i < PAIR_FREE_ATTEMPTS; i++)
        statuses.add((await attempt(stranger, `203.0.113.${n}`, `guess-${i}`)).status);
    expect([...statuses]).toEqual([401]);
    expect((await attempt(stranger, '203.0.113.200', 'guess')).status).toBe(429);
    const denied = (await auditRows('auth.sign-in')).filter((r) => r.outcome === 'denied');
    expect(denied.at(-1)?.details.reason).toBe('account-throttled');
    const again = await anonymous(ctx);
    expect((await attempt(again, '192.0.2.10', 'demo-password')).status).toBe(303);
  });

  test('when an account signs in, then the addresses it has not used for 90 days are forgotten', async () => {
    const agent = await anonymous(ctx);
    const from = (ip: string) =>
      agent
        .post('/login')
        .set('X-Forwarded-For', ip)
        .type('form')
        .send({ _csrf: agent.csrf, email: DEMO.housing, password: 'demo-password' });
    expect((await from('192.0.2.50')).status).toBe(303);
    ctx.clock.advance(91 * 24 * 60 * 60 * 1000);
    const later = await anonymous(ctx);
    const res = await later
      .post('/login')
      .set('X-Forwarded-For', '192.0.2.51')
      .type('form')
      .send({ _csrf: later.csrf, email: DEMO.housing, password: 'demo-password' });
    expect(res.status).toBe(303);
    const addresses = await ctx.db
      .selectFrom('signInAddresses')
      .select('ip')
      .where('ip', 'like', '192.0.2.5%')
      .execute();
    expect(addresses).toEqual([{ ip: '192.0.2.51' }]);
  });

  test(`when one address fails ${ADDRESS_LIMIT} times across accounts, then it is refused`, async () => {
    ctx.clock.advance(16 * 60 * 1000);
    const agent = await anonymous(ctx);
    for (let i = 0; i < ADDRESS_LIMIT; i++) {
      await postForm(agent, '/login', { email: `spray-${i}@example.org`, password: 'guess-password' });
    }
    const blocked = await postForm(agent, '/login', { email: DEMO.lpft, password: 'demo-password' });
    expect(blocked.status).toBe(429);
    ctx.clock.advance(16 * 60 * 1000);
  });
});

describe('sessions', () => {
  test('when signed out, then the old session cookie no longer works', async () => {
    const agent = await signIn(ctx, DEMO.police);
    const res = await postForm(agent, '/logout');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/login?signed-out=1');
    expect((await agent.get('/')).headers.location).toBe('/login');
    const rows = await auditRows('auth.sign-out');
    expect(rows.length).toBeGreaterThan(0);
  });

  test('when idle for more than 30 minutes, then the user must sign in again', async () => {
    const agent = await signIn(ctx, DEMO.police);
    ctx.clock.advance(29 * 60 * 1000);
    expect((await agent.get('/')).status).toBe(200);
    ctx.clock.advance(31 * 60 * 1000);
    const res = await agent.get('/');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/login');
  });

  test('when a user opens page after page, then their session is written again only once its expiry moves a minute or more, and idle time still counts from the last page', async () => {
    const police = await ctx.db
      .selectFrom('users')
      .select('id')
      .where('email', '=', DEMO.police)
      .executeTakeFirstOrThrow();
    await ctx.db.deleteFrom('sessions').where('userId', '=', police.id).execute();
    const agent = await signIn(ctx, DEMO.police);
    const expiry = async () =>
      (
        await ctx.db
          .selectFrom('sessions')
          .select('expiresAt')
          .where('userId', '=', police.id)
          .executeTakeFirstOrThrow()
      ).expiresAt.getTime();
    const signedIn = await expiry();
    ctx.clock.advance(30 * 1000);
    expect((await agent.get('/')).status).toBe(200);
    expect(await expiry()).toBe(signedIn);
    ctx.clock.advance(40 * 1000);
    expect((await agent.get('/')).status).toBe(200);
    expect(await expiry()).toBe(ctx.clock.now().getTime() + SESSION_IDLE_MS);
    ctx.clock.advance(SESSION_IDLE_MS - 1000);
    expect((await agent.get('/')).status).toBe(200);
  });

  test('when active for more than 12 hours, then the session ends however busy', async () => {
    const start = ctx.clock.now();
    const agent = await signIn(ctx, DEMO.police);
    for (let minutes = 20; minutes < 12 * 60; minutes += 20) {
      ctx.clock.set(new Date(start.getTime() + minutes * 60 * 1000));
      const res = await agent.get('/');
      if (res.status !== 200) throw new Error(`session ended early, after ${minutes} minutes`);
    }
    ctx.clock.set(new Date(start.getTime() + 12 * 60 * 60 * 1000 + 60 * 1000));
    expect((await agent.get('/')).headers.location).toBe('/login');
  });

  test('when a session is read, then the user it is signed in as comes with it in the same statement, once, and only for that user', async () => {
    const agent = await signIn(ctx, DEMO.chair);
    const chair = await ctx.db
      .selectFrom('users')
      .select(['id', 'agencyId'])
      .where('email', '=', DEMO.chair)
      .executeTakeFirstOrThrow();
    const { sid } = await ctx.db
      .selectFrom('sessions')
      .select('sid')
      .where('userId', '=', chair.id)
      .orderBy('expiresAt', 'desc')
      .executeTakeFirstOrThrow();
    expect((await agent.get('/')).status).toBe(200);
    let statements = 0;
    const counting: KyselyPlugin = {
      transformQuery: (args) => (statements++, args.node),
      transformResult: (args) => Promise.resolve(args.result),
    };
    const store = new DatabaseSessionStore(ctx.db.withPlugin(counting), ctx.clock);
    const session = await new Promise((resolve) => store.get(sid, (err, sess) => resolve(err ?? sess)));
    expect(session).toMatchObject({ userId: chair.id });
    expect(statements).toBe(1);
    expect(store.signedInUser(sid, chair.id + 1)).toBeUndefined();
    await new Promise((resolve) => store.get(sid, resolve));
    expect(store.signedInUser(sid, chair.id)).toMatchObject({ id: chair.id, agencyId: chair.agencyId, active: true });
    expect(store.signedInUser(sid, chair.id)).toBeUndefined();
    expect(statements).toBe(2);
  });

  test('when a signed-in user is renamed, deactivated, or their agency is, then their next page knows it', async () => {
    const agent = await signIn(ctx, DEMO.police);
    const police = await ctx.db
      .selectFrom('users')
      .select(['id', 'name', 'agencyId'])
      .where('email', '=', DEMO.police)
      .executeTakeFirstOrThrow();
    try {
      await ctx.db.updateTable('users').set({ name: 'Renamed Officer' }).where('id', '=', police.id).execute();
      expect((await agent.get('/')).text).toContain('Signed in as <strong>Renamed Officer</strong>');
      await ctx.db.updateTable('agencies').set({ active: false }).where('id', '=', police.agencyId).execute();
      expect((await agent.get('/')).headers.location).toBe('/login');
      await ctx.db.updateTable('agencies').set({ active: true }).where('id', '=', police.agencyId).execute();
      const again = await signIn(ctx, DEMO.police);
      expect((await again.get('/')).status).toBe(200);
      await ctx.db.updateTable('users').set({ active: false }).where('id', '=', police.id).execute();
      expect((await again.get('/')).headers.location).toBe('/login');
    } finally {
      await ctx.db.updateTable('agencies').set({ active: true }).where('id', '=', police.agencyId).execute();
      await ctx.db.updateTable('users').set({ name: police.name, active: true }).where('id', '=', police.id).execute();
    }
  });

  test('the session cookie is HttpOnly and SameSite=Lax', async () => {
    const agent = await anonymous(ctx);
    const res = await postForm(agent, '/login', { email: DEMO.chair, password: 'demo-password' });
    const cookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('asbrac.sid='));
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
  });
});

describe('changing your own password', () => {
  test('when the current password is right and the new one long enough, then it changes and other sessions end', async () => {
    const elsewhere = await signIn(ctx, DEMO.housing);
    const agent = await signIn(ctx, DEMO.housing);
    const short = await postForm(agent, '/account/password', {
      currentPassword: 'demo-password',
      newPassword: 'short',
      confirmPassword: 'short',
    });
    expect(short.status).toBe(400);
    expect(short.text).toContain('Password must be at least 12 characters');
    const mismatch = await postForm(agent, '/account/password', {
      currentPassword: 'demo-password',
      newPassword: 'a-long-new-password',
      confirmPassword: 'another-long-password',
    });
    expect(mismatch.text).toContain('The passwords do not match');
    const wrong = await postForm(agent, '/account/password', {
      currentPassword: 'nope',
      newPassword: 'a-long-new-password',
      confirmPassword: 'a-long-new-password',
    });
    expect(wrong.text).toContain('Your current password is not correct');
    const ok = await postForm(agent, '/account/password', {
      currentPassword: 'demo-password',
      newPassword: 'a-long-new-password',
      confirmPassword: 'a-long-new-password',
    });
    expect(ok.status).toBe(303);
    expect((await agent.get('/')).status).toBe(200);
    expect((await elsewhere.get('/')).headers.location).toBe('/login');
    await signIn(ctx, DEMO.housing, 'a-long-new-password');
  });
});

describe('requests without a form', () => {
  test('the liveness and health checks answer without creating a session', async () => {
    const count = async () => (await ctx.db.selectFrom('sessions').select('sid').execute()).length;
    const before = await count();
    const ping = await request(ctx.app).get('/ping');
    expect(ping.status).toBe(200);
    expect(ping.text).toBe('ok');
    expect(ping.headers['set-cookie']).toBeUndefined();
    expect((await request(ctx.app).get('/healthz')).headers['set-cookie']).toBeUndefined();
    expect(await count()).toBe(before);
  });
});
