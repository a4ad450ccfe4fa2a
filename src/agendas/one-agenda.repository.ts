import { sql } from 'kysely';
import type { Db } from '../db/database';
import { literals } from '../db/literals';
import type { PanelStatus } from '../db/schema';
import { TRANSITIONS } from '../referrals/status';

// A case is on one upcoming agenda at a time: where else a case is listed, and what another panel
// has already decided about it. Read only.

/** Panels not yet held (or being held now): their agendas are the ones a case may be on. */
export const UPCOMING: PanelStatus[] = ['scheduled', 'agenda-published', 'in-progress'];
const HEARD: PanelStatus[] = ['in-progress', 'concluded', 'minutes-approved', 'minutes-circulated'];

/**
 * The items of the other upcoming panels' agendas. Those panels are a few whatever the years have
 * held: found first, their items are then read by index.
 */
function listed(db: Db, panelId: number) {
  return db
    .selectFrom('agendaItems')
    .innerJoin('panels', 'panels.id', 'agendaItems.panelId')
    .innerJoin('districts', 'districts.id', 'panels.districtId')
    .innerJoin('referrals', 'referrals.id', 'agendaItems.referralId')
    .select([
      'agendaItems.id as itemId',
      'agendaItems.referralId',
      'referrals.reference',
      'panels.id as panelId',
      'panels.startsAt',
      'panels.status as panelStatus',
      'districts.name as districtName',
    ])
    .where('agendaItems.removedAt', 'is', null)
    .where(
      sql<boolean>`agenda_items.panel_id = any (array(select p.id from panels p where p.id <> ${panelId} and p.status in (${sql.join(UPCOMING)})))`,
    );
}

/** Which of these cases are on another upcoming panel's agenda, and where. */
export async function listedElsewhere(db: Db, panelId: number, referralIds: number[]) {
  if (!referralIds.length) return [];
  return listed(db, panelId).where('agendaItems.referralId', 'in', referralIds).execute();
}

/** The district's cases waiting for a panel that another upcoming panel's agenda already lists. */
export function districtCasesListedElsewhere(db: Db, panel: { id: number; districtId: number }) {
  return listed(db, panel.id)
    .where('referrals.districtId', '=', panel.districtId)
    .where('referrals.status', 'in', literals(TRANSITIONS.hear.from))
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('agendaItems as here')
            .select('here.id')
            .whereRef('here.referralId', '=', 'agendaItems.referralId')
            .where('here.panelId', '=', panel.id)
            .where('here.removedAt', 'is', null),
        ),
      ),
    )
    .orderBy('referrals.reference')
    .limit(200)
    .execute();
}

/** Cases on this agenda that another panel has since closed or escalated. */
export async function decidedElsewhere(db: Db, panelId: number, referralIds: number[]) {
  if (!referralIds.length) return [];
  return db
    .selectFrom('meetingRecords')
    .innerJoin('agendaItems', 'agendaItems.id', 'meetingRecords.agendaItemId')
    .innerJoin('panels', 'panels.id', 'agendaItems.panelId')
    .innerJoin('districts', 'districts.id', 'panels.districtId')
    .select([
      'agendaItems.referralId',
      'meetingRecords.decision',
      'meetingRecords.escalateTo',
      'panels.startsAt',
      'districts.name as districtName',
    ])
    .where('agendaItems.referralId', 'in', referralIds)
    .where('panels.id', '!=', panelId)
    .where('panels.status', 'in', HEARD)
    .where('meetingRecords.decision', 'in', ['close', 'escalate'])
    .orderBy('panels.startsAt', 'desc')
    .execute();
}
