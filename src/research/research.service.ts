import type { ServiceDeps } from '../service-deps';
import { today } from '../time';
import type { Db } from '../db/database';
import type { PanelStatus, ResearchStatus } from '../db/schema';
import type { Actor, CurrentUser } from '../http/context';
import { NotFoundError, RefusedError, StaleVersionError } from '../http/errors';
import { recordAudit } from '../audit/audit';
import { requireVisiblePanel } from '../panels/panel-access';
import type { ResearchAnswer, SubjectResearch } from './research-form';
import { researchOverview } from './research-overview';
import { sendResearchReminders } from './research-reminders';
import * as repo from './research.repository';

export const RESEARCH_STATUS_NAMES: Record<ResearchStatus, string> = {
  requested: 'Not answered',
  'information-held': 'Information held',
  'nothing-held': 'Nothing held',
};

/** Why an answer is refused once the panel has started, been held or been cancelled. */
export const RESEARCH_CLOSED = 'closed';

/** Research can be answered while the agenda is published, after the closing date too (marked late). */
export const researchOpen = (panelStatus: PanelStatus) => panelStatus === 'agenda-published';

export type { ResearchAnswer, SubjectResearch };

type Deps = Pick<ServiceDeps, 'db' | 'clock'>;

/** The chair's research page: every agency's answer for each case, with a compact status overview. */
async function overview({ db, clock }: Deps, user: CurrentUser, actor: Actor, panelId: number) {
  const panel = await requireVisiblePanel(db, user, actor, panelId, 'research.matrix');
  const items = await repo.caseItems(db, panelId);
  const answers = await repo.panelAnswers(db, panelId);
  const bySubject = await repo.subjectAnswers(
    db,
    answers.map((a) => a.id),
  );
  const subjects = new Map<number, repo.CaseSubject[]>();
  for (const i of items) subjects.set(i.referralId, await repo.caseSubjects(db, i.referralId));
  await recordAudit(db, actor, { action: 'research.matrix', entityType: 'panel', entityId: panelId });
  return {
    panel: { ...panel, districtName: await repo.districtNameOf(db, panelId) },
    ...researchOverview({
      closed: today(clock) > panel.researchClosesOn,
      agencies: await repo.invitedAgencies(db, panelId),
      items,
      answers,
      bySubject,
      subjects,
    }),
  };
}

/** An agency's research requests (its single point of contact's too, across every district), by panel. */
async function forAgency({ db, clock }: Deps, user: CurrentUser, actor: Actor) {
  const rows = await repo.agencyRequests(db, user.agencyId);
  await recordAudit(db, actor, {
    action: 'research.list',
    entityType: 'agency',
    entityId: user.agencyId,
    details: { requests: rows.length },
  });
  const now = today(clock);
  const panels = new Map<
    number,
    {
      panelId: number;
      districtName: string;
      startsAt: Date;
      researchClosesOn: string;
      overdue: boolean;
      open: boolean;
      requests: typeof rows;
    }
  >();
  for (const r of rows) {
    const p = panels.get(r.panelId) ?? {
      panelId: r.panelId,
      districtName: r.districtName,
      startsAt: r.startsAt,
      researchClosesOn: r.researchClosesOn,
      overdue: now > r.researchClosesOn,
      open: researchOpen(r.panelStatus),
      requests: [],
    };
    p.requests.push(r);
    panels.set(r.panelId, p);
  }
  return [...panels.values()];
}

async function request({ db, clock }: Deps, user: CurrentUser, actor: Actor, requestId: number, action: string) {
  const row = await repo.findRequest(db, requestId);
  // Only the agency asked may answer: anyone else is told it does not exist.
  if (!row || row.agencyId !== user.agencyId) {
    await recordAudit(db, actor, { action, outcome: 'denied', entityType: 'research-request', entityId: requestId });
    throw new NotFoundError();
  }
  const subjects = await repo.caseSubjects(db, row.referralId);
  const answers = await repo.subjectAnswers(db, [row.id]);
  return {
    request: row,
    subjects,
    subjectAnswers: answers,
    overdue: today(clock) > row.researchClosesOn,
    open: researchOpen(row.panelStatus),
  };
}

