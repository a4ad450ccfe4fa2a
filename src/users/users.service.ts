import type { ServiceDeps } from '../service-deps';
import type { Db } from '../db/database';
import type { Role } from '../db/schema';
import { recordAudit } from '../audit/audit';
import type { Actor } from '../http/context';
import { NotFoundError } from '../http/errors';
import { hashPassword } from '../auth/passwords';
import * as repo from './users.repository';
import type { UserChanges } from './users.repository';

export type UserSaveResult = { ok: true; id: number } | { ok: false; errors: Record<string, string> } | { ok: false; stale: true };

export function usersService({ db, clock }: ServiceDeps) {
  async function fieldErrors(changes: UserChanges, actor: Actor, exceptId?: number): Promise<Record<string, string>> {
    const errors: Record<string, string> = {};
    if (await repo.emailTaken(db, changes.email, exceptId)) errors.email = 'A user with this email address already exists';
    const agency = await db.selectFrom('agencies').select(['id', 'active']).where('id', '=', changes.agencyId).executeTakeFirst();
    if (!agency) errors.agencyId = 'Select an agency from the list';
    else if (!agency.active && changes.active) errors.agencyId = 'This agency is deactivated: choose an active agency';
    if (exceptId !== undefined && exceptId === actor.userId) {
      if (!changes.active) errors.active = 'You cannot deactivate your own account';
      if (changes.role !== 'administrator') errors.role = 'You cannot remove your own administrator role';
    }
    return errors;
  }

  async function endSessions(userId: number, keepSid?: string): Promise<void> {
    let q = db.deleteFrom('sessions').where('userId', '=', userId);
    if (keepSid) q = q.where('sid', '!=', keepSid);
    await q.execute();
  }

  return {
    list: (filter: repo.UserFilter = {}) => repo.list(db, filter),

    async get(id: number) {
      const user = await repo.findById(db, id);
      if (!user) throw new NotFoundError();
      return user;
    },

    async create(changes: UserChanges, password: string, actor: Actor): Promise<UserSaveResult> {
      const errors = await fieldErrors(changes, actor);
      if (Object.keys(errors).length) return { ok: false, errors };
      const passwordHash = await hashPassword(password);
      const id = await db.transaction().execute(async (trx) => {
        const newId = await repo.insert(trx, { ...changes, passwordHash, passwordChangedAt: clock.now() });
        await recordAudit(trx, actor, { action: 'user.create', entityType: 'user', entityId: newId, details: { role: changes.role, agencyId: changes.agencyId } });
        return newId;
      });
      return { ok: true, id };
    },

    async update(id: number, version: number, changes: UserChanges, actor: Actor): Promise<UserSaveResult> {
      const current = await repo.findById(db, id);
      if (!current) throw new NotFoundError();
      const errors = await fieldErrors(changes, actor, id);
      if (Object.keys(errors).length) return { ok: false, errors };
      const result = await db.transaction().execute(async (trx) => {
        if (!(await repo.update(trx, id, version, changes))) return { ok: false as const, stale: true as const };
        // A user moved to another agency, or deactivated, stops being the old agency's single point of contact.
        if (current.agencyId !== changes.agencyId || !changes.active) {
          await trx.updateTable('agencies').set({ spocUserId: null }).where('spocUserId', '=', id).execute();
        }
        const changed = (Object.keys(changes) as (keyof UserChanges)[]).filter((k) => String(changes[k]) !== String(current[k]));
        await recordAudit(trx, actor, { action: 'user.update', entityType: 'user', entityId: id, details: { changed } });
        return { ok: true as const, id };
      });
      if (result.ok && (!changes.active || changes.role !== current.role || changes.agencyId !== current.agencyId)) {
        await endSessions(id);
      }
      return result;
    },

    async resetPassword(id: number, password: string, actor: Actor): Promise<void> {
      await this.get(id);
      const passwordHash = await hashPassword(password);
      await db.transaction().execute(async (trx) => {
        await repo.setPassword(trx, id, passwordHash, clock.now());
        await recordAudit(trx, actor, { action: 'user.reset-password', entityType: 'user', entityId: id });
      });
      await endSessions(id);
    },

    endOtherSessions: (userId: number, keepSid: string) => endSessions(userId, keepSid),
  };
}

export type UsersService = ReturnType<typeof usersService>;
export const ROLE_NAMES: Record<Role, string> = {
  administrator: 'Administrator (coordinator)',
  chair: 'Chair',
  representative: 'Agency representative',
};

/** For signing in: the account of an e-mail address, with its password hash. */
export function accountByEmail(db: Db, email: string) {
  return repo.findByEmail(db, email);
}

/** For every signed-in request: the user with their agency, or undefined once deactivated or removed. */
export function userWithAgency(db: Db, id: number) {
  return repo.findWithAgency(db, id);
}

/** A new password for a user, at `at` (sessions started before it end). */
export function changePassword(db: Db, id: number, passwordHash: string, at: Date) {
  return repo.setPassword(db, id, passwordHash, at);
}
