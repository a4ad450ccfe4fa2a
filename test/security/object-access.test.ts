import { createTestContext, type TestContext } from '../support/context';
import { DEMO, signIn, type Agent } from '../support/http';
import { recordedPanel, type RecordedPanel } from '../integration/minutes-builders';
import { addItem, agencyOf, awaitingCase, makePanel } from '../integration/meeting-builders';
import { expectStatus, postFields } from './payloads';

let ctx: TestContext;
let p: RecordedPanel;
let policeRequest: number;
let lpftRequest: number;
let actionId: number;

beforeAll(async () => {
  ctx = await createTestContext({ now: '2026-12-10T10:00:00Z' });
  p = await recordedPanel(ctx);
  const police = await agencyOf(ctx, DEMO.police);
  const lpft = await agencyOf(ctx, DEMO.lpft);
  const rows = await ctx.db
    .insertInto('researchRequests')
    .values([
      { panelId: p.panelId, agendaItemId: p.itemIds[0], agencyId: police },
      { panelId: p.panelId, agendaItemId: p.itemIds[0], agencyId: lpft },
    ])
    .returning('id')
    .execute();
  [policeRequest, lpftRequest] = rows.map((r) => r.id);
  actionId = (
    await ctx.db
      .selectFrom('actions')
      .select('id')
      .where('panelId', '=', p.panelId)
      .orderBy('id')
      .executeTakeFirstOrThrow()
  ).id;
  // Approved minutes, so that there is a version to ask for.
  const chair = await signIn(ctx, DEMO.chair);
  const draft = await chair.get(`/panels/${p.panelId}/minutes`);
  const draftVersion = /name="draftVersion" value="(\d+)"/.exec(draft.text)![1];
  expectStatus(await postFields(chair, `/panels/${p.panelId}/minutes/approve`, { draftVersion }), 303, 'approve');
});
afterAll(() => ctx.close());

const denials = async () =>
  Number(
    (
      await ctx.db
        .selectFrom('auditEvents')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('outcome', '=', 'denied')
        .executeTakeFirstOrThrow()
    ).n,
  );

async function expectHidden(
  agent: Agent & { csrf: string },
  method: 'get' | 'post',
  url: string,
  fields: Record<string, string> = {},
) {
  const before = await denials();
  const res = method === 'get' ? await agent.get(url) : await postFields(agent, url, fields);
  const after = await denials();
  expect({ method, url, status: res.status, audited: after > before }).toEqual({
    method,
    url,
    status: 404,
    audited: true,
  });
  for (const name of ['Morgan Testvictim', 'Riley Testperp', 'Avery Testsubject', ...p.references])
    expect(res.text ?? '').not.toContain(name);
}

