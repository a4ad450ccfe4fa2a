import { sql } from 'kysely';
import type { Db } from '../db/database';
import type { AttendanceAnswer, PanelStatus } from '../db/schema';

/** What an answer row holds, whichever way the answer was given. */
export interface ResponseValues {
  answer: AttendanceAnswer;
  attendees: string;
  mode: 'in-person' | 'online' | null;
  deputyName: string | null;
  deputyRole: string | null;
  apologyReason: string | null;
  informationInAdvance: boolean | null;
  answeredBy: number | null;
  answeredVia: 'signed-in' | 'link';
  answeredAt: Date;
}

/** Every invited agency of a panel (or only one of them) with its answer and research counts. */
export function agencyRows(db: Db, panelId: number, onlyAgencyId?: number) {
  let query = db
    .selectFrom('panelInvitations as pi')
    .innerJoin('agencies as a', 'a.id', 'pi.agencyId')
    .leftJoin('attendanceResponses as r', (j) =>
      j.onRef('r.panelId', '=', 'pi.panelId').onRef('r.agencyId', '=', 'pi.agencyId'),
    )
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
  return query.execute();
}

export function lockResponse(trx: Db, panelId: number, agencyId: number) {
  return trx
    .selectFrom('attendanceResponses')
    .select([
      'id',
      'version',
      'answer',
      'attendees',
      'mode',
      'deputyName',
      'deputyRole',
      'apologyReason',
      'informationInAdvance',
    ])
    .where('panelId', '=', panelId)
    .where('agencyId', '=', agencyId)
    .forUpdate()
    .executeTakeFirst();
}

export async function updateResponse(trx: Db, id: number, values: ResponseValues) {
  await trx
    .updateTable('attendanceResponses')
    .set({ ...values, version: sql<number>`version + 1` })
    .where('id', '=', id)
    .execute();
}

/** Inserts the first answer; false when a concurrent first answer got there first. */
export async function insertResponse(
  trx: Db,
  panelId: number,
  agencyId: number,
  values: ResponseValues,
): Promise<boolean> {
  const inserted = await trx
    .insertInto('attendanceResponses')
    .values({ panelId, agencyId, ...values })
    .onConflict((oc) => oc.columns(['panelId', 'agencyId']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted !== undefined;
}

export function tokenByHash(db: Db, tokenHash: string) {
  return db
    .selectFrom('attendanceTokens as t')
    .innerJoin('panels as p', 'p.id', 't.panelId')
    .innerJoin('districts as d', 'd.id', 'p.districtId')
    .innerJoin('agencies as a', 'a.id', 't.agencyId')
    .select([
      't.id',
      't.panelId',
      't.agencyId',
      't.answer',
      't.expiresAt',
      't.usedAt',
      'p.status',
      'p.startsAt',
      'p.endsAt',
      'p.venue',
      'd.name as districtName',
      'a.name as agencyName',
    ])
    .where('t.tokenHash', '=', tokenHash)
    .executeTakeFirst();
}

/** Marks an unused, unexpired token for this answer used; undefined when there is none. */
export function useToken(trx: Db, tokenHash: string, answer: AttendanceAnswer, now: Date) {
  return trx
    .updateTable('attendanceTokens')
    .set({ usedAt: now })
    .where('tokenHash', '=', tokenHash)
    .where('usedAt', 'is', null)
    .where('expiresAt', '>', now)
    .where('answer', '=', answer)
    .returning(['id', 'panelId', 'agencyId', 'answer'])
    .executeTakeFirst();
}

/** Sets the day an agency's information arrived, on an apologies answer only; false when there is none. */
export async function setInformationReceived(
  trx: Db,
  panelId: number,
  agencyId: number,
  receivedOn: string | null,
): Promise<boolean> {
  const updated = await trx
    .updateTable('attendanceResponses')
    .set({ informationReceivedOn: receivedOn, version: sql<number>`version + 1` })
    .where('panelId', '=', panelId)
    .where('agencyId', '=', agencyId)
    .where('answer', '=', 'apologies')
    .returning('id')
    .executeTakeFirst();
  return updated !== undefined;
}

/** Logs a reminder; false when one with the same kind and key was logged before. */
export async function logReminder(trx: Db, kind: string, subjectKey: string, sentAt: Date): Promise<boolean> {
  const logged = await trx
    .insertInto('reminderLog')
    .values({ kind, subjectKey, sentAt })
    .onConflict((oc) => oc.columns(['kind', 'subjectKey']).doNothing())
    .returning('kind')
    .executeTakeFirst();
  return logged !== undefined;
}

/** Panels not yet begun that start within ten days and can still be answered. */
export function panelsStartingWithinTenDays(db: Db, now: Date) {
  return db
    .selectFrom('panels')
    .innerJoin('districts', 'districts.id', 'panels.districtId')
    .select(['panels.id', 'panels.startsAt', 'districts.name as districtName'])
    .where('panels.status', 'in', ['scheduled', 'agenda-published'])
    .where('panels.startsAt', '>', now)
    .where('panels.startsAt', '<', new Date(now.getTime() + 10 * 86_400_000))
    .execute();
}

export async function unansweredAgencyIds(trx: Db, panelId: number): Promise<number[]> {
  const rows = await trx
    .selectFrom('panelInvitations as pi')
    .select('pi.agencyId')
    .where('pi.panelId', '=', panelId)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('attendanceResponses as r')
            .select('r.id')
            .whereRef('r.panelId', '=', 'pi.panelId')
            .whereRef('r.agencyId', '=', 'pi.agencyId'),
        ),
      ),
    )
    .execute();
  return rows.map((r) => r.agencyId);
}

