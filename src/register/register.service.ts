import type { ServiceDeps } from '../service-deps';
import type { Db } from '../db/database';
import type { AttendanceAnswer, RegisterStatus } from '../db/schema';
import type { Actor, CurrentUser } from '../http/context';
import { HttpError, NotFoundError, StaleVersionError } from '../http/errors';
import { recordAudit } from '../audit/audit';
import { requireVisiblePanel } from '../panels/panel-access';
import { invitedAgencyIds, isInvited, lockPanel, panelWithDistrict } from '../panels/panels.service';
import { clinicianPlanOf } from '../attendance/attendance.service';
import * as repo from './register.repository';

export const REGISTER_STATUSES: readonly RegisterStatus[] = [
  'present',
  'online',
  'late',
  'left-early',
  'absent',
  'apologies',
];

export const REGISTER_STATUS_NAMES: Record<RegisterStatus, string> = {
  present: 'Present',
  online: 'Present online',
  late: 'Late',
  'left-early': 'Left early',
  absent: 'Absent',
  apologies: 'Apologies',
};

/** Statuses of someone who was in the meeting for at least part of it, and so agrees to confidentiality. */
export const PRESENT_STATUSES: readonly RegisterStatus[] = ['present', 'online', 'late', 'left-early'];

export class RegisterClosedError extends HttpError {
  constructor() {
    super(409, 'The register can be taken only while the panel is in progress');
  }
}

/**
 * The invited agencies with no register entry yet (an empty list: the register is complete).
 * The meeting asks this before the panel is concluded.
 */
export async function registerCompleteness(
  db: Db,
  panelId: number,
): Promise<{ agencyId: number; shortName: string }[]> {
  return repo.agenciesMissingFromRegister(db, panelId);
}

export async function currentConfidentialityStatement(db: Db) {
  return repo.currentStatement(db);
}

/** A confidentiality statement by its id (the one a panel or an entry recorded); undefined when there is none. */
export function confidentialityStatementById(db: Db, statementId: number) {
  return repo.statementById(db, statementId);
}

/** One line of the register as the page shows it: a saved entry, or a proposed one not yet saved. */
export interface RegisterLine {
  id: number | null;
  version: number | null;
  agencyId: number | null;
  agencyName: string;
  personName: string;
  role: string | null;
  isObserver: boolean;
  status: RegisterStatus | null;
  arrivedAt: string | null;
  leftAt: string | null;
  confidentialityAgreed: boolean;
  statementVersion: number | null;
  /** Where a proposed line came from: the agency's answer, or no answer at all. */
  source: 'saved' | 'expected' | 'not-recorded';
  /** What the agency answered, by link or signed in, on a proposed line; null on a saved line or with no answer. */
  agencyAnswer: AgencyAnswer | null;
}

/** An agency's answer about coming, as much of it as the register shows. */
export interface AgencyAnswer {
  answer: AttendanceAnswer;
  mode: 'in-person' | 'online' | null;
  informationInAdvance: boolean | null;
}

export interface RegisterRowInput {
  id: number | null;
  version: number | null;
  agencyId: number | null;
  personName: string;
  role: string | null;
  status: RegisterStatus;
  arrivedAt: string | null;
  leftAt: string | null;
  agreed: boolean;
}

type Deps = Pick<ServiceDeps, 'db' | 'clock'>;

async function panelOrThrow(db: Db, panelId: number) {
  const panel = await panelWithDistrict(db, panelId);
  if (!panel) throw new NotFoundError();
  return panel;
}

/** Locks the panel for the change, which is allowed only while the panel is in progress. */
async function lockOpenPanel(trx: Db, panelId: number) {
  const panel = await lockPanel(trx, panelId);
  if (!panel) throw new NotFoundError();
  if (panel.status !== 'in-progress') throw new RegisterClosedError();
}

type InvitedAnswer = Awaited<ReturnType<typeof repo.invitedWithAnswers>>[number];

type Person = { name: string; role: string | null };

