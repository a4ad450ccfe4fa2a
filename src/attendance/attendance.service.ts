import type { ServiceDeps } from '../service-deps';
import type { Db } from '../db/database';
import { londonTime } from '../time';
import type { AttendanceAnswer, PanelStatus } from '../db/schema';
import type { Actor, CurrentUser } from '../http/context';
import { ForbiddenError, HttpError, NotFoundError, StaleVersionError } from '../http/errors';
import { recordAudit } from '../audit/audit';
import { hashToken } from '../invitations/invitations';
import { requireVisiblePanel } from '../panels/panel-access';
import { isInvited, lockPanel, panelWithDistrict } from '../panels/panels.service';
import type { AttendanceAnswerData } from './attendance-form';
import { missingForQuorum } from './quorum';
import { timeSlots } from '../agendas/proposal';
import { remindNow, sendDueReminders } from './attendance-reminders';
import * as repo from './attendance.repository';

/** Answers can be given or changed until the panel has concluded; never for a cancelled panel. */
export const ANSWERABLE: readonly PanelStatus[] = ['scheduled', 'agenda-published', 'in-progress'];

export class AnswersClosedError extends HttpError {
  constructor() {
    super(409, 'Answers can no longer be given for this panel: it has concluded or been cancelled');
  }
}

export const TOKEN_SHAPE = /^[A-Za-z0-9_-]{16,128}$/;

export type TokenState = 'valid' | 'used' | 'expired' | 'closed' | 'unknown';

export interface AgencyAttendanceRow {
  agencyId: number;
  agencyName: string;
  shortName: string;
  attendanceRequired: boolean;
  answer: AttendanceAnswer | null;
  attendees: { name: string }[];
  mode: 'in-person' | 'online' | null;
  deputyName: string | null;
  deputyRole: string | null;
  apologyReason: string | null;
  informationInAdvance: boolean | null;
  informationReceivedOn: string | null;
  answeredVia: 'signed-in' | 'link' | null;
  answeredAt: Date | null;
  version: number | null;
  researchRequested: number;
  researchAnswered: number;
}

type Deps = Pick<ServiceDeps, 'db' | 'clock' | 'links' | 'mail'>;

function assertAnswerable(status: PanelStatus) {
  if (!ANSWERABLE.includes(status)) throw new AnswersClosedError();
}

async function panelOrThrow(db: Db, panelId: number) {
  const panel = await panelWithDistrict(db, panelId);
  if (!panel) throw new NotFoundError();
  return panel;
}

/** Every invited agency of a panel with its answer and how far its research has got. */
async function agencyRows(db: Db, panelId: number, onlyAgencyId?: number): Promise<AgencyAttendanceRow[]> {
  const rows = await repo.agencyRows(db, panelId, onlyAgencyId);
  return rows.map((r) => ({
    ...r,
    attendees: r.attendees ?? [],
    researchRequested: Number(r.researchRequested ?? 0),
    researchAnswered: Number(r.researchAnswered ?? 0),
  }));
}

export interface PlannedClinician {
  agencyId: number;
  shortName: string;
  attending: boolean;
  clinicianName: string | null;
}

/** For each case on the agenda, which agencies' clinicians attend (by name) or not, as their contacts said. */
export async function clinicianPlanOf(db: Db, panelId: number) {
  const cases = new Map<
    number,
    { agendaItemId: number; position: number; reference: string | null; clinicians: PlannedClinician[] }
  >();
  for (const r of await repo.clinicianPlan(db, panelId)) {
    const item = cases.get(r.id) ?? {
      agendaItemId: r.id,
      position: r.position,
      reference: r.reference,
      clinicians: [],
    };
    cases.set(r.id, item);
    if (r.agencyId !== null && r.attending !== null)
      item.clinicians.push({
        agencyId: r.agencyId,
        shortName: r.shortName ?? '',
        attending: r.attending,
        clinicianName: r.clinicianName,
      });
  }
  return [...cases.values()];
}

