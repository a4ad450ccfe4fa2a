import { createTestContext, type TestContext } from '../support/context';
import { DEMO, postForm, signIn } from '../support/http';
import { readPdf } from '../support/pdf';
import { postReferral } from './referrals-builders';
import {
  addItem,
  agencyOf,
  answerResearch,
  awaitingCase,
  completeRegister,
  dateFields,
  makeAction,
  makePanel,
} from './meeting-builders';

let ctx: TestContext;
beforeAll(async () => {
  // Monday 2 March 2026, 10:00 in London: the panel sits this morning.
  ctx = await createTestContext({ now: '2026-03-02T10:00:00Z' });
});
afterAll(() => ctx.close());

const statusOf = async (id: number) =>
  (await ctx.db.selectFrom('referrals').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;
const panelStatus = async (id: number) =>
  (await ctx.db.selectFrom('panels').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;
const recordOf = (itemId: number) =>
  ctx.db.selectFrom('meetingRecords').selectAll().where('agendaItemId', '=', itemId).executeTakeFirst();
const itemUrl = (panelId: number, itemId: number) => `/panels/${panelId}/meeting/items/${itemId}`;
const versionOn = (html: string) => /name="version" value="(\d+)"/.exec(html)?.[1];

describe('a whole meeting recorded through the browser', () => {
  test('when the chair starts, records every case with shared information, decisions and actions, and concludes, then the cases take their decisions', async () => {
    const panel = await makePanel(ctx, { startsAt: '2026-03-02T09:30:00Z' });
    const first = await awaitingCase(ctx);
    const second = await awaitingCase(ctx, DEMO.housing);
    const firstItem = await addItem(ctx, panel.id, first.id);
    const secondItem = await addItem(ctx, panel.id, second.id);
    await answerResearch(
      ctx,
      panel.id,
      firstItem,
      DEMO.police,
      'Three call-outs in February; warning issued on 12 February.',
    );
    await answerResearch(ctx, panel.id, firstItem, DEMO.lpft, null);
    const next = await makePanel(ctx, { startsAt: '2026-04-06T09:30:00Z', status: 'scheduled' });
    const chair = await signIn(ctx, DEMO.chair);

    const overview = await chair.get(`/panels/${panel.id}/meeting`);
    expect(overview.status).toBe(200);
    expect(overview.text).toContain('id="confidentiality"');
    expect(overview.text).toContain('shared in confidence');
    expect(overview.text).toContain('Start the meeting');

    const early = await postReferral(chair, itemUrl(panel.id, firstItem), { version: '0', discussion: 'Too early.' });
    expect(early.status).toBe(400);
    expect(early.text).toContain('The meeting has not started');
    expect(await recordOf(firstItem)).toBeUndefined();

    expect((await postForm(chair, `/panels/${panel.id}/meeting/start`)).status).toBe(303);
    expect(await panelStatus(panel.id)).toBe('in-progress');

    const page = await chair.get(itemUrl(panel.id, firstItem));
    expect(page.status).toBe(200);
    expect(page.text).toContain(first.reference!);
    expect(page.text).toContain('Repeated intimidation of an older neighbour.');
    // The police research answer starts the police's shared information.
    const police = await agencyOf(ctx, DEMO.police);
    expect(page.text).toMatch(
      new RegExp(
        `name="shared\\[a${police}\\]"[^>]*>Three call-outs in February; warning issued on 12 February.</textarea>`,
      ),
    );
    expect(page.text).toContain('Nothing held');
    // The default due date is the day before the next Boston panel.
    expect(page.text).toMatch(/id="due-day" name="due\[day\]"[^>]*value="5"/);
    expect(page.text).toMatch(/id="due-month" name="due\[month\]"[^>]*value="4"/);

    const lpft = await agencyOf(ctx, DEMO.lpft);
    const saved = await postReferral(chair, itemUrl(panel.id, firstItem), {
      version: versionOn(page.text),
      shared: {
        [`a${police}`]: 'Three call-outs; <b>warning</b> issued.',
        [`a${lpft}`]: 'Known to the community team.',
      },
      discussion: 'Risk remains high while the perpetrator lives next door.\nHousing to consider a notice.',
      riskLevel: 'high',
      decision: 'review',
      nextReviewOn: dateFields('2026-04-06'),
      discussed: 'yes',
      continue: 'next',
    });
    expect(saved.status).toBe(303);
    expect(saved.headers.location).toBe(itemUrl(panel.id, secondItem));
    const record = await recordOf(firstItem);
    expect(record).toMatchObject({
      decision: 'review',
      riskLevel: 'high',
      nextReviewOn: '2026-04-06',
      discussed: true,
      version: 1,
    });
    const shared = await ctx.db
      .selectFrom('sharedInformation')
      .select(['agencyId', 'text'])
      .where('agendaItemId', '=', firstItem)
      .orderBy('agencyId')
      .execute();
    expect(shared).toHaveLength(2);
    const reread = await chair.get(itemUrl(panel.id, firstItem));
    expect(reread.text).toContain('Three call-outs; &lt;b&gt;warning&lt;/b&gt; issued.');

    const housing = await agencyOf(ctx, DEMO.housing);
    const action = await postReferral(chair, `${itemUrl(panel.id, firstItem)}/actions`, {
      description: 'Consider a notice of seeking possession.',
      ownerAgencyId: String(housing),
      ownerName: 'Chris Walker',
      due: dateFields('2026-04-05'),
      priority: 'high',
    });
    expect(action.status).toBe(303);
    const actions = await ctx.db.selectFrom('actions').selectAll().where('referralId', '=', first.id).execute();
    expect(actions).toHaveLength(1);
    expect(actions[0]).toMatchObject({
      ownerAgencyId: housing,
      dueOn: '2026-04-05',
      priority: 'high',
      status: 'open',
      panelId: panel.id,
      agendaItemId: firstItem,
    });
    const notices = await ctx.db
      .selectFrom('outbox')
      .selectAll()
      .where('kind', '=', 'action.assigned')
      .where('entityId', '=', String(actions[0].id))
      .execute();
    expect(notices.map((n) => n.toAddress)).toContain(DEMO.housing);
    for (const n of notices) {
      expect(n.subject).toBe(
        `OFFICIAL-SENSITIVE: Action ${actions[0].id} for case ${first.reference} assigned to your agency`,
      );
      expect(n.textBody).toContain(`http://127.0.0.1/actions/${actions[0].id}`);
      expect(n.textBody).not.toContain('notice of seeking possession');
      expect(n.textBody).not.toContain('Chris Walker');
    }

    const secondPage = await chair.get(itemUrl(panel.id, secondItem));
    const closed = await postReferral(chair, itemUrl(panel.id, secondItem), {
      version: versionOn(secondPage.text),
      discussion: 'The family has moved out of the district.',
      riskLevel: 'low',
      decision: 'close',
      closeReason: 'moved-away',
      discussed: 'yes',
    });
    expect(closed.status).toBe(303);
    const secondAction = await makeAction(ctx, {
      referralId: second.id,
      panelId: panel.id,
      ownerEmail: DEMO.police,
      dueOn: '2026-03-20',
    });

    const summary = await chair.get(`/panels/${panel.id}/conclude`);
    expect(summary.text).toContain('Register incomplete');
    const refused = await postForm(chair, `/panels/${panel.id}/conclude`);
    expect(refused.status).toBe(400);
    expect(await panelStatus(panel.id)).toBe('in-progress');

    await completeRegister(ctx, panel.id);
    const concluded = await postForm(chair, `/panels/${panel.id}/conclude`);
    expect(concluded.status).toBe(303);
    const after = await ctx.db
      .selectFrom('panels')
      .select(['status', 'concludedAt'])
      .where('id', '=', panel.id)
      .executeTakeFirstOrThrow();
    expect(after.status).toBe('concluded');
    expect(after.concludedAt).toEqual(ctx.clock.now());
    expect(await statusOf(first.id)).toBe('active');
    expect(await statusOf(second.id)).toBe('closed');
    const firstEvents = await ctx.db
      .selectFrom('referralEvents')
      .select('kind')
      .where('referralId', '=', first.id)
      .execute();
    expect(firstEvents.map((e) => e.kind)).toEqual(expect.arrayContaining(['action', 'discussed']));
    const closedCase = await ctx.db
      .selectFrom('referrals')
      .select(['closedReason'])
      .where('id', '=', second.id)
      .executeTakeFirstOrThrow();
    expect(closedCase.closedReason).toBe('Moved away');
    const closedAction = await ctx.db
      .selectFrom('actions')
      .select('status')
      .where('id', '=', secondAction)
      .executeTakeFirstOrThrow();
    expect(closedAction.status).toBe('not-possible');
    const note = await ctx.db
      .selectFrom('actionUpdates')
      .select('note')
      .where('actionId', '=', secondAction)
      .executeTakeFirstOrThrow();
    expect(note.note).toBe('case closed at panel');

    const late = await postReferral(chair, itemUrl(panel.id, firstItem), {
      version: '1',
      discussion: 'After the meeting.',
    });
    expect(late.status).toBe(400);
    expect(late.text).toContain('can no longer be changed');
    expect((await recordOf(firstItem))?.discussion).toContain('Risk remains high');

    const audit = await ctx.db
      .selectFrom('auditEvents')
      .select(['action', 'entityType'])
      .where('entityType', 'in', ['panel', 'agenda-item', 'action'])
      .execute();
    const actionsAudited = audit.map((a) => a.action);
    expect(actionsAudited).toEqual(
      expect.arrayContaining([
        'panel.meeting.view',
        'panel.meeting.start',
        'agenda-item.view',
        'agenda-item.record',
        'action.create',
        'panel.conclude',
      ]),
    );
    void next;
  });
});

describe('saves that would lose work', () => {
  test('when two people save the same item, then the later save against the old version is refused and shows both texts, nothing lost', async () => {
    const panel = await makePanel(ctx, { startsAt: '2026-03-02T09:30:00Z', status: 'in-progress' });
    const c = await awaitingCase(ctx);
    const item = await addItem(ctx, panel.id, c.id);
    const admin = await signIn(ctx, DEMO.admin);
    const chair = await signIn(ctx, DEMO.chair);
    const adminPage = await admin.get(itemUrl(panel.id, item));
    const chairPage = await chair.get(itemUrl(panel.id, item));
    expect(versionOn(adminPage.text)).toBe('0');
    expect(
      (
        await postReferral(admin, itemUrl(panel.id, item), {
          version: versionOn(adminPage.text),
          discussion: 'Coordinator notes: victim is isolated.',
        })
      ).status,
    ).toBe(303);
    const stale = await postReferral(chair, itemUrl(panel.id, item), {
      version: versionOn(chairPage.text),
      discussion: 'Chair notes: agree a joint visit.',
    });
    expect(stale.status).toBe(409);
    expect(stale.text).toContain('Someone else saved this item');
    expect(stale.text).toContain('Coordinator notes: victim is isolated.');
    expect(stale.text).toContain('Chair notes: agree a joint visit.');
    expect((await recordOf(item))?.discussion).toBe('Coordinator notes: victim is isolated.');
    // The re-shown form carries the current version: saving it again is a deliberate choice.
    expect(versionOn(stale.text)).toBe('1');
    const merged = await postReferral(chair, itemUrl(panel.id, item), {
      version: '1',
      discussion: 'Coordinator notes: victim is isolated.\nChair notes: agree a joint visit.',
    });
    expect(merged.status).toBe(303);
    expect((await recordOf(item))?.version).toBe(2);
    const missing = await postReferral(chair, itemUrl(panel.id, item), { discussion: 'No version at all.' });
    expect(missing.status).toBe(409);
  });
});

describe('review at the next panel', () => {
  test('when the panel reviews a case with unfinished actions, then each needs an outcome, a reason and a next step, and a carried-forward action keeps its reason in its history, the minutes and the next agenda and its PDF', async () => {
    const c = await awaitingCase(ctx);
    const earlier = await makePanel(ctx, { startsAt: '2026-02-02T09:30:00Z', status: 'concluded' });
    await addItem(ctx, earlier.id, c.id);
    const carried = await makeAction(ctx, {
      referralId: c.id,
      panelId: earlier.id,
      ownerEmail: DEMO.housing,
      dueOn: '2026-02-27',
      description: 'Install a door camera.',
    });
    const notDone = await makeAction(ctx, {
      referralId: c.id,
      panelId: earlier.id,
      ownerEmail: DEMO.lpft,
      dueOn: '2026-03-01',
      status: 'in-progress',
      description: 'Offer an assessment.',
    });
    const finished = await makeAction(ctx, {
      referralId: c.id,
      panelId: earlier.id,
      ownerEmail: DEMO.police,
      dueOn: '2026-02-20',
      status: 'completed',
      description: 'Long finished.',
    });
    await ctx.db
      .updateTable('actions')
      .set({ closedAt: new Date('2026-01-20T10:00:00Z') })
      .where('id', '=', finished)
      .execute();
    const doneSince = await makeAction(ctx, {
      referralId: c.id,
      panelId: earlier.id,
      ownerEmail: DEMO.police,
      dueOn: '2026-02-20',
      status: 'completed',
      description: 'Warning letter sent.',
    });
    await ctx.db
      .updateTable('actions')
      .set({ closedAt: new Date('2026-02-15T10:00:00Z') })
      .where('id', '=', doneSince)
      .execute();
    await ctx.db.updateTable('referrals').set({ status: 'active' }).where('id', '=', c.id).execute();
    const panel = await makePanel(ctx, { startsAt: '2026-03-02T09:30:00Z', status: 'in-progress' });
    const item = await addItem(ctx, panel.id, c.id, 'review');
    const chair = await signIn(ctx, DEMO.chair);

    const page = await chair.get(itemUrl(panel.id, item));
    expect(page.text).toContain('Actions since the last panel');
    expect(page.text).toContain('Install a door camera.');
    expect(page.text).toContain('Offer an assessment.');
    expect(page.text).not.toContain('Long finished.');
    // Finished since the case was last heard: shown for the panel to hear, with nothing to resolve.
    expect(page.text).toContain('Warning letter sent.');
    expect(page.text).not.toContain(`name="resolutions[a${doneSince}][outcome]"`);
    expect(page.text).toMatch(new RegExp(`id="earlier-${carried}"[\\s\\S]*?Overdue`));

    const base = {
      version: versionOn(page.text),
      discussion: 'Reviewed.',
      riskLevel: 'medium',
      decision: 'review',
      nextReviewOn: dateFields('2026-04-06'),
      discussed: 'yes',
    };
    const unresolved = await postReferral(chair, itemUrl(panel.id, item), base);
    expect(unresolved.status).toBe(400);
    // The error summary names each action, once.
    expect(unresolved.text).toContain(
      `Say whether action ${carried} (Fenland Vale: Install a door camera.) was completed before marking the case discussed`,
    );
    expect(unresolved.text).toContain(`Say whether action ${notDone} (LPFT: Offer an assessment.) was completed`);
    expect(await recordOf(item)).toBeUndefined();

    const noDate = await postReferral(chair, itemUrl(panel.id, item), {
      ...base,
      resolutions: {
        [`a${carried}`]: { outcome: 'not-completed', reason: 'not-possible', next: 'carry-forward' },
        [`a${notDone}`]: { outcome: 'not-completed', reason: 'not-done' },
      },
    });
    expect(noDate.status).toBe(400);
    expect(noDate.text).toContain(`Enter the new due date of action ${carried}`);
    expect(noDate.text).toContain(`Select what happens next to action ${notDone}`);
    // What was typed is shown again.
    expect(noDate.text).toMatch(
      new RegExp(`name="resolutions\\[a${carried}\\]\\[reason\\]"[^>]*value="not-possible" checked`),
    );
    expect(
      (await ctx.db.selectFrom('actions').select('status').where('id', '=', notDone).executeTakeFirstOrThrow()).status,
    ).toBe('in-progress');

    const lpftAgency = await ctx.db
      .selectFrom('agencies')
      .select('id')
      .where('shortName', '=', 'LPFT')
      .executeTakeFirstOrThrow();
    const ok = await postReferral(chair, itemUrl(panel.id, item), {
      ...base,
      resolutions: {
        [`a${carried}`]: {
          outcome: 'not-completed',
          reason: 'not-possible',
          next: 'carry-forward',
          due: dateFields('2026-04-05'),
          ownerAgencyId: String(lpftAgency.id),
          ownerName: 'Dr Rao',
          note: 'Camera on order.',
        },
        [`a${notDone}`]: {
          outcome: 'not-completed',
          reason: 'not-done',
          next: 'escalate',
          escalatedTo: 'LPFT service manager',
        },
      },
    });
    expect(ok.status).toBe(303);
    const rows = await ctx.db
      .selectFrom('actions')
      .select(['id', 'status', 'dueOn', 'ownerAgencyId', 'ownerName'])
      .where('id', 'in', [carried, notDone])
      .orderBy('id')
      .execute();
    expect(rows).toEqual([
      { id: carried, status: 'open', dueOn: '2026-04-05', ownerAgencyId: lpftAgency.id, ownerName: 'Dr Rao' },
      { id: notDone, status: 'escalated', dueOn: '2026-03-01', ownerAgencyId: lpftAgency.id, ownerName: null },
    ]);
    const updates = await ctx.db
      .selectFrom('actionUpdates')
      .select([
        'actionId',
        'panelId',
        'note',
        'newDueOn',
        'toStatus',
        'reviewOutcome',
        'reviewReason',
        'nextStep',
        'escalatedTo',
      ])
      .where('actionId', 'in', [carried, notDone])
      .orderBy('id')
      .execute();
    expect(updates).toEqual([
      {
        actionId: carried,
        panelId: panel.id,
        note: 'Camera on order.',
        newDueOn: '2026-04-05',
        toStatus: null,
        reviewOutcome: 'not-completed',
        reviewReason: 'not-possible',
        nextStep: 'carry-forward',
        escalatedTo: null,
      },
      {
        actionId: notDone,
        panelId: panel.id,
        note: null,
        newDueOn: null,
        toStatus: 'escalated',
        reviewOutcome: 'not-completed',
        reviewReason: 'not-done',
        nextStep: 'escalate',
        escalatedTo: 'LPFT service manager',
      },
    ]);
    const again = await chair.get(itemUrl(panel.id, item));
    expect(again.text).toContain('Reviewed at this panel.');
    expect(again.text).not.toContain(`name="resolutions[a${carried}][outcome]"`);
    expect(again.text).toContain(
      'Not completed. Reason: Not possible: change in circumstances. Carried forward to 5 April 2026 (Lincolnshire Partnership NHS Foundation Trust, Dr Rao)',
    );
    // The action's own history keeps the reason.
    const history = await chair.get(`/actions/${notDone}`);
    expect(history.text).toContain(
      'Reviewed by the panel: Not completed. Reason: Not done by the agency. Escalated to LPFT service manager',
    );

    // The minutes give the outcome, the reason and the new due date.
    await ctx.db.updateTable('panels').set({ status: 'concluded' }).where('id', '=', panel.id).execute();
    const minutes = (await chair.get(`/panels/${panel.id}/minutes`)).text.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
    expect(minutes).toContain(
      'Install a door camera. Lincolnshire Partnership NHS Foundation Trust Not completed. Reason: Not possible',
    );
    expect(minutes).toContain('Carried forward to 5 April 2026');
    // The next panel's agenda lists the carried-forward action with its reason and new due date,
    // on the page and in its PDF.
    const next = await makePanel(ctx, { startsAt: '2026-04-06T09:30:00Z', status: 'scheduled' });
    await ctx.db.updateTable('panels').set({ agendaVersion: 0 }).where('id', '=', next.id).execute();
    await addItem(ctx, next.id, c.id, 'review');
    const revision = (
      await ctx.db.selectFrom('panels').select('agendaRevision').where('id', '=', next.id).executeTakeFirstOrThrow()
    ).agendaRevision;
    const published = await postForm(chair, `/panels/${next.id}/agenda`, {
      action: 'publish',
      revision: String(revision),
    });
    expect(published.status).toBe(303);
    const reason =
      'Not completed. Reason: Not possible: change in circumstances. Carried forward to 5 April 2026 (Lincolnshire Partnership NHS Foundation Trust, Dr Rao)';
    const agenda = await chair.get(`/panels/${next.id}/agenda/published`);
    expect(agenda.status).toBe(200);
    const listed = /id="review-actions-1">([\s\S]*?)<\/ul>/
      .exec(agenda.text)![1]
      .replace(/<[^>]+>/g, '')
      .replace(/\s+/g, ' ');
    expect(listed).toContain(
      `Install a door camera. (Lincolnshire Partnership NHS Foundation Trust (Dr Rao)). ${reason}`,
    );
    const pdf = await chair
      .get(`/panels/${next.id}/agenda.pdf`)
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (chunk: Buffer) => chunks.push(chunk));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    expect(pdf.status).toBe(200);
    const printed = (await readPdf(pdf.body as Buffer)).pages.join(' ').replace(/\s+/g, ' ');
    expect(printed).toContain('Install a door camera.');
    expect(printed).toContain('Reason: Not possible: change in circumstances');
  });

  test('when a case is deferred with a reason, then at conclusion it waits for a panel again', async () => {
    const c = await awaitingCase(ctx);
    await ctx.db.updateTable('referrals').set({ status: 'active' }).where('id', '=', c.id).execute();
    const panel = await makePanel(ctx, { startsAt: '2026-03-02T09:30:00Z', status: 'in-progress' });
    const item = await addItem(ctx, panel.id, c.id, 'review');
    const chair = await signIn(ctx, DEMO.chair);
    const noReason = await postReferral(chair, itemUrl(panel.id, item), { version: '0', decision: 'deferred' });
    expect(noReason.status).toBe(400);
    expect(noReason.text).toContain('Say why the case is deferred');
    expect(
      (
        await postReferral(chair, itemUrl(panel.id, item), {
          version: '0',
          decision: 'deferred',
          deferredReason: 'Key agency absent.',
        })
      ).status,
    ).toBe(303);
    await completeRegister(ctx, panel.id);
    expect((await postForm(chair, `/panels/${panel.id}/conclude`)).status).toBe(303);
    expect(await statusOf(c.id)).toBe('awaiting-panel');
    const events = await ctx.db
      .selectFrom('referralEvents')
      .select(['kind', 'note'])
      .where('referralId', '=', c.id)
      .where('kind', '=', 'deferred')
      .execute();
    expect(events).toEqual([{ kind: 'deferred', note: 'Key agency absent.' }]);
  });
});

describe('bad input and access', () => {
  test('when an action has no owner, no due date, or a due date in the past, then each field says why and nothing is saved', async () => {
    const panel = await makePanel(ctx, { startsAt: '2026-03-02T09:30:00Z', status: 'in-progress' });
    const c = await awaitingCase(ctx);
    const item = await addItem(ctx, panel.id, c.id);
    const chair = await signIn(ctx, DEMO.chair);
    const url = `${itemUrl(panel.id, item)}/actions`;
    const none = await postReferral(chair, url, {
      description: 'Visit.',
      ownerAgencyId: '',
      due: { day: '', month: '', year: '' },
      priority: 'medium',
    });
    expect(none.status).toBe(400);
    expect(none.text).toContain('Select the agency that owns the action');
    expect(none.text).toContain('Enter the due date');
    expect(none.text).toContain('Visit.');
    const past = await postReferral(chair, url, {
      description: 'Visit.',
      ownerAgencyId: String(await agencyOf(ctx, DEMO.police)),
      due: dateFields('2026-03-01'),
      priority: 'medium',
    });
    expect(past.text).toContain('The due date must be today or in the future');
    const uninvited = await postReferral(chair, url, {
      description: 'Visit.',
      ownerAgencyId: String(await agencyOf(ctx, DEMO.council)),
      due: dateFields('2026-03-10'),
      priority: 'urgent',
    });
    expect(uninvited.text).toContain('Select the agency that owns the action');
    expect(uninvited.text).toContain('Select the priority');
    expect(await ctx.db.selectFrom('actions').select('id').where('referralId', '=', c.id).execute()).toEqual([]);

    const badDecision = await postReferral(chair, itemUrl(panel.id, item), {
      version: '0',
      decision: 'close',
      riskLevel: 'extreme',
      discussed: 'yes',
    });
    expect(badDecision.status).toBe(400);
    expect(badDecision.text).toContain('Select why the case is closed');
    expect(badDecision.text).toContain('Select the risk level after discussion');
    const noReview = await postReferral(chair, itemUrl(panel.id, item), {
      version: '0',
      decision: 'review',
      nextReviewOn: { day: '31', month: '2', year: '2026' },
    });
    expect(noReview.text).toContain('The next review date must be a real date');
  });

  test('when a representative asks for meeting mode, then 403; unknown or foreign item ids are 404', async () => {
    const panel = await makePanel(ctx, { startsAt: '2026-03-02T09:30:00Z', status: 'in-progress' });
    const other = await makePanel(ctx, { startsAt: '2026-03-03T09:30:00Z', status: 'in-progress' });
    const c = await awaitingCase(ctx);
    const item = await addItem(ctx, other.id, c.id);
    const rep = await signIn(ctx, DEMO.police);
    expect((await rep.get(`/panels/${panel.id}/meeting`)).status).toBe(403);
    expect((await postForm(rep, `/panels/${panel.id}/conclude`)).status).toBe(403);
    const chair = await signIn(ctx, DEMO.chair);
    expect((await chair.get(itemUrl(panel.id, item))).status).toBe(404);
    expect((await chair.get(itemUrl(999999, item))).status).toBe(404);
    expect((await postForm(chair, `/panels/999999/meeting/start`)).status).toBe(404);
    const removed = await addItem(ctx, panel.id, (await awaitingCase(ctx)).id);
    await ctx.db
      .updateTable('agendaItems')
      .set({ removedAt: ctx.clock.now(), removedReason: 'Withdrawn' })
      .where('id', '=', removed)
      .execute();
    expect((await chair.get(itemUrl(panel.id, removed))).status).toBe(404);
  });
});

describe('nothing the chair types is lost, whichever button is pressed', () => {
  async function startedItem() {
    const panel = await makePanel(ctx, { startsAt: '2026-03-02T09:30:00Z' });
    const referral = await awaitingCase(ctx);
    const item = await addItem(ctx, panel.id, referral.id);
    const chair = await signIn(ctx, DEMO.chair);
    expect((await postForm(chair, `/panels/${panel.id}/meeting/start`)).status).toBe(303);
    const page = await chair.get(itemUrl(panel.id, item));
    return { panel, referral, item, chair, version: versionOn(page.text)! };
  }
  const actionsOf = (referralId: number) =>
    ctx.db
      .selectFrom('actions')
      .select(['description', 'ownerAgencyId'])
      .where('referralId', '=', referralId)
      .execute();

  test('when the chair types the discussion, then adds an action, then the discussion is still there and the action is agreed', async () => {
    const { panel, referral, item, chair, version } = await startedItem();
    const housing = await agencyOf(ctx, DEMO.housing);
    const res = await postReferral(chair, `${itemUrl(panel.id, item)}/actions`, {
      version,
      discussion: 'The victim is isolated; the noise continues at night.',
      riskLevel: 'high',
      description: 'Fit a door camera and visit with the tenancy officer.',
      ownerAgencyId: String(housing),
      due: dateFields('2026-03-30'),
      priority: 'high',
    });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`${itemUrl(panel.id, item)}#actions`);
    expect(await recordOf(item)).toMatchObject({
      discussion: 'The victim is isolated; the noise continues at night.',
      riskLevel: 'high',
      decision: null,
      discussed: false,
    });
    expect(await actionsOf(referral.id)).toEqual([
      { description: 'Fit a door camera and visit with the tenancy officer.', ownerAgencyId: housing },
    ]);
    const page = await chair.get(itemUrl(panel.id, item));
    expect(page.text).toContain('The victim is isolated; the noise continues at night.</textarea>');
    expect(page.text).toMatch(/id="agreed"[\s\S]*Fit a door camera/);
  });

  test('when the chair types the discussion, then adds an action without an owner, then the page shows everything typed again and nothing is saved', async () => {
    const { panel, referral, item, chair, version } = await startedItem();
    const res = await postReferral(chair, `${itemUrl(panel.id, item)}/actions`, {
      version,
      discussion: 'Kept while the action is put right.',
      decision: 'review',
      description: 'Visit the victim.',
      due: dateFields('2026-03-30'),
      priority: 'medium',
    });
    expect(res.status).toBe(400);
    expect(res.text).toContain('Select the agency that owns the action');
    expect(res.text).toContain('Kept while the action is put right.</textarea>');
    expect(res.text).toContain('Visit the victim.</textarea>');
    expect(res.text).toMatch(/name="decision" type="radio" value="review" checked/);
    expect(await recordOf(item)).toBeUndefined();
    expect(await actionsOf(referral.id)).toEqual([]);
  });

  test('when the chair types an action and presses Save instead, then the record and the action are both saved', async () => {
    const { panel, referral, item, chair, version } = await startedItem();
    const police = await agencyOf(ctx, DEMO.police);
    const res = await postReferral(chair, itemUrl(panel.id, item), {
      version,
      discussion: 'Police to keep patrols.',
      description: 'Two patrols a week past the address.',
      ownerAgencyId: String(police),
      due: dateFields('2026-03-30'),
      priority: 'medium',
      continue: 'stay',
    });
    expect(res.status).toBe(303);
    expect(await recordOf(item)).toMatchObject({ discussion: 'Police to keep patrols.' });
    expect(await actionsOf(referral.id)).toEqual([
      { description: 'Two patrols a week past the address.', ownerAgencyId: police },
    ]);
  });

  test('when the record was saved by someone else meanwhile and the chair adds an action, then nothing is saved and both are shown again', async () => {
    const { panel, referral, item, chair, version } = await startedItem();
    expect((await postReferral(chair, itemUrl(panel.id, item), { version, discussion: 'First save.' })).status).toBe(
      303,
    );
    const police = await agencyOf(ctx, DEMO.police);
    const res = await postReferral(chair, `${itemUrl(panel.id, item)}/actions`, {
      version,
      discussion: 'Typed on the old page.',
      description: 'An action typed on the old page.',
      ownerAgencyId: String(police),
      due: dateFields('2026-03-30'),
      priority: 'medium',
    });
    expect(res.status).toBe(409);
    expect(res.text).toContain('Typed on the old page.</textarea>');
    expect(res.text).toContain('An action typed on the old page.</textarea>');
    expect(await recordOf(item)).toMatchObject({ discussion: 'First save.' });
    expect(await actionsOf(referral.id)).toEqual([]);
  });

  test('when the chair types and the page saves as they go, then the record is saved under the version check, a typed action is left for its button, and a stale or unfinished form is not saved', async () => {
    const { panel, referral, item, chair, version } = await startedItem();
    const url = `${itemUrl(panel.id, item)}/autosave`;
    const saved = await postReferral(chair, url, { version, discussion: 'Typed so far.', riskLevel: 'high' });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ saved: true, version: Number(version) + 1 });
    expect(await recordOf(item)).toMatchObject({ discussion: 'Typed so far.', riskLevel: 'high' });
    // The page goes on with the version it was given back; the old one is refused and nothing changes.
    const stale = await postReferral(chair, url, { version, discussion: 'From an old tab.' });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ saved: false, reason: 'conflict' });
    expect((await recordOf(item))?.discussion).toBe('Typed so far.');
    // Marked discussed without a decision: the form needs attention, and Save will say why.
    const unfinished = await postReferral(chair, url, {
      version: String(Number(version) + 1),
      discussion: 'Typed so far, and more.',
      discussed: 'yes',
    });
    expect(unfinished.status).toBe(400);
    expect((await recordOf(item))?.discussion).toBe('Typed so far.');
    // The typed action is left for its button.
    const withAction = await postReferral(chair, url, {
      version: String(Number(version) + 1),
      discussion: 'Typed so far, and more.',
      description: 'Not to be added by itself.',
    });
    expect(withAction.status).toBe(200);
    expect(await actionsOf(referral.id)).toEqual([]);
    expect((await recordOf(item))?.discussion).toBe('Typed so far, and more.');
  });
});

