import { smtpTransport } from '../../src/mail/transport';
import { createTestContext, type TestContext } from '../support/context';
import { DEMO, signIn } from '../support/http';
import { readPdf } from '../support/pdf';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp';
import { agencyId, districtId, makeCase, userId } from '../integration/panels-builders';
import {
  CRLF,
  encodeForm,
  expectLiteral,
  expectNoRawMarkup,
  expectPlainLiteral,
  expectStatus,
  payload,
  postFields,
  postPayloads,
  tableCounts,
} from './payloads';

let ctx: TestContext;
let smtp: TestSmtpServer;
beforeAll(async () => {
  smtp = await startSmtpServer();
  ctx = await createTestContext({ now: '2026-11-23T10:00:00Z', mailTransport: smtpTransport(smtp.url) });
});
afterAll(async () => {
  await ctx.close();
  await smtp.close();
});

const revisionOf = async (panelId: number) =>
  String(
    (await ctx.db.selectFrom('panels').select('agendaRevision').where('id', '=', panelId).executeTakeFirstOrThrow())
      .agendaRevision,
  );

/** Every e-mail sent so far: no header or recipient added by typed text, no subject's name in a subject line. */
async function expectCleanMail(names: string[]) {
  await ctx.services.mailWorker.drain();
  expect(smtp.received.length).toBeGreaterThan(0);
  for (const mail of smtp.received) {
    expect(mail.headers.has('bcc')).toBe(false);
    const to = [mail.to, mail.cc]
      .flat()
      .filter(Boolean)
      .flatMap((a) => (a as { value: { address?: string }[] }).value.map((v) => v.address));
    expect(to).not.toContain('x@example.org');
    expect(to.length).toBe(1);
    const subject = mail.subject ?? '';
    expect(subject).toMatch(/^OFFICIAL/);
    for (const name of names) expect(subject).not.toContain(name);
    expect(subject).not.toContain('<script>');
    for (const line of (mail.text ?? '').split('\n')) expect(line).not.toMatch(/^Bcc:/i);
  }
}

describe('administration forms', () => {
  test('when an agency is added with the payloads in every text field, then the list and its page show them literally', async () => {
    const admin = await signIn(ctx, DEMO.admin);
    const { res, typed } = await postPayloads(
      admin,
      '/admin/agencies/new',
      '/admin/agencies/new',
      { contactEmail: 'team@example.org', type: 'other' },
      { skip: /email/i },
    );
    expectStatus(res, 303, 'agency');
    const list = await admin.get('/admin/agencies');
    expectLiteral(list.text, typed.name, 'agency name');
    const crlf = await postPayloads(admin, '/admin/agencies/new', '/admin/agencies/new', {
      name: CRLF,
      shortName: 'CRLF',
    });
    if (crlf.res.status !== 303) expect(crlf.res.text).toContain('govuk-error-message');
  });

  test('when a user is added with the payloads in every text field, then the list shows them literally', async () => {
    const admin = await signIn(ctx, DEMO.admin);
    const { res, typed } = await postPayloads(
      admin,
      '/admin/users/new',
      '/admin/users/new',
      {
        email: 'injected.user@example.org',
        agencyId: String(await agencyId(ctx, 'Police')),
        role: 'representative',
        password: 'a-long-enough-password-1',
      },
      { skip: /email|password/i },
    );
    expectStatus(res, 303, 'user');
    const list = await admin.get('/admin/users');
    expectLiteral(list.text, typed.name, 'user name');
    const refused = await postFields(admin, '/admin/users/new', {
      name: 'Eve',
      email: 'eve@example.org\r\nBcc: x@example.org',
      agencyId: String(await agencyId(ctx, 'Police')),
      role: 'representative',
    });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('govuk-error-message');
  });

  test('when the confidentiality statement holds the payloads, then its page shows them literally', async () => {
    const admin = await signIn(ctx, DEMO.admin);
    const text = payload('statement');
    const res = await postFields(admin, '/admin/confidentiality', { version: '1', text });
    expectStatus(res, 303, 'statement');
    expectLiteral((await admin.get('/admin/confidentiality')).text, text, 'statement');
  });
});

