import { createTestContext, type TestContext } from '../support/context';
import { DEMO, signIn } from '../support/http';
import { addItem, makePanel } from './meeting-builders';
import { recordedPanel, type RecordedPanel } from './minutes-builders';

let ctx: TestContext;
let heard: RecordedPanel;

beforeAll(async () => {
  ctx = await createTestContext({ now: '2026-12-09T09:00:00Z' });
  heard = await recordedPanel(ctx);
});
afterAll(() => ctx.close());

/** The words of a page as a reader sees them: tags dropped, entities decoded, spaces collapsed. */
function words(html: string): string {
  return html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}

/** The text of the plan section only, from its heading to the case's own details. */
function planOf(html: string): string {
  const start = html.indexOf('id="plan"');
  const end = html.indexOf('id="reason"');
  expect(start).toBeGreaterThan(-1);
  return words(html.slice(start, end));
}

describe("the case record shows the panel's plan", () => {
  test('when a case has been heard at a panel with a decision and actions, then its record shows the panel, the risk level, the decision and each action with its owner, due date and status', async () => {
    const police = await signIn(ctx, DEMO.police);
    const res = await police.get(`/referrals/${heard.referralIds[0]}`);
    expect(res.status).toBe(200);
    expect(words(res.text)).toContain("The panel's plan");
    const plan = planOf(res.text);
    expect(plan).toContain('Boston panel, 8 December 2026');
    expect(plan).toContain('Risk level after discussion Medium');
    expect(plan).toContain('Decision Keep open and review at the next panel');
    expect(plan).toContain('Next review 12 January 2027');
    expect(plan).toMatch(/Joint visit to the victim .*Lincolnshire Police \(PC Jordan Ellis\) 20 December 2026 Open/);
    expect(plan).toMatch(
      /Mental health check-in .*Lincolnshire Partnership NHS Foundation Trust \(Dr Robin Marsh\) 22 December 2026 Open/,
    );
    expect(plan).toMatch(
      /Fit a video doorbell .*Last update: Fitted on 18 November .*Lincolnshire Police \(PC Jordan Ellis\) 30 November 2026 Completed Closed 20 November 2026/,
    );
    expect(plan.indexOf('Mental health check-in')).toBeLessThan(plan.indexOf('Fit a video doorbell'));
    expect(plan).not.toContain('Refer to MARAC');
  });

  test('when a case was escalated, then its record names where it went, and the chair sees it too', async () => {
    const chair = await signIn(ctx, DEMO.chair);
    const res = await chair.get(`/referrals/${heard.referralIds[1]}`);
    expect(res.status).toBe(200);
    const plan = planOf(res.text);
    expect(plan).toContain('Risk level after discussion High');
    expect(plan).toContain('Decision Escalate to another process');
    expect(plan).toContain('Escalated to MARAC');
    expect(plan).toMatch(/Refer to MARAC .*Lincolnshire Partnership NHS Foundation Trust 15 December 2026 Open/);
  });

  test('when the case is on a later agenda not yet heard, or was taken off an agenda, then that panel is not shown as a hearing', async () => {
    const later = await makePanel(ctx, { startsAt: '2027-01-12T10:00:00Z', status: 'agenda-published' });
    await addItem(ctx, later.id, heard.referralIds[0], 'review');
    const removed = await makePanel(ctx, { startsAt: '2026-12-01T10:00:00Z', status: 'concluded' });
    const item = await addItem(ctx, removed.id, heard.referralIds[0], 'review');
    await ctx.db.updateTable('agendaItems').set({ removedAt: ctx.clock.now() }).where('id', '=', item).execute();
    const police = await signIn(ctx, DEMO.police);
    const plan = planOf((await police.get(`/referrals/${heard.referralIds[0]}`)).text);
    expect(plan).toContain('Boston panel, 8 December 2026');
    expect(plan).not.toContain('Boston panel, 12 January 2027');
    expect(plan).not.toContain('Boston panel, 1 December 2026');
  });

  test('when an agency without access asks for the case, then it is 404 and shows nothing of the plan', async () => {
    const council = await signIn(ctx, DEMO.council);
    const res = await council.get(`/referrals/${heard.referralIds[0]}`);
    expect(res.status).toBe(404);
    expect(res.text).not.toContain('Joint visit to the victim');
    expect(res.text).not.toContain(heard.references[0]);
  });
});
