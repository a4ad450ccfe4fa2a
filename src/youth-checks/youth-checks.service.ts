import { DateTime } from 'luxon';
import type { ServiceDeps } from '../service-deps';
import type { Db } from '../db/database';
import { recordAudit } from '../audit/audit';
import type { Actor, CurrentUser } from '../http/context';
import { ForbiddenError, NotFoundError, RefusedError, StaleVersionError } from '../http/errors';
import { enqueueMail } from '../mail/outbox';
import { youthCheckContacts } from '../agencies/agencies.service';
import { districtExists } from '../directory/directory.repository';
import { formatCalendarDate, today } from '../time';
import { checkReference, REQUESTING_AGENCY_TYPES, workingDaysAfter } from './due-date';
import * as repo from './youth-checks.repository';
import type { Answer, StoredCheck } from './youth-checks.repository';
import { makeReferral } from './check-referral';
import { checkReport } from './youth-check-report';

const LIST_LIMIT = 500;
const SYSTEM: Actor = { userId: null, agencyId: null, ip: null, requestId: null };

export interface CheckRequest {
  youngPersonName: string;
  dateOfBirth: string;
  address: string;
  concern: string;
  districtId: number;
  caseReference: string | null;
}

/** What the user may do with checks: ask for them, and answer them (and so see them all). */
export async function youthCheckRights(db: Db, user: CurrentUser) {
  const agency = await repo.agencyOf(db, user.agencyId);
  return {
    canRequest: Boolean(agency && REQUESTING_AGENCY_TYPES.includes(agency.type)),
    answers: Boolean(agency && agency.youthCheckContactUserId !== null),
    agencyDistrictId: agency?.districtId ?? null,
  };
}

async function request(deps: ServiceDeps, user: CurrentUser, actor: Actor, input: CheckRequest): Promise<number> {
  const { db, clock } = deps;
  const rights = await youthCheckRights(db, user);
  if (!rights.canRequest) {
    await recordAudit(db, actor, { action: 'youth-check.request', outcome: 'denied', entityType: 'youth-check' });
    throw new ForbiddenError('Only district ASB officers, police officers and housing officers ask for youth checks');
  }
  if (!(await districtExists(db, input.districtId)))
    throw new RefusedError({ districtId: 'Select a district from the list' });
  const contacts = await youthCheckContacts(db);
  if (contacts.length === 0)
    throw new RefusedError({
      '': 'No agency is the first point of contact for youth checks yet: ask your administrator',
    });
  const settings = await repo.settings(db);
  const requestedAt = clock.now();
  const dueOn = workingDaysAfter(today(clock), settings.dueWorkingDays);
  const id = await db.transaction().execute(async (trx) => {
    const checkId = await repo.insertCheck(trx, {
      ...input,
      requestedBy: user.id,
      requesterAgencyId: user.agencyId,
      requestedAt,
      dueOn,
    });
    for (const contact of contacts)
      await enqueueMail(trx, {
        kind: 'youth-check-requested',
        to: contact.email,
        subject: `Youth check ${checkReference(checkId)} asked for`,
        text: `A youth check (${checkReference(checkId)}) has been asked for. It is due by ${formatCalendarDate(dueOn)}.\n\nSign in to answer it: ${deps.links.baseUrl}/youth-checks/${checkId}\n`,
        entityType: 'youth-check',
        entityId: checkId,
      });
    await recordAudit(trx, actor, {
      action: 'youth-check.request',
      entityType: 'youth-check',
      entityId: checkId,
      details: { districtId: input.districtId, dueOn },
    });
    return checkId;
  });
  deps.mail.poke();
  return id;
}

/** A check the user may see (theirs, or any when their agency answers checks); otherwise 404, audited. */
async function visibleCheck(db: Db, user: CurrentUser, actor: Actor, id: number, action: string): Promise<StoredCheck> {
  const check = await repo.findCheck(db, id);
  const rights = await youthCheckRights(db, user);
  if (!check || (check.requestedBy !== user.id && !rights.answers)) {
    await recordAudit(db, actor, { action, outcome: 'denied', entityType: 'youth-check', entityId: id });
    throw new NotFoundError();
  }
  return check;
}

async function view(db: Db, user: CurrentUser, actor: Actor, id: number) {
  const check = await visibleCheck(db, user, actor, id, 'youth-check.view');
  const rights = await youthCheckRights(db, user);
  await recordAudit(db, actor, { action: 'youth-check.view', entityType: 'youth-check', entityId: id });
  return {
    check,
    canAnswer: rights.answers && check.status === 'requested',
    isRequester: check.requestedBy === user.id,
  };
}