/** The people an agency said would come: its attendees, or its deputy. */
function expectedPeople(a: InvitedAnswer): Person[] {
  if (a.answer === 'attending') return (a.attendees ?? []).map((p) => ({ name: p.name, role: p.role ?? null }));
  if (a.answer === 'deputy' && a.deputyName) return [{ name: a.deputyName, role: a.deputyRole }];
  return [];
}

/** The clinicians each agency's single point of contact named, by agency, with the items each comes for. */
async function plannedClinicians(db: Db, panelId: number): Promise<Map<number, Person[]>> {
  const byAgency = new Map<number, Map<string, { name: string; items: number[] }>>();
  for (const item of await clinicianPlanOf(db, panelId))
    for (const c of item.clinicians) {
      if (!c.attending || !c.clinicianName) continue;
      const people = byAgency.get(c.agencyId) ?? new Map<string, { name: string; items: number[] }>();
      byAgency.set(c.agencyId, people);
      const key = c.clinicianName.trim().toLowerCase();
      const person = people.get(key) ?? { name: c.clinicianName.trim(), items: [] };
      person.items.push(item.position);
      people.set(key, person);
    }
  return new Map(
    [...byAgency].map(([agencyId, people]) => [
      agencyId,
      [...people.values()].map((p) => ({
        name: p.name,
        role: `Clinician for item${p.items.length > 1 ? 's' : ''} ${p.items.join(', ')}`,
      })),
    ]),
  );
}

/**
 * The register: saved entries first, then one proposed line per person an agency said would come
 * and one "not yet recorded" line per invited agency with neither an entry nor an answer.
 */
async function lines(db: Db, panelId: number): Promise<RegisterLine[]> {
  const saved = await repo.savedEntries(db, panelId);
  const invited = await repo.invitedWithAnswers(db, panelId);
  const clinicians = await plannedClinicians(db, panelId);
  const result: RegisterLine[] = saved.map((e) => ({
    id: e.id,
    version: e.version,
    agencyId: e.agencyId,
    agencyName: e.isObserver ? 'Observer' : (e.shortName ?? ''),
    personName: e.personName,
    role: e.role,
    isObserver: e.isObserver,
    status: e.status,
    arrivedAt: e.arrivedAt,
    leftAt: e.leftAt,
    confidentialityAgreed: e.confidentialityAgreed,
    statementVersion: e.statementVersion,
    source: 'saved',
    agencyAnswer: null,
  }));
  const savedNames = new Set(saved.map((e) => `${e.agencyId}:${e.personName.toLowerCase()}`));
  const agenciesWithEntries = new Set(saved.map((e) => e.agencyId));
  for (const a of invited) {
    const proposed = {
      id: null,
      version: null,
      agencyId: a.agencyId,
      agencyName: a.shortName,
      isObserver: false,
      arrivedAt: null,
      leftAt: null,
      confidentialityAgreed: false,
      statementVersion: null,
      agencyAnswer: a.answer ? { answer: a.answer, mode: a.mode, informationInAdvance: a.informationInAdvance } : null,
    };
    const answered = expectedPeople(a);
    const named = new Set(answered.map((p) => p.name.toLowerCase()));
    const people = [...answered, ...(clinicians.get(a.agencyId) ?? []).filter((c) => !named.has(c.name.toLowerCase()))];
    const expectedStatus: RegisterStatus | null = a.mode === 'online' ? 'online' : null;
    const missing = people.filter((p) => !savedNames.has(`${a.agencyId}:${p.name.toLowerCase()}`));
    for (const p of missing)
      result.push({ ...proposed, personName: p.name, role: p.role, status: expectedStatus, source: 'expected' });
    if (people.length === 0 && !agenciesWithEntries.has(a.agencyId)) {
      result.push({
        ...proposed,
        personName: '',
        role: null,
        status: a.answer === 'apologies' ? 'apologies' : null,
        source: 'not-recorded',
      });
    }
  }
  return result;
}

/** What the register page shows: the panel, its lines (unless the page shows posted ones), the statement, and who is missing. */
async function page(db: Db, panelId: number, withLines: boolean) {
  const panel = await panelOrThrow(db, panelId);
  return {
    panel,
    lines: withLines ? await lines(db, panelId) : [],
    statement: await repo.currentStatement(db),
    missing: await registerCompleteness(db, panelId),
  };
}

