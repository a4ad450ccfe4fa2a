import { addDays, londonDate } from '../time';
import type { Clock } from '../clock';
import { sql } from 'kysely';
import type { Db } from '../db/database';
import type { ActionStatus } from '../db/schema';

/** Who owns demo actions first: the demo users' agencies, so each of them has something to report back on. */
const DEMO_OWNERS = ['Police', 'LPFT', 'Fenland Vale', 'CoLC'];

const ACTION_TEXTS = [
  'Joint visit to the victim with the neighbourhood team; review the safety plan.',
  'Offer an assessment by the community mental health team and report engagement.',
  'Serve a formal warning on the tenancy and consider a notice if behaviour continues.',
  'Fit a video doorbell and improve street lighting outside the property.',
  'Refer the family to early help and share the outcome with the panel.',
  'Check for further incidents each week and update the case log.',
];

const DISCUSSIONS = [
  'Agencies agreed the risk to the victim remains while the perpetrator lives nearby. Housing and police to act together before the next panel.',
  'Incidents have reduced since the last panel but the victim is still isolated. Keep the case open and review.',
  'Mental health needs appear to drive the behaviour. Health to lead, with police support for the victim.',
];

/**
 * Meeting records for the seeded past panels: a decision for each case, information shared by the
 * invited agencies, and actions owned by several agencies (some completed, some open, some overdue).
 * Runs against whatever concluded panels exist; with none it does nothing, and it skips items
 * already recorded, so running it again changes nothing.
 */
export async function seedMeeting(db: Db, clock: Clock): Promise<number> {
  const today = londonDate(clock.now());
  const panels = await db
    .selectFrom('panels')
    .select(['id', 'startsAt', 'chairUserId'])
    .where('status', 'in', ['concluded', 'minutes-approved', 'minutes-circulated'])
    .orderBy('startsAt')
    .execute();
  const agencies = await db.selectFrom('agencies').select(['id', 'shortName']).execute();
  let made = 0;
  let turn = 0;
  for (const panel of panels) {
    const panelDay = londonDate(panel.startsAt);
    const invited = (
      await db.selectFrom('panelInvitations').select('agencyId').where('panelId', '=', panel.id).execute()
    ).map((i) => i.agencyId);
    const owners = [
      ...DEMO_OWNERS.map((n) => agencies.find((a) => a.shortName === n)?.id).filter(
        (id): id is number => id !== undefined && invited.includes(id),
      ),
      ...invited,
    ].filter((id, i, all) => all.indexOf(id) === i);
    if (!owners.length) continue;
    const items = await db
      .selectFrom('agendaItems')
      .select(['id', 'referralId'])
      .where('panelId', '=', panel.id)
      .where('removedAt', 'is', null)
      .where('referralId', 'is not', null)
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('meetingRecords')
              .select('agendaItemId')
              .whereRef('meetingRecords.agendaItemId', '=', 'agendaItems.id'),
          ),
        ),
      )
      .orderBy('position')
      .execute();
    for (const item of items) {
      const referralId = item.referralId as number;
      await db.transaction().execute(async (trx) => {
        const at = panel.startsAt;
        await trx
          .insertInto('meetingRecords')
          .values({
            agendaItemId: item.id,
            discussion: DISCUSSIONS[turn % DISCUSSIONS.length],
            riskLevel: (['high', 'medium', 'high', 'low'] as const)[turn % 4],
            decision: 'review',
            nextReviewOn: addDays(panelDay, 28),
            discussed: true,
            updatedBy: panel.chairUserId,
            updatedAt: at,
          })
          .execute();
        const research = await trx
          .selectFrom('researchRequests')
          .select(['agencyId', 'summary'])
          .where('agendaItemId', '=', item.id)
          .where('status', '=', 'information-held')
          .execute();
        if (research.length) {
          await trx
            .insertInto('sharedInformation')
            .values(
              research.map((r) => ({
                agendaItemId: item.id,
                agencyId: r.agencyId,
                text: r.summary ?? 'Information shared at the meeting.',
              })),
            )
            .onConflict((oc) => oc.columns(['agendaItemId', 'agencyId']).doNothing())
            .execute();
        }
        for (let n = 0; n < 2; n += 1) {
          const owner = owners[(turn + n) % owners.length];
          // A spread across the demo: completed, in progress, overdue, and open but not yet due.
          const kind = (turn * 2 + n) % 4;
          const dueOn =
            kind === 2
              ? addDays(today, -5 - (turn % 10))
              : kind === 3
                ? addDays(today, 7 + (turn % 14))
                : addDays(panelDay, 21);
          const status: ActionStatus = kind === 0 ? 'completed' : kind === 1 ? 'in-progress' : 'open';
          const action = await trx
            .insertInto('actions')
            .values({
              referralId,
              panelId: panel.id,
              agendaItemId: item.id,
              description: ACTION_TEXTS[(turn + n) % ACTION_TEXTS.length],
              ownerAgencyId: owner,
              dueOn,
              priority: n === 0 ? 'high' : 'medium',
              status,
              createdBy: panel.chairUserId,
              createdAt: at,
              closedAt: status === 'completed' ? new Date(at.getTime() + 10 * 86_400_000) : null,
            })
            .returning('id')
            .executeTakeFirstOrThrow();
          await trx
            .insertInto('actionUpdates')
            .values({
              actionId: action.id,
              userId: panel.chairUserId,
              panelId: panel.id,
              at,
              fromStatus: null,
              toStatus: 'open',
              note: null,
              newDueOn: dueOn,
            })
            .execute();
          if (status !== 'open') {
            await trx
              .insertInto('actionUpdates')
              .values({
                actionId: action.id,
                userId: null,
                panelId: null,
                at: new Date(at.getTime() + 7 * 86_400_000),
                fromStatus: 'open',
                toStatus: status,
                note:
                  status === 'completed'
                    ? 'Done: visit made and safety plan agreed with the victim.'
                    : 'Started: first appointment offered.',
              })
              .execute();
          }
          await trx
            .insertInto('referralEvents')
            .values({
              referralId,
              at,
              userId: panel.chairUserId,
              agencyId: null,
              kind: 'action',
              note: null,
              details: JSON.stringify({ actionId: action.id, panelId: panel.id }),
            })
            .execute();
          made += 1;
        }
        await trx
          .updateTable('referrals')
          .set({ status: 'active', version: sql`version + 1`, updatedAt: at })
          .where('id', '=', referralId)
          .where('status', '=', 'awaiting-panel')
          .execute();
        await trx
          .insertInto('referralEvents')
          .values({
            referralId,
            at,
            userId: panel.chairUserId,
            agencyId: null,
            kind: 'discussed',
            note: null,
            details: JSON.stringify({ panelId: panel.id, decision: 'review' }),
          })
          .execute();
      });
      turn += 1;
    }
  }
  return made;
}
