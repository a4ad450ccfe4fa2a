import type { ServiceDeps } from '../service-deps';
import { createHash } from 'node:crypto';
import { recordAudit } from '../audit/audit';
import type { Actor } from '../http/context';
import { NotFoundError, RefusedError } from '../http/errors';
import { accountByEmail, changePassword, passwordHashOf } from '../users/users.service';
import { hashPassword, timingDummyHash, verifyPassword } from './passwords';
import * as repo from './auth.repository';
import { endUserSessions } from './sessions.service';

export const THROTTLE_WINDOW_MS = 15 * 60 * 1000;
/** Failed attempts allowed per account, and per address, within the window. */
export const ACCOUNT_LIMIT = 5;
export const ADDRESS_LIMIT = 20;

export type SignInResult = { outcome: 'signed-in'; userId: number } | { outcome: 'invalid' } | { outcome: 'throttled' };

function accountKey(email: string): string {
  return createHash('sha256').update(email.trim().toLowerCase()).digest('hex');
}

export function authService({ db, clock }: ServiceDeps) {
  return {
    /**
     * Checks an email and password. Unknown accounts, wrong passwords and deactivated accounts get
     * the same answer in the same time; every attempt is audited.
     */
    async signIn(email: string, password: string, actor: Actor): Promise<SignInResult> {
      const key = accountKey(email);
      const ip = actor.ip ?? 'unknown';
      const since = new Date(clock.now().getTime() - THROTTLE_WINDOW_MS);
      const [byAccount, byAddress] = await Promise.all([
        repo.failuresSince(db, 'accountKey', key, since),
        repo.failuresSince(db, 'ip', ip, since),
      ]);
      const user = await accountByEmail(db, email);
      if (byAccount >= ACCOUNT_LIMIT || byAddress >= ADDRESS_LIMIT) {
        await recordAudit(
          db,
          { ...actor, userId: user?.id ?? null, agencyId: user?.agencyId ?? null },
          {
            action: 'auth.sign-in',
            outcome: 'denied',
            details: { reason: byAccount >= ACCOUNT_LIMIT ? 'account-throttled' : 'address-throttled' },
          },
        );
        return { outcome: 'throttled' };
      }
      const valid = user
        ? await verifyPassword(user.passwordHash, password)
        : (await verifyPassword(await timingDummyHash(), password)) && false;
      if (!user || !valid || !user.active || !user.agencyActive) {
        await repo.recordFailure(db, key, ip, clock.now());
        await recordAudit(
          db,
          { ...actor, userId: user?.id ?? null, agencyId: user?.agencyId ?? null },
          {
            action: 'auth.sign-in',
            outcome: 'failure',
            details: { reason: !user ? 'unknown-account' : !valid ? 'wrong-password' : 'inactive-account' },
          },
        );
        return { outcome: 'invalid' };
      }
      await repo.clearFailures(db, key);
      await recordAudit(db, { ...actor, userId: user.id, agencyId: user.agencyId }, { action: 'auth.sign-in' });
      return { outcome: 'signed-in', userId: user.id };
    },

    /**
     * Changes a user's own password and ends their other sessions (`keepSid` is the one in use).
     * Refused when the current password is wrong.
     */
    async changePassword(userId: number, current: string, next: string, actor: Actor, keepSid: string): Promise<void> {
      const passwordHash = await passwordHashOf(db, userId);
      if (passwordHash === undefined) throw new NotFoundError();
      if (!(await verifyPassword(passwordHash, current))) {
        await recordAudit(db, actor, {
          action: 'auth.change-password',
          outcome: 'failure',
          entityType: 'user',
          entityId: userId,
        });
        throw new RefusedError({ currentPassword: 'Your current password is not correct' });
      }
      await db.transaction().execute(async (trx) => {
        await changePassword(trx, userId, await hashPassword(next), clock.now());
        await recordAudit(trx, actor, { action: 'auth.change-password', entityType: 'user', entityId: userId });
      });
      await endUserSessions(db, userId, keepSid);
    },

    /** Audits a signed-in user's sign-out; the route ends the session itself. */
    async signOut(actor: Actor): Promise<void> {
      await recordAudit(db, actor, { action: 'auth.sign-out' });
    },
  };
}

export type AuthService = ReturnType<typeof authService>;