/** Opens a panel's register: the view is audited. */
async function view({ db }: Deps, actor: Actor, panelId: number) {
  await panelOrThrow(db, panelId);
  await recordAudit(db, actor, { action: 'register.view', entityType: 'panel', entityId: panelId });
}

/** Saves one line: a new entry, or a change to a saved one made against its current version. */
async function saveLine(
  trx: Db,
  panelId: number,
  row: RegisterRowInput,
  context: { userId: number; statementId: number; now: Date },
): Promise<'created' | 'updated'> {
  const agreed = row.agreed && PRESENT_STATUSES.includes(row.status);
  const fields: repo.EntryFields = {
    personName: row.personName,
    role: row.role,
    status: row.status,
    arrivedAt: row.status === 'late' ? row.arrivedAt : null,
    leftAt: row.status === 'left-early' ? row.leftAt : null,
    recordedBy: context.userId,
  };
  if (row.id === null) {
    if (row.agencyId === null) throw new NotFoundError();
    await repo.insertEntry(trx, {
      panelId,
      agencyId: row.agencyId,
      ...fields,
      confidentialityAgreed: agreed,
      confidentialityStatementId: agreed ? context.statementId : null,
      agreedAt: agreed ? context.now : null,
    });
    return 'created';
  }
  const existing = await repo.entryOfPanel(trx, panelId, row.id);
  if (!existing) throw new NotFoundError();
  if (existing.version !== row.version)
    throw new StaleVersionError(
      'Someone else changed the register while you were filling it in. Your changes are kept below: check the other changes and save again.',
    );
  // An agreement already given keeps the version it was given to; a new one takes today's statement.
  const agreement: repo.Agreement = agreed
    ? existing.confidentialityAgreed
      ? {}
      : { confidentialityAgreed: true, confidentialityStatementId: context.statementId, agreedAt: context.now }
    : { confidentialityAgreed: false, confidentialityStatementId: null, agreedAt: null };
  await repo.updateEntry(trx, row.id, { ...fields, ...agreement });
  return 'updated';
}

/** Saves the register's lines in one go; a line changed by someone else meanwhile refuses the whole save. */
async function save({ db, clock }: Deps, user: CurrentUser, actor: Actor, panelId: number, rows: RegisterRowInput[]) {
  await db.transaction().execute(async (trx) => {
    await lockOpenPanel(trx, panelId);
    const statement = await repo.currentStatement(trx);
    const invited = new Set(await invitedAgencyIds(trx, panelId));
    const context = { userId: user.id, statementId: statement.id, now: clock.now() };
    let created = 0;
    let updated = 0;
    for (const row of rows) {
      if (row.agencyId !== null && !invited.has(row.agencyId)) throw new NotFoundError();
      if ((await saveLine(trx, panelId, row, context)) === 'created') created += 1;
      else updated += 1;
    }
    await recordAudit(trx, actor, {
      action: 'register.save',
      entityType: 'panel',
      entityId: panelId,
      details: { created, updated, statementVersion: statement.version },
    });
  });
}

async function addObserver(
  { db, clock }: Deps,
  user: CurrentUser,
  actor: Actor,
  panelId: number,
  observer: { personName: string; role: string | null; agreed: boolean },
) {
  await db.transaction().execute(async (trx) => {
    await lockOpenPanel(trx, panelId);
    const statement = await repo.currentStatement(trx);
    const row = await repo.insertEntry(trx, {
      panelId,
      agencyId: null,
      personName: observer.personName,
      role: observer.role,
      isObserver: true,
      status: 'present',
      arrivedAt: null,
      leftAt: null,
      confidentialityAgreed: observer.agreed,
      confidentialityStatementId: observer.agreed ? statement.id : null,
      agreedAt: observer.agreed ? clock.now() : null,
      recordedBy: user.id,
    });
    await recordAudit(trx, actor, {
      action: 'register.observer',
      entityType: 'panel',
      entityId: panelId,
      details: { entryId: row.id },
    });
  });
}

