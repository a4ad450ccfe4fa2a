import { smtpTransport } from '../../src/mail/transport';
import { createTestContext, type TestContext } from '../support/context';
import { DEMO, signIn } from '../support/http';
import { readPdf } from '../support/pdf';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp';
import { recordedPanel, type RecordedPanel } from '../integration/minutes-builders';
import { agencyOf, dateFields } from '../integration/meeting-builders';
import {
  CRLF,
  expectLiteral,
  expectPlainLiteral,
  expectStatus,
  payload,
  postFields,
  postPayloads,
  tableCounts,
} from './payloads';

let ctx: TestContext;
let smtp: TestSmtpServer;
let p: RecordedPanel;
beforeAll(async () => {
  smtp = await startSmtpServer();
  ctx = await createTestContext({ now: '2026-12-08T11:00:00Z', mailTransport: smtpTransport(smtp.url) });
  p = await recordedPanel(ctx, { status: 'in-progress' });
});
afterAll(async () => {
  await ctx.close();
  await smtp.close();
});

const binary = (res: import('superagent').Response, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
};

const typedAll: Record<string, string> = {};
const actionDescription = payload('action');

test('when the meeting record and an action hold the payloads in every text field, then meeting mode shows them literally', async () => {
  const before = await tableCounts(ctx);
  const chair = await signIn(ctx, DEMO.chair);
  const url = `/panels/${p.panelId}/meeting/items/${p.itemIds[1]}`;
  // The item's form also holds "Agree an action": its fields take their payloads in the action's own post below.
  const { res, typed } = await postPayloads(
    chair,
    url,
    url,
    {
      decision: 'review',
      ...Object.fromEntries(Object.entries(dateFields('2027-01-12')).map(([k, v]) => [`nextReviewOn[${k}]`, v])),
    },
    { skip: /^(description|ownerName)$/ },
  );
  expectStatus(res, 303, 'meeting item');
  Object.assign(typedAll, typed);
  const page = await chair.get(url);
  // The reason for deferring is shown only with that decision.
  for (const [name, value] of Object.entries(typed))
    if (name !== 'deferredReason') expectLiteral(page.text, value, `meeting: ${name}`);
  const ownerName = '<script>alert(1)</script> {{7*7}}';
  const action = await postFields(chair, `${url}/actions`, {
    description: actionDescription,
    ownerAgencyId: String(await agencyOf(ctx, DEMO.police)),
    ownerName,
    ...Object.fromEntries(Object.entries(dateFields('2026-12-30')).map(([k, v]) => [`due[${k}]`, v])),
    priority: 'medium',
  });
  expectStatus(action, 303, 'action');
  const after = await chair.get(url);
  expectLiteral(after.text, actionDescription, 'action description');
  expectLiteral(after.text, ownerName, 'owner name');
  const counts = await tableCounts(ctx);
  expect(counts.referrals).toBe(before.referrals);
  expect(counts.actions).toBe(before.actions + 1);
});

test('when an action owner writes a progress note with the payloads, then the action page shows it literally', async () => {
  const police = await signIn(ctx, DEMO.police);
  const action = await ctx.db
    .selectFrom('actions')
    .select(['id', 'version'])
    .where('description', '=', actionDescription)
    .executeTakeFirstOrThrow();
  const note = payload('progress');
  expectStatus(
    await postFields(police, `/actions/${action.id}`, { version: String(action.version), status: 'in-progress', note }),
    303,
    'progress',
  );
  expectLiteral((await police.get(`/actions/${action.id}`)).text, note, 'progress note');
});

