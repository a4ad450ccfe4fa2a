import { enqueueMail } from '../../src/mail/outbox';
import { panelCalendar } from '../../src/invitations/invitations';
import { createTestContext, type TestContext } from '../support/context';
import { DEMO, signIn } from '../support/http';
import { recordedPanel } from './minutes-builders';
import { seedMinutes } from '../../src/seed/demo-minutes';

// What administrators read about mail is in their words: no file names, server folders or hashes;
// and a calendar invitation names the person it invites.

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ now: '2026-11-30T09:00:00Z' });
});
afterAll(() => ctx.close());

test('when a message is kept on the server for want of a mail server, then the sent mail pages say so in words, with no file name or folder', async () => {
  const id = await enqueueMail(ctx.db, {
    kind: 'action.assigned',
    to: 'police@example.org',
    subject: 'OFFICIAL-SENSITIVE: an action for your agency',
    text: 'Sign in to see the action.',
  });
  await ctx.services.mailWorker.runOnce();
  const admin = await signIn(ctx, DEMO.admin);

  const list = await admin.get('/admin/mail');
  expect(list.status).toBe(200);
  expect(list.text).toContain('no mail server is set up');
  expect(list.text).toContain('An action given to an agency');
  expect(list.text).not.toContain(ctx.dataDir);
  expect(list.text).not.toMatch(/files in \//);

  const detail = await admin.get(`/admin/mail/${id}`);
  expect(detail.text).toContain('Kept on the server for the Sent mail page: no mail server is set up');
  expect(detail.text).not.toMatch(/\d{8}\.eml|written to/);
  expect(detail.text).toContain('<dd class="govuk-summary-list__value">An action given to an agency</dd>');
});

test('when minutes have been circulated, then the delivery log shows no hashes or file names, and stacks on a phone', async () => {
  // The demo's minutes: the earlier of two concluded panels is approved and circulated.
  const panel = await recordedPanel(ctx, { startsAt: '2026-10-13T09:00:00Z' });
  await recordedPanel(ctx, { startsAt: '2026-11-10T10:00:00Z' });
  await seedMinutes(ctx.db);
  await ctx.services.mailWorker.drain();
  const admin = await signIn(ctx, DEMO.admin);
  const log = await admin.get(`/panels/${panel.panelId}/minutes/deliveries`);
  expect(log.status).toBe(200);
  expect(log.text.match(/data-status="sent"/g)?.length).toBeGreaterThan(0);
  expect(log.text).not.toMatch(/\.eml|written to/);
  expect(log.text).not.toContain('SHA-256');
  expect(log.text).not.toMatch(/[0-9a-f]{64}/);
  expect(log.text).toContain('class="govuk-table app-stack-on-mobile" id="deliveries"');
});

test('when a calendar invitation is made, then its attendee is named with their agency', () => {
  const ics = panelCalendar(
    {
      id: 7,
      startsAt: new Date('2026-12-08T10:00:00Z'),
      endsAt: new Date('2026-12-08T12:30:00Z'),
      venue: 'Boston council offices',
      onlineLink: null,
      districtName: 'Boston',
      icsSequence: 0,
    },
    'REQUEST',
    {
      baseUrl: 'https://asbrac.example.org',
      organizerEmail: 'asbrac@example.org',
      attendeeEmail: 'police@example.org',
      attendeeName: 'PC Jordan Ellis, Lincolnshire Police',
    },
  );
  const unfolded = ics.replace(/\r\n[ \t]/g, '');
  expect(unfolded).toMatch(
    /ATTENDEE;[^\r\n]*CN="?PC Jordan Ellis, Lincolnshire Police"?[;:][^\r\n]*mailto:police@example.org/,
  );
  expect(unfolded).not.toContain('Unnamed attendee');
});
