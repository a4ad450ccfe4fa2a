import type { ServiceDeps } from '../service-deps';
import { addDays, londonDate, londonDateTime, today } from '../time';
import type { Db } from '../db/database';
import type { PanelStatus } from '../db/schema';
import type { Actor, CurrentUser } from '../http/context';
import { NotFoundError, RefusedError, StaleVersionError } from '../http/errors';
import { recordAudit } from '../audit/audit';
import { queueInvitations } from '../invitations/invitations';
import { addResearchRequests, withdrawRequestsOf } from '../research/research.service';
import * as directory from '../directory/directory.repository';
import { CHANGEABLE, NOT_CHANGEABLE } from './panel-codes';
import { requireVisiblePanel } from './panel-access';
import type { PanelInput, TimesInput } from './panel-form';
import * as repo from './panels.repository';
import { clashWarnings, type PlannedPanel } from './clashes';
import { defaultResearchClosingDate } from './working-days';
import { ruleName, type MonthlyRule } from './series';

export { CHANGEABLE, NOT_CHANGEABLE, PANEL_STATUSES, PANEL_STATUS_NAMES, PANEL_STATUS_TAGS } from './panel-codes';
export type { PanelFilters as ListFilters } from './panels.repository';

type Deps = Pick<ServiceDeps, 'db' | 'clock' | 'links' | 'mail'>;

export interface SeriesInput {
  districtId: number;
  rule: MonthlyRule;
  dates: string[];
  times: TimesInput;
}

/** Checks what only the database knows: the chair holds the chair role; the agencies exist and are active. */
async function checkReferences(
  trx: Db,
  chairUserId: number,
  agencyIds: number[],
  districtId: number | null,
): Promise<Record<string, string>> {
  const errors: Record<string, string> = {};
  const chair = await repo.userRole(trx, chairUserId);
  if (!chair || chair.role !== 'chair' || !chair.active)
    errors.chairUserId = 'Select a chair: the person must have the chair role';
  if (agencyIds.length && (await repo.countActiveAgencies(trx, agencyIds)) !== agencyIds.length)
    errors.agencyIds = 'Select agencies from the list';
  if (districtId !== null && !(await directory.districtExists(trx, districtId)))
    errors.districtId = 'Select the district';
  return errors;
}

function refuseIfAny(errors: Record<string, string>): void {
  if (Object.keys(errors).length) throw new RefusedError(errors);
}

/** A panel about to change: refused when the form was loaded from an older version, or the panel has been held. */
async function lockChangeable(trx: Db, panelId: number, version: number) {
  const current = await repo.lockPanel(trx, panelId);
  if (!current) throw new NotFoundError();
  if (current.version !== version) throw new StaleVersionError();
  if (!CHANGEABLE.includes(current.status))
    throw new RefusedError({ '': 'This panel can no longer be changed' }, NOT_CHANGEABLE);
  return current;
}

async function formChoices({ db }: Deps) {
  const [districts, chairs, agencies] = await Promise.all([
    directory.districts(db),
    directory.activeChairs(db),
    directory.activeAgencies(db),
  ]);
  return { districts, chairs, agencies };
}

/** The panels a user may see; a district that does not exist is no filter. */
async function list({ db, clock }: Deps, user: CurrentUser, filters: repo.PanelFilters) {
  const districts = await directory.districts(db);
  const districtId = districts.some((d) => d.id === filters.districtId) ? filters.districtId : null;
  const rows = await repo.listPanels(db, user, { ...filters, districtId }, clock.now());
  return { rows, districts, districtId };
}

/** A panel's overview, for anyone who may see it; the view is audited. */
async function view({ db }: Deps, user: CurrentUser, actor: Actor, panelId: number) {
  const panel = await requireVisiblePanel(db, user, actor, panelId, 'panel.view');
  const details = await repo.panelNames(db, panelId);
  const invited = await repo.invitedAgencies(db, panelId);
  await recordAudit(db, actor, { action: 'panel.view', entityType: 'panel', entityId: panelId });
  return { panel, ...details, invited };
}

/** The panel with its invited agencies, for the edit and cancel forms (chairs and administrators). */
async function forChange({ db }: Deps, user: CurrentUser, actor: Actor, panelId: number) {
  const panel = await requireVisiblePanel(db, user, actor, panelId, 'panel.update');
  const invited = await repo.invitedAgencies(db, panelId);
  return { panel, invited, districtName: await directory.districtName(db, panel.districtId) };
}

