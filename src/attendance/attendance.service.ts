import type { ServiceDeps } from '../service-deps';
import { sql } from 'kysely';
import type { Db } from '../db/database';
import type { AttendanceAnswer, PanelStatus } from '../db/schema';
import type { Actor, CurrentUser } from '../http/context';
import { HttpError, NotFoundError, StaleVersionError } from '../http/errors';
import { recordAudit } from '../audit/audit';
import { hashToken, queueInvitations } from '../invitations/invitations';
import type { AttendanceAnswerData } from './attendance-form';
import { missingForQuorum, reminderDue } from './quorum';

/** Answers can be given or changed until the panel has concluded; never for a cancelled panel. */
export const ANSWERABLE: readonly PanelStatus[] = ['scheduled', 'agenda-published', 'in-progress'];

export class AnswersClosedError extends HttpError {
  constructor() {
    super(409, 'Answers can no longer be given for this panel: it has concluded or been cancelled');
  }
}

export const TOKEN_SHAPE = /^[A-Za-z0-9_-]{16,128}$/;

export type TokenState = 'valid' | 'used' | 'expired' | 'closed' | 'unknown';

export interface AgencyAttendanceRow {
  agencyId: number;
  agencyName: string;
  shortName: string;
  attendanceRequired: boolean;
  answer: AttendanceAnswer | null;
  attendees: { name: string }[];
  mode: 'in-person' | 'online' | null;
  deputyName: string | null;
  deputyRole: string | null;
  apologyReason: string | null;
  informationInAdvance: boolean | null;
  informationReceivedOn: string | null;
  answeredVia: 'signed-in' | 'link' | null;
  answeredAt: Date | null;
  version: number | null;
  researchRequested: number;
  researchAnswered: number;
}

