import type { ServiceDeps } from '../service-deps';
import type { Db } from '../db/database';
import type { Role } from '../db/schema';
import { recordAudit } from '../audit/audit';
import type { Actor } from '../http/context';
import { NotFoundError, RefusedError, StaleVersionError } from '../http/errors';
import { hashPassword } from '../auth/passwords';
import { endUserSessions } from '../auth/sessions.service';
import { agencyById, releaseSingleContact } from '../agencies/agencies.service';
import * as repo from './users.repository';
import type { UserChanges } from './users.repository';

type Deps = Pick<ServiceDeps, 'db' | 'clock'>;

export const ROLE_NAMES: Record<Role, string> = {
  administrator: 'Administrator (coordinator)',
  chair: 'Chair',
  representative: 'Agency representative',
};

async function fieldErrors(
  db: Db,
  changes: UserChanges,
  actor: Actor,
  exceptId?: number,
): Promise<Record<string, string>> {
  const errors: Record<string, string> = {};
  if (await repo.emailTaken(db, changes.email, exceptId))
    errors.email = 'A user with this email address already exists';
  const agency = await agencyById(db, changes.agencyId);
  if (!agency) errors.agencyId = 'Select an agency from the list';
  else if (!agency.active && changes.active) errors.agencyId = 'This agency is deactivated: choose an active agency';
  if (exceptId !== undefined && exceptId === actor.userId) {
    if (!changes.active) errors.active = 'You cannot deactivate your own account';
    if (changes.role !== 'administrator') errors.role = 'You cannot remove your own administrator role';
  }
  return errors;
}

async function refuseInvalid(db: Db, changes: UserChanges, actor: Actor, exceptId?: number): Promise<void> {
  const errors = await fieldErrors(db, changes, actor, exceptId);
  if (Object.keys(errors).length) throw new RefusedError(errors);
}

async function get(db: Db, id: number) {
  const user = await repo.findById(db, id);
  if (!user) throw new NotFoundError();
  return user;
}

/** Adds a user with a temporary password; refuses a taken e-mail address or an unusable agency. */
async function create({ db, clock }: Deps, changes: UserChanges, password: string, actor: Actor): Promise<number> {
  await refuseInvalid(db, changes, actor);
  const passwordHash = await hashPassword(password);
  return db.transaction().execute(async (trx) => {
    const id = await repo.insert(trx, { ...changes, passwordHash, passwordChangedAt: clock.now() });
    await recordAudit(trx, actor, {
      action: 'user.create',
      entityType: 'user',
      entityId: id,
      details: { role: changes.role, agencyId: changes.agencyId },
    });
    return id;
  });
}

/**
 * Saves a user unless the rules refuse it or someone else saved it since `version`. A user whose
 * access changed (deactivated, another role or agency) is signed out everywhere.
 */
async function update({ db }: Deps, id: number, version: number, changes: UserChanges, actor: Actor): Promise<void> {
  const current = await get(db, id);
  await refuseInvalid(db, changes, actor, id);
  await db.transaction().execute(async (trx) => {
    if (!(await repo.update(trx, id, version, changes))) throw new StaleVersionError();
    if (current.agencyId !== changes.agencyId || !changes.active) await releaseSingleContact(trx, id);
    const changed = (Object.keys(changes) as (keyof UserChanges)[]).filter(
      (k) => String(changes[k]) !== String(current[k]),
    );
    await recordAudit(trx, actor, { action: 'user.update', entityType: 'user', entityId: id, details: { changed } });
  });
  if (!changes.active || changes.role !== current.role || changes.agencyId !== current.agencyId)
    await endUserSessions(db, id);
}

/** An administrator's reset: a new password, and the user signed out everywhere. */
async function resetPassword({ db, clock }: Deps, id: number, password: string, actor: Actor): Promise<void> {
  await get(db, id);
  const passwordHash = await hashPassword(password);
  await db.transaction().execute(async (trx) => {
    await repo.setPassword(trx, id, passwordHash, clock.now());
    await recordAudit(trx, actor, { action: 'user.reset-password', entityType: 'user', entityId: id });
  });
  await endUserSessions(db, id);
}

export function usersService(deps: Deps) {
  const { db } = deps;
  return {
    list: (filter: repo.UserFilter = {}) => repo.list(db, filter),
    get: (id: number) => get(db, id),
    create: (changes: UserChanges, password: string, actor: Actor) => create(deps, changes, password, actor),
    update: (id: number, version: number, changes: UserChanges, actor: Actor) =>
      update(deps, id, version, changes, actor),
    resetPassword: (id: number, password: string, actor: Actor) => resetPassword(deps, id, password, actor),
  };
}

export type UsersService = ReturnType<typeof usersService>;

/** For signing in: the account of an e-mail address, with its password hash. */
export function accountByEmail(db: Db, email: string) {
  return repo.findByEmail(db, email);
}

/** For every signed-in request: the user with their agency, or undefined once deactivated or removed. */
export function userWithAgency(db: Db, id: number) {
  return repo.findWithAgency(db, id);
}

/** For changing one's own password: the stored hash, or undefined for an unknown user. */
export function passwordHashOf(db: Db, id: number) {
  return repo.findPasswordHash(db, id);
}

/** A new password for a user, at `at` (sessions started before it end). */
export function changePassword(db: Db, id: number, passwordHash: string, at: Date) {
  return repo.setPassword(db, id, passwordHash, at);
}
