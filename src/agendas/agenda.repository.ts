import { sql } from 'kysely';
import { INCOMPLETE_STATUSES } from '../actions/overdue';
import type { Db } from '../db/database';
import { literals } from '../db/literals';
import type { AgendaItemKind } from '../db/schema';
import { TRANSITIONS } from '../referrals/status';
import type { CandidateCase } from './proposal';

/** Whether any subject of each case is a child, or lives with children. */
export async function childrenFlags(trx: Db, referralIds: number[], asOf: string): Promise<Set<number>> {
  if (referralIds.length === 0) return new Set();
  const rows = await trx
    .selectFrom('referralSubjects')
    .select('referralId')
    .where('referralId', 'in', referralIds)
    .where((eb) =>
      eb.or([
        sql<boolean>`'children-in-household' = any(${sql.ref('vulnerabilities')})`,
        sql<boolean>`${sql.ref('dateOfBirth')} > (${asOf}::date - interval '18 years')::date`,
        eb('approximateAge', '<', 18),
      ]),
    )
    .execute();
  return new Set(rows.map((r) => r.referralId));
}

/** The facts the agenda proposal works from, for a panel of a district on a date. */
export async function candidateCases(
  trx: Db,
  panel: { id: number; districtId: number; startsAt: Date },
  panelDate: string,
) {
  const awaitingRows = await trx
    .selectFrom('referrals')
    .select(['id', 'reference', 'riskScore'])
    .where('status', '=', 'awaiting-panel')
    .where('districtId', '=', panel.districtId)
    .execute();
  // Active cases heard at an earlier, concluded panel of this district and kept open for review.
  const reviewRows = await trx
    .selectFrom('referrals')
    .select([
      'referrals.id',
      'referrals.reference',
      'referrals.riskScore',
      (eb) =>
        eb
          .selectFrom('agendaItems')
          .innerJoin('panels', 'panels.id', 'agendaItems.panelId')
          .select((e) => e.fn.min('panels.startsAt').as('first'))
          .whereRef('agendaItems.referralId', '=', 'referrals.id')
          .where('agendaItems.removedAt', 'is', null)
          .where('panels.status', 'in', ['concluded', 'minutes-approved', 'minutes-circulated'])
          .as('firstHeardAt'),
      (eb) =>
        eb
          .selectFrom('actions')
          .select((e) => e.fn.countAll<string>().as('n'))
          .whereRef('actions.referralId', '=', 'referrals.id')
          .where('actions.status', 'in', literals(INCOMPLETE_STATUSES))
          .as('incompleteActions'),
    ])
    .where('referrals.status', '=', 'active')
    .where('referrals.districtId', '=', panel.districtId)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('agendaItems')
          .innerJoin('panels', 'panels.id', 'agendaItems.panelId')
          .innerJoin('meetingRecords', 'meetingRecords.agendaItemId', 'agendaItems.id')
          .select('agendaItems.id')
          .whereRef('agendaItems.referralId', '=', 'referrals.id')
          .where('agendaItems.removedAt', 'is', null)
          .where('panels.id', '!=', panel.id)
          .where('panels.startsAt', '<', panel.startsAt)
          .where('panels.status', 'in', ['concluded', 'minutes-approved', 'minutes-circulated'])
          .where('meetingRecords.decision', '=', 'review'),
      ),
    )
    .execute();
  const children = await childrenFlags(
    trx,
    [...awaitingRows, ...reviewRows].map((r) => r.id),
    panelDate,
  );
  const toDate = (v: unknown) => (v ? new Date(v as string | Date).toISOString().slice(0, 10) : null);
  const awaiting: CandidateCase[] = awaitingRows.map((r) => ({
    referralId: r.id,
    reference: r.reference ?? '',
    riskScore: r.riskScore,
    involvesChildren: children.has(r.id),
    firstHeardOn: null,
    incompleteActions: 0,
  }));
  const reviews: CandidateCase[] = reviewRows.map((r) => ({
    referralId: r.id,
    reference: r.reference ?? '',
    riskScore: r.riskScore,
    involvesChildren: children.has(r.id),
    firstHeardOn: toDate(r.firstHeardAt),
    incompleteActions: Number(r.incompleteActions ?? 0),
  }));
  return { awaiting, reviews, children };
}

/** The current (not removed) items of an agenda, in order, with what the builder and the agenda show. */
export async function currentItems(trx: Db, panelId: number) {
  return trx
    .selectFrom('agendaItems')
    .leftJoin('referrals', 'referrals.id', 'agendaItems.referralId')
    .leftJoin('agencies as presenter', 'presenter.id', 'agendaItems.presentingAgencyId')
    .leftJoin('agencies as referrer', 'referrer.id', 'referrals.referringAgencyId')
    .select([
      'agendaItems.id',
      'agendaItems.position',
      'agendaItems.kind',
      'agendaItems.referralId',
      'agendaItems.title',
      'agendaItems.minutesAllotted',
      'agendaItems.involvesChildren',
      'agendaItems.addedManually',
      'agendaItems.presentingAgencyId',
      'presenter.shortName as presentingAgency',
      'referrals.reference',
      'referrals.riskScore',
      'referrals.status as caseStatus',
      'referrals.referringAgencyId',
      'referrer.name as referringAgency',
      (eb) =>
        eb
          .selectFrom('actions')
          .select((e) => e.fn.countAll<string>().as('n'))
          .whereRef('actions.referralId', '=', 'agendaItems.referralId')
          .where('actions.status', 'in', literals(INCOMPLETE_STATUSES))
          .as('incompleteActions'),
    ])
    .where('agendaItems.panelId', '=', panelId)
    .where('agendaItems.removedAt', 'is', null)
    .orderBy('agendaItems.position')
    .orderBy('agendaItems.id')
    .execute();
}