describe('an agency that is not invited asks for each kind of record by its id', () => {
  test.each([DEMO.council, 'children@example.org'])(
    'as %s, every record of the panel is not found (404) and each attempt is audited as denied',
    async (email) => {
      const outsider = await signIn(ctx, email);
      const [ref1, ref2] = p.referralIds;
      const gets = [
        `/referrals/${ref1}`,
        `/referrals/${ref2}`,
        `/referrals/${ref1}/edit`,
        `/referrals/${ref1}/submit`,
        `/referrals/${ref1}/discard`,
        `/panels/${p.panelId}`,
        `/panels/${p.panelId}/agenda`,
        `/panels/${p.panelId}/agenda.pdf`,
        `/research/${policeRequest}`,
        `/research/${lpftRequest}`,
        `/panels/${p.panelId}/attendance`,
        `/actions/${actionId}`,
        `/panels/${p.panelId}/minutes`,
        `/panels/${p.panelId}/minutes.pdf`,
        `/panels/${p.panelId}/minutes/versions/1.pdf`,
      ];
      for (const url of gets) await expectHidden(outsider, 'get', url);
      const posts: [string, Record<string, string>][] = [
        [`/referrals/${ref1}/edit`, { action: 'save', version: '1' }],
        [`/referrals/${ref1}/submit`, { version: '1' }],
        [`/referrals/${ref1}/discard`, { version: '1' }],
        [`/research/${policeRequest}`, { status: 'nothing-held', version: '1' }],
        [
          `/panels/${p.panelId}/attendance`,
          { version: '', answer: 'apologies', apologyReason: 'x', informationInAdvance: 'no' },
        ],
        [`/panels/${p.panelId}/clinicians`, { [`items[item-${p.itemIds[0]}][attending]`]: 'no' }],
        [`/panels/${p.panelId}/register/self`, { mode: 'present' }],
        [`/actions/${actionId}`, { version: '1', status: 'completed', note: 'Not ours.' }],
      ];
      for (const [url, fields] of posts) await expectHidden(outsider, 'post', url, fields);
      // Nothing was changed by any of the attempts.
      const action = await ctx.db
        .selectFrom('actions')
        .select('status')
        .where('id', '=', actionId)
        .executeTakeFirstOrThrow();
      expect(action.status).toBe('open');
      const research = await ctx.db
        .selectFrom('researchRequests')
        .select('status')
        .where('id', '=', policeRequest)
        .executeTakeFirstOrThrow();
      expect(research.status).toBe('requested');
    },
  );

  test("an invited agency asking for another agency's research request by its id gets 404, audited", async () => {
    const police = await signIn(ctx, DEMO.police);
    await expectHidden(police, 'get', `/research/${lpftRequest}`);
    await expectHidden(police, 'post', `/research/${lpftRequest}`, {
      status: 'information-held',
      summary: 'Written for LPFT',
      version: '1',
    });
    const lpft = await ctx.db
      .selectFrom('researchRequests')
      .select(['status', 'summary'])
      .where('id', '=', lpftRequest)
      .executeTakeFirstOrThrow();
    expect(lpft).toMatchObject({ status: 'requested', summary: null });
  });

  test("a mail message is an administrator's: for anyone else a real id answers exactly as an unknown one, and both are audited", async () => {
    const outbox = await ctx.db.selectFrom('outbox').select('id').orderBy('id').executeTakeFirst();
    const id =
      outbox?.id ??
      (
        await ctx.db
          .insertInto('outbox')
          .values({
            kind: 'test',
            toAddress: 'police@example.org',
            subject: 'OFFICIAL-SENSITIVE: test',
            textBody: 'x',
            entityType: 'panel',
            entityId: String(p.panelId),
          } as never)
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    for (const email of [DEMO.police, DEMO.chair]) {
      const agent = await signIn(ctx, email);
      const before = await denials();
      const real = await agent.get(`/admin/mail/${id}`);
      const unknown = await agent.get('/admin/mail/999999');
      expect(real.status).toBe(unknown.status);
      expect(real.status).toBe(403);
      expect(await denials()).toBe(before + 2);
      const retry = await postFields(agent, `/admin/mail/${id}/retry`);
      expect(retry.status).toBe(403);
    }
  });
});

describe('hidden agency ids in forms are never trusted', () => {
  test("when the police answer attendance with the LPFT id in the form, then the answer is the police's and LPFT has none", async () => {
    const panel = await makePanel(ctx, { startsAt: '2027-01-20T10:00:00Z', agencyEmails: [DEMO.police, DEMO.lpft] });
    const police = await signIn(ctx, DEMO.police);
    const lpftId = await agencyOf(ctx, DEMO.lpft);
    const res = await postFields(police, `/panels/${panel.id}/attendance`, {
      version: '',
      answer: 'apologies',
      apologyReason: 'Training',
      informationInAdvance: 'no',
      agencyId: String(lpftId),
      panelId: '999999',
    });
    expect(res.status).toBe(303);
    const answers = await ctx.db
      .selectFrom('attendanceResponses')
      .select(['agencyId', 'answer'])
      .where('panelId', '=', panel.id)
      .execute();
    expect(answers).toEqual([{ agencyId: await agencyOf(ctx, DEMO.police), answer: 'apologies' }]);
  });

  test('when the police answer their own research request with the LPFT id in the form, then only the police request changes', async () => {
    const panel = await makePanel(ctx, { startsAt: '2027-01-21T10:00:00Z', agencyEmails: [DEMO.police, DEMO.lpft] });
    const c = await awaitingCase(ctx);
    const item = await addItem(ctx, panel.id, c.id);
    const police = await agencyOf(ctx, DEMO.police);
    const lpft = await agencyOf(ctx, DEMO.lpft);
    const [mine, theirs] = (
      await ctx.db
        .insertInto('researchRequests')
        .values([
          { panelId: panel.id, agendaItemId: item, agencyId: police },
          { panelId: panel.id, agendaItemId: item, agencyId: lpft },
        ])
        .returning('id')
        .execute()
    ).map((r) => r.id);
    const agent = await signIn(ctx, DEMO.police);
    expectStatus(
      await postFields(agent, `/research/${mine}`, {
        status: 'information-held',
        summary: 'Three calls.',
        version: '1',
        agencyId: String(lpft),
        requestId: String(theirs),
      }),
      303,
      'research',
    );
    const rows = await ctx.db
      .selectFrom('researchRequests')
      .select(['id', 'agencyId', 'status'])
      .where('panelId', '=', panel.id)
      .orderBy('id')
      .execute();
    expect(rows).toEqual([
      { id: mine, agencyId: police, status: 'information-held' },
      { id: theirs, agencyId: lpft, status: 'requested' },
    ]);
  });
});
