import { createTestContext, type TestContext } from '../support/context';
import { DEMO, signIn, type Agent } from '../support/http';
import { recordedPanel, type RecordedPanel } from '../integration/minutes-builders';
import { agencyOf } from '../integration/meeting-builders';
import { districtId, makeCase, makePanel } from '../integration/panels-builders';
import { expectStatus, postFields } from './payloads';

let ctx: TestContext;
let p: RecordedPanel;
let live: RecordedPanel;
let requestId: number;
let actionId: number;
let published: number;

/** Personal data of the recorded panels: none of it may be in an audit row. */
const PERSONAL = [
  'Morgan Testvictim',
  'Riley Testperp',
  'Avery Testsubject',
  'Three calls in October',
  'Incidents have reduced',
  'PC Jordan Ellis',
  'Dr Robin Marsh',
];

beforeAll(async () => {
  ctx = await createTestContext({ now: '2026-12-10T10:00:00Z' });
  p = await recordedPanel(ctx);
  live = await recordedPanel(ctx, { status: 'in-progress', startsAt: '2026-12-10T09:00:00Z' });
  requestId = (
    await ctx.db
      .insertInto('researchRequests')
      .values({
        panelId: p.panelId,
        agendaItemId: p.itemIds[0],
        agencyId: await agencyOf(ctx, DEMO.police),
        status: 'information-held',
        summary: 'Three calls in October.',
        answeredAt: ctx.clock.now(),
      })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id;
  actionId = (
    await ctx.db
      .selectFrom('actions')
      .select('id')
      .where('panelId', '=', p.panelId)
      .where('ownerAgencyId', '=', await agencyOf(ctx, DEMO.police))
      .orderBy('id')
      .executeTakeFirstOrThrow()
  ).id;
  // A panel whose agenda is published through the chair's own form.
  const boston = await districtId(ctx, 'Boston');
  published = await makePanel(ctx, {
    districtId: boston,
    startsAt: '2027-01-12T10:00:00Z',
    agencyIds: [await agencyOf(ctx, DEMO.police)],
  });
  const c = await makeCase(ctx, {
    districtId: boston,
    referringAgencyId: await agencyOf(ctx, DEMO.police),
    name: 'Morgan Testvictim',
  });
  const chair = await signIn(ctx, DEMO.chair);
  const revision = async () =>
    String(
      (await ctx.db.selectFrom('panels').select('agendaRevision').where('id', '=', published).executeTakeFirstOrThrow())
        .agendaRevision,
    );
  expectStatus(
    await postFields(chair, `/panels/${published}/agenda`, {
      action: 'add-case',
      referralId: String(c.id),
      revision: await revision(),
    }),
    303,
    'add',
  );
  expectStatus(
    await postFields(chair, `/panels/${published}/agenda`, { action: 'publish', revision: await revision() }),
    303,
    'publish',
  );
  const draft = await chair.get(`/panels/${p.panelId}/minutes`);
  expectStatus(
    await postFields(chair, `/panels/${p.panelId}/minutes/approve`, {
      draftVersion: /name="draftVersion" value="(\d+)"/.exec(draft.text)![1],
    }),
    303,
    'approve',
  );
});
afterAll(() => ctx.close());

const lastId = async () =>
  Number(
    (
      await ctx.db
        .selectFrom('auditEvents')
        .select((eb) => eb.fn.max('id').as('id'))
        .executeTakeFirstOrThrow()
    ).id ?? 0,
  );

async function expectAuditedView(agent: Agent & { csrf: string }, url: string, userEmail: string) {
  const before = await lastId();
  const res = await agent.get(url);
  expect({ url, status: res.status }).toEqual({ url, status: 200 });
  const rows = await ctx.db
    .selectFrom('auditEvents')
    .selectAll()
    .where('id', '>', before as never)
    .execute();
  const user = await ctx.db
    .selectFrom('users')
    .select(['id', 'agencyId'])
    .where('email', '=', userEmail)
    .executeTakeFirstOrThrow();
  const views = rows.filter((r) => r.userId === user.id && r.outcome === 'success');
  expect({ url, audited: views.length >= 1 }).toEqual({ url, audited: true });
  for (const row of views) {
    expect(row.agencyId).toBe(user.agencyId);
    expect(row.at).toBeInstanceOf(Date);
    const text = JSON.stringify(row);
    for (const personal of PERSONAL)
      expect({ url, personal, inAudit: text.includes(personal) }).toEqual({ url, personal, inAudit: false });
  }
}

test('every view of case data by an entitled chair writes an audit row, without personal data', async () => {
  const chair = await signIn(ctx, DEMO.chair);
  const urls = [
    `/referrals/${p.referralIds[0]}`,
    `/referrals/${p.referralIds[1]}`,
    '/referrals?q=Testvictim',
    `/panels/${published}/agenda`,
    `/panels/${published}/agenda.pdf`,
    `/panels/${published}/agenda/published`,
    `/panels/${p.panelId}/research`,
    `/panels/${p.panelId}/register`,
    `/panels/${live.panelId}/meeting`,
    `/panels/${live.panelId}/meeting/items/${live.itemIds[0]}`,
    `/panels/${live.panelId}/register`,
    `/actions/${actionId}`,
    `/panels/${p.panelId}/minutes`,
    `/panels/${p.panelId}/minutes.pdf`,
    `/panels/${p.panelId}/minutes/versions/1.pdf`,
  ];
  for (const url of urls) await expectAuditedView(chair, url, DEMO.chair);
});

test('every view of case data by an invited representative writes an audit row, without personal data', async () => {
  const police = await signIn(ctx, DEMO.police);
  for (const url of [
    `/referrals/${p.referralIds[0]}`,
    `/panels/${published}/agenda`,
    `/panels/${published}/agenda.pdf`,
    `/research/${requestId}`,
    `/actions/${actionId}`,
    '/actions',
    `/panels/${p.panelId}/minutes/versions/1.pdf`,
  ]) {
    await expectAuditedView(police, url, DEMO.police);
  }
});

test('every view by the administrator, including the circulation and delivery pages, writes an audit row', async () => {
  const admin = await signIn(ctx, DEMO.admin);
  for (const url of [
    `/referrals/${p.referralIds[0]}`,
    `/panels/${p.panelId}/minutes`,
    `/panels/${p.panelId}/minutes/circulate`,
    `/panels/${p.panelId}/minutes/deliveries`,
  ]) {
    await expectAuditedView(admin, url, DEMO.admin);
  }
});

test('every view of the audit trail, retention and subject access writes an audit row, without the name searched for', async () => {
  const admin = await signIn(ctx, DEMO.admin);
  const logged = await postFields(admin, '/admin/subject-access', {
    subjectName: 'Morgan Testvictim',
    'received[day]': '1',
    'received[month]': '12',
    'received[year]': '2026',
  });
  expectStatus(logged, 303, 'log a subject access request');
  const sar = String(logged.headers.location).split('/').pop()!;
  const reference = (
    await ctx.db
      .selectFrom('referrals')
      .select('reference')
      .where('id', '=', p.referralIds[0])
      .executeTakeFirstOrThrow()
  ).reference!;
  for (const url of [
    '/admin/retention',
    '/admin/retention/certificates',
    `/admin/audit?case=${reference}`,
    `/admin/audit.csv?case=${reference}`,
    '/admin/subject-access',
    `/admin/subject-access/${sar}?name=Morgan+Testvictim`,
    `/admin/subject-access/${sar}?address=Riley+Testperp`,
    `/admin/subject-access/${sar}/export.pdf?name=Morgan+Testvictim&redact=true`,
  ]) {
    await expectAuditedView(admin, url, DEMO.admin);
  }
  await expectAuditedView(await signIn(ctx, DEMO.lpft), '/audit?action=referral.', DEMO.lpft);
});