test('when the chair opens the meeting page, then the panel’s status is in words, not a code', async () => {
  const panel = await makePanel(ctx, { startsAt: '2026-03-02T09:30:00Z' });
  const chair = await signIn(ctx, DEMO.chair);
  const before = await chair.get(`/panels/${panel.id}/meeting`);
  expect(before.text).toMatch(/id="panel-status"[^>]*>Agenda published</);
  expect((await postForm(chair, `/panels/${panel.id}/meeting/start`)).status).toBe(303);
  const during = await chair.get(`/panels/${panel.id}/meeting`);
  expect(during.text).toMatch(/id="panel-status"[^>]*>In progress</);
  expect(during.text).not.toMatch(/>\s*in-progress\s*</);
});

describe('guards on timing', () => {
  test('when the chair starts a panel three weeks before its date, then the page says why and asks to confirm; confirming starts it', async () => {
    const panel = await makePanel(ctx, { startsAt: '2026-03-23T10:00:00Z' });
    const chair = await signIn(ctx, DEMO.chair);
    const asked = await postForm(chair, `/panels/${panel.id}/meeting/start`);
    expect(asked.status).toBe(200);
    expect(asked.text).toContain('This panel meets on 23 March 2026');
    expect(asked.text).toContain('name="confirmEarly" value="yes"');
    expect(await panelStatus(panel.id)).toBe('agenda-published');
    expect((await postForm(chair, `/panels/${panel.id}/meeting/start`, { confirmEarly: 'yes' })).status).toBe(303);
    expect(await panelStatus(panel.id)).toBe('in-progress');
  });

  test('when the chair starts a panel the day before its date, then it starts without asking', async () => {
    const panel = await makePanel(ctx, { startsAt: '2026-03-03T10:00:00Z' });
    const chair = await signIn(ctx, DEMO.chair);
    expect((await postForm(chair, `/panels/${panel.id}/meeting/start`)).status).toBe(303);
    expect(await panelStatus(panel.id)).toBe('in-progress');
  });

  test('when the chair tries to conclude a panel that has not started, then it is refused and the panel is unchanged', async () => {
    const panel = await makePanel(ctx, { startsAt: '2026-03-02T09:30:00Z' });
    const chair = await signIn(ctx, DEMO.chair);
    const res = await postForm(chair, `/panels/${panel.id}/conclude`);
    expect(res.status).toBe(400);
    expect(await panelStatus(panel.id)).toBe('agenda-published');
  });
});

