import { createTestContext, type TestContext } from '../support/context';
import { DEMO, postForm, signIn, type Agent } from '../support/http';
import { readPdf } from '../support/pdf';
import { recordedPanel, type RecordedPanel } from './minutes-builders';

let ctx: TestContext;
let admin: Agent & { csrf: string };
let p: RecordedPanel;
let requestId: number;
const NOW = '2026-12-09T09:00:00Z';

const sectionsOf = (html: string) => [...html.matchAll(/id="section-([a-z-]+)"/g)].map((m) => m[1]);

async function pdfText(agent: Agent, url: string): Promise<{ status: number; text: string; type: string }> {
  const res = await agent
    .get(url)
    .buffer(true)
    .parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    });
  if (res.status !== 200) return { status: res.status, text: '', type: String(res.headers['content-type']) };
  return {
    status: res.status,
    text: (await readPdf(res.body as Buffer)).pages.join('\n'),
    type: String(res.headers['content-type']),
  };
}

beforeAll(async () => {
  ctx = await createTestContext({ now: NOW });
  admin = await signIn(ctx, DEMO.admin);
  const chair = await signIn(ctx, DEMO.chair);
  p = await recordedPanel(ctx);
  const [caseId, otherId] = p.referralIds;
  await ctx.db
    .updateTable('referralSubjects')
    .set({ dateOfBirth: '1984-05-06', address: '12 Quay Street, Boston', postcode: 'PE21 6AA' })
    .where('referralId', '=', caseId)
    .where('position', '=', 1)
    .execute();
  await ctx.db
    .updateTable('referrals')
    .set({ reason: 'Riley Testperp shouts at the victim every night.', officerName: 'PC Jordan Ellis' })
    .where('id', '=', caseId)
    .execute();
  await ctx.db
    .insertInto('referralIncidents')
    .values({
      referralId: caseId,
      position: 1,
      incidentDate: '2026-10-05',
      type: 'verbal-abuse',
      summary: 'Shouting at the door.',
    })
    .execute();
  await ctx.db
    .insertInto('referralEvents')
    .values({
      referralId: caseId,
      at: new Date('2026-10-06T10:00:00Z'),
      kind: 'note',
      note: 'Victim asked for a call back.',
    })
    .execute();
  const lpft = (
    await ctx.db.selectFrom('agencies').select('id').where('shortName', '=', 'LPFT').executeTakeFirstOrThrow()
  ).id;
  await ctx.db
    .insertInto('researchRequests')
    .values({
      panelId: p.panelId,
      agendaItemId: p.itemIds[0],
      agencyId: lpft,
      status: 'information-held',
      summary: 'Known to the crisis team.',
    })
    .execute();
  // The other case mentions the person in passing: found by the mention, not as a subject.
  await ctx.db
    .insertInto('sharedInformation')
    .values({
      agendaItemId: p.itemIds[1],
      agencyId: (
        await ctx.db.selectFrom('agencies').select('id').where('shortName', '=', 'Police').executeTakeFirstOrThrow()
      ).id,
      text: 'Morgan Testvictim was a witness.',
    })
    .execute();
  await ctx.db
    .insertInto('agendaVersions')
    .values({
      panelId: p.panelId,
      version: 1,
      publishedAt: new Date('2026-11-20T10:00:00Z'),
      changes: '[]',
      items: JSON.stringify([
        { key: `case:${caseId}`, label: p.references[0], referralId: caseId, reference: p.references[0], title: null },
      ]),
    })
    .execute();
  await ctx.db
    .insertInto('outbox')
    .values({
      kind: 'referral.submitted',
      toAddress: 'admin@example.org',
      subject: 'OFFICIAL-SENSITIVE: Referral submitted',
      textBody: `Referral ${p.references[0]} has been submitted.`,
      attachments: '[]',
      entityType: 'referral',
      entityId: String(caseId),
      nextAttemptAt: new Date(NOW),
    })
    .execute();
  const police = await ctx.db
    .selectFrom('users')
    .select(['id', 'agencyId'])
    .where('email', '=', DEMO.police)
    .executeTakeFirstOrThrow();
  const boston = await ctx.db
    .selectFrom('districts')
    .select('id')
    .where('name', '=', 'Boston')
    .executeTakeFirstOrThrow();
  await ctx.db
    .insertInto('youthChecks')
    .values({
      requestedBy: police.id,
      requesterAgencyId: police.agencyId,
      districtId: boston.id,
      youngPersonName: 'Morgan Testvictim',
      dateOfBirth: '2010-02-03',
      concern: 'Seen with older youths near the flats.',
      requestedAt: new Date('2026-11-01T10:00:00Z'),
      dueOn: '2026-11-06',
      status: 'requested',
    })
    .execute();
  const page = await chair.get(`/panels/${p.panelId}/minutes`);
  const draftVersion = /name="draftVersion" value="(\d+)"/.exec(page.text)![1];
  expect((await postForm(chair, `/panels/${p.panelId}/minutes/approve`, { draftVersion })).status).toBe(303);
  void otherId;
}, 90_000);
afterAll(() => ctx.close());

