import type { ServiceDeps } from '../service-deps';
import { addDays, londonDate } from '../time';
import { sql } from 'kysely';
import type { Db } from '../db/database';
import type { Actor, CurrentUser } from '../http/context';
import { BadRequestError, NotFoundError } from '../http/errors';
import { recordAudit } from '../audit/audit';
import { requireVisiblePanel } from '../panels/panel-access';
import { applyPanelDecision, caseSubjects, type CaseSubject } from '../referrals/referrals.service';
import { applyActionUpdate, createAction } from '../actions/actions.service';
import { INCOMPLETE_STATUSES } from '../actions/overdue';
import { registerCompleteness } from '../register/register.service';
import { CLOSE_REASON_NAMES } from './meeting-codes';
import type { ActionInput, ItemRecordInput } from './meeting-form';

/** A record cannot be changed because of where the meeting is, not because of what was typed. */
export class MeetingClosedError extends BadRequestError {}

export type SaveItemResult = { ok: true } | { ok: false; reason: 'stale' };

export function meetingService({ db, clock, links, mail }: ServiceDeps) {
  const { baseUrl } = links;
  const pokeMail = () => mail.poke();
  async function panelOf(user: CurrentUser, actor: Actor, panelId: number, action: string) {
    const panel = await requireVisiblePanel(db, user, actor, panelId, action);
    const more = await db
      .selectFrom('districts')
      .innerJoin('users', (j) => j.on('users.id', '=', panel.chairUserId))
      .select(['districts.name as districtName', 'users.name as chairName'])
      .where('districts.id', '=', panel.districtId)
      .executeTakeFirstOrThrow();
    return { ...panel, ...more };
  }

  async function itemsOf(trx: Db, panelId: number) {
    return trx
      .selectFrom('agendaItems')
      .leftJoin('referrals', 'referrals.id', 'agendaItems.referralId')
      .leftJoin('meetingRecords', 'meetingRecords.agendaItemId', 'agendaItems.id')
      .select([
        'agendaItems.id',
        'agendaItems.position',
        'agendaItems.kind',
        'agendaItems.title',
        'agendaItems.referralId',
        'agendaItems.minutesAllotted',
        'referrals.reference',
        'referrals.status as referralStatus',
        'meetingRecords.decision',
        'meetingRecords.discussed',
        'meetingRecords.deferredReason',
        'meetingRecords.version as recordVersion',
      ])
      .where('agendaItems.panelId', '=', panelId)
      .where('agendaItems.removedAt', 'is', null)
      .orderBy('agendaItems.position')
      .orderBy('agendaItems.id')
      .execute();
  }

  async function invitedAgencies(trx: Db, panelId: number) {
    return trx
      .selectFrom('panelInvitations')
      .innerJoin('agencies', 'agencies.id', 'panelInvitations.agencyId')
      .select(['agencies.id', 'agencies.name', 'agencies.shortName'])
      .where('panelInvitations.panelId', '=', panelId)
      .orderBy('agencies.name')
      .execute();
  }

  /**
   * Earlier actions of the case (agreed at other panels) still open or in progress, or resolved at
   * this panel, each with `resolvedHere` when this panel has already recorded what happened to it.
   */
  async function earlierActions(trx: Db, referralId: number, panelId: number) {
    const lastHeard = await trx
      .selectFrom('agendaItems')
      .innerJoin('panels', 'panels.id', 'agendaItems.panelId')
      .select((eb) => eb.fn.max('panels.startsAt').as('at'))
      .where('agendaItems.referralId', '=', referralId)
      .where('agendaItems.removedAt', 'is', null)
      .where('panels.id', '!=', panelId)
      .where('panels.startsAt', '<', (eb) => eb.selectFrom('panels as p').select('p.startsAt').where('p.id', '=', panelId))
      .executeTakeFirst();
    const since = lastHeard?.at ? new Date(lastHeard.at) : null;
    const actions = await trx
      .selectFrom('actions')
      .innerJoin('agencies', 'agencies.id', 'actions.ownerAgencyId')
      .innerJoin('panels', 'panels.id', 'actions.panelId')
      .selectAll('actions')
      .select(['agencies.shortName as ownerAgencyShortName', 'agencies.name as ownerAgencyName', 'panels.startsAt as panelStartsAt'])
      .where('actions.referralId', '=', referralId)
      .where('actions.panelId', '!=', panelId)
      .where((eb) =>
        eb.or([
          eb('actions.status', 'in', INCOMPLETE_STATUSES),
          eb.exists(eb.selectFrom('actionUpdates').select('actionUpdates.id').whereRef('actionUpdates.actionId', '=', 'actions.id').where('actionUpdates.panelId', '=', panelId)),
          // Finished since the case was last heard: the panel still hears what was done.
          ...(since ? [eb('actions.closedAt', '>=', since)] : []),
        ]),
      )
      .orderBy('actions.dueOn')
      .orderBy('actions.id')
      .execute();
    if (!actions.length) return [];
    const updates = await trx
      .selectFrom('actionUpdates')
      .leftJoin('users', 'users.id', 'actionUpdates.userId')
      .leftJoin('agencies', 'agencies.id', 'users.agencyId')
      .select(['actionUpdates.actionId', 'actionUpdates.at', 'actionUpdates.fromStatus', 'actionUpdates.toStatus', 'actionUpdates.note', 'actionUpdates.newDueOn', 'actionUpdates.panelId', 'users.name as userName', 'agencies.shortName as agencyShortName'])
      .where('actionUpdates.actionId', 'in', actions.map((a) => a.id))
      .orderBy('actionUpdates.at')
      .orderBy('actionUpdates.id')
      .execute();
    return actions.map((a) => {
      const own = updates.filter((u) => u.actionId === a.id);
      const resolvedHere = own.some((u) => u.panelId === panelId);
      return { ...a, updates: own, resolvedHere, pending: INCOMPLETE_STATUSES.includes(a.status) && !resolvedHere };
    });
  }

  async function itemOf(trx: Db, panelId: number, itemId: number) {
    const item = await trx.selectFrom('agendaItems').selectAll().where('id', '=', itemId).where('panelId', '=', panelId).where('removedAt', 'is', null).executeTakeFirst();
    if (!item) throw new NotFoundError();
    return item;
  }

  /** The day before the district's next scheduled panel, or 28 days on when none is scheduled. */
  async function defaultDueDate(panel: { id: number; districtId: number; startsAt: Date }) {
    const today = londonDate(clock.now());
    const next = await db
      .selectFrom('panels')
      .select('startsAt')
      .where('districtId', '=', panel.districtId)
      .where('id', '!=', panel.id)
      .where('startsAt', '>', panel.startsAt)
      .where('status', 'in', ['scheduled', 'agenda-published'])
      .orderBy('startsAt')
      .executeTakeFirst();
    if (next) {
      const dayBefore = addDays(londonDate(next.startsAt), -1);
      if (dayBefore >= today) return dayBefore;
    }
    return addDays(today, 28);
  }

  function requireInProgress(panel: { status: string }) {
    if (panel.status !== 'in-progress') {
      throw new MeetingClosedError(
        panel.status === 'agenda-published' || panel.status === 'scheduled'
          ? 'The meeting has not started: start it from the meeting page before recording anything'
          : 'The meeting is no longer in progress, so its record cannot be changed',
      );
    }
  }

  async function lockPanel(trx: Db, panelId: number) {
    const panel = await trx.selectFrom('panels').selectAll().where('id', '=', panelId).forUpdate().executeTakeFirst();
    if (!panel) throw new NotFoundError();
    return panel;
  }

    /** What still stops the meeting being concluded. */
  async function conclusionCheck(trx: Db, panelId: number) {
    const items = await itemsOf(trx, panelId);
    const undecided = items.filter((i) => i.referralId !== null && (i.decision === null || (i.decision !== 'deferred' && !i.discussed)));
    const register = await registerCompleteness(trx, panelId);
    return { items, undecided, register, ready: undecided.length === 0 && register.length === 0 };
  }

  return {
    defaultDueDate,
    conclusionCheck,

    async overview(user: CurrentUser, actor: Actor, panelId: number) {
      const panel = await panelOf(user, actor, panelId, 'panel.meeting.view');
      const items = await itemsOf(db, panelId);
      const statement = await db
        .selectFrom('confidentialityStatements')
        .select(['text', 'version'])
        .$if(panel.confidentialityStatementId !== null, (q) => q.where('id', '=', panel.confidentialityStatementId!))
        .orderBy('version', 'desc')
        .executeTakeFirst();
      await recordAudit(db, actor, { action: 'panel.meeting.view', entityType: 'panel', entityId: panelId });
      return { panel, items, statement };
    },

    async start(user: CurrentUser, actor: Actor, panelId: number) {
      await panelOf(user, actor, panelId, 'panel.meeting.start');
      return db.transaction().execute(async (trx) => {
        const panel = await lockPanel(trx, panelId);
        if (panel.status === 'in-progress') return false;
        if (panel.status !== 'agenda-published') {
          throw new MeetingClosedError(
            panel.status === 'scheduled' ? 'The agenda has to be published before the meeting can start' : 'This meeting has already been held or was cancelled',
          );
        }
        await trx.updateTable('panels').set({ status: 'in-progress', version: sql`version + 1`, updatedAt: clock.now() }).where('id', '=', panelId).execute();
        await recordAudit(trx, actor, { action: 'panel.meeting.start', entityType: 'panel', entityId: panelId, details: { from: panel.status, to: 'in-progress' } });
        return true;
      });
    },

    /** One item as the meeting page shows it; `audit: false` when a form post re-shows it (the change is audited). */
    async item(user: CurrentUser, actor: Actor, panelId: number, itemId: number, opts: { audit: boolean } = { audit: true }) {
      const panel = await panelOf(user, actor, panelId, 'agenda-item.view');
      const item = await itemOf(db, panelId, itemId);
      const items = await itemsOf(db, panelId);
      const agencies = await invitedAgencies(db, panelId);
      const record = await db
        .selectFrom('meetingRecords')
        .leftJoin('users', 'users.id', 'meetingRecords.updatedBy')
        .selectAll('meetingRecords')
        .select('users.name as updatedByName')
        .where('agendaItemId', '=', itemId)
        .executeTakeFirst();
      const shared = await db.selectFrom('sharedInformation').select(['agencyId', 'text']).where('agendaItemId', '=', itemId).execute();
      const research = await db
        .selectFrom('researchRequests')
        .innerJoin('agencies', 'agencies.id', 'researchRequests.agencyId')
        .select(['researchRequests.agencyId', 'researchRequests.status', 'researchRequests.summary', 'researchRequests.answeredAt', 'agencies.name as agencyName'])
        .where('researchRequests.agendaItemId', '=', itemId)
        .orderBy('agencies.name')
        .execute();
      let referral = null;
      let subjects: CaseSubject[] = [];
      let earlier: Awaited<ReturnType<typeof earlierActions>> = [];
      if (item.referralId) {
        referral = await db
          .selectFrom('referrals')
          .leftJoin('agencies', 'agencies.id', 'referrals.referringAgencyId')
          .select(['referrals.id', 'referrals.reference', 'referrals.status', 'referrals.reason', 'referrals.riskScore', 'referrals.riskVerdict', 'agencies.name as agencyName'])
          .where('referrals.id', '=', item.referralId)
          .executeTakeFirstOrThrow();
        subjects = await caseSubjects(db, item.referralId);
        earlier = await earlierActions(db, item.referralId, panelId);
      }
      const agreed = await db
        .selectFrom('actions')
        .innerJoin('agencies', 'agencies.id', 'actions.ownerAgencyId')
        .selectAll('actions')
        .select('agencies.shortName as ownerAgencyShortName')
        .where('actions.agendaItemId', '=', itemId)
        .orderBy('actions.id')
        .execute();
      if (opts.audit) await recordAudit(db, actor, { action: 'agenda-item.view', entityType: 'agenda-item', entityId: itemId, details: { panelId, referralId: item.referralId } });
      return { panel, item, items, agencies, record, shared, research, referral, subjects, earlier, agreed, defaultDue: await defaultDueDate(panel) };
    },

    /** Saves the record of one item against the version the form was loaded with. */
    async saveItem(user: CurrentUser, actor: Actor, panelId: number, itemId: number, version: number, input: ItemRecordInput): Promise<SaveItemResult> {
      await panelOf(user, actor, panelId, 'agenda-item.update');
      const result = await db.transaction().execute(async (trx) => {
        const panel = await lockPanel(trx, panelId);
        const item = await itemOf(trx, panelId, itemId);
        requireInProgress(panel);
        const current = await trx.selectFrom('meetingRecords').select('version').where('agendaItemId', '=', itemId).forUpdate().executeTakeFirst();
        if ((current?.version ?? 0) !== version) return { ok: false as const, reason: 'stale' as const };
        const now = clock.now();
        const pending = item.referralId ? (await earlierActions(trx, item.referralId, panelId)).filter((a) => a.pending) : [];
        for (const resolution of input.resolutions) {
          const action = pending.find((a) => a.id === resolution.actionId);
          if (!action) continue;
          const toStatus = resolution.outcome === 'carried-forward' ? null : resolution.outcome;
          await applyActionUpdate(trx, actor, now, action, {
            toStatus,
            note: resolution.note ?? (resolution.outcome === 'carried-forward' ? 'Carried forward at panel' : 'Reviewed at panel'),
            newDueOn: resolution.dueOn,
            panelId,
            auditAction: 'action.review',
          });
        }
        const unresolved = pending.filter((a) => !input.resolutions.some((r) => r.actionId === a.id));
        if (input.discussed && input.decision !== 'deferred' && unresolved.length) {
          throw new BadRequestError('Every earlier action must be resolved before the case is marked discussed');
        }
        const values = {
          discussion: input.discussion,
          riskLevel: input.riskLevel,
          decision: input.decision,
          closeReason: input.closeReason,
          escalateTo: input.escalateTo,
          decisionNote: input.decisionNote,
          nextReviewOn: input.nextReviewOn,
          deferredReason: input.deferredReason,
          discussed: input.discussed,
          updatedBy: user.id,
          updatedAt: now,
        };
        if (current) await trx.updateTable('meetingRecords').set({ ...values, version: sql`version + 1` }).where('agendaItemId', '=', itemId).execute();
        else await trx.insertInto('meetingRecords').values({ ...values, agendaItemId: itemId, version: 1 }).execute();
        await trx.deleteFrom('sharedInformation').where('agendaItemId', '=', itemId).execute();
        const shared = Object.entries(input.shared).filter((e): e is [string, string] => e[1] !== null);
        if (shared.length) await trx.insertInto('sharedInformation').values(shared.map(([agencyId, text]) => ({ agendaItemId: itemId, agencyId: Number(agencyId), text }))).execute();
        await recordAudit(trx, actor, {
          action: 'agenda-item.record',
          entityType: 'agenda-item',
          entityId: itemId,
          details: {
            panelId,
            referralId: item.referralId,
            version: version + 1,
            decision: input.decision,
            riskLevel: input.riskLevel,
            discussed: input.discussed,
            resolvedActions: input.resolutions.map((r) => r.actionId),
          },
        });
        return { ok: true as const };
      });
      return result;
    },

    async addAction(user: CurrentUser, actor: Actor, panelId: number, itemId: number, input: ActionInput): Promise<number> {
      await panelOf(user, actor, panelId, 'action.create');
      const id = await db.transaction().execute(async (trx) => {
        const panel = await lockPanel(trx, panelId);
        const item = await itemOf(trx, panelId, itemId);
        requireInProgress(panel);
        if (!item.referralId) throw new BadRequestError('Actions are agreed for cases; this item is not a case');
        return createAction(trx, actor, baseUrl, clock.now(), { ...input, referralId: item.referralId, panelId, agendaItemId: itemId });
      });
      pokeMail();
      return id;
    },

    async concludeSummary(user: CurrentUser, actor: Actor, panelId: number) {
      const panel = await panelOf(user, actor, panelId, 'panel.conclude.view');
      await recordAudit(db, actor, { action: 'panel.conclude.view', entityType: 'panel', entityId: panelId });
      return { panel, ...(await conclusionCheck(db, panelId)) };
    },

    /**
     * Concludes the meeting: the panel becomes concluded and every case takes its decision. Heard
     * cases become active, closed cases close with their open actions, deferred cases wait again.
     */
    async conclude(user: CurrentUser, actor: Actor, panelId: number): Promise<{ ok: true } | { ok: false; check: Awaited<ReturnType<typeof conclusionCheck>> }> {
      await panelOf(user, actor, panelId, 'panel.conclude');
      return db.transaction().execute(async (trx) => {
        const panel = await lockPanel(trx, panelId);
        requireInProgress(panel);
        const check = await conclusionCheck(trx, panelId);
        if (!check.ready) return { ok: false as const, check };
        const now = clock.now();
        for (const item of check.items) {
          if (!item.referralId) continue;
          const record = await trx.selectFrom('meetingRecords').selectAll().where('agendaItemId', '=', item.id).executeTakeFirstOrThrow();
          const decision = record.decision;
          if (!decision) continue;
          const before = await applyPanelDecision(
            trx,
            item.referralId,
            {
              panelId,
              decision,
              escalateTo: record.escalateTo,
              nextReviewOn: record.nextReviewOn,
              closeReason: record.closeReason,
              closedReasonText: [record.closeReason ? CLOSE_REASON_NAMES[record.closeReason] : null, record.decisionNote].filter(Boolean).join(': '),
              deferredReason: record.deferredReason,
            },
            { userId: user.id, agencyId: actor.agencyId, at: now },
          );
          if (before === null) continue;
          const referral = { id: item.referralId, status: before };
          if (decision === 'close') {
            const open = await trx.selectFrom('actions').select(['id', 'status']).where('referralId', '=', referral.id).where('status', 'in', INCOMPLETE_STATUSES).execute();
            for (const action of open) {
              await applyActionUpdate(trx, actor, now, action, { toStatus: 'not-possible', note: 'case closed at panel', panelId, auditAction: 'action.close-with-case' });
            }
          }
          await recordAudit(trx, actor, { action: `referral.panel-${record.decision}`, entityType: 'referral', entityId: referral.id, details: { panelId, from: referral.status } });
        }
        await trx.updateTable('panels').set({ status: 'concluded', concludedAt: now, version: sql`version + 1`, updatedAt: now }).where('id', '=', panelId).execute();
        await recordAudit(trx, actor, { action: 'panel.conclude', entityType: 'panel', entityId: panelId, details: { items: check.items.map((i) => i.id) } });
        return { ok: true as const };
      });
    },
  };
}

export type MeetingService = ReturnType<typeof meetingService>;