async function view(deps: Deps, user: CurrentUser, actor: Actor, requestId: number) {
  const found = await request(deps, user, actor, requestId, 'research.view');
  await recordAudit(deps.db, actor, {
    action: 'research.view',
    entityType: 'panel',
    entityId: found.request.panelId,
    details: { requestId, referralId: found.request.referralId },
  });
  return found;
}

/**
 * Records an agency's answer and its research on each subject together; after the closing date it
 * is marked late. Refused once the panel has started, been held or cancelled, or when someone else
 * answered first.
 */
async function answer(
  deps: Deps,
  user: CurrentUser,
  actor: Actor,
  requestId: number,
  version: number,
  input: ResearchAnswer,
) {
  const { db, clock } = deps;
  const found = await request(deps, user, actor, requestId, 'research.answer');
  if (!researchOpen(found.request.panelStatus)) {
    throw new RefusedError(
      { '': 'This panel has started, been held or been cancelled: its research can no longer be changed.' },
      RESEARCH_CLOSED,
    );
  }
  const ofCase = new Set(found.subjects.map((s) => s.id));
  if (input.subjects.some((s) => !ofCase.has(s.subjectId))) throw new NotFoundError();
  const late = today(clock) > found.request.researchClosesOn;
  await db.transaction().execute(async (trx) => {
    const saved = await repo.saveAnswer(trx, requestId, version, {
      status: input.status,
      summary: input.summary,
      answeredBy: user.id,
      answeredAt: clock.now(),
      answeredLate: late,
    });
    if (!saved) throw new StaleVersionError();
    await repo.replaceSubjectAnswers(trx, requestId, input.subjects);
    await recordAudit(trx, actor, {
      action: 'research.answer',
      entityType: 'panel',
      entityId: found.request.panelId,
      details: { requestId, referralId: found.request.referralId, status: input.status, late },
    });
  });
  return { panelId: found.request.panelId };
}

/** Research: the requests an agenda raises of each invited agency, their answers, and reminders. */
export function researchService(deps: ServiceDeps) {
  return {
    matrix: (user: CurrentUser, actor: Actor, panelId: number) => overview(deps, user, actor, panelId),
    forAgency: (user: CurrentUser, actor: Actor) => forAgency(deps, user, actor),
    view: (user: CurrentUser, actor: Actor, requestId: number) => view(deps, user, actor, requestId),
    /** The subjects of a request's case, to read an answer against (404 when not the user's agency's). */
    subjectIdsOf: async (user: CurrentUser, actor: Actor, requestId: number) =>
      (await request(deps, user, actor, requestId, 'research.answer')).subjects.map((s) => s.id),
    answer: (user: CurrentUser, actor: Actor, requestId: number, version: number, input: ResearchAnswer) =>
      answer(deps, user, actor, requestId, version, input),
    sendResearchReminders: (now: Date = deps.clock.now()) => sendResearchReminders(deps, now),
  };
}

export type ResearchService = ReturnType<typeof researchService>;

/** One research request per current case item and invited agency; existing requests are kept. */
export function addResearchRequests(trx: Db, panelId: number, at: Date): Promise<void> {
  return repo.addRequests(trx, panelId, at);
}

/**
 * Withdraws the research of agencies no longer invited to the panel: unanswered requests go, and
 * answered ones are kept for the panel's record but no longer shown to, or changed by, the agency
 * (it answers 404, like the case). Returns how many answered requests were withdrawn.
 */
export function withdrawRequestsOf(trx: Db, panelId: number, agencyIds: number[], at: Date): Promise<number> {
  return repo.withdrawOfAgencies(trx, panelId, agencyIds, at);
}

/** Drops the research still unanswered for items taken off the agenda. */
export function dropUnansweredRequestsOfRemovedItems(trx: Db, panelId: number): Promise<void> {
  return repo.deleteUnansweredOfRemovedItems(trx, panelId);
}

/**
 * Clears every text an agency wrote in research on these agenda items (the summary, and each
 * subject's facts, opinion and key risks), for retention's destruction of a case. Statuses, known
 * or not known, children and flags stay, so the counts stay the same.
 */
export function eraseResearchTextOf(trx: Db, agendaItemIds: readonly number[]): Promise<void> {
  return repo.eraseTextOfItems(trx, agendaItemIds);
}