describe('the request log', () => {
  test.each([
    [
      { subjectName: '', received: { day: '1', month: '12', year: '2026' } },
      'subjectName',
      'Enter the name of the person the request is about',
    ],
    [
      { subjectName: 'Morgan Testvictim', received: { day: '', month: '', year: '' } },
      'received',
      'Enter the date the request was received',
    ],
    [
      { subjectName: 'Morgan Testvictim', received: { day: '10', month: '12', year: '2026' } },
      'received',
      'The date received must be today or in the past',
    ],
    [
      { subjectName: 'Morgan Testvictim', received: { day: '30', month: '2', year: '2026' } },
      'received',
      'The date received must be a real date',
    ],
  ])(
    'when %j is logged, then it is refused with a message by the field and nothing is saved',
    async (fields, field, message) => {
      const res = await postForm(admin, '/admin/subject-access', fields);
      expect(res.status).toBe(400);
      expect(res.text).toContain(`id="${field}-error"`);
      expect(res.text).toContain(message);
      expect(await ctx.db.selectFrom('subjectAccessRequests').select('id').execute()).toEqual([]);
    },
  );

  test('when a request received on 30 November is logged, then it is due on 30 December and the log shows the days left', async () => {
    const res = await postForm(admin, '/admin/subject-access', {
      subjectName: 'Morgan Testvictim',
      received: { day: '30', month: '11', year: '2026' },
    });
    expect(res.status).toBe(303);
    requestId = Number(/\/admin\/subject-access\/(\d+)$/.exec(res.headers.location)![1]);
    const row = await ctx.db
      .selectFrom('subjectAccessRequests')
      .selectAll()
      .where('id', '=', requestId)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ receivedOn: '2026-11-30', dueOn: '2026-12-30', status: 'open' });
    const log = await admin.get('/admin/subject-access');
    expect(log.text).toMatch(
      new RegExp(`id="request-${requestId}"[\\s\\S]*?30 December 2026[\\s\\S]*?Open: 21 days left`),
    );
  });
});

describe('the search', () => {
  test('when searched by name, then the person is found in every kind of record, and the search is audited without the name', async () => {
    const res = await admin.get(`/admin/subject-access/${requestId}?search=1&name=morgan+testvictim`);
    expect(res.status).toBe(200);
    expect(sectionsOf(res.text)).toEqual([
      'subject',
      'referral',
      'incident',
      'case-note',
      'research',
      'meeting',
      'action',
      'youth-check',
      'minutes',
      'agenda',
      'mail',
    ]);
    expect(res.text).toContain('12 Quay Street, Boston');
    expect(res.text).toContain('Born 6 May 1984');
    expect(res.text).toContain('Morgan Testvictim was a witness.');
    expect(res.text).toContain('Known to the crisis team.');
    expect(res.text).toContain('Seen with older youths near the flats.');
    const audit = await ctx.db
      .selectFrom('auditEvents')
      .selectAll()
      .where('action', '=', 'subject-access.search')
      .executeTakeFirstOrThrow();
    expect(audit).toMatchObject({
      entityId: String(requestId),
      details: expect.objectContaining({ subject: 1, minutes: 1 }) as unknown,
    });
    expect(JSON.stringify(audit)).not.toMatch(/Morgan|Testvictim/i);
  });

  test('when searched by date of birth or address alone, then the case in which the person is a subject is found', async () => {
    const byBirth = await admin.get(`/admin/subject-access/${requestId}?dob[day]=6&dob[month]=5&dob[year]=1984`);
    expect(byBirth.text).toContain(p.references[0]);
    expect(sectionsOf(byBirth.text)).toContain('subject');
    const byAddress = await admin.get(`/admin/subject-access/${requestId}?address=pe21+6aa`);
    expect(sectionsOf(byAddress.text)).toContain('subject');
    expect(byAddress.text).not.toContain('Avery Testsubject (victim)');
  });

  test.each([
    ['search=1', 'name', 'Enter a name, a date of birth or an address to search for'],
    ['name=Mo', 'name', 'The name must be at least 3 characters'],
    ['dob[day]=31&dob[month]=4&dob[year]=1984', 'dob', 'The date of birth must be a real date'],
    [`address=${'x'.repeat(201)}`, 'address', 'The address or postcode must be 200 characters or fewer'],
  ])('when the search is %s, then it answers 400 with a message by the field', async (query, field, message) => {
    const res = await admin.get(`/admin/subject-access/${requestId}?${query}`);
    expect(res.status).toBe(400);
    expect(res.text).toContain(`id="${field}-error"`);
    expect(res.text).toContain(message);
    expect(res.text).not.toContain('id="found"');
  });
});

