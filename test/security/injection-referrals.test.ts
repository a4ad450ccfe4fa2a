import type { AddressObject } from 'mailparser';
import { flattenValues } from '../../src/http/forms';
import { smtpTransport } from '../../src/mail/transport';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp';
import { createTestContext, type TestContext } from '../support/context';
import { DEMO, signIn } from '../support/http';
import { referralBody } from '../integration/referrals-builders';
import {
  CRLF,
  expectLiteral,
  expectStatus,
  shortenRefused,
  payload,
  postFields,
  postPayloads,
  readForm,
  tableCounts,
} from './payloads';

let ctx: TestContext;
let smtp: TestSmtpServer;
beforeAll(async () => {
  smtp = await startSmtpServer();
  ctx = await createTestContext({ now: '2026-03-10T10:00:00Z', mailTransport: smtpTransport(smtp.url) });
});
afterAll(async () => {
  await ctx.close();
  await smtp.close();
});

/** Formats and codes the form checks strictly: typed attacks there are refused, which other tests show. */
const FORMATTED = /(day|month|year|Email|Phone|postcode|approximateAge)\]?$/;

function asFields(body: Record<string, unknown>): Record<string, string | string[]> {
  return Object.fromEntries(
    Object.entries(flattenValues(body))
      .filter(([, v]) => v !== undefined && v !== null)
      .map(([k, v]) => [k, Array.isArray(v) ? v.map(String) : String(v)]),
  );
}

