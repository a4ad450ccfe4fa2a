import { createTestContext, type TestContext } from '../support/context';
import { DEMO, signIn, textOf } from '../support/http';
import { seedYouthChecksAndCaseStudies } from '../../src/seed/demo-youth-and-case-studies';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ now: '2026-11-30T10:00:00Z' });
  await seedYouthChecksAndCaseStudies(ctx.db, ctx.clock);
});
afterAll(() => ctx.close());

test('in the demo, Future4Me’s youth justice officer is the first point of contact and sees every check, one of them overdue', async () => {
  const yot = await signIn(ctx, 'yot@example.org');
  const res = await yot.get('/youth-checks');
  expect(res.status).toBe(200);
  expect(textOf(res.text, 'overdue-count')).toBe('1 check is overdue.');
  for (const name of ['City of Lincoln', 'Boston', 'East Lindsey']) expect(res.text).toContain(name);
});

test('in the demo, the council officer sees only their own checks', async () => {
  const council = await signIn(ctx, DEMO.council);
  const res = await council.get('/youth-checks');
  const rows = (res.text.match(/href="\/youth-checks\/\d+"/g) ?? []).length;
  expect(rows).toBe(2);
});

test('in the demo, the library holds three approved studies and one waits for the co-ordinator', async () => {
  const admin = await signIn(ctx, DEMO.admin);
  const res = await admin.get('/case-studies');
  expect(textOf(res.text, 'result-count')).toBe('3 case studies.');
  expect(res.text).toContain('Off-road bikes on a coastal path');
  const waiting = res.text.slice(
    res.text.indexOf('id="waiting"'),
    res.text.indexOf('</ul>', res.text.indexOf('id="waiting"')),
  );
  expect(waiting).toContain('Off-road bikes on a coastal path');
});
