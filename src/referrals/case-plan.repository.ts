import type { Db } from '../db/database';

/** The panels that have heard (or are hearing) a case, with what each recorded; most recent first. */
export function findHearings(db: Db, referralId: number) {
  return db
    .selectFrom('agendaItems')
    .innerJoin('panels', 'panels.id', 'agendaItems.panelId')
    .innerJoin('districts', 'districts.id', 'panels.districtId')
    .leftJoin('meetingRecords', 'meetingRecords.agendaItemId', 'agendaItems.id')
    .select([
      'agendaItems.id as agendaItemId',
      'agendaItems.kind',
      'panels.id as panelId',
      'panels.startsAt',
      'panels.status as panelStatus',
      'districts.name as districtName',
      'meetingRecords.riskLevel',
      'meetingRecords.decision',
      'meetingRecords.closeReason',
      'meetingRecords.escalateTo',
      'meetingRecords.decisionNote',
      'meetingRecords.nextReviewOn',
      'meetingRecords.deferredReason',
    ])
    .where('agendaItems.referralId', '=', referralId)
    .where('agendaItems.removedAt', 'is', null)
    .where('panels.status', 'in', ['in-progress', 'concluded', 'minutes-approved', 'minutes-circulated'])
    .orderBy('panels.startsAt', 'desc')
    .orderBy('agendaItems.id', 'desc')
    .execute();
}

/** A case's actions with their owner, the panel that set them and their latest update. */
export function findCaseActions(db: Db, referralId: number) {
  return db
    .selectFrom('actions')
    .innerJoin('agencies', 'agencies.id', 'actions.ownerAgencyId')
    .innerJoin('panels', 'panels.id', 'actions.panelId')
    .select((eb) => [
      'actions.id',
      'actions.description',
      'actions.ownerName',
      'actions.dueOn',
      'actions.status',
      'actions.closedAt',
      'agencies.name as agencyName',
      'panels.startsAt as panelStartsAt',
      eb
        .selectFrom('actionUpdates')
        .select('actionUpdates.note')
        .whereRef('actionUpdates.actionId', '=', 'actions.id')
        .orderBy('actionUpdates.at', 'desc')
        .orderBy('actionUpdates.id', 'desc')
        .limit(1)
        .as('lastNote'),
      eb
        .selectFrom('actionUpdates')
        .select('actionUpdates.at')
        .whereRef('actionUpdates.actionId', '=', 'actions.id')
        .orderBy('actionUpdates.at', 'desc')
        .orderBy('actionUpdates.id', 'desc')
        .limit(1)
        .as('lastUpdateAt'),
    ])
    .where('actions.referralId', '=', referralId)
    .orderBy('actions.dueOn')
    .orderBy('actions.id')
    .execute();
}