async function create(
  { db, clock, links, mail }: Deps,
  user: CurrentUser,
  actor: Actor,
  input: PanelInput,
): Promise<{ id: number }> {
  const id = await db.transaction().execute(async (trx) => {
    refuseIfAny(await checkReferences(trx, input.chairUserId, input.agencyIds, input.districtId));
    const core = new Set(await repo.coreAgencyIds(trx, input.districtId));
    const { districtId, startsAt, endsAt, venue, onlineLink, chairUserId, researchClosesOn } = input;
    const panelId = await repo.insertPanel(trx, {
      districtId,
      startsAt,
      endsAt,
      venue,
      onlineLink,
      chairUserId,
      researchClosesOn,
      createdBy: user.id,
      createdAt: clock.now(),
    });
    await repo.insertInvitations(
      trx,
      panelId,
      input.agencyIds.map((agencyId) => ({ agencyId, reason: core.has(agencyId) ? 'core' : 'added' })),
      clock.now(),
    );
    const sent = await queueInvitations(trx, {
      panelId,
      method: 'REQUEST',
      reason: 'scheduled',
      baseUrl: links.baseUrl,
      clock,
    });
    await recordAudit(trx, actor, {
      action: 'panel.create',
      entityType: 'panel',
      entityId: panelId,
      details: { districtId: input.districtId, agencies: input.agencyIds.length, messages: sent },
    });
    return panelId;
  });
  mail.poke();
  return { id };
}

/**
 * A monthly series in one step: one panel on each chosen date, each inviting the district's core
 * agencies, with the research closing date two working days before.
 */
async function createSeries({ db, clock, links, mail }: Deps, user: CurrentUser, actor: Actor, input: SeriesInput) {
  const { times } = input;
  const result = await db.transaction().execute(async (trx) => {
    refuseIfAny(await checkReferences(trx, times.chairUserId, [], input.districtId));
    const seriesId = await repo.insertSeries(trx, {
      districtId: input.districtId,
      rule: `${ruleName(input.rule)}, ${times.startTime}-${times.endTime}`,
      createdBy: user.id,
      createdAt: clock.now(),
    });
    const agencyIds = await repo.coreAgencyIds(trx, input.districtId);
    const ids: number[] = [];
    for (const date of input.dates) {
      const panelId = await repo.insertPanel(trx, {
        districtId: input.districtId,
        seriesId,
        startsAt: londonDateTime(date, times.startTime),
        endsAt: londonDateTime(date, times.endTime),
        venue: times.venue,
        onlineLink: times.onlineLink,
        chairUserId: times.chairUserId,
        researchClosesOn: defaultResearchClosingDate(date),
        createdBy: user.id,
        createdAt: clock.now(),
      });
      await repo.insertInvitations(
        trx,
        panelId,
        agencyIds.map((agencyId) => ({ agencyId, reason: 'core' as const })),
        clock.now(),
      );
      await queueInvitations(trx, { panelId, method: 'REQUEST', reason: 'scheduled', baseUrl: links.baseUrl, clock });
      ids.push(panelId);
    }
    await recordAudit(trx, actor, {
      action: 'panel.series.create',
      entityType: 'panel-series',
      entityId: seriesId,
      details: { districtId: input.districtId, panels: ids },
    });
    return { seriesId, ids };
  });
  mail.poke();
  return result;
}

/**
 * Brings a panel's invitations in line with the agencies chosen: newly invited agencies get the
 * invitation (and, once the agenda is out, research requests); those no longer invited are told.
 */