/** What an agency needs to search its records: names, dates of birth, addresses, and the reason. */
export async function caseDetails(trx: Db, referralIds: number[]) {
  if (referralIds.length === 0)
    return { subjects: new Map<number, SubjectRow[]>(), reasons: new Map<number, string | null>() };
  const subjects = await trx
    .selectFrom('referralSubjects')
    .select([
      'referralId',
      'position',
      'kind',
      'fullName',
      'dateOfBirth',
      'approximateAge',
      'address',
      'postcode',
      'description',
    ])
    .where('referralId', 'in', referralIds)
    .orderBy('referralId')
    .orderBy('position')
    .execute();
  const reasons = await trx.selectFrom('referrals').select(['id', 'reason']).where('id', 'in', referralIds).execute();
  const byCase = new Map<number, SubjectRow[]>();
  for (const s of subjects) byCase.set(s.referralId, [...(byCase.get(s.referralId) ?? []), s]);
  return { subjects: byCase, reasons: new Map(reasons.map((r) => [r.id, r.reason])) };
}

export interface SubjectRow {
  referralId: number;
  position: number;
  kind: string | null;
  fullName: string | null;
  dateOfBirth: string | Date | null;
  approximateAge: number | null;
  address: string | null;
  postcode: string | null;
  description: string | null;
}

/** Awaiting cases not on this agenda, this district's first, for adding by hand. */
export async function addableCases(trx: Db, panel: { id: number; districtId: number }) {
  return trx
    .selectFrom('referrals')
    .innerJoin('districts', 'districts.id', 'referrals.districtId')
    .select([
      'referrals.id',
      'referrals.reference',
      'referrals.riskScore',
      'referrals.districtId',
      'districts.name as districtName',
    ])
    .where('referrals.status', 'in', literals(TRANSITIONS.hear.from))
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('agendaItems')
            .select('agendaItems.id')
            .whereRef('agendaItems.referralId', '=', 'referrals.id')
            .where('agendaItems.panelId', '=', panel.id)
            .where('agendaItems.removedAt', 'is', null),
        ),
      ),
    )
    .orderBy(sql`case when referrals.district_id = ${panel.districtId} then 0 else 1 end`)
    .orderBy('referrals.reference')
    .limit(500)
    .execute();
}

export function removedItems(db: Db, panelId: number) {
  return db
    .selectFrom('agendaItems')
    .leftJoin('referrals', 'referrals.id', 'agendaItems.referralId')
    .select([
      'agendaItems.id',
      'agendaItems.title',
      'agendaItems.removedAt',
      'agendaItems.removedReason',
      'referrals.reference',
    ])
    .where('agendaItems.panelId', '=', panelId)
    .where('agendaItems.removedAt', 'is not', null)
    .orderBy('agendaItems.removedAt')
    .execute();
}

export function versions(db: Db, panelId: number) {
  return db
    .selectFrom('agendaVersions')
    .select(['version', 'publishedAt', 'changes'])
    .where('panelId', '=', panelId)
    .orderBy('version', 'desc')
    .execute();
}

export function findVersion(db: Db, panelId: number, version: number) {
  return db
    .selectFrom('agendaVersions')
    .selectAll()
    .where('panelId', '=', panelId)
    .where('version', '=', version)
    .executeTakeFirstOrThrow();
}

export async function insertVersion(
  trx: Db,
  version: { panelId: number; version: number; publishedAt: Date; publishedBy: number; changes: string; items: string },
): Promise<void> {
  await trx.insertInto('agendaVersions').values(version).execute();
}

export function referringAgencyNames(db: Db, referralIds: number[]) {
  if (referralIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('referrals')
    .innerJoin('agencies', 'agencies.id', 'referrals.referringAgencyId')
    .select(['referrals.id', 'agencies.name'])
    .where('referrals.id', 'in', referralIds)
    .execute();
}

export function panelNames(db: Db, panelId: number) {
  return db
    .selectFrom('panels')
    .innerJoin('districts', 'districts.id', 'panels.districtId')
    .innerJoin('users', 'users.id', 'panels.chairUserId')
    .select(['districts.name as districtName', 'users.name as chairName'])
    .where('panels.id', '=', panelId)
    .executeTakeFirstOrThrow();
}

export async function setPosition(trx: Db, itemId: number, position: number): Promise<void> {
  await trx.updateTable('agendaItems').set({ position }).where('id', '=', itemId).execute();
}

export async function moveDownOne(trx: Db, itemId: number): Promise<void> {
  await trx
    .updateTable('agendaItems')
    .set({ position: sql<number>`position + 1` })
    .where('id', '=', itemId)
    .execute();
}

export async function insertItem(
  trx: Db,
  item: {
    panelId: number;
    position: number;
    kind: AgendaItemKind;
    referralId?: number;
    title?: string;
    minutesAllotted: number;
    involvesChildren?: boolean;
    addedManually?: boolean;
    createdAt: Date;
  },
): Promise<void> {
  await trx.insertInto('agendaItems').values(item).execute();
}

export async function setTiming(
  trx: Db,
  itemId: number,
  minutesAllotted: number,
  presentingAgencyId: number | null,
): Promise<void> {
  await trx.updateTable('agendaItems').set({ minutesAllotted, presentingAgencyId }).where('id', '=', itemId).execute();
}

export async function removeItem(trx: Db, itemId: number, reason: string, at: Date): Promise<void> {
  await trx.updateTable('agendaItems').set({ removedAt: at, removedReason: reason }).where('id', '=', itemId).execute();
}

export function referralStatus(trx: Db, referralId: number) {
  return trx.selectFrom('referrals').select(['id', 'status']).where('id', '=', referralId).executeTakeFirst();
}