export function attendanceService({ db, clock, links, mail }: ServiceDeps) {
  const { baseUrl } = links;
  const mailFrom = mail.from;
  const pokeMail = () => mail.poke();
  async function panelOrThrow(panelId: number) {
    const panel = await db
      .selectFrom('panels')
      .innerJoin('districts', 'districts.id', 'panels.districtId')
      .select(['panels.id', 'panels.status', 'panels.startsAt', 'panels.endsAt', 'panels.venue', 'panels.districtId', 'districts.name as districtName', 'panels.chairUserId'])
      .where('panels.id', '=', panelId)
      .executeTakeFirst();
    if (!panel) throw new NotFoundError();
    return panel;
  }

  /** Every invited agency of a panel with its answer and how far its research has got. */
  async function agencyRows(panelId: number, onlyAgencyId?: number): Promise<AgencyAttendanceRow[]> {
    let query = db
      .selectFrom('panelInvitations as pi')
      .innerJoin('agencies as a', 'a.id', 'pi.agencyId')
      .leftJoin('attendanceResponses as r', (j) => j.onRef('r.panelId', '=', 'pi.panelId').onRef('r.agencyId', '=', 'pi.agencyId'))
      .select((eb) => [
        'a.id as agencyId',
        'a.name as agencyName',
        'a.shortName',
        'a.attendanceRequired',
        'r.answer',
        'r.attendees',
        'r.mode',
        'r.deputyName',
        'r.deputyRole',
        'r.apologyReason',
        'r.informationInAdvance',
        'r.informationReceivedOn',
        'r.answeredVia',
        'r.answeredAt',
        'r.version',
        eb
          .selectFrom('researchRequests as rr')
          .select((e) => e.fn.countAll<string>().as('n'))
          .whereRef('rr.panelId', '=', 'pi.panelId')
          .whereRef('rr.agencyId', '=', 'pi.agencyId')
          .as('researchRequested'),
        eb
          .selectFrom('researchRequests as rr')
          .select((e) => e.fn.countAll<string>().as('n'))
          .whereRef('rr.panelId', '=', 'pi.panelId')
          .whereRef('rr.agencyId', '=', 'pi.agencyId')
          .where('rr.status', '<>', 'requested')
          .as('researchAnswered'),
      ])
      .where('pi.panelId', '=', panelId)
      .orderBy('a.shortName');
    if (onlyAgencyId !== undefined) query = query.where('pi.agencyId', '=', onlyAgencyId);
    const rows = await query.execute();
    return rows.map((r) => ({
      ...r,
      attendees: r.attendees ?? [],
      researchRequested: Number(r.researchRequested ?? 0),
      researchAnswered: Number(r.researchAnswered ?? 0),
    }));
  }

  async function isInvited(panelId: number, agencyId: number, trx: Db = db) {
    return !!(await trx.selectFrom('panelInvitations').select('agencyId').where('panelId', '=', panelId).where('agencyId', '=', agencyId).executeTakeFirst());
  }

  /** Writes an answer: one row per panel and agency. `expectedVersion` null means "no answer yet". */
  async function upsertAnswer(
    trx: Db,
    panelId: number,
    agencyId: number,
    data: AttendanceAnswerData,
    via: 'signed-in' | 'link',
    answeredBy: number | null,
    expectedVersion: number | null | 'any',
  ) {
    const now = clock.now();
    const values = {
      answer: data.answer,
      attendees: JSON.stringify(data.attendees),
      mode: data.mode,
      deputyName: data.deputyName,
      deputyRole: data.deputyRole,
      apologyReason: data.apologyReason,
      informationInAdvance: data.informationInAdvance,
      answeredBy,
      answeredVia: via,
      answeredAt: now,
    };
    const existing = await trx.selectFrom('attendanceResponses').select(['id', 'version']).where('panelId', '=', panelId).where('agencyId', '=', agencyId).forUpdate().executeTakeFirst();
    if (expectedVersion !== 'any' && (existing?.version ?? null) !== expectedVersion) throw new StaleVersionError('Someone else answered for your agency while you were filling in the form. Their answer is shown below; check it before answering again.');
    if (existing) {
      await trx
        .updateTable('attendanceResponses')
        .set({ ...values, version: sql<number>`version + 1` })
        .where('id', '=', existing.id)
        .execute();
    } else {
      // A concurrent first answer would break the unique key: the loser is told, as for a stale form.
      const inserted = await trx
        .insertInto('attendanceResponses')
        .values({ panelId, agencyId, ...values })
        .onConflict((oc) => oc.columns(['panelId', 'agencyId']).doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!inserted) throw new StaleVersionError('Someone else answered for your agency at the same moment. Check their answer before answering again.');
    }
  }

  function assertAnswerable(status: PanelStatus) {
    if (!ANSWERABLE.includes(status)) throw new AnswersClosedError();
  }

  /**
   * Reminders are the invitation again, with fresh one-click links, to the named agencies only:
   * the message holds the district, the date and links, nothing personal.
   */
  async function queueReminders(trx: Db, panelId: number, agencyIds: number[]): Promise<number> {
    if (agencyIds.length === 0) return 0;
    return queueInvitations(trx, { panelId, method: 'REQUEST', reason: 'reminder', baseUrl, clock, agencyIds, mailFrom });
  }

  return {
    panelOrThrow,
    agencyRows,
    isInvited,

    /** Answer from the signed-in page, for the user's own agency only. */
    async answerSignedIn(user: CurrentUser, actor: Actor, panelId: number, data: AttendanceAnswerData, expectedVersion: number | null) {
      await db.transaction().execute(async (trx) => {
        const panel = await trx.selectFrom('panels').select(['id', 'status']).where('id', '=', panelId).forUpdate().executeTakeFirst();
        if (!panel) throw new NotFoundError();
        assertAnswerable(panel.status);
        if (!(await isInvited(panelId, user.agencyId, trx))) throw new NotFoundError();
        await upsertAnswer(trx, panelId, user.agencyId, data, 'signed-in', user.id, expectedVersion);
        await recordAudit(trx, actor, {
          action: 'attendance.answer',
          entityType: 'panel',
          entityId: panelId,
          details: { agencyId: user.agencyId, answer: data.answer, via: 'signed-in' },
        });
      });
    },

    /** What a link token allows now, and the panel and agency it is for. Changes nothing. */
    async inspectToken(raw: string) {
      if (!TOKEN_SHAPE.test(raw)) return { state: 'unknown' as TokenState };
      const token = await db
        .selectFrom('attendanceTokens as t')
        .innerJoin('panels as p', 'p.id', 't.panelId')
        .innerJoin('districts as d', 'd.id', 'p.districtId')
        .innerJoin('agencies as a', 'a.id', 't.agencyId')
        .select(['t.id', 't.panelId', 't.agencyId', 't.answer', 't.expiresAt', 't.usedAt', 'p.status', 'p.startsAt', 'p.endsAt', 'p.venue', 'd.name as districtName', 'a.name as agencyName'])
        .where('t.tokenHash', '=', hashToken(raw))
        .executeTakeFirst();
      if (!token) return { state: 'unknown' as TokenState };
      const state: TokenState = token.usedAt ? 'used' : token.expiresAt <= clock.now() ? 'expired' : !ANSWERABLE.includes(token.status) ? 'closed' : 'valid';
      return { state, token };
    },

    /**
     * Records the one answer a link was made for, for its own agency and panel, and uses the link up.
     * Returns null (nothing changed) when the link is no longer valid, even if it was just used by a second click.
     */
    async answerByToken(raw: string, data: AttendanceAnswerData, actor: Actor) {
      if (!TOKEN_SHAPE.test(raw)) return null;
      return db.transaction().execute(async (trx) => {
        const now = clock.now();
        const token = await trx
          .updateTable('attendanceTokens')
          .set({ usedAt: now })
          .where('tokenHash', '=', hashToken(raw))
          .where('usedAt', 'is', null)
          .where('expiresAt', '>', now)
          .where('answer', '=', data.answer)
          .returning(['id', 'panelId', 'agencyId', 'answer'])
          .executeTakeFirst();
        if (!token) return null;
        const panel = await trx.selectFrom('panels').select(['status']).where('id', '=', token.panelId).forUpdate().executeTakeFirstOrThrow();
        // The update above is rolled back with the transaction: a closed panel leaves the link unused.
        if (!ANSWERABLE.includes(panel.status) || !(await isInvited(token.panelId, token.agencyId, trx))) throw new AnswersClosedError();
        await upsertAnswer(trx, token.panelId, token.agencyId, data, 'link', null, 'any');
        await recordAudit(trx, actor, {
          action: 'attendance.answer',
          entityType: 'panel',
          entityId: token.panelId,
          details: { agencyId: token.agencyId, answer: data.answer, via: 'link', tokenId: token.id },
        });
        return token;
      });
    },

    /** The chair records the day an agency that sent apologies delivered its information (null clears it). */
    async recordInformationReceived(actor: Actor, panelId: number, agencyId: number, receivedOn: string | null) {
      await db.transaction().execute(async (trx) => {
        const panel = await trx.selectFrom('panels').select(['status']).where('id', '=', panelId).forUpdate().executeTakeFirst();
        if (!panel) throw new NotFoundError();
        if (panel.status === 'cancelled') throw new AnswersClosedError();
        const updated = await trx
          .updateTable('attendanceResponses')
          .set({ informationReceivedOn: receivedOn, version: sql<number>`version + 1` })
          .where('panelId', '=', panelId)
          .where('agencyId', '=', agencyId)
          .where('answer', '=', 'apologies')
          .returning('id')
          .executeTakeFirst();
        if (!updated) throw new NotFoundError();
        await recordAudit(trx, actor, { action: 'attendance.information', entityType: 'panel', entityId: panelId, details: { agencyId, receivedOn } });
      });
    },

    /** Sends a reminder now to the named agencies, or to every required agency that has not confirmed. */
    async remindNow(actor: Actor, panelId: number, agencyId: number | null) {
      const panel = await panelOrThrow(panelId);
      assertAnswerable(panel.status);
      const rows = await agencyRows(panelId);
      const targets = agencyId === null ? missingForQuorum(rows).map((r) => r.agencyId) : rows.filter((r) => r.agencyId === agencyId).map((r) => r.agencyId);
      if (agencyId !== null && targets.length === 0) throw new NotFoundError();
      const queued = await db.transaction().execute(async (trx) => {
        const at = clock.now();
        for (const id of targets) {
          await trx
            .insertInto('reminderLog')
            .values({ kind: 'attendance-reminder-manual', subjectKey: `${panelId}:${id}:${at.toISOString()}`, sentAt: at })
            .onConflict((oc) => oc.columns(['kind', 'subjectKey']).doNothing())
            .execute();
        }
        const n = await queueReminders(trx, panelId, targets);
        await recordAudit(trx, actor, { action: 'attendance.remind', entityType: 'panel', entityId: panelId, details: { agencyIds: targets, messages: n } });
        return n;
      });
      if (queued > 0) pokeMail();
      return { agencies: targets.length, messages: queued };
    },

    /**
     * The daily job: three working days before each panel, one reminder to each invited agency that
     * has not answered. reminder_log makes it once only, whichever instance runs it and however often.
     */
    async sendDueReminders(now: Date): Promise<number> {
      const panels = await db
        .selectFrom('panels')
        .innerJoin('districts', 'districts.id', 'panels.districtId')
        .select(['panels.id', 'panels.startsAt', 'districts.name as districtName'])
        .where('panels.status', 'in', ['scheduled', 'agenda-published'])
        .where('panels.startsAt', '>', now)
        .where('panels.startsAt', '<', new Date(now.getTime() + 10 * 86_400_000))
        .execute();
      let messages = 0;
      for (const panel of panels.filter((p) => reminderDue(p.startsAt, now))) {
        messages += await db.transaction().execute(async (trx) => {
          const unanswered = await trx
            .selectFrom('panelInvitations as pi')
            .select('pi.agencyId')
            .where('pi.panelId', '=', panel.id)
            .where((eb) => eb.not(eb.exists(eb.selectFrom('attendanceResponses as r').select('r.id').whereRef('r.panelId', '=', 'pi.panelId').whereRef('r.agencyId', '=', 'pi.agencyId'))))
            .execute();
          const fresh: number[] = [];
          for (const { agencyId } of unanswered) {
            const logged = await trx
              .insertInto('reminderLog')
              .values({ kind: 'attendance-reminder', subjectKey: `${panel.id}:${agencyId}`, sentAt: now })
              .onConflict((oc) => oc.columns(['kind', 'subjectKey']).doNothing())
              .returning('kind')
              .executeTakeFirst();
            if (logged) fresh.push(agencyId);
          }
          const n = await queueReminders(trx, panel.id, fresh);
          if (fresh.length) {
            await recordAudit(trx, { userId: null, agencyId: null, ip: null, requestId: null }, { action: 'attendance.remind', entityType: 'panel', entityId: panel.id, details: { agencyIds: fresh, messages: n, automatic: true } });
          }
          return n;
        });
      }
      if (messages > 0) pokeMail();
      return messages;
    },

    /** Every upcoming panel the agency is invited to, in every district, with its answer and research. */
    async upcomingForAgency(agencyId: number) {
      const now = clock.now();
      const rows = await db
        .selectFrom('panelInvitations as pi')
        .innerJoin('panels as p', 'p.id', 'pi.panelId')
        .innerJoin('districts as d', 'd.id', 'p.districtId')
        .leftJoin('attendanceResponses as r', (j) => j.onRef('r.panelId', '=', 'pi.panelId').onRef('r.agencyId', '=', 'pi.agencyId'))
        .select((eb) => [
          'p.id',
          'p.startsAt',
          'p.status',
          'd.name as districtName',
          'r.answer',
          'r.mode',
          eb
            .selectFrom('researchRequests as rr')
            .select((e) => e.fn.countAll<string>().as('n'))
            .whereRef('rr.panelId', '=', 'p.id')
            .where('rr.agencyId', '=', agencyId)
            .as('researchRequested'),
          eb
            .selectFrom('researchRequests as rr')
            .select((e) => e.fn.countAll<string>().as('n'))
            .whereRef('rr.panelId', '=', 'p.id')
            .where('rr.agencyId', '=', agencyId)
            .where('rr.status', '<>', 'requested')
            .as('researchAnswered'),
        ])
        .where('pi.agencyId', '=', agencyId)
        .where('p.status', 'in', ['scheduled', 'agenda-published', 'in-progress'])
        .where('p.endsAt', '>', now)
        .orderBy('p.startsAt')
        .limit(200)
        .execute();
      return rows.map((r) => ({ ...r, researchRequested: Number(r.researchRequested ?? 0), researchAnswered: Number(r.researchAnswered ?? 0) }));
    },

    /** Every upcoming panel with how many agencies have answered, for chairs and administrators. */
    async upcomingOverview() {
      const now = clock.now();
      const panels = await db
        .selectFrom('panels as p')
        .innerJoin('districts as d', 'd.id', 'p.districtId')
        .select(['p.id', 'p.startsAt', 'p.status', 'd.name as districtName'])
        .where('p.status', 'in', ['scheduled', 'agenda-published', 'in-progress'])
        .where('p.endsAt', '>', now)
        .orderBy('p.startsAt')
        .limit(100)
        .execute();
      const result = [];
      for (const p of panels) {
        const rows = await agencyRows(p.id);
        result.push({ ...p, invited: rows.length, answered: rows.filter((r) => r.answer).length, quorumMissing: missingForQuorum(rows).length });
      }
      return result;
    },

    /** The agenda items of a panel with the agency's clinician answer for each. Case references only. */
    async clinicianItems(panelId: number, agencyId: number) {
      return db
        .selectFrom('agendaItems as i')
        .leftJoin('referrals as ref', 'ref.id', 'i.referralId')
        .leftJoin('clinicianAttendance as c', (j) => j.onRef('c.agendaItemId', '=', 'i.id').on('c.agencyId', '=', agencyId))
        .select(['i.id', 'i.position', 'i.kind', 'ref.reference', 'c.attending', 'c.clinicianName'])
        .where('i.panelId', '=', panelId)
        .where('i.removedAt', 'is', null)
        .where('i.kind', '<>', 'other-business')
        .orderBy('i.position')
        .execute();
    },

    async saveClinicians(user: CurrentUser, actor: Actor, panelId: number, choices: Map<number, { attending: boolean; clinicianName: string | null }>) {
      await db.transaction().execute(async (trx) => {
        const panel = await trx.selectFrom('panels').select(['status']).where('id', '=', panelId).forUpdate().executeTakeFirst();
        if (!panel) throw new NotFoundError();
        assertAnswerable(panel.status);
        const items = await trx.selectFrom('agendaItems').select('id').where('panelId', '=', panelId).where('removedAt', 'is', null).execute();
        const known = new Set(items.map((i) => i.id));
        for (const id of choices.keys()) if (!known.has(id)) throw new NotFoundError();
        const now = clock.now();
        for (const [agendaItemId, c] of choices) {
          await trx
            .insertInto('clinicianAttendance')
            .values({ agendaItemId, agencyId: user.agencyId, attending: c.attending, clinicianName: c.attending ? c.clinicianName : null, updatedBy: user.id, updatedAt: now })
            .onConflict((oc) => oc.columns(['agendaItemId', 'agencyId']).doUpdateSet({ attending: c.attending, clinicianName: c.attending ? c.clinicianName : null, updatedBy: user.id, updatedAt: now }))
            .execute();
        }
        await recordAudit(trx, actor, { action: 'attendance.clinicians', entityType: 'panel', entityId: panelId, details: { agencyId: user.agencyId, agendaItemIds: [...choices.keys()] } });
      });
    },
  };
}

export type AttendanceService = ReturnType<typeof attendanceService>;

/** The daily reminder job, in the shape the scheduler calls. */
export function sendAttendanceReminders(services: { attendance: AttendanceService }, now: Date): Promise<number> {
  return services.attendance.sendDueReminders(now);
}