async function reinvite(
  { clock, links }: Deps,
  trx: Db,
  current: { id: number; districtId: number; agendaVersion: number },
  agencyIds: number[],
  moved: boolean,
) {
  const panelId = current.id;
  const baseUrl = links.baseUrl;
  const before = await repo.invitations(trx, panelId);
  const beforeIds = new Set(before.map((b) => b.agencyId));
  const wanted = new Set(agencyIds);
  const core = new Set(await repo.coreAgencyIds(trx, current.districtId));
  const added = agencyIds.filter((id) => !beforeIds.has(id));
  // A referring agency stays invited while its case is on the agenda.
  const removed = before.filter((b) => !wanted.has(b.agencyId) && b.reason !== 'referrer').map((b) => b.agencyId);
  await repo.insertInvitations(
    trx,
    panelId,
    added.map((agencyId) => ({ agencyId, reason: core.has(agencyId) ? 'core' : 'added' })),
    clock.now(),
  );
  if (removed.length) {
    await withdrawRequestsOf(trx, panelId, removed, clock.now());
    await repo.uninvite(trx, panelId, removed);
    // Those no longer invited are told, so the event leaves their calendars.
    await queueInvitations(trx, { panelId, method: 'CANCEL', reason: 'cancelled', baseUrl, clock, agencyIds: removed });
  }
  const stayed = agencyIds.filter((id) => beforeIds.has(id));
  if (moved && stayed.length)
    await queueInvitations(trx, { panelId, method: 'REQUEST', reason: 'changed', baseUrl, clock, agencyIds: stayed });
  if (added.length) {
    await queueInvitations(trx, {
      panelId,
      method: 'REQUEST',
      reason: current.agendaVersion > 0 ? 'agenda-published' : 'scheduled',
      baseUrl,
      clock,
      agencyIds: added,
    });
    if (current.agendaVersion > 0) await addResearchRequests(trx, panelId, clock.now());
  }
  return { added, removed };
}

/**
 * A panel moved to another day takes its research closing date with it, by the same number of
 * days, unless the closing date was changed in the same form.
 */
function closingDateAfterMove(current: { startsAt: Date; researchClosesOn: string }, input: PanelInput): string {
  const days = Math.round(
    (Date.parse(londonDate(input.startsAt)) - Date.parse(londonDate(current.startsAt))) / 86_400_000,
  );
  if (days === 0 || input.researchClosesOn !== current.researchClosesOn) return input.researchClosesOn;
  return addDays(current.researchClosesOn, days);
}

/**
 * Edits or reschedules a panel. A change of date, time or place raises the calendar sequence and
 * re-sends the invitation to everyone; newly invited agencies get the invitation.
 */
async function update(
  deps: Deps,
  user: CurrentUser,
  actor: Actor,
  panelId: number,
  version: number,
  input: PanelInput,
): Promise<{ id: number }> {
  const { db, clock, mail } = deps;
  await db.transaction().execute(async (trx) => {
    const current = await lockChangeable(trx, panelId, version);
    const errors = await checkReferences(trx, input.chairUserId, input.agencyIds, null);
    if (input.districtId !== current.districtId)
      errors.districtId = 'A panel cannot move to another district: cancel it and schedule a new one';
    refuseIfAny(errors);
    const moved =
      current.startsAt.getTime() !== input.startsAt.getTime() ||
      current.endsAt.getTime() !== input.endsAt.getTime() ||
      (current.venue ?? '') !== (input.venue ?? '') ||
      (current.onlineLink ?? '') !== (input.onlineLink ?? '');
    const { startsAt, endsAt, venue, onlineLink, chairUserId } = input;
    const researchClosesOn = closingDateAfterMove(current, input);
    await repo.updatePanel(
      trx,
      panelId,
      { startsAt, endsAt, venue, onlineLink, chairUserId, researchClosesOn, moved },
      clock.now(),
    );
    const { added, removed } = await reinvite(deps, trx, current, input.agencyIds, moved);
    await recordAudit(trx, actor, {
      action: 'panel.update',
      entityType: 'panel',
      entityId: panelId,
      details: { moved, added, removed },
    });
  });
  mail.poke();
  return { id: panelId };
}

/** Cancels a panel and tells every invitee; its cases stay awaiting a panel. */
async function cancel(
  { db, clock, links, mail }: Deps,
  actor: Actor,
  panelId: number,
  version: number,
  reason: string,
): Promise<{ id: number }> {
  await db.transaction().execute(async (trx) => {
    await lockChangeable(trx, panelId, version);
    await repo.cancelPanel(trx, panelId, reason, clock.now());
    const sent = await queueInvitations(trx, {
      panelId,
      method: 'CANCEL',
      reason: 'cancelled',
      baseUrl: links.baseUrl,
      clock,
    });
    await recordAudit(trx, actor, {
      action: 'panel.cancel',
      entityType: 'panel',
      entityId: panelId,
      details: { messages: sent },
    });
  });
  mail.poke();
  return { id: panelId };
}

