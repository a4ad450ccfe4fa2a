import type { Db } from '../db/database';
import type { PanelStatus } from '../db/schema';

/** Every invitation to a panel of these statuses starting in [start, end), with the agency's answer. */
export function invitationsBetween(
  db: Db,
  statuses: readonly PanelStatus[],
  start: Date,
  end: Date,
  districtId: number | null,
) {
  let query = db
    .selectFrom('panelInvitations as pi')
    .innerJoin('panels as p', 'p.id', 'pi.panelId')
    .innerJoin('agencies as a', 'a.id', 'pi.agencyId')
    .leftJoin('attendanceResponses as r', (j) =>
      j.onRef('r.panelId', '=', 'pi.panelId').onRef('r.agencyId', '=', 'pi.agencyId'),
    )
    .select([
      'pi.panelId',
      'pi.agencyId',
      'a.shortName',
      'p.startsAt',
      'r.answer',
      'r.informationInAdvance',
      'r.informationReceivedOn',
    ])
    .where('p.status', 'in', statuses)
    .where('p.startsAt', '>=', start)
    .where('p.startsAt', '<', end);
  if (districtId !== null) query = query.where('p.districtId', '=', districtId);
  return query.execute();
}

/** The register entries of agencies (observers left out) at these panels. */
export async function agencyRegisterEntries(db: Db, panelIds: number[]) {
  if (panelIds.length === 0) return [];
  return db
    .selectFrom('registerEntries')
    .select(['panelId', 'agencyId', 'status'])
    .where('panelId', 'in', panelIds)
    .where('isObserver', '=', false)
    .execute();
}
