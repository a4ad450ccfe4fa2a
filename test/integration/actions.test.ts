import { createTestContext, type TestContext } from '../support/context';
import { DEMO, postForm, signIn } from '../support/http';
import { sendActionDigests } from '../../src/actions/actions.service';
import { seedMeeting } from '../../src/seed/demo-meeting';
import { agencyOf, addItem, awaitingCase, makeAction, makePanel } from './meeting-builders';
import { countInScope, pageInScope, type ActionScope } from '../../src/actions/actions.repository';

let ctx: TestContext;
beforeAll(async () => {
  // Wednesday 11 March 2026, 10:00 in London.
  ctx = await createTestContext({ now: '2026-03-11T10:00:00Z' });
});
afterAll(() => ctx.close());

const statusOf = async (id: number) =>
  (await ctx.db.selectFrom('actions').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;
const versionOn = (html: string) => /name="version" value="(\d+)"/.exec(html)?.[1];

/** A concluded panel with a police case and actions owned by the police and by housing. */
async function scene() {
  const panel = await makePanel(ctx, { startsAt: '2026-02-02T09:30:00Z', status: 'concluded' });
  const policeCase = await awaitingCase(ctx, DEMO.police);
  await ctx.db.updateTable('referrals').set({ status: 'active' }).where('id', '=', policeCase.id).execute();
  await addItem(ctx, panel.id, policeCase.id);
  const overdue = await makeAction(ctx, {
    referralId: policeCase.id,
    panelId: panel.id,
    ownerEmail: DEMO.police,
    dueOn: '2026-03-10',
    description: 'Overdue police action.',
  });
  const thisWeek = await makeAction(ctx, {
    referralId: policeCase.id,
    panelId: panel.id,
    ownerEmail: DEMO.police,
    dueOn: '2026-03-17',
    description: 'Police action due this week.',
  });
  const later = await makeAction(ctx, {
    referralId: policeCase.id,
    panelId: panel.id,
    ownerEmail: DEMO.police,
    dueOn: '2026-04-30',
    status: 'in-progress',
    description: 'Later police action.',
  });
  const done = await makeAction(ctx, {
    referralId: policeCase.id,
    panelId: panel.id,
    ownerEmail: DEMO.police,
    dueOn: '2026-02-20',
    status: 'completed',
    description: 'Finished police action.',
  });
  const housing = await makeAction(ctx, {
    referralId: policeCase.id,
    panelId: panel.id,
    ownerEmail: DEMO.housing,
    dueOn: '2026-03-20',
    description: 'Housing action.',
  });
  return { panel, policeCase, overdue, thisWeek, later, done, housing };
}

describe('reporting back at /actions', () => {
  test('when a representative opens the list, then they see only their agency’s actions with case and panel, filtered by open, overdue, due this week and panel', async () => {
    const s = await scene();
    const police = await signIn(ctx, DEMO.police);
    const open = await police.get(`/actions?panel=${s.panel.id}`);
    expect(open.status).toBe(200);
    for (const id of [s.overdue, s.thisWeek, s.later]) expect(open.text).toContain(`id="action-${id}"`);
    expect(open.text).not.toContain(`id="action-${s.done}"`);
    expect(open.text).not.toContain(`id="action-${s.housing}"`);
    expect(open.text).toContain(s.policeCase.reference!);
    expect(open.text).toContain('Boston, 2 February 2026');
    expect(open.text).toMatch(new RegExp(`id="action-${s.overdue}"[\\s\\S]*?Overdue[\\s\\S]*?</tr>`));

    const overdue = await police.get(`/actions?show=overdue&panel=${s.panel.id}`);
    expect(overdue.text).toContain(`id="action-${s.overdue}"`);
    expect(overdue.text).not.toContain(`id="action-${s.thisWeek}"`);
    const week = await police.get(`/actions?show=due-this-week&panel=${s.panel.id}`);
    expect(week.text).toContain(`id="action-${s.thisWeek}"`);
    expect(week.text).not.toContain(`id="action-${s.overdue}"`);
    expect(week.text).not.toContain(`id="action-${s.later}"`);
    const all = await police.get(`/actions?show=all&panel=${s.panel.id}`);
    expect(all.text).toContain(`id="action-${s.done}"`);
    // A hand-made agency filter does not widen a representative's view.
    const forced = await police.get(`/actions?show=all&agency=${await agencyOf(ctx, DEMO.housing)}`);
    expect(forced.text).not.toContain(`id="action-${s.housing}"`);

    const spoc = await signIn(ctx, DEMO.lpft);
    const lpftAction = await makeAction(ctx, {
      referralId: s.policeCase.id,
      panelId: s.panel.id,
      ownerEmail: DEMO.lpft,
      dueOn: '2026-03-30',
    });
    const spocList = await spoc.get(`/actions?panel=${s.panel.id}`);
    expect(spocList.text).toContain(`id="action-${lpftAction}"`);
    expect(spocList.text).not.toContain(`id="action-${s.overdue}"`);
  });

  test('when the chair opens the list, then every agency’s actions are there, filterable by agency', async () => {
    const s = await scene();
    const chair = await signIn(ctx, DEMO.chair);
    const all = await chair.get(`/actions?panel=${s.panel.id}`);
    expect(all.text).toContain(`id="action-${s.housing}"`);
    expect(all.text).toContain(`id="action-${s.overdue}"`);
    const housingOnly = await chair.get(`/actions?panel=${s.panel.id}&agency=${await agencyOf(ctx, DEMO.housing)}`);
    expect(housingOnly.text).toContain(`id="action-${s.housing}"`);
    expect(housingOnly.text).not.toContain(`id="action-${s.overdue}"`);
  });

  test('when an agency reports back, then each allowed transition is an update with who and when, completion needs a note, and illegal moves are refused', async () => {
    const s = await scene();
    const police = await signIn(ctx, DEMO.police);
    const page = await police.get(`/actions/${s.overdue}`);
    expect(page.text).toContain('Overdue police action.');
    expect(page.text).toContain('id="overdue"');
    const noteOnly = await postForm(police, `/actions/${s.overdue}`, {
      version: versionOn(page.text),
      status: '',
      note: 'Visit booked for Friday.',
    });
    expect(noteOnly.status).toBe(303);
    expect(await statusOf(s.overdue)).toBe('open');
    const v2 = versionOn((await police.get(`/actions/${s.overdue}`)).text);
    expect(
      (await postForm(police, `/actions/${s.overdue}`, { version: v2, status: 'in-progress', note: '' })).status,
    ).toBe(303);
    const v3 = versionOn((await police.get(`/actions/${s.overdue}`)).text);
    const bare = await postForm(police, `/actions/${s.overdue}`, { version: v3, status: 'completed', note: '  ' });
    expect(bare.status).toBe(400);
    expect(bare.text).toContain('Say what was done to complete the action');
    expect(await statusOf(s.overdue)).toBe('in-progress');
    const back = await postForm(police, `/actions/${s.overdue}`, { version: v3, status: 'open', note: 'Reopen.' });
    expect(back.status).toBe(400);
    expect(back.text).toContain('cannot be moved to open');
    expect(
      (
        await postForm(police, `/actions/${s.overdue}`, {
          version: v3,
          status: 'completed',
          note: 'Visited; safety plan agreed.',
        })
      ).status,
    ).toBe(303);
    expect(await statusOf(s.overdue)).toBe('completed');
    const updates = await ctx.db
      .selectFrom('actionUpdates')
      .select(['fromStatus', 'toStatus', 'note', 'userId'])
      .where('actionId', '=', s.overdue)
      .orderBy('id')
      .execute();
    const policeUser = (
      await ctx.db.selectFrom('users').select('id').where('email', '=', DEMO.police).executeTakeFirstOrThrow()
    ).id;
    expect(updates).toEqual([
      { fromStatus: null, toStatus: null, note: 'Visit booked for Friday.', userId: policeUser },
      { fromStatus: 'open', toStatus: 'in-progress', note: null, userId: policeUser },
      { fromStatus: 'in-progress', toStatus: 'completed', note: 'Visited; safety plan agreed.', userId: policeUser },
    ]);
    const finalPage = await police.get(`/actions/${s.overdue}`);
    expect(finalPage.text).not.toContain('id="report-back"');
    expect(finalPage.text).not.toContain('id="overdue"');
    const v4 =
      versionOn(finalPage.text) ??
      String(
        (await ctx.db.selectFrom('actions').select('version').where('id', '=', s.overdue).executeTakeFirstOrThrow())
          .version,
      );
    for (const to of ['open', 'in-progress', 'not-possible', 'not-done']) {
      const refused = await postForm(police, `/actions/${s.overdue}`, { version: v4, status: to, note: 'Change it.' });
      expect(refused.status).toBe(400);
    }
    const junk = await postForm(police, `/actions/${s.thisWeek}`, { version: '1', status: 'finished', note: '' });
    expect(junk.status).toBe(400);
    expect(junk.text).toContain('Select a status from the list');
    // Only the panel records that an action was not possible or not done by the agency.
    for (const to of ['not-possible', 'not-done', 'escalated', 'closed'] as const) {
      const id = await makeAction(ctx, {
        referralId: s.policeCase.id,
        panelId: s.panel.id,
        ownerEmail: DEMO.police,
        dueOn: '2026-03-30',
      });
      const refused = await postForm(police, `/actions/${id}`, { version: '1', status: to, note: 'Not our job.' });
      expect(refused.status).toBe(400);
      expect(refused.text).toContain('Not our job.');
      expect(await statusOf(id)).toBe('open');
    }
  });

  test('when two people report back on one action, then the older form is refused and the note typed is kept', async () => {
    const s = await scene();
    const police = await signIn(ctx, DEMO.police);
    const deputy = await signIn(ctx, 'police.deputy@example.org');
    const mine = versionOn((await police.get(`/actions/${s.thisWeek}`)).text);
    const theirs = versionOn((await deputy.get(`/actions/${s.thisWeek}`)).text);
    expect(
      (
        await postForm(deputy, `/actions/${s.thisWeek}`, {
          version: theirs,
          status: 'in-progress',
          note: 'Deputy started it.',
        })
      ).status,
    ).toBe(303);
    const stale = await postForm(police, `/actions/${s.thisWeek}`, {
      version: mine,
      status: '',
      note: 'My own note, typed meanwhile.',
    });
    expect(stale.status).toBe(409);
    expect(stale.text).toContain('My own note, typed meanwhile.');
    expect(stale.text).toContain('Deputy started it.');
  });

  test('when a representative asks for another agency’s action, then they see it only on a case they may see and cannot change it; otherwise 404, audited', async () => {
    const s = await scene();
    const housing = await signIn(ctx, DEMO.housing);
    const council = await signIn(ctx, DEMO.council);
    const police = await signIn(ctx, DEMO.police);
    // The police referred the case: they may see it, and so the housing action on it, but not change it.
    const seen = await police.get(`/actions/${s.housing}`);
    expect(seen.status).toBe(200);
    expect(seen.text).not.toContain('id="report-back"');
    expect(
      (await postForm(police, `/actions/${s.housing}`, { version: '1', status: 'completed', note: 'Not ours.' }))
        .status,
    ).toBe(403);
    expect(await statusOf(s.housing)).toBe('open');
    expect((await housing.get(`/actions/${s.housing}`)).status).toBe(200);
    expect((await council.get(`/actions/${s.housing}`)).status).toBe(404);
    expect(
      (await postForm(council, `/actions/${s.housing}`, { version: '1', status: 'completed', note: 'x' })).status,
    ).toBe(404);
    expect((await council.get('/actions/999999')).status).toBe(404);
    expect((await council.get('/actions/abc')).status).toBe(404);
    const denied = await ctx.db
      .selectFrom('auditEvents')
      .select('action')
      .where('entityType', '=', 'action')
      .where('entityId', '=', String(s.housing))
      .where('outcome', '=', 'denied')
      .execute();
    expect(denied.length).toBeGreaterThanOrEqual(2);
    const viewed = await ctx.db
      .selectFrom('auditEvents')
      .select('action')
      .where('action', '=', 'action.view')
      .where('entityId', '=', String(s.housing))
      .where('outcome', '=', 'success')
      .execute();
    expect(viewed.length).toBeGreaterThanOrEqual(2);
  });

  test('when a case is closed, then its actions can no longer be updated', async () => {
    const s = await scene();
    await ctx.db.updateTable('referrals').set({ status: 'closed' }).where('id', '=', s.policeCase.id).execute();
    const police = await signIn(ctx, DEMO.police);
    const page = await police.get(`/actions/${s.later}`);
    expect(page.text).toContain('The case is closed');
    const refused = await postForm(police, `/actions/${s.later}`, {
      version: '1',
      status: 'completed',
      note: 'Done anyway.',
    });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('The case is closed, so its actions can no longer be updated');
    expect(await statusOf(s.later)).toBe('in-progress');
  });
});

describe('weekly digests', () => {
  test('when the digest runs, then each representative of an agency with open actions gets one e-mail a week with counts and a link only', async () => {
    await ctx.db.deleteFrom('outbox').execute();
    const s = await scene();
    const now = new Date('2026-03-16T07:00:00Z');
    const sent = await sendActionDigests(ctx.services, now);
    expect(sent).toBeGreaterThan(0);
    const mail = await ctx.db.selectFrom('outbox').selectAll().where('kind', '=', 'action.digest').execute();
    const toPolice = mail.filter((m) => m.toAddress === DEMO.police);
    expect(toPolice).toHaveLength(1);
    expect(mail.filter((m) => m.toAddress === 'police.deputy@example.org')).toHaveLength(1);
    expect(mail.filter((m) => m.toAddress === DEMO.housing)).toHaveLength(1);
    expect(mail.some((m) => m.toAddress === DEMO.council)).toBe(false);
    const police = await agencyOf(ctx, DEMO.police);
    const open = await ctx.db
      .selectFrom('actions')
      .innerJoin('referrals', 'referrals.id', 'actions.referralId')
      .select(['actions.dueOn'])
      .where('ownerAgencyId', '=', police)
      .where('actions.status', 'in', ['open', 'in-progress'])
      .where('referrals.status', '!=', 'closed')
      .execute();
    const overdue = open.filter((a) => a.dueOn < '2026-03-16').length;
    expect(toPolice[0].subject).toBe(
      `OFFICIAL-SENSITIVE: Your agency's panel actions: ${open.length} open, ${overdue} overdue`,
    );
    expect(toPolice[0].textBody).toContain('http://127.0.0.1/actions');
    expect(toPolice[0].textBody).not.toContain('Overdue police action.');
    expect(toPolice[0].textBody).not.toContain(s.policeCase.reference!);

    expect(await sendActionDigests(ctx.services, new Date('2026-03-20T12:00:00Z'))).toBe(0);
    expect(await sendActionDigests(ctx.services, new Date('2026-03-23T07:00:00Z'))).toBeGreaterThan(0);
    expect(
      (
        await ctx.db
          .selectFrom('outbox')
          .select('id')
          .where('kind', '=', 'action.digest')
          .where('toAddress', '=', DEMO.police)
          .execute()
      ).length,
    ).toBe(2);
  });
});

describe('the count of the actions list', () => {
  test('when counted from the actions alone, then it matches the list in every scope, with and without an agency and a panel', async () => {
    const s = await scene();
    const police = await agencyOf(ctx, DEMO.police);
    const scopes: ActionScope[] = [];
    for (const agencyId of [null, police])
      for (const panelId of [null, s.panel.id])
        for (const [incompleteOnly, dueBefore, dueBetween] of [
          [false, null, null],
          [true, null, null],
          [true, '2026-03-11', null],
          [true, null, { from: '2026-03-11', to: '2026-03-17' }],
        ] as const)
          scopes.push({ agencyId, panelId, incompleteOnly, dueBefore, dueBetween });
    const counts = [];
    for (const scope of scopes) {
      const listed = (await pageInScope(ctx.db, scope, 100_000, 0)).length;
      counts.push({ scope, counted: await countInScope(ctx.db, scope, 100_000), listed });
    }
    expect(counts).toEqual(counts.map((c) => ({ ...c, counted: c.listed })));
    // Cases of the scene are among them: the scopes are not all empty.
    expect(counts.filter((c) => c.scope.panelId && c.listed >= 4)).not.toHaveLength(0);
  });
});

describe('demo data', () => {
  test('when the demo seeder runs over concluded panels, then each case has a decision and actions completed, open and overdue across agencies, and a second run adds nothing', async () => {
    const panel = await makePanel(ctx, {
      startsAt: '2026-01-12T09:30:00Z',
      status: 'concluded',
      agencyEmails: [DEMO.police, DEMO.lpft, DEMO.housing, DEMO.council],
    });
    const cases = [await awaitingCase(ctx), await awaitingCase(ctx), await awaitingCase(ctx)];
    for (const c of cases) await addItem(ctx, panel.id, c.id);
    const made = await seedMeeting(ctx.db, ctx.clock);
    expect(made).toBeGreaterThanOrEqual(6);
    const actions = await ctx.db
      .selectFrom('actions')
      .select(['status', 'dueOn', 'ownerAgencyId'])
      .where('panelId', '=', panel.id)
      .execute();
    expect(actions.some((a) => a.status === 'completed')).toBe(true);
    expect(actions.some((a) => a.status === 'open' && a.dueOn < '2026-03-11')).toBe(true);
    expect(actions.some((a) => a.status === 'open' && a.dueOn > '2026-03-11')).toBe(true);
    const owners = new Set(actions.map((a) => a.ownerAgencyId));
    for (const email of [DEMO.police, DEMO.lpft, DEMO.housing, DEMO.council])
      expect(owners).toContain(await agencyOf(ctx, email));
    const records = await ctx.db
      .selectFrom('meetingRecords')
      .innerJoin('agendaItems', 'agendaItems.id', 'meetingRecords.agendaItemId')
      .select('decision')
      .where('agendaItems.panelId', '=', panel.id)
      .execute();
    expect(records).toHaveLength(3);
    expect(await seedMeeting(ctx.db, ctx.clock)).toBe(0);
  });
});
