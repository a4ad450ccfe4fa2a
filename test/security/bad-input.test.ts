import { createTestContext, type TestContext } from '../support/context';
import { anonymous, DEMO, postForm, signIn, type Agent } from '../support/http';
import { makeTokens } from '../integration/attendance-builders';
import { recordedPanel } from '../integration/minutes-builders';
import { makeReferral } from '../integration/referrals-builders';
import { postFields, readForm, tableCounts } from './payloads';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ now: '2026-12-08T11:00:00Z' });
});
afterAll(() => ctx.close());

const NULL = 'before\u0000after\u0001\u007f';

/** Routes that end something: walked last, so that every other route still finds its records. */
const LAST = [/\/cancel$/, /\/discard$/, /\/conclude$/, /\/retention\/run$/];
const rank = (path: string) => (path === '/logout' ? 2 : LAST.some((p) => p.test(path)) ? 1 : 0);

async function idOf(table: 'agencies' | 'users' | 'actions', column: 'shortName' | 'email' | null, value?: string) {
  let q = ctx.db.selectFrom(table).select('id').orderBy('id');
  if (column && value) q = q.where(column, '=', value);
  return (await q.executeTakeFirstOrThrow()).id;
}

let known: Promise<Map<string, string>> | undefined;
/** A real address for each route, made once: every parameter names a record that exists. */
const addresses = () => (known ??= realAddresses());