/**
 * The cases on a panel's agenda with the time slot of each (so a clinician can come for their case
 * only) and the agency's clinician answer.
 */
async function casesWithSlots(db: Db, panel: { id: number; startsAt: Date; endsAt: Date }, agencyId: number) {
  const items = await repo.clinicianItems(db, panel.id, agencyId);
  const { slots } = timeSlots(panel, items);
  return items
    .map((i, n) => ({ ...i, startsAt: londonTime(slots[n].startsAt), endsAt: londonTime(slots[n].endsAt) }))
    .filter((i) => i.kind !== 'other-business');
}

/**
 * What a panel's attendance page shows: for chairs and administrators every invited agency; for an
 * agency's representative their own agency's answer and, for its single point of contact, the
 * clinicians by case. An agency not invited does not see the panel at all.
 */
async function panelPage(db: Db, user: CurrentUser, panelId: number) {
  const panel = await panelOrThrow(db, panelId);
  if (user.role === 'administrator' || user.role === 'chair')
    return {
      kind: 'every-agency' as const,
      panel,
      rows: await agencyRows(db, panelId),
      plan: await clinicianPlanOf(db, panelId),
    };
  const [own] = await agencyRows(db, panelId, user.agencyId);
  if (!own) throw new NotFoundError();
  const clinicianItems = user.spocForAgencyId === user.agencyId ? await casesWithSlots(db, panel, user.agencyId) : [];
  return { kind: 'own-agency' as const, panel, own, clinicianItems };
}

/** Writes an answer: one row per panel and agency. `expectedVersion` null means "no answer yet". */
async function upsertAnswer(
  trx: Db,
  at: Date,
  target: { panelId: number; agencyId: number },
  data: AttendanceAnswerData,
  by: { via: 'signed-in' | 'link'; userId: number | null },
  expectedVersion: number | null | 'any',
) {
  const values: repo.ResponseValues = {
    answer: data.answer,
    attendees: JSON.stringify(data.attendees),
    mode: data.mode,
    deputyName: data.deputyName,
    deputyRole: data.deputyRole,
    apologyReason: data.apologyReason,
    informationInAdvance: data.informationInAdvance,
    answeredBy: by.userId,
    answeredVia: by.via,
    answeredAt: at,
  };
  const existing = await repo.lockResponse(trx, target.panelId, target.agencyId);
  if (expectedVersion !== 'any' && (existing?.version ?? null) !== expectedVersion) {
    throw new StaleVersionError(
      'Someone else answered for your agency while you were filling in the form. Their answer is shown below; check it before answering again.',
    );
  }
  if (existing && sameAnswer(existing, data)) return false;
  if (existing) await repo.updateResponse(trx, existing.id, values);
  // A concurrent first answer would break the unique key: the loser is told, as for a stale form.
  else if (!(await repo.insertResponse(trx, target.panelId, target.agencyId, values))) {
    throw new StaleVersionError(
      'Someone else answered for your agency at the same moment. Check their answer before answering again.',
    );
  }
  return true;
}

/** Whether a stored answer already says what is being sent: saving it again would change nothing. */
function sameAnswer(
  stored: NonNullable<Awaited<ReturnType<typeof repo.lockResponse>>>,
  data: AttendanceAnswerData,
): boolean {
  return (
    stored.answer === data.answer &&
    JSON.stringify(stored.attendees ?? []) === JSON.stringify(data.attendees) &&
    stored.mode === data.mode &&
    stored.deputyName === data.deputyName &&
    stored.deputyRole === data.deputyRole &&
    stored.apologyReason === data.apologyReason &&
    stored.informationInAdvance === data.informationInAdvance
  );
}

/** The panel, when this user may see it (404 otherwise, audited under `action`). */
async function visiblePanel({ db }: Deps, user: CurrentUser, actor: Actor, panelId: number, action: string) {
  await requireVisiblePanel(db, user, actor, panelId, action);
}

