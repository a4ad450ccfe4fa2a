import { sql } from 'kysely';
import { createAttendanceTokens, hashToken, queueInvitations } from '../../src/invitations/invitations';
import { enqueueMail } from '../../src/mail/outbox';
import { up as linksAtSendTime } from '../../migrations/20261130_0042_attendance_links_at_send_time';
import { smtpTransport } from '../../src/mail/transport';
import { createTestContext, type TestContext } from '../support/context';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp';
import { DEMO, signIn } from '../support/http';
import { redactedPath } from '../../src/http/input';

let ctx: TestContext;
let smtp: TestSmtpServer;
beforeAll(async () => {
  smtp = await startSmtpServer();
  ctx = await createTestContext({ mailTransport: smtpTransport(smtp.url), now: '2026-11-23T09:00:00Z' });
});
afterAll(async () => {
  await ctx.close();
  await smtp.close();
});

/** iCalendar properties of the first VEVENT and the calendar, with folded lines joined. */
function icsProperties(text: string): Record<string, string> {
  const unfolded = text.replace(/\r?\n[ \t]/g, '');
  const props: Record<string, string> = {};
  for (const line of unfolded.split(/\r?\n/)) {
    const m = /^([A-Z-]+)(?:;[^:]*)?:(.*)$/.exec(line);
    if (m && !(m[1] in props)) props[m[1]] = m[2];
  }
  return props;
}

async function makePanel(agencyShortNames: string[]) {
  const district = await ctx.db
    .selectFrom('districts')
    .select('id')
    .where('name', '=', 'Boston')
    .executeTakeFirstOrThrow();
  const chair = await ctx.db
    .selectFrom('users')
    .select('id')
    .where('email', '=', 'chair@example.org')
    .executeTakeFirstOrThrow();
  const panel = await ctx.db
    .insertInto('panels')
    .values({
      districtId: district.id,
      startsAt: '2026-12-08T10:00:00Z',
      endsAt: '2026-12-08T12:30:00Z',
      venue: 'Municipal Buildings, Boston',
      chairUserId: chair.id,
      researchClosesOn: '2026-12-04',
    })
    .returning(['id'])
    .executeTakeFirstOrThrow();
  const agencies = await ctx.db
    .selectFrom('agencies')
    .select('id')
    .where('shortName', 'in', agencyShortNames)
    .execute();
  await ctx.db
    .insertInto('panelInvitations')
    .values(agencies.map((a) => ({ panelId: panel.id, agencyId: a.id, reason: 'core' as const })))
    .execute();
  return panel.id;
}

test('an invitation reaches every representative, deputy and single point of contact of each invited agency, with an iCalendar request and attendance links', async () => {
  const panelId = await makePanel(['Police', 'LPFT']);
  const queued = await ctx.db.transaction().execute((trx) =>
    queueInvitations(trx, {
      panelId,
      method: 'REQUEST',
      reason: 'agenda-published',
      baseUrl: ctx.config.baseUrl,
      clock: ctx.clock,
    }),
  );
  await ctx.services.mailWorker.drain();
  const mails = await smtp.waitFor(queued);
  const to = mails.map((m) => (m.to as { text: string }).text).sort();
  expect(to).toEqual([
    'lpft.deputy@example.org',
    'lpft@example.org',
    'police.deputy@example.org',
    'police@example.org',
  ]);
  // The chair is a police officer but not an agency invitee.
  expect(to).not.toContain('chair@example.org');

  const mail = mails.find((m) => (m.to as { text: string }).text === 'lpft@example.org')!;
  expect(mail.subject).toBe('OFFICIAL-SENSITIVE: ASBRAC panel invitation and agenda: Boston, 8 December 2026');
  const invite = mail.attachments.find((a) => a.filename === 'invite.ics')!;
  expect(invite.contentType).toBe('text/calendar');
  const ics = icsProperties(invite.content.toString('utf8'));
  expect(ics).toMatchObject({
    METHOD: 'REQUEST',
    UID: `asbrac-panel-${panelId}@127.0.0.1`,
    SEQUENCE: '0',
    DTSTART: '20261208T100000Z',
    DTEND: '20261208T123000Z',
    STATUS: 'CONFIRMED',
  });
  expect(ics.LOCATION).toBe('Municipal Buildings\\, Boston');
  expect(mail.text).toContain('When: 8 December 2026 at 10:00 to 12:30 (UK time)');

  const link = /We will attend: \S+\/attend\/(\S+)/.exec(mail.text ?? '')![1];
  const token = await ctx.db
    .selectFrom('attendanceTokens')
    .selectAll()
    .where('tokenHash', '=', hashToken(link))
    .executeTakeFirstOrThrow();
  const lpft = await ctx.db
    .selectFrom('agencies')
    .select('id')
    .where('shortName', '=', 'LPFT')
    .executeTakeFirstOrThrow();
  expect(token).toMatchObject({ panelId, agencyId: lpft.id, answer: 'attending', usedAt: null });
  expect(token.expiresAt).toEqual(new Date('2026-12-08T12:30:00Z'));
  // Only hashes are stored.
  expect(await ctx.db.selectFrom('attendanceTokens').select('id').where('tokenHash', '=', link).execute()).toHaveLength(
    0,
  );
});