/**
 * An attendee signs themselves in to the meeting and agrees to the current statement: their line
 * on the register is created, or marked present and agreed if the chair had already put them on it.
 * The panel must be one they can see (404 otherwise, audited).
 */
async function selfAgree(
  { db, clock }: Deps,
  user: CurrentUser,
  actor: Actor,
  panelId: number,
  status: 'present' | 'online',
) {
  await requireVisiblePanel(db, user, actor, panelId, 'register.self');
  await db.transaction().execute(async (trx) => {
    await lockOpenPanel(trx, panelId);
    if (!(await isInvited(trx, panelId, user.agencyId))) throw new NotFoundError();
    const statement = await repo.currentStatement(trx);
    const now = clock.now();
    const existing = await repo.entryByName(trx, panelId, user.agencyId, user.name);
    if (existing) {
      await repo.updateEntry(trx, existing.id, {
        ...(PRESENT_STATUSES.includes(existing.status) ? {} : { status }),
        ...(existing.confidentialityAgreed
          ? {}
          : { confidentialityAgreed: true, confidentialityStatementId: statement.id, agreedAt: now }),
      });
    } else {
      await repo.insertEntry(trx, {
        panelId,
        agencyId: user.agencyId,
        personName: user.name,
        role: null,
        status,
        arrivedAt: null,
        leftAt: null,
        confidentialityAgreed: true,
        confidentialityStatementId: statement.id,
        agreedAt: now,
        recordedBy: user.id,
      });
    }
    await recordAudit(trx, actor, {
      action: 'register.self',
      entityType: 'panel',
      entityId: panelId,
      details: { agencyId: user.agencyId, status, statementVersion: statement.version },
    });
  });
}

/** A new version of the confidentiality statement; entries keep the version they agreed to. */
async function newStatement({ db }: Deps, user: CurrentUser, actor: Actor, text: string, basedOnVersion: number) {
  return db.transaction().execute(async (trx) => {
    const current = await repo.lockCurrentStatementVersion(trx);
    if (current.version !== basedOnVersion)
      throw new StaleVersionError(
        'Someone else changed the statement while you were editing it. Your text is kept below: check theirs and save again.',
      );
    const row = await repo.insertStatement(trx, { version: current.version + 1, text, createdBy: user.id });
    await recordAudit(trx, actor, {
      action: 'confidentiality.change',
      entityType: 'confidentiality-statement',
      entityId: row.id,
      details: { version: row.version },
    });
    return row;
  });
}

export function registerService(deps: ServiceDeps) {
  const { db } = deps;
  return {
    panelOrThrow: (panelId: number) => panelOrThrow(db, panelId),
    lines: (panelId: number) => lines(db, panelId),
    page: (panelId: number, withLines = true) => page(db, panelId, withLines),
    view: (actor: Actor, panelId: number) => view(deps, actor, panelId),
    statement: () => repo.currentStatement(db),
    completeness: (panelId: number) => registerCompleteness(db, panelId),
    save: (user: CurrentUser, actor: Actor, panelId: number, rows: RegisterRowInput[]) =>
      save(deps, user, actor, panelId, rows),
    addObserver: (
      user: CurrentUser,
      actor: Actor,
      panelId: number,
      observer: { personName: string; role: string | null; agreed: boolean },
    ) => addObserver(deps, user, actor, panelId, observer),
    /** The entry a signed-in attendee has on the register, matched by agency and name. */
    ownEntry: (user: CurrentUser, panelId: number) => repo.entryByName(db, panelId, user.agencyId, user.name),
    selfAgree: (user: CurrentUser, actor: Actor, panelId: number, status: 'present' | 'online') =>
      selfAgree(deps, user, actor, panelId, status),
    newStatement: (user: CurrentUser, actor: Actor, text: string, basedOnVersion: number) =>
      newStatement(deps, user, actor, text, basedOnVersion),
  };
}

export type RegisterService = ReturnType<typeof registerService>;