describe('a panel, its agenda, research, attendance and register', () => {
  const subjectName = 'Robin Injectiontest';
  let panelId: number;
  let caseRef: string;
  const venue = payload('venue');
  const otherTitle = '<script>alert(1)</script> {{7*7}} ${7*7}';

  test('when a panel is scheduled with the payloads in its venue and a dangerous link, then the link is refused by its field and the venue is shown literally', async () => {
    const before = await tableCounts(ctx);
    const admin = await signIn(ctx, DEMO.admin);
    const boston = await districtId(ctx, 'Boston');
    const agencies = (await ctx.services.panels.coreAgencyIds(boston)).map(String);
    const fields = {
      districtId: String(boston),
      'date[day]': '8',
      'date[month]': '12',
      'date[year]': '2026',
      startTime: '10:00',
      endTime: '12:00',
      chairUserId: String(await userId(ctx, DEMO.chair)),
      agencyIds: agencies,
      action: 'save',
    };
    for (const onlineLink of ['javascript:alert(1)', 'file:///etc/passwd', '"><script>alert(1)</script>']) {
      const refused = await postFields(admin, '/panels/new', { ...fields, venue, onlineLink });
      expect(refused.status).toBe(400);
      expect(refused.text).toContain('Enter the online meeting link as a full web address starting https://');
      expectNoRawMarkup(refused.text, 'refused link');
    }
    const crlf = await postFields(admin, '/panels/new', { ...fields, venue: CRLF });
    expect(crlf.status).toBe(400);
    expect(crlf.text).toContain('The venue must be on one line');
    const link = 'https://meet.example.org/j/1?a="><script>alert(1)</script>';
    const res = await admin
      .post('/panels/new')
      .type('form')
      .send(encodeForm({ _csrf: admin.csrf, ...fields, venue, onlineLink: link }));
    expectStatus(res, 303, 'panel');
    panelId = Number(/\/panels\/(\d+)$/.exec(res.headers.location)![1]);
    const page = await admin.get(`/panels/${panelId}`);
    expectLiteral(page.text, venue, 'venue');
    expect(page.text).not.toContain('href="javascript');
    expect((await tableCounts(ctx)).panels).toBe(before.panels + 1);
  });

  test('when other business and a removal reason hold the payloads, then the agenda page and its PDF show them as text', async () => {
    const admin = await signIn(ctx, DEMO.admin);
    const boston = await districtId(ctx, 'Boston');
    const police = await agencyId(ctx, 'Police');
    const c = await makeCase(ctx, { districtId: boston, referringAgencyId: police, name: subjectName });
    const gone = await makeCase(ctx, { districtId: boston, referringAgencyId: police });
    caseRef = c.reference;
    for (const id of [c.id, gone.id])
      expectStatus(
        await postFields(admin, `/panels/${panelId}/agenda`, {
          action: 'add-case',
          referralId: String(id),
          revision: await revisionOf(panelId),
        }),
        303,
        'add case',
      );
    expectStatus(
      await postFields(admin, `/panels/${panelId}/agenda`, {
        action: 'add-other',
        otherTitle,
        otherMinutes: '5',
        revision: await revisionOf(panelId),
      }),
      303,
      'other business',
    );
    expectStatus(
      await postFields(admin, `/panels/${panelId}/agenda`, { action: 'publish', revision: await revisionOf(panelId) }),
      303,
      'publish',
    );
    const page = await admin.get(`/panels/${panelId}/agenda`);
    expectLiteral(page.text, otherTitle, 'other business');
    const pdf = await admin
      .get(`/panels/${panelId}/agenda.pdf`)
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    expect(pdf.status).toBe(200);
    const text = (await readPdf(pdf.body as Buffer)).pages.join('\n');
    expectPlainLiteral(text, otherTitle, 'agenda PDF other business');
    expectPlainLiteral(text, venue, 'agenda PDF venue');

    const item = await ctx.db
      .selectFrom('agendaItems')
      .select('id')
      .where('panelId', '=', panelId)
      .where('referralId', '=', gone.id)
      .executeTakeFirstOrThrow();
    const reason = payload('removal');
    const removed = await postFields(admin, `/panels/${panelId}/agenda/items/${item.id}/remove`, {
      revision: await revisionOf(panelId),
      reason,
    });
    expectStatus(removed, 303, 'remove');
    expectStatus(
      await postFields(admin, `/panels/${panelId}/agenda`, { action: 'publish', revision: await revisionOf(panelId) }),
      303,
      'publish 2',
    );
    const after = await admin.get(`/panels/${panelId}/agenda`);
    expectNoRawMarkup(after.text, 'agenda after removal');
    const row = await ctx.db.selectFrom('agendaItems').selectAll().where('id', '=', item.id).executeTakeFirst();
    expect(JSON.stringify(row ?? {})).not.toContain('49');
  });

  test('when a research answer holds the payloads, then the research page shows them literally', async () => {
    const lpft = await signIn(ctx, DEMO.lpft);
    const request = await ctx.db
      .selectFrom('researchRequests')
      .select(['id', 'version'])
      .where('panelId', '=', panelId)
      .where('agencyId', '=', await agencyId(ctx, 'LPFT'))
      .executeTakeFirstOrThrow();
    const summary = payload('research');
    expectStatus(
      await postFields(lpft, `/research/${request.id}`, {
        status: 'information-held',
        summary,
        version: String(request.version),
      }),
      303,
      'research',
    );
    expectLiteral((await lpft.get(`/research/${request.id}`)).text, summary, 'research request page');
    const item = await ctx.db
      .selectFrom('researchRequests')
      .select('agendaItemId')
      .where('id', '=', request.id)
      .executeTakeFirstOrThrow();
    await ctx.db.updateTable('panels').set({ status: 'in-progress' }).where('id', '=', panelId).execute();
    const chair = await signIn(ctx, DEMO.chair);
    const meeting = await chair.get(`/panels/${panelId}/meeting/items/${item.agendaItemId}`);
    expect(meeting.status).toBe(200);
    expectLiteral(meeting.text, summary, 'research in meeting mode');
    await ctx.db.updateTable('panels').set({ status: 'agenda-published' }).where('id', '=', panelId).execute();
  });

  test('when attendance answers hold the payloads, then the chair sees them literally', async () => {
    const police = await signIn(ctx, DEMO.police);
    const attendees = `${payload('attendee')}\nPCSO Taylor Grant`;
    const res = await postFields(police, `/panels/${panelId}/attendance`, {
      version: '',
      answer: 'attending',
      attendees,
      mode: 'online',
    });
    let shown = payload('attendee');
    if (res.status === 400) {
      // Names are short: one payload each.
      shown = '<script>alert(1)</script>';
      expectStatus(
        await postFields(police, `/panels/${panelId}/attendance`, {
          version: '',
          answer: 'attending',
          attendees: `${shown}\n' or '1'='1`,
          mode: 'online',
        }),
        303,
        'attendance',
      );
    } else expectStatus(res, 303, 'attendance');
    const housing = await signIn(ctx, DEMO.lpft);
    const reason = payload('apology');
    let apology = await postFields(housing, `/panels/${panelId}/attendance`, {
      version: '',
      answer: 'apologies',
      apologyReason: reason,
      informationInAdvance: 'no',
    });
    let shownReason = reason;
    if (apology.status === 400) {
      shownReason = '"><img src=x onerror=alert(1)> {{7*7}}';
      apology = await postFields(housing, `/panels/${panelId}/attendance`, {
        version: '',
        answer: 'apologies',
        apologyReason: shownReason,
        informationInAdvance: 'no',
      });
    }
    expectStatus(apology, 303, 'apologies');
    const chair = await signIn(ctx, DEMO.chair);
    const page = await chair.get(`/panels/${panelId}/attendance`);
    expectLiteral(page.text, shown, 'attendee name');
    expectLiteral(page.text, shownReason, 'apology reason');
  });

  test('when register names and observers hold the payloads, then the register shows them literally', async () => {
    await ctx.db.updateTable('panels').set({ status: 'in-progress' }).where('id', '=', panelId).execute();
    const chair = await signIn(ctx, DEMO.chair);
    const personName = '<script>alert(1)</script> {{7*7}}';
    const role = '"><img src=x onerror=alert(1)>';
    const res = await chair
      .post(`/panels/${panelId}/register`)
      .type('form')
      .send(
        encodeForm({
          _csrf: chair.csrf,
          rows: [
            { agencyId: String(await agencyId(ctx, 'Police')), personName, role, status: 'present', agreed: 'true' },
          ],
        }),
      );
    expectStatus(res, 303, 'register');
    const observer = "'; drop table referrals; --";
    const obs = await chair
      .post(`/panels/${panelId}/register/observers`)
      .type('form')
      .send(encodeForm({ _csrf: chair.csrf, personName: observer, role: '${7*7}' }));
    expectStatus(obs, 303, 'observer');
    const page = await chair.get(`/panels/${panelId}/register`);
    expectLiteral(page.text, personName, 'register name');
    expectLiteral(page.text, observer, 'observer');
    expect((await tableCounts(ctx)).referrals).toBeGreaterThan(0);
  });

  test('then every e-mail sent for the panel has no added header or recipient and no personal data in its subject', async () => {
    await expectCleanMail([subjectName, caseRef]);
  });
});
