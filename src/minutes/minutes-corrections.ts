import type { Db } from '../db/database';
import type { CorrectedAction, MinutesCorrections } from '../db/schema';
import { RefusedError } from '../http/errors';
import { assembleMinutes, type DraftText, type MinutesItem } from './minutes-content';
import { listInvitedAgencies } from './minutes-content.repository';

// The draft corrects what the minutes say, never the meeting's record: what is kept is only what
// differs from the record, so the record can still be read as it was.

const EMPTY: DraftText = { introduction: null, otherBusiness: null, itemSummaries: {}, corrections: {} };

export const sharedKey = (agendaItemId: number, agencyId: number) => `${agendaItemId}:${agencyId}`;

function changedAction(recorded: MinutesItem['actions'][number], posted: CorrectedAction | undefined) {
  if (!posted) return false;
  return (
    posted.description !== recorded.description ||
    posted.ownerAgencyId !== recorded.agencyId ||
    (posted.ownerName ?? null) !== (recorded.owner ?? null) ||
    posted.dueOn !== recorded.dueOnIso
  );
}

/**
 * The draft's text with only real corrections kept: a summary that is the recorded discussion, or
 * information and actions as recorded, are dropped. An action given to an agency that was not
 * invited is refused by its field.
 */
export async function onlyCorrections(db: Db, panelId: number, text: DraftText) {
  const recorded = await assembleMinutes(db, panelId, EMPTY);
  const invited = new Set((await listInvitedAgencies(db, panelId)).map((a) => a.agencyId));
  const itemSummaries: Record<string, string> = {};
  const shared: Record<string, string> = {};
  const actions: Record<string, CorrectedAction> = {};
  const errors: Record<string, string> = {};
  for (const item of recorded.items) {
    const summary = text.itemSummaries[String(item.agendaItemId)]?.trim();
    if (summary && summary !== (item.recordedDiscussion ?? '').trim())
      itemSummaries[String(item.agendaItemId)] = summary;
    for (const s of item.sharedInformation) {
      const key = sharedKey(item.agendaItemId, s.agencyId!);
      const posted = text.corrections.shared?.[key];
      if (posted?.trim() && posted.trim() !== s.text.trim()) shared[key] = posted.trim();
    }
    for (const a of item.actions) {
      const posted = text.corrections.actions?.[String(a.actionId)];
      if (!posted || !changedAction(a, posted)) continue;
      if (!invited.has(posted.ownerAgencyId))
        errors[`actions[a${a.actionId}][ownerAgencyId]`] = 'Select an agency invited to the panel';
      actions[String(a.actionId)] = posted;
    }
  }
  if (Object.keys(errors).length) throw new RefusedError(errors);
  const corrections: MinutesCorrections = { shared, actions };
  return {
    text: { ...text, itemSummaries, corrections },
    counts: {
      summaries: Object.keys(itemSummaries).length,
      shared: Object.keys(shared).length,
      actions: Object.keys(actions).map(Number),
    },
  };
}