/**
 * Panels: scheduling one or a monthly series, changing, cancelling, and who is invited. Refusals
 * are thrown: `RefusedError` (a field to put right, or `reason` NOT_CHANGEABLE once held or
 * cancelled) and `StaleVersionError`.
 */
/** What clashes with each planned panel: the district's other panels within a fortnight, the chair, the venue. */
async function clashes(db: Db, planned: PlannedPanel[], exceptId: number | null): Promise<string[][]> {
  if (!planned.length) return [];
  const from = new Date(Math.min(...planned.map((p) => p.startsAt.getTime())));
  const to = new Date(Math.max(...planned.map((p) => p.endsAt.getTime())));
  const near = await repo.panelsNear(db, from, to, exceptId);
  return planned.map((p) => clashWarnings(p, near));
}

export function panelsService(deps: ServiceDeps) {
  const { db, clock } = deps;
  return {
    today: () => today(clock),
    formChoices: () => formChoices(deps),
    coreAgencyIds: (districtId: number) => repo.coreAgencyIds(db, districtId),
    clashes: (planned: PlannedPanel[], exceptId: number | null = null) => clashes(db, planned, exceptId),
    /** The panel if this user may see it, else a 404 (audited): for other features' pages of a panel. */
    requireVisible: (user: CurrentUser, actor: Actor, panelId: number, action: string) =>
      requireVisiblePanel(db, user, actor, panelId, action),
    list: (user: CurrentUser, filters: repo.PanelFilters) => list(deps, user, filters),
    view: (user: CurrentUser, actor: Actor, panelId: number) => view(deps, user, actor, panelId),
    forChange: (user: CurrentUser, actor: Actor, panelId: number) => forChange(deps, user, actor, panelId),
    create: (user: CurrentUser, actor: Actor, input: PanelInput) => create(deps, user, actor, input),
    createSeries: (user: CurrentUser, actor: Actor, input: SeriesInput) => createSeries(deps, user, actor, input),
    update: (user: CurrentUser, actor: Actor, panelId: number, version: number, input: PanelInput) =>
      update(deps, user, actor, panelId, version, input),
    cancel: (_user: CurrentUser, actor: Actor, panelId: number, version: number, reason: string) =>
      cancel(deps, actor, panelId, version, reason),
  };
}

/** Invites the referring agency of each case on the agenda (publishing it), so it can present and research. */
export function inviteReferringAgencies(trx: Db, panelId: number, at: Date): Promise<void> {
  return repo.inviteReferrers(trx, panelId, at);
}

/** Records that the panel's agenda was published at this version. */
export function markAgendaPublished(trx: Db, panelId: number, version: number, at: Date): Promise<void> {
  return repo.markAgendaPublished(trx, panelId, version, at);
}

/** Raises the agenda's revision, so a change made against an older one is refused as stale. */
export function bumpAgendaRevision(trx: Db, panelId: number): Promise<void> {
  return repo.bumpAgendaRevision(trx, panelId);
}

/** A panel with its district's name, for other features' pages of a panel; undefined when there is none. */
export function panelWithDistrict(db: Db, panelId: number) {
  return repo.panelWithDistrict(db, panelId);
}

/** The panel, its row locked until the transaction ends: for other features' changes that depend on its status. */
export function lockPanel(trx: Db, panelId: number) {
  return repo.lockPanel(trx, panelId);
}

/** Moves a panel to a status (the meeting and the minutes move it on); concluding it also records when. */
export function setPanelStatus(trx: Db, panelId: number, status: PanelStatus, at: Date, concludedAt?: Date) {
  return repo.setPanelStatus(trx, panelId, status, at, concludedAt);
}

export function isInvited(db: Db, panelId: number, agencyId: number): Promise<boolean> {
  return repo.isInvited(db, panelId, agencyId);
}

export async function invitedAgencyIds(db: Db, panelId: number): Promise<number[]> {
  return (await repo.invitations(db, panelId)).map((i) => i.agencyId);
}

/** The start of the district's first panel after a time among panels in these statuses; null when none. */
export function nextPanelStart(db: Db, districtId: number, after: Date, statuses: readonly PanelStatus[]) {
  return repo.nextPanelStart(db, districtId, after, statuses);
}

export type PanelsService = ReturnType<typeof panelsService>;