async function list(db: Db, user: CurrentUser, actor: Actor) {
  const rights = await youthCheckRights(db, user);
  const checks = rights.answers
    ? await repo.listAll(db, LIST_LIMIT)
    : await repo.listRequestedBy(db, user.id, LIST_LIMIT);
  await recordAudit(db, actor, {
    action: 'youth-check.list',
    entityType: 'youth-check',
    details: { all: rights.answers, shown: checks.map((c) => c.id) },
  });
  return { checks, rights };
}

async function answer(deps: ServiceDeps, user: CurrentUser, actor: Actor, id: number, version: number, input: Answer) {
  const { db, clock } = deps;
  const check = await visibleCheck(db, user, actor, id, 'youth-check.answer');
  if (!(await youthCheckRights(db, user)).answers) {
    await recordAudit(db, actor, {
      action: 'youth-check.answer',
      outcome: 'denied',
      entityType: 'youth-check',
      entityId: id,
    });
    throw new ForbiddenError('Only the first point of contact’s agency answers youth checks');
  }
  if (check.status === 'answered') throw new RefusedError({ '': 'This check has already been answered' });
  await db.transaction().execute(async (trx) => {
    if (!(await repo.saveAnswer(trx, id, version, input, user.id, clock.now()))) throw new StaleVersionError();
    await enqueueMail(trx, {
      kind: 'youth-check-answered',
      to: check.requesterEmail,
      subject: `Your youth check ${checkReference(id)} has been answered`,
      text: `The youth check you asked for on ${formatCalendarDate(DateTime.fromJSDate(check.requestedAt).setZone('Europe/London').toISODate())} (${checkReference(id)}) has been answered.\n\nSign in to read the answer: ${deps.links.baseUrl}/youth-checks/${id}\n`,
      entityType: 'youth-check',
      entityId: id,
    });
    await recordAudit(trx, actor, { action: 'youth-check.answer', entityType: 'youth-check', entityId: id });
  });
  deps.mail.poke();
}

async function settings(db: Db) {
  return repo.settings(db);
}

async function saveSettings(
  { db, clock }: ServiceDeps,
  actor: Actor,
  version: number,
  changes: { dueWorkingDays: number; retentionMonths: number },
) {
  await db.transaction().execute(async (trx) => {
    if (!(await repo.saveSettings(trx, version, changes, actor.userId, clock.now()))) throw new StaleVersionError();
    await recordAudit(trx, actor, {
      action: 'youth-check.settings',
      entityType: 'youth-check-settings',
      entityId: 1,
      details: changes,
    });
  });
}

/** Clears the personal data of checks past their retention period after the answer. */
export async function clearExpiredChecks({ db, clock }: Pick<ServiceDeps, 'db' | 'clock'>, actor: Actor = SYSTEM) {
  const { retentionMonths } = await repo.settings(db);
  const now = clock.now();
  const cutoff = DateTime.fromJSDate(now).minus({ months: retentionMonths }).toJSDate();
  return db.transaction().execute(async (trx) => {
    const ids = await repo.clearBefore(trx, cutoff, now);
    if (ids.length > 0 || actor.userId !== null)
      await recordAudit(trx, actor, {
        action: 'youth-check.retention',
        entityType: 'youth-check',
        details: { cleared: ids },
      });
    return ids.length;
  });
}

export function youthChecksService(deps: ServiceDeps) {
  const { db } = deps;
  return {
    rights: (user: CurrentUser) => youthCheckRights(db, user),
    request: (user: CurrentUser, actor: Actor, input: CheckRequest) => request(deps, user, actor, input),
    list: (user: CurrentUser, actor: Actor) => list(db, user, actor),
    view: (user: CurrentUser, actor: Actor, id: number) => view(db, user, actor, id),
    answer: (user: CurrentUser, actor: Actor, id: number, version: number, input: Answer) =>
      answer(deps, user, actor, id, version, input),
    toReferral: async (user: CurrentUser, actor: Actor, id: number) =>
      makeReferral(deps, user, actor, await visibleCheck(db, user, actor, id, 'youth-check.referral')),
    settings: () => settings(db),
    saveSettings: (actor: Actor, version: number, changes: { dueWorkingDays: number; retentionMonths: number }) =>
      saveSettings(deps, actor, version, changes),
    clearExpired: (actor?: Actor) => clearExpiredChecks(deps, actor),
    report: (actor: Actor, query: Record<string, unknown>, exported = false) =>
      checkReport(deps, actor, query, exported),
  };
}

export type YouthChecksService = ReturnType<typeof youthChecksService>;
