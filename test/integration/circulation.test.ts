import { createHash } from 'node:crypto';
import type { ParsedMail } from 'mailparser';
import { smtpTransport } from '../../src/mail/transport';
import { createTestContext, type TestContext } from '../support/context';
import { DEMO, postForm, signIn, type Agent } from '../support/http';
import { readPdf } from '../support/pdf';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp';
import { recordedPanel, type RecordedPanel } from './minutes-builders';

let ctx: TestContext;
let smtp: TestSmtpServer;
let admin: Agent & { csrf: string };
let chair: Agent & { csrf: string };
let p: RecordedPanel;

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const toOf = (m: ParsedMail) => (m.to as { text: string }).text;
const userId = async (email: string) =>
  (await ctx.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;
const outboxCount = async () =>
  Number(
    (
      await ctx.db
        .selectFrom('outbox')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
const panelStatus = async (id: number) =>
  (await ctx.db.selectFrom('panels').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;
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

beforeAll(async () => {
  smtp = await startSmtpServer();
  ctx = await createTestContext({ mailTransport: smtpTransport(smtp.url), now: '2026-12-09T09:00:00Z' });
  [admin, chair] = await Promise.all([signIn(ctx, DEMO.admin), signIn(ctx, DEMO.chair)]);
  p = await recordedPanel(ctx);
});
afterAll(async () => {
  await ctx.close();
  await smtp.close();
});

const DEFAULT_RECIPIENTS = [
  'housing@example.org',
  'lpft.deputy@example.org',
  'lpft@example.org',
  'police.deputy@example.org',
  'police@example.org',
];

test('when the minutes are not yet approved, then they cannot be circulated and nothing is queued', async () => {
  const page = await admin.get(`/panels/${p.panelId}/minutes/circulate`);
  expect(page.status).toBe(200);
  expect(page.text).toContain('The minutes must be approved before they can be circulated');
  const before = await outboxCount();
  const res = await postForm(admin, `/panels/${p.panelId}/minutes/circulate`, {
    version: '1',
    recipients: [String(await userId(DEMO.police))],
  });
  expect(res.status).toBe(409);
  expect(await outboxCount()).toBe(before);
  expect(await panelStatus(p.panelId)).toBe('concluded');
  expect((await postForm(chair, `/panels/${p.panelId}/minutes/circulate`, { version: '1' })).status).toBe(403);
});

describe('once approved', () => {
  beforeAll(async () => {
    const page = await chair.get(`/panels/${p.panelId}/minutes`);
    const draftVersion = /name="draftVersion" value="(\d+)"/.exec(page.text)![1];
    expect((await postForm(chair, `/panels/${p.panelId}/minutes/approve`, { draftVersion })).status).toBe(303);
  });

  test('when the circulation page opens, then every representative of every invited agency is chosen, present or not', async () => {
    const page = await admin.get(`/panels/${p.panelId}/minutes/circulate`);
    for (const email of DEFAULT_RECIPIENTS) {
      const id = await userId(email);
      expect(page.text).toMatch(
        new RegExp(`id="recipient-${id}" name="recipients" type="checkbox" value="${id}" checked`),
      );
    }
    // The chair is a user of an invited agency but not a representative: offered, not chosen.
    const chairId = await userId(DEMO.chair);
    expect(page.text).toMatch(
      new RegExp(`id="recipient-${chairId}" name="recipients" type="checkbox" value="${chairId}" aria`),
    );
    expect(page.text).not.toContain('council@example.org');
  });

  test.each([
    [
      'a person outside the invited agencies',
      async () => ({ recipients: [String(await userId(DEMO.council))] }),
      'recipients',
      'Choose people from the invited agencies only',
    ],
    [
      'an address with a line break',
      () => Promise.resolve({ addEmail: 'police@example.org\r\nBcc: evil@example.com' }),
      'addEmail',
      'Enter one email address, on one line',
    ],
    [
      'several addresses in one field',
      () => Promise.resolve({ addEmail: 'police@example.org, lpft@example.org' }),
      'addEmail',
      'Enter one email address only',
    ],
    [
      'an address outside the invited agencies',
      () => Promise.resolve({ addEmail: 'council@example.org' }),
      'addEmail',
      'Enter the email address of a user of one of the invited agencies',
    ],
    ['nobody', () => Promise.resolve({}), 'recipients', 'Choose at least one recipient'],
    [
      'a version that was never approved',
      async () => ({ version: '9', recipients: [String(await userId(DEMO.police))] }),
      'version',
      'Choose the approved version to circulate',
    ],
  ])(
    'when the recipients include %s, then the field says so and nothing is sent',
    async (_name, fields, field, message) => {
      const before = await outboxCount();
      const extra = await fields();
      const res = await postForm(admin, `/panels/${p.panelId}/minutes/circulate`, { version: '1', ...extra });
      expect(res.status).toBe(400);
      expect(res.text).toContain(`id="${field}-error"`);
      expect(res.text).toContain(message);
      expect(res.text).toContain('href="#' + field + '"');
      expect(await outboxCount()).toBe(before);
      expect(await panelStatus(p.panelId)).toBe('minutes-approved');
    },
  );

  test('when the minutes are sent, then each recipient gets one marked e-mail with their agency copy, and the copy can be served again byte for byte', async () => {
    smtp.received.length = 0;
    const ids = await Promise.all(DEFAULT_RECIPIENTS.filter((e) => e !== 'police.deputy@example.org').map(userId));
    const res = await postForm(admin, `/panels/${p.panelId}/minutes/circulate`, {
      version: '1',
      recipients: ids.map(String),
      addEmail: 'Chair@Example.org',
    });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/panels/${p.panelId}/minutes/deliveries`);
    expect(await panelStatus(p.panelId)).toBe('minutes-circulated');
    const queued = await ctx.db
      .selectFrom('outbox')
      .select('id')
      .where('kind', '=', 'minutes')
      .where('status', '=', 'queued')
      .execute();
    expect(queued).toHaveLength(5);

    const deliveriesBefore = await admin.get(`/panels/${p.panelId}/minutes/deliveries`);
    expect(deliveriesBefore.text.match(/data-status="queued"/g)).toHaveLength(5);

    await ctx.services.mailWorker.drain();
    const mails = await smtp.waitFor(5);
    expect(mails.map(toOf).sort()).toEqual([
      'chair@example.org',
      'housing@example.org',
      'lpft.deputy@example.org',
      'lpft@example.org',
      'police@example.org',
    ]);
    const messageIds = new Set<string>();
    for (const mail of mails) {
      expect(mail.subject).toBe('OFFICIAL-SENSITIVE: Minutes of the ASBRAC panel, Boston, 8 December 2026');
      expect(mail.text).not.toMatch(/Testvictim|Jordan|Priya|Marsh/);
      expect(mail.messageId).toMatch(/^<outbox-\d+@127\.0\.0\.1>$/);
      messageIds.add(mail.messageId!);
      expect(mail.attachments).toHaveLength(1);
      expect(mail.attachments[0].contentType).toBe('application/pdf');
      expect(mail.attachments[0].filename).toBe('asbrac-minutes-2026-12-08-v1.pdf');
    }
    expect(messageIds.size).toBe(5);

    const police = mails.find((m) => toOf(m) === 'police@example.org')!;
    const lpft = mails.find((m) => toOf(m) === 'lpft@example.org')!;
    const chairMail = mails.find((m) => toOf(m) === 'chair@example.org')!;
    expect(
      (await readPdf(police.attachments[0].content)).pages.every((t) => t.includes('Copy for: Lincolnshire Police')),
    ).toBe(true);
    expect((await readPdf(lpft.attachments[0].content)).pages[0]).toContain(
      'Copy for: Lincolnshire Partnership NHS Foundation Trust',
    );
    // One copy per agency: the chair (police) got the same bytes as the police representative.
    expect(chairMail.attachments[0].content.equals(police.attachments[0].content)).toBe(true);

    const deliveries = await ctx.db
      .selectFrom('minutesDeliveries')
      .selectAll()
      .where('panelId', '=', p.panelId)
      .execute();
    const policeDelivery = deliveries.find((d) => d.email === 'police@example.org')!;
    expect(policeDelivery.pdfSha256).toBe(sha(police.attachments[0].content));
    const served = await pdfOf(admin, `/panels/${p.panelId}/minutes/copies/${policeDelivery.copyId}.pdf`);
    expect(served.res.status).toBe(200);
    expect(served.body.equals(police.attachments[0].content)).toBe(true);
    expect(served.res.headers.etag).toBe(`"sha256-${policeDelivery.pdfSha256}"`);

    const log = await admin.get(`/panels/${p.panelId}/minutes/deliveries`);
    expect(log.text.match(/data-status="sent"/g)).toHaveLength(5);
    expect(log.text).toContain(`&lt;outbox-${policeDelivery.outboxId}&gt;`);
    expect(log.text).toMatch(/Accepted .*: 250/);
    const audit = await ctx.db
      .selectFrom('auditEvents')
      .select(['details'])
      .where('action', '=', 'minutes.circulated')
      .where('entityId', '=', String(p.panelId))
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(audit.details)).not.toContain('@');
  });

  test('when the mail server answers 421 three times and then accepts, then the resent minutes are delivered once, with the retries visible', async () => {
    smtp.received.length = 0;
    const original = await ctx.db
      .selectFrom('minutesDeliveries')
      .selectAll()
      .where('panelId', '=', p.panelId)
      .where('email', '=', 'lpft@example.org')
      .executeTakeFirstOrThrow();
    smtp.refuseNext(421, 421, 421);
    const res = await postForm(admin, `/panels/${p.panelId}/minutes/deliveries/${original.id}/resend`);
    expect(res.status).toBe(303);
    await ctx.services.mailWorker.runOnce();
    const retrying = await admin.get(`/panels/${p.panelId}/minutes/deliveries`);
    expect(retrying.text).toContain('Retrying');
    expect(retrying.text).toMatch(/Attempt 1 failed: [^<]*Try again later/);
    for (let i = 0; i < 3; i++) {
      ctx.clock.advance(5 * 60 * 1000);
      await ctx.services.mailWorker.drain();
    }
    const mails = await smtp.waitFor(1);
    await new Promise((r) => setTimeout(r, 200));
    expect(smtp.received).toHaveLength(1);
    expect(toOf(mails[0])).toBe('lpft@example.org');
    const resent = await ctx.db
      .selectFrom('minutesDeliveries')
      .innerJoin('outbox', 'outbox.id', 'minutesDeliveries.outboxId')
      .select(['outbox.status', 'outbox.attempts', 'minutesDeliveries.pdfSha256'])
      .where('resendOf', '=', original.id)
      .executeTakeFirstOrThrow();
    expect(resent).toMatchObject({ status: 'sent', attempts: 4, pdfSha256: original.pdfSha256 });
    expect(sha(mails[0].attachments[0].content)).toBe(original.pdfSha256);
  });

  test('when the mail server refuses with 550, then the delivery is failed and visible, and sending again delivers it', async () => {
    smtp.received.length = 0;
    const original = await ctx.db
      .selectFrom('minutesDeliveries')
      .selectAll()
      .where('panelId', '=', p.panelId)
      .where('email', '=', 'housing@example.org')
      .executeTakeFirstOrThrow();
    smtp.refuseNext(550);
    const queued = await postForm(admin, `/panels/${p.panelId}/minutes/deliveries/${original.id}/resend`);
    expect(queued.status).toBe(303);
    await ctx.services.mailWorker.drain();
    const failed = await ctx.db
      .selectFrom('minutesDeliveries')
      .innerJoin('outbox', 'outbox.id', 'minutesDeliveries.outboxId')
      .select(['minutesDeliveries.id', 'outbox.status'])
      .where('resendOf', '=', original.id)
      .executeTakeFirstOrThrow();
    expect(failed.status).toBe('failed');
    const log = await admin.get(`/panels/${p.panelId}/minutes/deliveries`);
    expect(log.text).toMatch(new RegExp(`id="delivery-${failed.id}" data-status="failed"`));
    expect(log.text).toContain('Mailbox unavailable');
    expect(log.text).toContain(`/minutes/deliveries/${failed.id}/resend`);
    expect((await postForm(admin, `/panels/${p.panelId}/minutes/deliveries/${failed.id}/resend`)).status).toBe(303);
    await ctx.services.mailWorker.drain();
    const mails = await smtp.waitFor(1);
    expect(toOf(mails[0])).toBe('housing@example.org');
    expect((await postForm(admin, `/panels/${p.panelId}/minutes/deliveries/999999/resend`)).status).toBe(404);
    expect((await postForm(chair, `/panels/${p.panelId}/minutes/deliveries/${failed.id}/resend`)).status).toBe(403);
  });
});