/** Opens a panel's attendance page: the panel must be visible to the user; the view is audited. */
async function openPanel(deps: Deps, user: CurrentUser, actor: Actor, panelId: number) {
  await visiblePanel(deps, user, actor, panelId, 'attendance.view');
  await recordAudit(deps.db, actor, { action: 'attendance.view', entityType: 'panel', entityId: panelId });
}

/** Only the representatives of an invited agency may answer for it, on a panel they can see. */
async function checkMayAnswer(deps: Deps, user: CurrentUser, actor: Actor, panelId: number) {
  await visiblePanel(deps, user, actor, panelId, 'attendance.answer');
  if (!(await isInvited(deps.db, panelId, user.agencyId)))
    throw new ForbiddenError('Only the representatives of an invited agency can answer for it');
}

/** Only the single point of contact of an invited agency says which clinicians will attend. */
async function checkMayNameClinicians(deps: Deps, user: CurrentUser, actor: Actor, panelId: number) {
  await visiblePanel(deps, user, actor, panelId, 'attendance.clinicians');
  if (user.spocForAgencyId !== user.agencyId || !(await isInvited(deps.db, panelId, user.agencyId))) {
    throw new ForbiddenError("Only the agency's single point of contact can say which clinicians will attend");
  }
}

type ClinicianChoices = Map<number, { attending: boolean; clinicianName: string | null }>;

/** What one press of the signed-in page saves: the answer, the clinicians, or both together. */
export interface PageSave {
  answer?: { data: AttendanceAnswerData; expectedVersion: number | null };
  clinicians?: ClinicianChoices;
}

async function answerIn(trx: Db, now: Date, user: CurrentUser, actor: Actor, panelId: number, a: PageSave['answer']) {
  if (!a) return;
  if (!(await isInvited(trx, panelId, user.agencyId))) throw new NotFoundError();
  const who = { via: 'signed-in' as const, userId: user.id };
  const changed = await upsertAnswer(trx, now, { panelId, agencyId: user.agencyId }, a.data, who, a.expectedVersion);
  // The same answer sent again with the clinicians is left as it was: its version and who gave it.
  if (!changed) return;
  await recordAudit(trx, actor, {
    action: 'attendance.answer',
    entityType: 'panel',
    entityId: panelId,
    details: { agencyId: user.agencyId, answer: a.data.answer, via: 'signed-in' },
  });
}

/** Saves a panel's parts in the caller's transaction: the panel locked, still answerable. */
export async function saveIn(trx: Db, now: Date, user: CurrentUser, actor: Actor, panelId: number, save: PageSave) {
  const panel = await lockPanel(trx, panelId);
  if (!panel) throw new NotFoundError();
  assertAnswerable(panel.status);
  await answerIn(trx, now, user, actor, panelId, save.answer);
  if (save.clinicians) await cliniciansIn(trx, now, user, actor, panelId, save.clinicians);
}

/** Saves every part present in one transaction, so a refused part leaves nothing saved. */
async function savePage({ db, clock }: Deps, user: CurrentUser, actor: Actor, panelId: number, save: PageSave) {
  await db.transaction().execute((trx) => saveIn(trx, clock.now(), user, actor, panelId, save));
}

/** What a link token allows now, and the panel and agency it is for. Changes nothing. */
async function inspectToken({ db, clock }: Deps, raw: string) {
  if (!TOKEN_SHAPE.test(raw)) return { state: 'unknown' as TokenState };
  const token = await repo.tokenByHash(db, hashToken(raw));
  if (!token) return { state: 'unknown' as TokenState };
  const state: TokenState = token.usedAt
    ? 'used'
    : token.expiresAt <= clock.now()
      ? 'expired'
      : !ANSWERABLE.includes(token.status)
        ? 'closed'
        : 'valid';
  return { state, token };
}

/**
 * Records the one answer a link was made for, for its own agency and panel, and uses the link up.
 * Returns null (nothing changed) when the link is no longer valid, even if it was just used by a second click.
 */
