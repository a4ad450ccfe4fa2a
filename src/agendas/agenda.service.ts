import { latestReviews } from '../actions/actions.service';
import { reviewSummary } from '../actions/action-review';
import { crossPanel } from './one-agenda';
import { clinicianPlanOf } from '../attendance/attendance.service';
import type { Db } from '../db/database';
import type { Actor, CurrentUser } from '../http/context';
import { NotFoundError } from '../http/errors';
import { recordAudit } from '../audit/audit';
import * as directory from '../directory/directory.repository';
import { requireVisiblePanel } from '../panels/panel-access';
import { change, EDITABLE, itemKey, snapshot, type AgendaChange, type AgendaDeps } from './agenda-change.service';
import * as repo from './agenda.repository';
import * as print from './agenda-print.repository';
import { invitedAgencyIds } from '../panels/panels.service';
import { agendaChanges, timeSlots, type SnapshotItem } from './proposal';

export type { AgendaChange, ItemTiming } from './agenda-change.service';
export { AGENDA_REFUSALS, STALE_AGENDA, type AgendaRefusal } from './agenda-refusals';

/** The builder's view: the working agenda with slots, removed items, what can be added, the versions. */
async function builder({ db }: AgendaDeps, user: CurrentUser, actor: Actor, panelId: number) {
  const panel = await requireVisiblePanel(db, user, actor, panelId, 'agenda.view');
  const districtName = await directory.districtName(db, panel.districtId);
  const items = await repo.currentItems(db, panelId);
  const timing = timeSlots(panel, items);
  const removed = await repo.removedItems(db, panelId);
  const versions = await repo.versions(db, panelId);
  let unpublished = false;
  if (panel.agendaVersion > 0) {
    const last = await repo.findVersion(db, panelId, panel.agendaVersion);
    unpublished = agendaChanges(last.items as SnapshotItem[], await snapshot(db, panel)).length > 0;
  }
  const addable = await repo.addableCases(db, panel);
  const { elsewhere, flags } = await crossPanel(
    db,
    panel,
    items.map((i) => i.referralId).filter((id): id is number => id !== null),
  );
  const agencies = await directory.activeAgencyShortNames(db);
  await recordAudit(db, actor, {
    action: 'agenda.view',
    entityType: 'panel',
    entityId: panelId,
    details: { page: 'builder', items: items.length },
  });
  return {
    panel,
    districtName,
    items,
    timing,
    removed,
    versions,
    unpublished,
    addable: addable.filter((c) => !elsewhere.some((e) => e.referralId === c.id)),
    elsewhere,
    flags,
    agencies,
    editable: EDITABLE.includes(panel.status),
  };
}

/**
 * The published agenda as invitees see it (and the PDF): the latest version's items, with the
 * minimum detail an agency needs to search its records. Null when nothing is published.
 */
async function published({ db }: AgendaDeps, user: CurrentUser, actor: Actor, panelId: number, page: 'html' | 'pdf') {
  const panel = await requireVisiblePanel(db, user, actor, panelId, 'agenda.view');
  if (panel.agendaVersion === 0) {
    if (user.role === 'representative') {
      await recordAudit(db, actor, {
        action: 'agenda.view',
        outcome: 'denied',
        entityType: 'panel',
        entityId: panelId,
        details: { reason: 'unpublished' },
      });
      throw new NotFoundError();
    }
    return null;
  }
  const version = await repo.findVersion(db, panelId, panel.agendaVersion);
  // Items taken off the agenda since this version was published are left out: their cases are no
  // longer the invitees' to see, and the details below are read from the case as it is now.
  const currentItems = await repo.currentItems(db, panelId);
  const current = new Set(currentItems.map(itemKey));
  // The clinicians the single points of contact said will attend, by case.
  const plan = await clinicianPlanOf(db, panelId);
  const cliniciansOf = new Map(
    currentItems.map((c) => [c.referralId, plan.find((p) => p.agendaItemId === c.id)?.clinicians ?? []]),
  );
  const frozen = version.items as SnapshotItem[];
  const items = frozen.filter((i) => current.has(i.key));
  const referralIds = items.map((i) => i.referralId).filter((id): id is number => id !== null);
  const details = await repo.caseDetails(db, referralIds);
  const referrerOf = new Map((await repo.referringAgencyNames(db, referralIds)).map((r) => [r.id, r.name]));
  const meta = await repo.panelNames(db, panelId);
  const invitedIds = new Set(await invitedAgencyIds(db, panelId));
  const invited = (await directory.activeAgencies(db)).filter((a) => invitedIds.has(a.id)).map((a) => a.name);
  const unfinished = await print.unfinishedActions(db, referralIds, panelId);
  const reviews = await latestReviews(
    db,
    unfinished.map((a) => a.id),
  );
  // What the last panel recorded of each: why it was not completed, and what happens next.
  const reviewActions = unfinished.map((a) => {
    const review = reviews.get(a.id);
    return { ...a, review: review ? reviewSummary(review) : null };
  });
  await recordAudit(db, actor, {
    action: page === 'pdf' ? 'agenda.export' : 'agenda.view',
    entityType: 'panel',
    entityId: panelId,
    details: { version: panel.agendaVersion, cases: referralIds },
  });
  return {
    panel,
    ...meta,
    version: version.version,
    publishedAt: version.publishedAt,
    changes: version.changes,
    withdrawn: frozen.length - items.length,
    items: items.map((i) => ({
      ...i,
      subjects: i.referralId ? (details.subjects.get(i.referralId) ?? []) : [],
      reason: i.referralId ? (details.reasons.get(i.referralId) ?? null) : null,
      referringAgency: i.referralId ? (referrerOf.get(i.referralId) ?? null) : null,
      reviewActions: i.kind === 'review' ? reviewActions.filter((a) => a.referralId === i.referralId) : [],
      clinicians: i.referralId ? (cliniciansOf.get(i.referralId) ?? []) : [],
    })),
    invited,
  };
}

/** Agendas: building, publishing and reading a panel's agenda. */
export function agendaService(deps: AgendaDeps) {
  return {
    builder: (user: CurrentUser, actor: Actor, panelId: number) => builder(deps, user, actor, panelId),
    published: (user: CurrentUser, actor: Actor, panelId: number, page: 'html' | 'pdf') =>
      published(deps, user, actor, panelId, page),
    change: (user: CurrentUser, actor: Actor, panelId: number, revision: number, action: AgendaChange) =>
      change(deps, user, actor, panelId, revision, action),
  };
}

export type AgendaService = ReturnType<typeof agendaService>;

/** Which of these cases involve a child (a subject under 18 on `asOf`, or children in the household): they go first on an agenda. */
export function casesInvolvingChildren(db: Db, referralIds: number[], asOf: string): Promise<Set<number>> {
  return repo.childrenFlags(db, referralIds, asOf);
}
