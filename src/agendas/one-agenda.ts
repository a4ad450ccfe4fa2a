import type { Db } from '../db/database';
import { RefusedError } from '../http/errors';
import { bumpAgendaRevision, lockPanel } from '../panels/panels.service';
import { formatDate } from '../time';
import * as repo from './one-agenda.repository';
import { removeItem } from './agenda.repository';

// A case is on one upcoming agenda at a time. The proposal leaves out cases listed for another
// upcoming panel; the builder lists them with a way to move them here; a case another panel has
// closed or escalated is flagged on the agendas still to be held.

type Listed = Awaited<ReturnType<typeof repo.listedElsewhere>>[number];

export const panelName = (p: { districtName: string; startsAt: Date }) =>
  `the ${p.districtName} panel of ${formatDate(p.startsAt)}`;

/** The cases of `referralIds` listed for another upcoming panel, by case. */
export async function listedElsewhere(db: Db, panelId: number, referralIds: number[]): Promise<Map<number, Listed>> {
  const rows = await repo.listedElsewhere(db, panelId, referralIds);
  return new Map(rows.map((r) => [r.referralId!, r]));
}

/** Refuses to add a case that another upcoming panel's agenda lists: it is moved instead. */
export async function requireNotListedElsewhere(trx: Db, panelId: number, referralId: number): Promise<void> {
  const other = (await listedElsewhere(trx, panelId, [referralId])).get(referralId);
  if (other)
    throw new RefusedError(
      {
        '': `${other.reference} is listed for ${panelName(other)}. Move it to this panel instead, from the list below.`,
      },
      'listed-elsewhere',
    );
}

/**
 * Takes a case off the other upcoming agenda that lists it, so that it can be added here. A panel
 * already being held keeps its cases. Returns the panel it was taken from.
 */
export async function takeFromOtherAgenda(trx: Db, panelId: number, referralId: number, now: Date, here: string) {
  const other = (await listedElsewhere(trx, panelId, [referralId])).get(referralId);
  if (!other) throw new RefusedError({ '': 'That case is not listed for another panel.' }, 'not-listed');
  await lockPanel(trx, other.panelId);
  if (other.panelStatus === 'in-progress')
    throw new RefusedError(
      { '': `${other.reference} cannot be moved: ${panelName(other)} is being held now.` },
      'in-progress',
    );
  await removeItem(trx, other.itemId, `Moved to ${here}`, now);
  await bumpAgendaRevision(trx, other.panelId);
  return other;
}

/** What the builder shows besides the agenda: the district's cases listed elsewhere, and this agenda's cases decided elsewhere. */
export async function crossPanel(db: Db, panel: { id: number; districtId: number }, referralIds: number[]) {
  const elsewhere = await repo.districtCasesListedElsewhere(db, panel);
  const decided = await repo.decidedElsewhere(db, panel.id, referralIds);
  const flags = new Map<number, string>();
  for (const d of decided) {
    if (flags.has(d.referralId!)) continue;
    const what = d.decision === 'close' ? 'Closed' : 'Escalated';
    flags.set(
      d.referralId!,
      `${what} at ${panelName(d)}. Remove it from this agenda and publish a new version to tell the invitees.`,
    );
  }
  return {
    elsewhere: elsewhere.map((e) => ({
      referralId: e.referralId!,
      reference: e.reference ?? '',
      listedFor: panelName(e),
      movable: e.panelStatus !== 'in-progress',
    })),
    flags,
  };
}