describe('other business', () => {
  test('when the chair notes other business, agrees an action on it and marks it discussed, then it asks for no decision, the owner has the action, the meeting can conclude and the minutes give both', async () => {
    const panel = await makePanel(ctx, { startsAt: '2026-03-02T09:30:00Z' });
    const c = await awaitingCase(ctx);
    const caseItem = await addItem(ctx, panel.id, c.id);
    const other = await ctx.db
      .insertInto('agendaItems')
      .values({
        panelId: panel.id,
        position: 2,
        kind: 'other-business',
        title: 'Date of the next meeting',
        minutesAllotted: 5,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await completeRegister(ctx, panel.id);
    const chair = await signIn(ctx, DEMO.chair);
    expect((await postForm(chair, `/panels/${panel.id}/meeting/start`)).status).toBe(303);

    const page = await chair.get(itemUrl(panel.id, other.id));
    expect(page.text).toContain('What was said and agreed');
    expect(page.text).toContain('The item has been discussed');
    expect(page.text).not.toContain('Risk level after discussion');
    expect(page.text).not.toContain('name="decision"');

    // The chair notes what was said, agrees an action on it, and marks it discussed.
    const housing = await agencyOf(ctx, DEMO.housing);
    const withAction = await postReferral(chair, `${itemUrl(panel.id, other.id)}/actions`, {
      version: versionOn(page.text),
      discussion: 'Next meeting moved to the council chamber.',
      description: 'Book the council chamber for the next panel.',
      ownerAgencyId: String(housing),
      due: dateFields('2026-03-20'),
      priority: 'low',
    });
    expect(withAction.status).toBe(303);
    const obAction = await ctx.db
      .selectFrom('actions')
      .select(['id', 'referralId', 'agendaItemId'])
      .where('description', '=', 'Book the council chamber for the next panel.')
      .executeTakeFirstOrThrow();
    expect(obAction).toMatchObject({ referralId: null, agendaItemId: other.id });
    const afterAction = await chair.get(itemUrl(panel.id, other.id));
    expect(afterAction.text).toContain('Book the council chamber for the next panel.');
    expect(afterAction.text).toContain('Next meeting moved to the council chamber.</textarea>');
    // The owning agency sees it on its list, under other business.
    const housingRep = await signIn(ctx, DEMO.housing);
    const list = await housingRep.get('/actions');
    expect(list.text).toContain('Book the council chamber for the next panel.');
    expect((await housingRep.get(`/actions/${obAction.id}`)).text).toContain('Other business');
    const saved = await postReferral(chair, itemUrl(panel.id, other.id), {
      version: versionOn(afterAction.text),
      discussion: 'Next meeting moved to the council chamber.',
      discussed: 'yes',
    });
    expect(saved.status).toBe(303);
    expect(await recordOf(other.id)).toMatchObject({
      discussion: 'Next meeting moved to the council chamber.',
      discussed: true,
      decision: null,
    });

    // The case still needs its decision: concluding names only the case, not the other business.
    const early = await postForm(chair, `/panels/${panel.id}/conclude`);
    expect(early.status).toBe(400);
    expect(early.text).toContain(c.reference!);
    expect(early.text).not.toContain('Date of the next meeting');

    const casePage = await chair.get(itemUrl(panel.id, caseItem));
    expect(
      (
        await postReferral(chair, itemUrl(panel.id, caseItem), {
          version: versionOn(casePage.text),
          discussion: 'Agreed to review.',
          riskLevel: 'medium',
          decision: 'review',
          nextReviewOn: dateFields('2026-04-06'),
          discussed: 'yes',
        })
      ).status,
    ).toBe(303);
    expect((await postForm(chair, `/panels/${panel.id}/conclude`)).status).toBe(303);
    expect(await panelStatus(panel.id)).toBe('concluded');
    // The minutes give the other business with its notes and its action.
    const minutes = (await chair.get(`/panels/${panel.id}/minutes`)).text.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
    expect(minutes).toContain(
      'Date of the next meeting Next meeting moved to the council chamber. Actions Action Agency Person Due Book the council chamber for the next panel. Fenland Vale Housing Association',
    );
  });

  test('when other business has not been marked discussed, then the meeting cannot be concluded and the item is named', async () => {
    const panel = await makePanel(ctx, { startsAt: '2026-03-02T09:30:00Z' });
    await ctx.db
      .insertInto('agendaItems')
      .values({
        panelId: panel.id,
        position: 1,
        kind: 'other-business',
        title: 'Summer outreach plan',
        minutesAllotted: 5,
      })
      .execute();
    await completeRegister(ctx, panel.id);
    const chair = await signIn(ctx, DEMO.chair);
    expect((await postForm(chair, `/panels/${panel.id}/meeting/start`)).status).toBe(303);
    const refused = await postForm(chair, `/panels/${panel.id}/conclude`);
    expect(refused.status).toBe(400);
    expect(refused.text).toMatch(/Summer outreach plan<\/a>: Not marked discussed/);
    expect(await panelStatus(panel.id)).toBe('in-progress');
  });
});