test('a change raises the sequence and a cancellation sends METHOD:CANCEL for the same event, without attendance links', async () => {
  smtp.received.length = 0;
  const panelId = await makePanel(['Probation']);
  await ctx.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('panels')
      .set({ startsAt: '2026-12-09T10:00:00Z', endsAt: '2026-12-09T12:00:00Z', icsSequence: sql`ics_sequence + 1` })
      .where('id', '=', panelId)
      .execute();
    await queueInvitations(trx, {
      panelId,
      method: 'REQUEST',
      reason: 'changed',
      baseUrl: ctx.config.baseUrl,
      clock: ctx.clock,
    });
    await trx
      .updateTable('panels')
      .set({ status: 'cancelled', icsSequence: sql`ics_sequence + 1` })
      .where('id', '=', panelId)
      .execute();
    await queueInvitations(trx, {
      panelId,
      method: 'CANCEL',
      reason: 'cancelled',
      baseUrl: ctx.config.baseUrl,
      clock: ctx.clock,
    });
  });
  await ctx.services.mailWorker.drain();
  const [changed, cancelled] = (await smtp.waitFor(2))
    .sort((a, b) => (a.subject ?? '').localeCompare(b.subject ?? ''))
    .reverse();
  expect(changed.subject).toContain('updated');
  expect(cancelled.subject).toContain('cancelled');
  const a = icsProperties(changed.attachments[0].content.toString('utf8'));
  const b = icsProperties(cancelled.attachments[0].content.toString('utf8'));
  expect(a).toMatchObject({ METHOD: 'REQUEST', SEQUENCE: '1', DTSTART: '20261209T100000Z' });
  expect(b).toMatchObject({ METHOD: 'CANCEL', SEQUENCE: '2', STATUS: 'CANCELLED', UID: a.UID });
  expect(cancelled.text).not.toContain('/attend/');
});

test('the outbox and the sent-mail page hold no live attendance link: each is made as the message is sent, and the request log leaves it out', async () => {
  smtp.received.length = 0;
  const panelId = await makePanel(['Victim Support']);
  const queued = await ctx.db.transaction().execute((trx) =>
    queueInvitations(trx, {
      panelId,
      method: 'REQUEST',
      reason: 'scheduled',
      baseUrl: ctx.config.baseUrl,
      clock: ctx.clock,
    }),
  );
  expect(queued).toBeGreaterThan(0);
  const stored = () =>
    ctx.db
      .selectFrom('outbox')
      .select(['id', 'textBody'])
      .where('entityType', '=', 'panel')
      .where('entityId', '=', String(panelId))
      .execute();
  const LIVE = /\/attend\/[A-Za-z0-9_-]{43}/;
  for (const row of await stored()) {
    expect(row.textBody).toMatch(/We will attend: \S+\/attend\/\{\{attend:[A-Za-z0-9_-]{22}\}\}/);
    expect(row.textBody).not.toMatch(LIVE);
  }

  await ctx.services.mailWorker.drain();
  const [mail] = await smtp.waitFor(queued);
  const link = /We will attend: \S+(\/attend\/[A-Za-z0-9_-]{43})\b/.exec(mail.text ?? '')![1];
  const visitor = await signIn(ctx, DEMO.police);
  expect((await visitor.get(link)).status).toBe(200);

  const admin = await signIn(ctx, DEMO.admin);
  for (const row of await stored()) {
    expect(row.textBody).not.toMatch(LIVE);
    const page = await admin.get(`/admin/mail/${row.id}`);
    expect(page.status).toBe(200);
    expect(page.text).not.toMatch(LIVE);
    expect(page.text).not.toContain(link);
  }
  expect(redactedPath(`${link}?x=1`)).toBe('/attend/[redacted]');
});

test('when the outbox already held live links before links were made at send time, then the migration replaces each with its placeholder, and the link sent keeps working', async () => {
  const panelId = await makePanel(['Fire and Rescue']);
  const panel = await ctx.db
    .selectFrom('panels')
    .select(['endsAt'])
    .where('id', '=', panelId)
    .executeTakeFirstOrThrow();
  const fire = await ctx.db
    .selectFrom('agencies')
    .select('id')
    .where('shortName', '=', 'Fire and Rescue')
    .executeTakeFirstOrThrow();
  const tokens = await createAttendanceTokens(ctx.db, { panelId, agencyId: fire.id, expiresAt: panel.endsAt });
  const id = await enqueueMail(ctx.db, {
    kind: 'panel-scheduled',
    to: 'fire@example.org',
    subject: 'Old invitation',
    text: `- We will attend: ${ctx.config.baseUrl}/attend/${tokens.attending}\n- Apologies: ${ctx.config.baseUrl}/attend/${tokens.apologies}\n`,
  });
  await sql`alter table attendance_tokens drop column link_nonce`.execute(ctx.db);
  await linksAtSendTime(ctx.db.withoutPlugins());
  const row = await ctx.db.selectFrom('outbox').select('textBody').where('id', '=', id).executeTakeFirstOrThrow();
  expect(row.textBody).not.toContain(tokens.attending);
  expect(row.textBody).not.toContain(tokens.apologies);
  expect(row.textBody.match(/\/attend\/\{\{attend:[A-Za-z0-9_-]{22}\}\}/g)).toHaveLength(2);
  const visitor = await signIn(ctx, DEMO.police);
  expect((await visitor.get(`/attend/${tokens.attending}`)).status).toBe(200);
});
