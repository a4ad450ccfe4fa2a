import type { Role } from '../../src/db/schema';
import { ROLES } from '../../src/db/schema';
import { allows, type RouteDef } from '../../src/http/routes';
import { createTestContext, type TestContext } from '../support/context';
import { anonymous, DEMO, signIn, type Agent } from '../support/http';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

const EMAIL_FOR: Record<Role, string> = { administrator: DEMO.admin, chair: DEMO.chair, representative: DEMO.police };
/** An id that exists nowhere: allowed users reach the handler (404), refused ones are stopped before it (403). */
const concrete = (route: RouteDef) => route.path.replace(/:(\w+)/g, '999999');

/** What each public route answers a signed-out visitor who sends an unknown id and no fields. */
const PUBLIC_ANSWERS: Record<string, number> = {
  'get /login': 200,
  'post /login': 400,
  'get /ping': 200,
  'get /healthz': 200,
  'get /attend/:token': 404,
  'post /attend/:token': 404,
};

function call(agent: Agent & { csrf: string }, route: RouteDef) {
  const url = concrete(route);
  return route.method === 'get' ? agent.get(url) : agent.post(url).type('form').send({ _csrf: agent.csrf });
}

test('every route the application serves is declared in the route table with an access rule', () => {
  const table = new Set(ctx.app.declaredRoutes.map((r) => `${r.method} ${r.path}`));
  const router = (
    ctx.app as unknown as { router: { stack: { route?: { path: string; methods: Record<string, boolean> } }[] } }
  ).router;
  const registered = router.stack
    .filter((layer) => layer.route)
    .flatMap((layer) => Object.keys(layer.route!.methods).map((m) => `${m} ${layer.route!.path}`));
  expect(registered.length).toBeGreaterThan(5);
  for (const r of registered) expect(table).toContain(r);
  for (const r of ctx.app.declaredRoutes)
    expect(r.access === 'public' || r.access === 'signed-in' || r.access.length > 0).toBe(true);
});

test('a signed-out visitor is sent to sign in from every route that is not public', async () => {
  let agent = await anonymous(ctx);
  for (const route of ctx.app.declaredRoutes) {
    if (route.path === '/logout') {
      expect((await call(agent, route)).status).toBe(303);
      agent = await anonymous(ctx);
      continue;
    }
    const res = await call(agent, route);
    if (route.access === 'public') {
      const key = `${route.method} ${route.path}`;
      expect({ route: key, status: res.status }).toEqual({ route: key, status: PUBLIC_ANSWERS[key] });
    } else {
      expect({ route: `${route.method} ${route.path}`, status: res.status, location: res.headers.location }).toEqual({
        route: `${route.method} ${route.path}`,
        status: 303,
        location: '/login',
      });
    }
  }
});

describe.each(ROLES)('as the %s', (role) => {
  test('each route is allowed or refused exactly as its rule says, and refusals are audited', async () => {
    let agent = await signIn(ctx, EMAIL_FOR[role]);
    const before = await ctx.db.selectFrom('auditEvents').select('id').where('action', '=', 'access.denied').execute();
    let refused = 0;
    for (const route of ctx.app.declaredRoutes) {
      const res = await call(agent, route);
      const label = `${route.method.toUpperCase()} ${route.path} as ${role}`;
      if (allows(route.access, role)) {
        expect({ label, forbidden: res.status === 403, serverError: res.status >= 500 }).toEqual({
          label,
          forbidden: false,
          serverError: false,
        });
      } else {
        expect({ label, status: res.status }).toEqual({ label, status: 403 });
        refused++;
      }
      if (route.path === '/logout') agent = await signIn(ctx, EMAIL_FOR[role]);
    }
    const after = await ctx.db.selectFrom('auditEvents').select('id').where('action', '=', 'access.denied').execute();
    expect(after.length - before.length).toBe(refused);
    if (role !== 'administrator') expect(refused).toBeGreaterThan(0);
  });
});