test('when the draft minutes hold the payloads, then the page and the minutes PDF show them as text', async () => {
  await ctx.db
    .updateTable('panels')
    .set({ status: 'concluded', concludedAt: ctx.clock.now() })
    .where('id', '=', p.panelId)
    .execute();
  const chair = await signIn(ctx, DEMO.chair);
  const url = `/panels/${p.panelId}/minutes`;
  const { res, typed } = await postPayloads(chair, url, url);
  expectStatus(res, 303, 'minutes');
  expect(Object.keys(typed).length).toBeGreaterThan(1);
  const page = await chair.get(url);
  for (const [name, value] of Object.entries(typed)) expectLiteral(page.text, value, `minutes: ${name}`);
  const pdf = await chair.get(`/panels/${p.panelId}/minutes.pdf`).buffer(true).parse(binary);
  expect(pdf.status).toBe(200);
  const text = (await readPdf(pdf.body as Buffer)).pages.join('\n');
  // The action's wording was corrected in the draft too: the PDF gives the corrected wording.
  expect(Object.keys(typed).some((name) => name.endsWith('[description]'))).toBe(true);
  for (const [name, value] of Object.entries(typed)) expectPlainLiteral(text, value, `minutes PDF: ${name}`);
  const draftVersion = /name="draftVersion" value="(\d+)"/.exec(page.text)![1];
  expectStatus(await postFields(chair, `/panels/${p.panelId}/minutes/approve`, { draftVersion }), 303, 'approve');
});

test("when the circulation recipient field holds the payloads or a CR/LF, then it is refused or adds no recipient, and no e-mail carries a subject's name", async () => {
  const admin = await signIn(ctx, DEMO.admin);
  const form = await admin.get(`/panels/${p.panelId}/minutes/circulate`);
  expect(form.status).toBe(200);
  const version = /name="version" value="(\d+)"/.exec(form.text)?.[1] ?? '1';
  const police = (
    await ctx.db.selectFrom('users').select('id').where('email', '=', DEMO.police).executeTakeFirstOrThrow()
  ).id;
  const queued = (await ctx.db.selectFrom('outbox').select('id').execute()).length;
  for (const bad of [
    CRLF,
    payload('recipient'),
    "' or '1'='1@example.org",
    'police@example.org\r\nBcc: x@example.org',
    'police@example.org, x@example.org',
  ]) {
    const res = await postFields(admin, `/panels/${p.panelId}/minutes/circulate`, {
      version,
      recipients: [String(police)],
      addEmail: bad,
    });
    expect({ bad, status: res.status }).toEqual({ bad, status: 400 });
    expect(res.text).toContain('id="addEmail-error"');
    expect(res.text).not.toMatch(/<script>alert/);
  }
  // A recipient id that is not a number, or a payload, adds nobody.
  const junk = await postFields(admin, `/panels/${p.panelId}/minutes/circulate`, {
    version,
    recipients: ['1 or 1=1', '<script>alert(1)</script>'],
  });
  expect(junk.status).toBe(400);
  expect(await ctx.db.selectFrom('outbox').select('id').execute()).toHaveLength(queued);
  expectStatus(
    await postFields(admin, `/panels/${p.panelId}/minutes/circulate`, { version, recipients: [String(police)] }),
    303,
    'circulate',
  );
  await ctx.services.mailWorker.drain();
  const mails = await smtp.waitFor(1);
  for (const mail of mails) {
    expect(mail.headers.has('bcc')).toBe(false);
    const to = [mail.to]
      .flat()
      .filter(Boolean)
      .flatMap((a) => (a as { value: { address?: string }[] }).value.map((v) => v.address));
    expect(to).not.toContain('x@example.org');
    expect(to).toHaveLength(1);
    for (const name of ['Morgan Testvictim', 'Riley Testperp', 'Avery Testsubject', '<script>'])
      expect(mail.subject ?? '').not.toContain(name);
  }
  const outbox = await ctx.db.selectFrom('outbox').select(['toAddress', 'subject']).execute();
  for (const row of outbox) {
    expect(row.toAddress).not.toMatch(/[\r\n]|x@example\.org/);
    expect(row.subject).not.toMatch(/[\r\n]/);
  }
});
