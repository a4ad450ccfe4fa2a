import { createHash } from 'node:crypto';
import { seedMinutes } from '../../src/seed/demo-minutes';
import { createTestContext, type TestContext } from '../support/context';
import { DEMO, signIn, type Agent } from '../support/http';
import { readPdf } from '../support/pdf';
import { recordedPanel } from './minutes-builders';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ now: '2026-12-20T09:00:00Z' });
});
afterAll(() => ctx.close());

const pdfOf = async (agent: Agent, url: string) => {
  const res = await agent
    .get(url)
    .buffer(true)
    .parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    });
  return { res, body: res.body as Buffer };
};
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

test('when no panel has concluded, then the demo minutes change nothing', async () => {
  await seedMinutes(ctx.db);
  expect(await ctx.db.selectFrom('minutesVersions').select('id').execute()).toHaveLength(0);
});

test('when demo panels have concluded, then each gets approved minutes, the earliest is circulated, and the PDFs are printed and kept on first request', async () => {
  const earlier = await recordedPanel(ctx, { startsAt: '2026-10-13T09:00:00Z' });
  const later = await recordedPanel(ctx, { startsAt: '2026-12-08T10:00:00Z' });
  await seedMinutes(ctx.db);
  const statuses = await ctx.db
    .selectFrom('panels')
    .select(['id', 'status'])
    .where('id', 'in', [earlier.panelId, later.panelId])
    .orderBy('startsAt')
    .execute();
  expect(statuses.map((s) => s.status)).toEqual(['minutes-circulated', 'minutes-approved']);

  const admin = await signIn(ctx, DEMO.admin);
  const first = await pdfOf(admin, `/panels/${later.panelId}/minutes/versions/1.pdf`);
  expect(first.res.status).toBe(200);
  const again = await pdfOf(admin, `/panels/${later.panelId}/minutes/versions/1.pdf`);
  expect(again.body.equals(first.body)).toBe(true);
  const stored = await ctx.db
    .selectFrom('minutesVersions')
    .select('pdfSha256')
    .where('panelId', '=', later.panelId)
    .executeTakeFirstOrThrow();
  expect(stored.pdfSha256).toBe(sha(first.body));

  const log = await admin.get(`/panels/${earlier.panelId}/minutes/deliveries`);
  expect(log.text.match(/data-status="sent"/g)?.length).toBe(5);
  const delivery = await ctx.db
    .selectFrom('minutesDeliveries')
    .selectAll()
    .where('panelId', '=', earlier.panelId)
    .where('email', '=', DEMO.police)
    .executeTakeFirstOrThrow();
  const copy = await pdfOf(admin, `/panels/${earlier.panelId}/minutes/copies/${delivery.copyId}.pdf`);
  expect((await readPdf(copy.body)).pages[0]).toContain('Copy for: Lincolnshire Police');
  const hashed = await ctx.db
    .selectFrom('minutesDeliveries')
    .select('pdfSha256')
    .where('id', '=', delivery.id)
    .executeTakeFirstOrThrow();
  expect(hashed.pdfSha256).toBe(sha(copy.body));
});