describe('the export', () => {
  test('when exported with redaction, then one PDF holds the person’s records and other people’s names are redacted', async () => {
    const redacted = await pdfText(
      admin,
      `/admin/subject-access/${requestId}/export.pdf?name=Morgan+Testvictim&redact=true`,
    );
    expect(redacted.status).toBe(200);
    expect(redacted.type).toBe('application/pdf');
    expect(redacted.text).toContain('Morgan Testvictim');
    expect(redacted.text).toContain('12 Quay Street');
    expect(redacted.text).toContain('OFFICIAL-SENSITIVE');
    expect(redacted.text).toContain('[redacted] shouts at the victim');
    for (const other of ['Riley Testperp', 'PC Jordan Ellis', 'Dr Robin Marsh', 'admin@example.org'])
      expect(redacted.text).not.toContain(other);
    const plain = await pdfText(admin, `/admin/subject-access/${requestId}/export.pdf?name=Morgan+Testvictim`);
    expect(plain.text).toContain('Riley Testperp shouts at the victim');
    const exports = await ctx.db
      .selectFrom('auditEvents')
      .select('details')
      .where('action', '=', 'subject-access.export')
      .execute();
    expect(exports.map((e) => (e.details as { redacted: boolean }).redacted)).toEqual([true, false]);
  }, 60_000);

  test('when the export is asked for without a search, then the page answers 400 by the field', async () => {
    const res = await admin.get(`/admin/subject-access/${requestId}/export.pdf`);
    expect(res.status).toBe(400);
    expect(res.text).toContain('Enter a name, a date of birth or an address to search for');
  });
});

describe('status and access', () => {
  test('when the request is marked completed, then the log says so; a stale form is refused', async () => {
    const page = await admin.get(`/admin/subject-access/${requestId}`);
    const version = /name="version" value="(\d+)"/.exec(page.text)![1];
    expect(
      (await postForm(admin, `/admin/subject-access/${requestId}/status`, { status: 'completed', version })).status,
    ).toBe(303);
    const stale = await postForm(admin, `/admin/subject-access/${requestId}/status`, { status: 'open', version });
    expect(stale.status).toBe(409);
    expect(stale.text).toContain('Someone else changed this request meanwhile');
    const bad = await postForm(admin, `/admin/subject-access/${requestId}/status`, {
      status: 'lost',
      version: String(Number(version) + 1),
    });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('id="status-error"');
    expect((await admin.get('/admin/subject-access')).text).toContain('Completed 9 December 2026');
  });

  test('when anyone but an administrator asks, then it is refused', async () => {
    for (const email of [DEMO.chair, DEMO.police, DEMO.lpft]) {
      const agent = await signIn(ctx, email);
      expect((await agent.get('/admin/subject-access')).status).toBe(403);
      expect((await agent.get(`/admin/subject-access/${requestId}?name=Morgan`)).status).toBe(403);
      expect((await agent.get(`/admin/subject-access/${requestId}/export.pdf?name=Morgan`)).status).toBe(403);
    }
    expect((await admin.get('/admin/subject-access/999999')).status).toBe(404);
  });
});