describe('a referral with an attack in every text field', () => {
  let id: number;
  let typed: Record<string, string>;

  test('when every free-text field of the referral form holds the payloads, then it is saved and every one is shown back literally, nothing evaluated, no SQL effect', async () => {
    const before = await tableCounts(ctx);
    const agent = await signIn(ctx, DEMO.police);
    const body = asFields(
      await referralBody(ctx, { triedOther: 'x', triedDetails: 'x', judgementReasons: 'x', consentReason: 'x' }),
    );
    const page = await agent.get('/referrals/new');
    const form = readForm(page.text, '/referrals/new');
    // The form as the browser sends it once filled in: the valid referral, then payloads in every free-text field.
    const names = new Set([
      ...form.textNames,
      ...Object.keys(body).filter((n) =>
        /fullName|address|description|summary|agencyReference|reason|Reasons|Other|Details|officer(Name|Role)/.test(n),
      ),
    ]);
    typed = {};
    for (const name of names) if (!FORMATTED.test(name)) typed[name] = payload(name);
    expect(Object.keys(typed)).toEqual(
      expect.arrayContaining([
        'reason',
        'subjects[0][fullName]',
        'subjects[0][address]',
        'subjects[1][fullName]',
        'incidents[0][summary]',
        'officerName',
      ]),
    );
    let res = await postFields(agent, '/referrals/new', { ...body, ...typed, action: 'continue' });
    // Too long for a name field is refused by the field; the same field then takes one payload at a time.
    if (res.status === 400 && shortenRefused(res.text, typed).length)
      res = await postFields(agent, '/referrals/new', { ...body, ...typed, action: 'continue' });
    expectStatus(res, 303, 'referral');
    id = Number(/\/referrals\/(\d+)\/submit/.exec(res.headers.location)![1]);
    const check = await agent.get(`/referrals/${id}/submit`);
    expect(check.status).toBe(200);
    for (const [name, value] of Object.entries(typed))
      if (!/officer|triedOther|Reasons|consentReason/.test(name))
        expectLiteral(check.text, value, `check page: ${name}`);
    const version = /name="version" value="(\d+)"/.exec(check.text)![1];
    expect((await postFields(agent, `/referrals/${id}/submit`, { version })).status).toBe(303);
    const record = await agent.get(`/referrals/${id}`);
    expect(record.status).toBe(200);
    for (const [name, value] of Object.entries(typed))
      if (!/triedOther|consentReason/.test(name)) expectLiteral(record.text, value, `record: ${name}`);
    expect(record.text).not.toMatch(/\]\s[^<]*\b49\b[^<]*\$\{/);
    // Stored exactly as typed.
    const saved = await ctx.db
      .selectFrom('referrals')
      .select(['reason'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(saved.reason).toBe(typed.reason);
    const subjects = await ctx.db
      .selectFrom('referralSubjects')
      .select('fullName')
      .where('referralId', '=', id)
      .orderBy('position')
      .execute();
    expect(subjects.map((s) => s.fullName)).toEqual([typed['subjects[0][fullName]'], typed['subjects[1][fullName]']]);
    const after = await tableCounts(ctx);
    expect(after.referrals).toBe(before.referrals + 1);
    expect(after.referralSubjects).toBe(before.referralSubjects + 2);
    expect(after.users).toBe(before.users);
  });

  test('when the list is searched with the payloads, then the search is a parameter and the list shows them escaped', async () => {
    const before = await tableCounts(ctx);
    const agent = await signIn(ctx, DEMO.admin);
    for (const q of ["' or '1'='1", "'; drop table referrals; --", '<script>alert(1)</script>']) {
      const res = await agent.get('/referrals').query({ q });
      expect(res.status).toBe(200);
      expectLiteral(res.text, q, `search ${q}`);
    }
    const sorted = await agent.get('/referrals').query({ sort: 'reference; drop table referrals; --' });
    expect(sorted.status).toBe(200);
    expect((await tableCounts(ctx)).referrals).toBe(before.referrals);
  });

  test('when the screening note holds the payloads, then it is shown to the referrer literally', async () => {
    const admin = await signIn(ctx, DEMO.admin);
    const note = payload('screening');
    const res = await postFields(admin, `/referrals/${id}/screen`, { outcome: 'request-information', note });
    expect(res.status).toBe(303);
    const police = await signIn(ctx, DEMO.police);
    const record = await police.get(`/referrals/${id}`);
    expectLiteral(record.text, note, 'screening note');
  });

  test('when a CR/LF is typed in a single-line field, then it is refused by the field; typed in the reason, the referral is submitted and its e-mail has no added header or recipient', async () => {
    const agent = await signIn(ctx, DEMO.police);
    const body = asFields(await referralBody(ctx));
    const before = await tableCounts(ctx);
    const refused = await postFields(agent, '/referrals/new', {
      ...body,
      officerName: CRLF,
      'subjects[0][fullName]': CRLF,
      action: 'continue',
    });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('The name of the referring officer must be on one line');
    expect((await tableCounts(ctx)).referrals).toBe(before.referrals);

    // What earlier tests queued goes first, so that what arrives next is this submission's.
    await ctx.services.mailWorker.drain();
    smtp.received.length = 0;
    const saved = await postFields(agent, '/referrals/new', {
      ...body,
      reason: `Neighbour dispute ${CRLF}`,
      action: 'continue',
    });
    expect(saved.status).toBe(303);
    const rid = Number(/\/referrals\/(\d+)\/submit/.exec(saved.headers.location)![1]);
    const check = await agent.get(`/referrals/${rid}/submit`);
    expect(
      (
        await postFields(agent, `/referrals/${rid}/submit`, {
          version: /name="version" value="(\d+)"/.exec(check.text)![1],
        })
      ).status,
    ).toBe(303);
    await ctx.services.mailWorker.drain();
    const administrators = await ctx.db
      .selectFrom('users')
      .select('email')
      .where('role', '=', 'administrator')
      .where('active', '=', true)
      .execute();
    const mails = await smtp.waitFor(administrators.length);
    expect(
      mails
        .map((m) => (m.to as AddressObject).value.map((a) => a.address))
        .flat()
        .sort(),
    ).toEqual(administrators.map((a) => a.email).sort());
    for (const mail of mails) {
      expect(mail.subject).toMatch(/^OFFICIAL-SENSITIVE: Referral ASB-\d{4}-\d{4} waiting for screening$/);
      expect(mail.bcc).toBeUndefined();
      expect(mail.headers.has('bcc')).toBe(false);
      expect(mail.text).not.toContain('x@example.org');
    }
  });
});

describe('the risk matrix question text', () => {
  test('when a question is worded with the payloads, then the matrix page and the referral form show it literally', async () => {
    const admin = await signIn(ctx, DEMO.admin);
    const { res } = await postPayloads(
      admin,
      '/admin/risk-matrix/edit',
      '/admin/risk-matrix/edit',
      { action: 'save' },
      { skip: /weight|threshold|key|code/i },
    );
    expectStatus(res, 303, 'matrix');
    const current = await ctx.services.referrals.riskMatrix.current();
    const text = current.questions[0].text;
    expect(text).toContain('<script>alert(1)</script>');
    const page = await admin.get('/admin/risk-matrix');
    expectLiteral(page.text, text, 'matrix page');
    const form = await (await signIn(ctx, DEMO.council)).get('/referrals/new');
    expectLiteral(form.text, text, 'referral form');
  });
});