async function answerByToken({ db, clock }: Deps, raw: string, data: AttendanceAnswerData, actor: Actor) {
  if (!TOKEN_SHAPE.test(raw)) return null;
  return db.transaction().execute(async (trx) => {
    const now = clock.now();
    const token = await repo.useToken(trx, hashToken(raw), data.answer, now);
    if (!token) return null;
    const panel = await lockPanel(trx, token.panelId);
    // The token update is rolled back with the transaction: a closed panel leaves the link unused.
    if (!panel || !ANSWERABLE.includes(panel.status) || !(await isInvited(trx, token.panelId, token.agencyId)))
      throw new AnswersClosedError();
    await upsertAnswer(
      trx,
      now,
      { panelId: token.panelId, agencyId: token.agencyId },
      data,
      { via: 'link', userId: null },
      'any',
    );
    await recordAudit(trx, actor, {
      action: 'attendance.answer',
      entityType: 'panel',
      entityId: token.panelId,
      details: { agencyId: token.agencyId, answer: data.answer, via: 'link', tokenId: token.id },
    });
    return token;
  });
}

/** A link that cannot be used: the refusal is audited, with why. */
async function refuseLink({ db }: Deps, actor: Actor, state: TokenState, tokenId: number | null) {
  await recordAudit(db, actor, {
    action: 'attendance.link',
    outcome: 'denied',
    entityType: 'attendance-token',
    entityId: tokenId,
    details: { state },
  });
}

/** The chair records the day an agency that sent apologies delivered its information (null clears it). */
async function recordInformationReceived(
  { db }: Deps,
  actor: Actor,
  panelId: number,
  agencyId: number,
  receivedOn: string | null,
) {
  await db.transaction().execute(async (trx) => {
    const panel = await lockPanel(trx, panelId);
    if (!panel) throw new NotFoundError();
    if (panel.status === 'cancelled') throw new AnswersClosedError();
    if (!(await repo.setInformationReceived(trx, panelId, agencyId, receivedOn))) throw new NotFoundError();
    await recordAudit(trx, actor, {
      action: 'attendance.information',
      entityType: 'panel',
      entityId: panelId,
      details: { agencyId, receivedOn },
    });
  });
}

async function remind(deps: Deps, actor: Actor, panelId: number, agencyId: number | null) {
  const panel = await panelOrThrow(deps.db, panelId);
  assertAnswerable(panel.status);
  return remindNow(deps, actor, panelId, agencyId, await agencyRows(deps.db, panelId));
}

/** Every upcoming panel the agency is invited to, in every district, with its answer and research. */
async function upcomingForAgency({ db, clock }: Deps, agencyId: number) {
  const rows = await repo.upcomingForAgency(db, agencyId, ANSWERABLE, clock.now());
  return rows.map((r) => ({
    ...r,
    researchRequested: Number(r.researchRequested ?? 0),
    researchAnswered: Number(r.researchAnswered ?? 0),
  }));
}

/** Every upcoming panel with how many agencies have answered, for chairs and administrators. */
async function upcomingOverview({ db, clock }: Deps) {
  const panels = await repo.upcomingPanels(db, ANSWERABLE, clock.now());
  const result = [];
  for (const p of panels) {
    const rows = await agencyRows(db, p.id);
    result.push({
      ...p,
      invited: rows.length,
      answered: rows.filter((r) => r.answer).length,
      quorumMissing: missingForQuorum(rows).length,
    });
  }
  return result;
}

/** The attendance list: every upcoming panel for chairs and administrators, the agency's own for others. Audited. */
async function upcoming(deps: Deps, user: CurrentUser, actor: Actor) {
  const isChairOrAdmin = user.role === 'administrator' || user.role === 'chair';
  const overview = isChairOrAdmin ? await upcomingOverview(deps) : null;
  const own = overview ? [] : await upcomingForAgency(deps, user.agencyId);
  await recordAudit(deps.db, actor, { action: 'attendance.list', details: { agencyId: user.agencyId } });
  return { overview, own };
}

