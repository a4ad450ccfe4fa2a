import type { Db } from '../db/database';
import type { CaseSubject } from '../referrals/referrals.service';
import type { Actor, CurrentUser } from '../http/context';
import { recordAudit } from '../audit/audit';
import { RefusedError } from '../http/errors';
import { addDays, formatCalendarDate, londonDate } from '../time';
import { caseSubjects } from '../referrals/referrals.service';
import { actionsAgreedOnItem } from '../actions/actions.service';
import { clinicianPlanOf } from '../attendance/attendance.service';
import { setPanelStatus } from '../panels/panels.service';
import { confidentialityStatementById, currentConfidentialityStatement } from '../register/register.service';
import type { ActionInput, ItemRecordInput } from './meeting-form';
import {
  conclusionCheck,
  defaultDueDate,
  earlierActions,
  itemOf,
  lockedPanel,
  MeetingClosedError,
  panelOf,
  type Deps,
} from './meeting-panel';
import { addAction, saveItem } from './meeting-record.service';
import { conclude, concludeSummary } from './meeting-conclude.service';
import * as repo from './meeting.repository';

export { MeetingClosedError };

async function overview({ db }: Deps, user: CurrentUser, actor: Actor, panelId: number) {
  const panel = await panelOf(db, user, actor, panelId, 'panel.meeting.view');
  const items = await repo.itemsOf(db, panelId);
  // The panel's own statement, or the current one while the panel has none recorded.
  const statement =
    panel.confidentialityStatementId !== null
      ? await confidentialityStatementById(db, panel.confidentialityStatementId)
      : await currentConfidentialityStatement(db);
  await recordAudit(db, actor, { action: 'panel.meeting.view', entityType: 'panel', entityId: panelId });
  return { panel, items, statement };
}

/** Starts the meeting; false when it had already started. */
/**
 * A panel started more than a day before its date could be concluded, and its minutes approved and
 * circulated, before it has met, with action e-mails saying "the panel of {date} agreed": the chair
 * confirms such a start, and is told why.
 */
function refuseEarlyStart(panel: { startsAt: Date }, now: Date, confirmedEarly: boolean): void {
  const panelDay = londonDate(panel.startsAt);
  if (confirmedEarly || addDays(panelDay, -1) <= londonDate(now)) return;
  throw new RefusedError(
    {
      confirmEarly: `This panel meets on ${formatCalendarDate(panelDay)}. Started now, it could be concluded and its minutes circulated before it has met, and the action e-mails would say that panel agreed them. Start it early only if the panel is really meeting today.`,
    },
    'early',
  );
}

async function start(
  { db, clock }: Deps,
  user: CurrentUser,
  actor: Actor,
  panelId: number,
  options: { confirmedEarly: boolean },
): Promise<boolean> {
  await panelOf(db, user, actor, panelId, 'panel.meeting.start');
  return db.transaction().execute(async (trx) => {
    const panel = await lockedPanel(trx, panelId);
    if (panel.status === 'in-progress') return false;
    if (panel.status !== 'agenda-published') {
      throw new MeetingClosedError(
        panel.status === 'scheduled'
          ? 'The agenda has to be published before the meeting can start'
          : 'This meeting has already been held or was cancelled',
      );
    }
    refuseEarlyStart(panel, clock.now(), options.confirmedEarly);
    await setPanelStatus(trx, panelId, 'in-progress', clock.now());
    await recordAudit(trx, actor, {
      action: 'panel.meeting.start',
      entityType: 'panel',
      entityId: panelId,
      details: { from: panel.status, to: 'in-progress' },
    });
    return true;
  });
}

/** The case heard on an item: its summary, subjects and earlier actions (empty for other business). */
async function caseOfItem({ db }: Deps, referralId: number | null, panelId: number) {
  if (!referralId)
    return { referral: null, subjects: [] as CaseSubject[], earlier: [] as Awaited<ReturnType<typeof earlierActions>> };
  return {
    referral: await repo.caseSummary(db, referralId),
    subjects: await caseSubjects(db, referralId),
    earlier: await earlierActions(db, referralId, panelId),
  };
}

/** One item as the meeting page shows it; `audit: false` when a form post re-shows it (the change is audited). */
async function item(
  deps: Deps,
  user: CurrentUser,
  actor: Actor,
  panelId: number,
  itemId: number,
  opts: { audit: boolean } = { audit: true },
) {
  const { db } = deps;
  const panel = await panelOf(db, user, actor, panelId, 'agenda-item.view');
  const agendaItem = await itemOf(db, panelId, itemId);
  const items = await repo.itemsOf(db, panelId);
  const agencies = await repo.invitedAgencies(db, panelId);
  const record = await repo.recordWithAuthor(db, itemId);
  const shared = await repo.sharedInformation(db, itemId);
  const research = await repo.researchAnswers(db, itemId);
  const { referral, subjects, earlier } = await caseOfItem(deps, agendaItem.referralId, panelId);
  const agreed = await actionsAgreedOnItem(db, itemId);
  const plan = await clinicianPlanOf(db, panelId);
  if (opts.audit)
    await recordAudit(db, actor, {
      action: 'agenda-item.view',
      entityType: 'agenda-item',
      entityId: itemId,
      details: { panelId, referralId: agendaItem.referralId },
    });
  return {
    panel,
    item: agendaItem,
    items,
    agencies,
    record,
    shared,
    research,
    referral,
    subjects,
    earlier,
    agreed,
    /** The clinicians the agencies' single points of contact said will attend for this case. */
    clinicians: plan.find((p) => p.agendaItemId === itemId)?.clinicians ?? [],
    defaultDue: await defaultDueDate(deps, panel),
  };
}

/** The meeting itself: starting it, recording each item, agreeing actions, and concluding it. */
export function meetingService(deps: Deps) {
  return {
    defaultDueDate: (panel: { id: number; districtId: number; startsAt: Date }) => defaultDueDate(deps, panel),
    conclusionCheck,
    overview: (user: CurrentUser, actor: Actor, panelId: number) => overview(deps, user, actor, panelId),
    start: (user: CurrentUser, actor: Actor, panelId: number, options = { confirmedEarly: false }) =>
      start(deps, user, actor, panelId, options),
    item: (user: CurrentUser, actor: Actor, panelId: number, itemId: number, opts?: { audit: boolean }) =>
      item(deps, user, actor, panelId, itemId, opts),
    /** Saves an item's record; StaleVersionError when it changed since the form was loaded. */
    saveItem: (
      user: CurrentUser,
      actor: Actor,
      panelId: number,
      itemId: number,
      version: number,
      input: ItemRecordInput,
    ) => saveItem(deps, user, actor, panelId, itemId, version, input),
    addAction: (user: CurrentUser, actor: Actor, panelId: number, itemId: number, input: ActionInput) =>
      addAction(deps, user, actor, panelId, itemId, input),
    concludeSummary: (user: CurrentUser, actor: Actor, panelId: number) => concludeSummary(deps, user, actor, panelId),
    /** Concludes the meeting; RefusedError while something still stops it. */
    conclude: (user: CurrentUser, actor: Actor, panelId: number) => conclude(deps, user, actor, panelId),
  };
}

export type MeetingService = ReturnType<typeof meetingService>;

/** A panel's agenda as the meeting recorded it, item by item in order: what the minutes are drafted from. */
export function recordedAgenda(db: Db, panelId: number) {
  return repo.itemsOf(db, panelId);
}