async function realAddresses(): Promise<Map<string, string>> {
  const meeting = await recordedPanel(ctx, { status: 'in-progress' });
  const held = await recordedPanel(ctx, { status: 'concluded' });
  const draft = await makeReferral(ctx, DEMO.admin, {}, {});
  const tokens = await makeTokens(ctx, meeting.panelId, 'LPFT');
  const research = await ctx.db.selectFrom('researchRequests').select('id').orderBy('id').executeTakeFirst();
  const params = (path: string): Record<string, string> => {
    const panel = path.includes('/minutes') ? held : meeting;
    const fixed: Record<string, number | string> = {
      itemId: panel.itemIds[0],
      delivery: 1,
      token: tokens.attending,
    };
    if (path.startsWith('/panels/')) fixed.id = panel.panelId;
    return Object.fromEntries(Object.entries(fixed).map(([k, v]) => [k, String(v)]));
  };
  const byPrefix: [RegExp, () => Promise<number> | number][] = [
    [/^\/admin\/agencies\//, () => idOf('agencies', 'shortName', 'Future4Me')],
    [/^\/admin\/users\//, () => idOf('users', 'email', DEMO.council)],
    [/^\/referrals\//, () => draft.id],
    [/^\/research\//, () => research?.id ?? 1],
    [/^\/actions\//, () => idOf('actions', null)],
    [/^\/admin\/mail\//, () => 1],
  ];
  const out = new Map<string, string>();
  for (const route of ctx.app.declaredRoutes.filter((r) => r.method === 'post')) {
    const values = params(route.path);
    const own = byPrefix.find(([pattern]) => pattern.test(route.path));
    if (own && !values.id) values.id = String(await own[1]());
    out.set(
      route.path,
      route.path.replace(/:(\w+)/g, (_m, name: string) => values[name] ?? '1'),
    );
  }
  return out;
}

/** The form that posts to `url`, from its own page or the page above it; null when neither has one. */
async function formFor(agent: Agent & { csrf: string }, url: string) {
  for (const page of [url, url.replace(/\/[^/]+$/, '')]) {
    const res = await agent.get(page);
    if (res.status !== 200) continue;
    try {
      return readForm(res.text, url);
    } catch {
      // no form posting there on this page
    }
  }
  return null;
}

const ordered = (urls: [string, string][]) => [...urls].sort(([a], [b]) => rank(a) - rank(b));

describe('bad input on every route', () => {
  test('when a post to any route is JSON, plain text or has no body, then it is answered 415 with a message, and nothing changes', async () => {
    const admin = await signIn(ctx, DEMO.admin);
    const urls = await addresses();
    const before = await tableCounts(ctx);
    for (const url of urls.values()) {
      const json = await admin
        .post(url)
        .set('X-CSRF-Token', admin.csrf)
        .type('json')
        .send({ _csrf: admin.csrf, name: 'x' });
      const text = await admin
        .post(url)
        .set('X-CSRF-Token', admin.csrf)
        .type('text/plain')
        .send(`_csrf=${admin.csrf}&name=x`);
      const empty = await admin.post(url).set('X-CSRF-Token', admin.csrf);
      expect({ url, statuses: [json.status, text.status, empty.status] }).toEqual({ url, statuses: [415, 415, 415] });
      expect(json.text).toContain('only accepts forms sent from its pages');
    }
    const visitor = await anonymous(ctx);
    expect((await visitor.post('/login').type('json').send({ email: DEMO.admin, password: 'x' })).status).toBe(415);
    expect(await tableCounts(ctx)).toEqual(before);
  });

  test('when every field of every form is sent twice, or as an object, then no route answers 500', async () => {
    const admin = await signIn(ctx, DEMO.admin);
    for (const [path, url] of ordered([...(await addresses()).entries()])) {
      // Routes that end something are left for the next test, which walks them last.
      if (rank(path) > 0) continue;
      const form = url.startsWith('/attend/') ? await formFor(await anonymous(ctx), url) : await formFor(admin, url);
      for (const shape of ['repeated', 'object']) {
        const params = new URLSearchParams({ _csrf: admin.csrf });
        for (const name of Object.keys(form?.values ?? { name: '', reason: '' })) {
          if (shape === 'repeated') ['a', 'b'].forEach((v) => params.append(name, v));
          else params.append(`${name}[x]`, 'a');
        }
        const res = await admin.post(url).type('form').send(params.toString());
        expect({ path, shape, status: res.status < 500 ? 'below 500' : res.status }).toEqual({
          path,
          shape,
          status: 'below 500',
        });
      }
    }
  });

  test('when every text field of every form holds a null byte and other control characters, then no route answers 500 and none is stored', async () => {
    const admin = await signIn(ctx, DEMO.admin);
    const answers: Record<string, number> = {};
    for (const [path, url] of ordered([...(await addresses()).entries()])) {
      const form = url.startsWith('/attend/') ? await formFor(await anonymous(ctx), url) : await formFor(admin, url);
      const fields: Record<string, string | string[]> = form
        ? { ...form.values, ...Object.fromEntries(form.textNames.map((name) => [name, NULL])) }
        : { name: NULL, reason: NULL, note: NULL, summary: NULL, attendees: NULL };
      const res = await postFields(admin, url, fields);
      answers[path] = res.status;
      expect({ path, url, status: res.status, error: res.status >= 500 ? res.text.slice(0, 300) : '' }).toEqual({
        path,
        url,
        status: res.status < 500 ? res.status : 'not a 500',
        error: '',
      });
    }
    // The characters were taken out and the rest kept: an agency added with them has the name typed around them.
    const agency = await ctx.db
      .selectFrom('agencies')
      .select('name')
      .where('name', 'like', 'before%')
      .executeTakeFirst();
    expect(agency?.name).toBe('beforeafter');
    // Some forms were accepted with the characters taken out, not merely refused.
    expect(Object.values(answers).filter((s) => s === 303).length).toBeGreaterThan(5);
  });

  test('when the sign-in form or a search holds a null byte, then it is answered without a 500', async () => {
    const visitor = await anonymous(ctx);
    const login = await postForm(visitor, '/login', { email: `admin${'\u0000'}@example.org`, password: 'x\u0000' });
    expect(login.status).toBe(401);
    const admin = await signIn(ctx, DEMO.admin);
    for (const url of ['/referrals?q=%00', '/referrals?q=a%00b&sort=%00', '/actions?q=%00', '/panels?district=%00']) {
      const res = await admin.get(url);
      expect({ url, status: res.status }).toEqual({ url, status: 200 });
    }
  });

  test("when a panel's online link holds a line break, then the field refuses it and nothing is saved", async () => {
    const chair = await signIn(ctx, DEMO.chair);
    const page = await chair.get('/panels/new');
    const form = readForm(page.text, '/panels/new');
    const panels = async () => (await ctx.db.selectFrom('panels').select('id').execute()).length;
    const before = await panels();
    for (const link of ['https://meet.example.org/abc\r\nBcc: x@example.org', 'https://meet.example.org/a\tb']) {
      const res = await postFields(chair, '/panels/new', { ...form.values, onlineLink: link });
      expect(res.status).toBe(400);
      expect(res.text).toContain('The online meeting link must be one web address, on one line, with no spaces');
    }
    expect(await panels()).toBe(before);
  });
});
