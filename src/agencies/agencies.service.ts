import type { ServiceDeps } from '../service-deps';
import type { Db } from '../db/database';
import { recordAudit } from '../audit/audit';
import type { Actor } from '../http/context';
import { NotFoundError, RefusedError, StaleVersionError } from '../http/errors';
import { districtExists, districts, isActiveMemberOf } from '../directory/directory.repository';
import * as repo from './agencies.repository';
import type { AgencyChanges } from './agencies.repository';

async function fieldErrors(db: Db, changes: AgencyChanges, exceptId?: number): Promise<Record<string, string>> {
  const errors: Record<string, string> = {};
  const clash = await repo.clashes(db, changes.name, changes.shortName, exceptId);
  if (clash.name) errors.name = 'An agency with this name already exists';
  if (clash.shortName) errors.shortName = 'An agency with this short name already exists';
  if (changes.districtId !== null && !(await districtExists(db, changes.districtId)))
    errors.districtId = 'Select a district from the list';
  if (changes.spocUserId !== null && !(await isActiveMemberOf(db, changes.spocUserId, exceptId ?? -1))) {
    errors.spocUserId = 'Select an active user of this agency as its single point of contact';
  }
  if (
    changes.youthCheckContactUserId !== null &&
    !(await isActiveMemberOf(db, changes.youthCheckContactUserId, exceptId ?? -1))
  ) {
    errors.youthCheckContactUserId =
      'Select an active user of this agency as its first point of contact for youth checks';
  }
  return errors;
}

async function refuseInvalid(db: Db, changes: AgencyChanges, exceptId?: number): Promise<void> {
  const errors = await fieldErrors(db, changes, exceptId);
  if (Object.keys(errors).length) throw new RefusedError(errors);
}

async function get(db: Db, id: number) {
  const agency = await repo.findById(db, id);
  if (!agency) throw new NotFoundError();
  return agency;
}

/** Adds an agency (it has no members yet, so no single point of contact). Refuses clashing names. */
async function create(db: Db, changes: AgencyChanges, actor: Actor): Promise<number> {
  const agency = { ...changes, spocUserId: null, youthCheckContactUserId: null };
  await refuseInvalid(db, agency);
  return db.transaction().execute(async (trx) => {
    const id = await repo.insert(trx, agency);
    await recordAudit(trx, actor, { action: 'agency.create', entityType: 'agency', entityId: id });
    return id;
  });
}

/** Saves an agency unless the rules refuse it or someone else saved it since `version`. */
async function update(db: Db, id: number, version: number, changes: AgencyChanges, actor: Actor): Promise<void> {
  const current = await get(db, id);
  await refuseInvalid(db, changes, id);
  await db.transaction().execute(async (trx) => {
    if (!(await repo.update(trx, id, version, changes))) throw new StaleVersionError();
    const changed = (Object.keys(changes) as (keyof AgencyChanges)[]).filter(
      (k) => String(changes[k]) !== String(current[k]),
    );
    await recordAudit(trx, actor, {
      action: 'agency.update',
      entityType: 'agency',
      entityId: id,
      details: { changed },
    });
  });
}

export function agenciesService({ db }: Pick<ServiceDeps, 'db'>) {
  return {
    list: () => repo.listWithSpoc(db),
    districts: () => districts(db),
    get: (id: number) => get(db, id),
    create: (changes: AgencyChanges, actor: Actor) => create(db, changes, actor),
    update: (id: number, version: number, changes: AgencyChanges, actor: Actor) =>
      update(db, id, version, changes, actor),
  };
}

export type AgenciesService = ReturnType<typeof agenciesService>;

/** For checking a user's agency: the agency, or undefined when there is none with this id. */
export function agencyById(db: Db, id: number) {
  return repo.findById(db, id);
}

/**
 * The first points of contact for youth checks: active users of active agencies, designated by an
 * administrator. Their agencies answer the checks and see all of them.
 */
export function youthCheckContacts(db: Db) {
  return repo.findYouthCheckContacts(db);
}

/** A user who moves to another agency, or is deactivated, stops being any agency's single point of contact. */
export function releaseSingleContact(db: Db, userId: number): Promise<void> {
  return repo.clearSpoc(db, userId);
}
