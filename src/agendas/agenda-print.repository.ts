import type { ExpressionBuilder } from 'kysely';
import type { Db } from '../db/database';
import type { Database } from '../db/schema';
import { INCOMPLETE_STATUSES } from '../actions/overdue';
import { literals } from '../db/literals';

// For each case under review on a published agenda: the actions still to be done. Read only; the
// actions feature writes them.

/** The latest value an agency or panel gave for this field of the action, in an update. */
function latestUpdate(eb: ExpressionBuilder<Database, 'actions'>, field: 'note' | 'newDueOn') {
  return eb
    .selectFrom('actionUpdates')
    .select(`actionUpdates.${field}`)
    .whereRef('actionUpdates.actionId', '=', 'actions.id')
    .where(`actionUpdates.${field}`, 'is not', null)
    .orderBy('actionUpdates.at', 'desc')
    .orderBy('actionUpdates.id', 'desc')
    .limit(1);
}

/**
 * The unfinished actions of these cases agreed at earlier panels, with the owner and the latest
 * word on each: its last note (why it is not done) and the due date it last moved to.
 */
export async function unfinishedActions(db: Db, referralIds: number[], panelId: number) {
  if (referralIds.length === 0) return [];
  return db
    .selectFrom('actions')
    .innerJoin('agencies', 'agencies.id', 'actions.ownerAgencyId')
    .select((eb) => [
      'actions.id',
      'actions.referralId',
      'actions.description',
      'actions.ownerName',
      'actions.dueOn',
      'agencies.name as agency',
      latestUpdate(eb, 'note').as('lastNote'),
      latestUpdate(eb, 'newDueOn').as('newDueOn'),
    ])
    .where('actions.referralId', 'in', referralIds)
    .where('actions.panelId', '!=', panelId)
    .where('actions.status', 'in', literals(INCOMPLETE_STATUSES))
    .orderBy('actions.dueOn')
    .orderBy('actions.id')
    .execute();
}
