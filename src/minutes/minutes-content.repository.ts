import type { Db } from '../db/database';

// The minutes read the whole record of a panel: its register, agenda, meeting and actions.

export function findPanelHeading(db: Db, panelId: number) {
  return db
    .selectFrom('panels')
    .innerJoin('districts', 'districts.id', 'panels.districtId')
    .innerJoin('users as chair', 'chair.id', 'panels.chairUserId')
    .select([
      'panels.id',
      'panels.districtId',
      'panels.startsAt',
      'panels.endsAt',
      'panels.venue',
      'panels.onlineLink',
      'panels.confidentialityStatementId',
      'districts.name as district',
      'chair.name as chair',
    ])
    .where('panels.id', '=', panelId)
    .executeTakeFirstOrThrow();
}

export function listRegister(db: Db, panelId: number) {
  return db
    .selectFrom('registerEntries')
    .leftJoin('agencies', 'agencies.id', 'registerEntries.agencyId')
    .select([
      'registerEntries.agencyId',
      'registerEntries.personName',
      'registerEntries.role',
      'registerEntries.isObserver',
      'registerEntries.status',
      'registerEntries.arrivedAt',
      'registerEntries.leftAt',
      'registerEntries.confidentialityAgreed',
      'registerEntries.confidentialityStatementId',
      'agencies.name as agency',
    ])
    .where('registerEntries.panelId', '=', panelId)
    .orderBy('agencies.name')
    .orderBy('registerEntries.id')
    .execute();
}

export function listAttendanceResponses(db: Db, panelId: number) {
  return db
    .selectFrom('attendanceResponses')
    .innerJoin('agencies', 'agencies.id', 'attendanceResponses.agencyId')
    .select([
      'attendanceResponses.agencyId',
      'agencies.name as agency',
      'attendanceResponses.answer',
      'attendanceResponses.deputyName',
      'attendanceResponses.informationInAdvance',
      'attendanceResponses.informationReceivedOn',
    ])
    .where('attendanceResponses.panelId', '=', panelId)
    .orderBy('agencies.name')
    .execute();
}

/** The agencies invited to the panel: each one appears in the minutes' attendance. */
export function listInvitedAgencies(db: Db, panelId: number) {
  return db
    .selectFrom('panelInvitations')
    .innerJoin('agencies', 'agencies.id', 'panelInvitations.agencyId')
    .select(['agencies.id as agencyId', 'agencies.name as agency'])
    .where('panelInvitations.panelId', '=', panelId)
    .orderBy('agencies.name')
    .execute();
}

export async function listSubjects(db: Db, referralIds: number[]) {
  if (!referralIds.length) return [];
  return db
    .selectFrom('referralSubjects')
    .select(['referralId', 'fullName', 'description', 'kind'])
    .where('referralId', 'in', referralIds)
    .orderBy('position')
    .execute();
}

export async function listSharedInformation(db: Db, agendaItemIds: number[]) {
  if (!agendaItemIds.length) return [];
  return db
    .selectFrom('sharedInformation')
    .innerJoin('agencies', 'agencies.id', 'sharedInformation.agencyId')
    .select([
      'sharedInformation.agendaItemId',
      'sharedInformation.agencyId',
      'agencies.name as agency',
      'sharedInformation.text',
    ])
    .where('sharedInformation.agendaItemId', 'in', agendaItemIds)
    .orderBy('agencies.name')
    .execute();
}

export async function listActions(db: Db, referralIds: number[]) {
  if (!referralIds.length) return [];
  return db
    .selectFrom('actions')
    .innerJoin('agencies', 'agencies.id', 'actions.ownerAgencyId')
    .select([
      'actions.id',
      'actions.referralId',
      'actions.panelId',
      'actions.description',
      'actions.ownerName',
      'actions.ownerAgencyId',
      'actions.dueOn',
      'actions.status',
      'agencies.name as agency',
    ])
    .where('actions.referralId', 'in', referralIds)
    .orderBy('actions.dueOn')
    .orderBy('actions.id')
    .execute();
}

/** The actions agreed on these agenda items (other business, which has no case). */
export async function listItemActions(db: Db, agendaItemIds: number[]) {
  if (!agendaItemIds.length) return [];
  return db
    .selectFrom('actions')
    .innerJoin('agencies', 'agencies.id', 'actions.ownerAgencyId')
    .select([
      'actions.agendaItemId',
      'actions.description',
      'actions.ownerName',
      'actions.dueOn',
      'agencies.name as agency',
    ])
    .where('actions.agendaItemId', 'in', agendaItemIds)
    .where('actions.referralId', 'is', null)
    .orderBy('actions.dueOn')
    .orderBy('actions.id')
    .execute();
}

/** The notes of the actions' updates, oldest first. */
export async function listActionNotes(db: Db, actionIds: number[]) {
  if (!actionIds.length) return [];
  return db
    .selectFrom('actionUpdates')
    .select(['actionId', 'note', 'at'])
    .where('actionId', 'in', actionIds)
    .where('note', 'is not', null)
    .orderBy('at')
    .execute();
}

export interface Recipient {
  userId: number;
  name: string;
  email: string;
  agencyId: number;
  agencyName: string;
}

/** Every active representative of every invited agency, whether they came or not. */
export function defaultRecipients(db: Db, panelId: number): Promise<Recipient[]> {
  return invitedUsers(db, panelId).where('users.role', '=', 'representative').execute();
}

/** Active users of the invited agencies of any role: those an administrator may add to the circulation. */
export function eligibleRecipients(db: Db, panelId: number): Promise<Recipient[]> {
  return invitedUsers(db, panelId).execute();
}

function invitedUsers(db: Db, panelId: number) {
  return db
    .selectFrom('panelInvitations')
    .innerJoin('agencies', 'agencies.id', 'panelInvitations.agencyId')
    .innerJoin('users', 'users.agencyId', 'agencies.id')
    .select([
      'users.id as userId',
      'users.name',
      'users.email',
      'agencies.id as agencyId',
      'agencies.name as agencyName',
    ])
    .where('panelInvitations.panelId', '=', panelId)
    .where('users.active', '=', true)
    .orderBy('agencies.name')
    .orderBy('users.name');
}