async function cliniciansIn(
  trx: Db,
  now: Date,
  user: CurrentUser,
  actor: Actor,
  panelId: number,
  choices: ClinicianChoices,
) {
  const known = await repo.liveAgendaItemIds(trx, panelId);
  for (const id of choices.keys()) if (!known.has(id)) throw new NotFoundError();
  for (const [agendaItemId, c] of choices) {
    await repo.upsertClinician(trx, {
      agendaItemId,
      agencyId: user.agencyId,
      attending: c.attending,
      clinicianName: c.attending ? c.clinicianName : null,
      updatedBy: user.id,
      updatedAt: now,
    });
  }
  await recordAudit(trx, actor, {
    action: 'attendance.clinicians',
    entityType: 'panel',
    entityId: panelId,
    details: { agencyId: user.agencyId, agendaItemIds: [...choices.keys()] },
  });
}

export function attendanceService(deps: ServiceDeps) {
  const { db } = deps;
  return {
    panelOrThrow: (panelId: number) => panelOrThrow(db, panelId),
    agencyRows: (panelId: number, onlyAgencyId?: number) => agencyRows(db, panelId, onlyAgencyId),
    isInvited: (panelId: number, agencyId: number) => isInvited(db, panelId, agencyId),
    panelPage: (user: CurrentUser, panelId: number) => panelPage(db, user, panelId),
    openPanel: (user: CurrentUser, actor: Actor, panelId: number) => openPanel(deps, user, actor, panelId),
    checkMayAnswer: (user: CurrentUser, actor: Actor, panelId: number) => checkMayAnswer(deps, user, actor, panelId),
    checkMayNameClinicians: (user: CurrentUser, actor: Actor, panelId: number) =>
      checkMayNameClinicians(deps, user, actor, panelId),
    answerSignedIn: (
      user: CurrentUser,
      actor: Actor,
      panelId: number,
      data: AttendanceAnswerData,
      expectedVersion: number | null,
    ) => savePage(deps, user, actor, panelId, { answer: { data, expectedVersion } }),
    inspectToken: (raw: string) => inspectToken(deps, raw),
    answerByToken: (raw: string, data: AttendanceAnswerData, actor: Actor) => answerByToken(deps, raw, data, actor),
    refuseLink: (actor: Actor, state: TokenState, tokenId: number | null) => refuseLink(deps, actor, state, tokenId),
    recordInformationReceived: (actor: Actor, panelId: number, agencyId: number, receivedOn: string | null) =>
      recordInformationReceived(deps, actor, panelId, agencyId, receivedOn),
    remindNow: (actor: Actor, panelId: number, agencyId: number | null) => remind(deps, actor, panelId, agencyId),
    sendDueReminders: (now: Date) => sendDueReminders(deps, now),
    upcoming: (user: CurrentUser, actor: Actor) => upcoming(deps, user, actor),
    upcomingForAgency: (agencyId: number) => upcomingForAgency(deps, agencyId),
    upcomingOverview: () => upcomingOverview(deps),
    /** The agenda items of a panel with the agency's clinician answer for each. Case references only. */
    clinicianItems: async (panelId: number, agencyId: number) =>
      casesWithSlots(db, await panelOrThrow(db, panelId), agencyId),
    saveClinicians: (user: CurrentUser, actor: Actor, panelId: number, choices: ClinicianChoices) =>
      savePage(deps, user, actor, panelId, { clinicians: choices }),
    /** The signed-in page's one form: the answer and the clinicians, whichever are present, together. */
    savePage: (user: CurrentUser, actor: Actor, panelId: number, save: PageSave) =>
      savePage(deps, user, actor, panelId, save),
  };
}

export type AttendanceService = ReturnType<typeof attendanceService>;

/** The daily reminder job, in the shape the scheduler calls. */
export function sendAttendanceReminders(services: { attendance: AttendanceService }, now: Date): Promise<number> {
  return services.attendance.sendDueReminders(now);
}