export function upcomingForAgency(db: Db, agencyId: number, statuses: readonly PanelStatus[], now: Date) {
  return db
    .selectFrom('panelInvitations as pi')
    .innerJoin('panels as p', 'p.id', 'pi.panelId')
    .innerJoin('districts as d', 'd.id', 'p.districtId')
    .leftJoin('attendanceResponses as r', (j) =>
      j.onRef('r.panelId', '=', 'pi.panelId').onRef('r.agencyId', '=', 'pi.agencyId'),
    )
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
    .where('p.status', 'in', statuses)
    .where('p.endsAt', '>', now)
    .orderBy('p.startsAt')
    .limit(200)
    .execute();
}

export function upcomingPanels(db: Db, statuses: readonly PanelStatus[], now: Date) {
  return db
    .selectFrom('panels as p')
    .innerJoin('districts as d', 'd.id', 'p.districtId')
    .select(['p.id', 'p.startsAt', 'p.status', 'd.name as districtName'])
    .where('p.status', 'in', statuses)
    .where('p.endsAt', '>', now)
    .orderBy('p.startsAt')
    .limit(100)
    .execute();
}

/**
 * The live agenda items of a panel in order, with their allotted minutes (for their time slots) and
 * the agency's clinician answer for each case.
 */
export function clinicianItems(db: Db, panelId: number, agencyId: number) {
  return db
    .selectFrom('agendaItems as i')
    .leftJoin('referrals as ref', 'ref.id', 'i.referralId')
    .leftJoin('clinicianAttendance as c', (j) => j.onRef('c.agendaItemId', '=', 'i.id').on('c.agencyId', '=', agencyId))
    .select(['i.id', 'i.position', 'i.kind', 'i.minutesAllotted', 'ref.reference', 'c.attending', 'c.clinicianName'])
    .where('i.panelId', '=', panelId)
    .where('i.removedAt', 'is', null)
    .orderBy('i.position')
    .execute();
}

export async function liveAgendaItemIds(trx: Db, panelId: number): Promise<Set<number>> {
  const items = await trx
    .selectFrom('agendaItems')
    .select('id')
    .where('panelId', '=', panelId)
    .where('removedAt', 'is', null)
    .execute();
  return new Set(items.map((i) => i.id));
}

export async function upsertClinician(
  trx: Db,
  row: {
    agendaItemId: number;
    agencyId: number;
    attending: boolean;
    clinicianName: string | null;
    updatedBy: number;
    updatedAt: Date;
  },
) {
  const change = {
    attending: row.attending,
    clinicianName: row.clinicianName,
    updatedBy: row.updatedBy,
    updatedAt: row.updatedAt,
  };
  await trx
    .insertInto('clinicianAttendance')
    .values(row)
    .onConflict((oc) => oc.columns(['agendaItemId', 'agencyId']).doUpdateSet(change))
    .execute();
}

/** Every agency's clinician answer for each live case on a panel's agenda, in agenda order. */
export function clinicianPlan(db: Db, panelId: number) {
  return db
    .selectFrom('agendaItems as i')
    .leftJoin('referrals as ref', 'ref.id', 'i.referralId')
    .leftJoin('clinicianAttendance as c', 'c.agendaItemId', 'i.id')
    .leftJoin('agencies as a', 'a.id', 'c.agencyId')
    .select(['i.id', 'i.position', 'ref.reference', 'c.agencyId', 'a.shortName', 'c.attending', 'c.clinicianName'])
    .where('i.panelId', '=', panelId)
    .where('i.removedAt', 'is', null)
    .where('i.kind', '<>', 'other-business')
    .orderBy('i.position')
    .orderBy('a.shortName')
    .execute();
}
