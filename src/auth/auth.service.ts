import type { ServiceDeps } from '../service-deps';
import type { Db } from '../db/database';
import { createHash } from 'node:crypto';
import { recordAudit } from '../audit/audit';
import type { Actor } from '../http/context';
import { NotFoundError, RefusedError } from '../http/errors';
import { accountByEmail, changePassword, passwordHashOf } from '../users/users.service';
import { hashPassword, timingDummyHash, verifyPassword } from './passwords';
import * as repo from './auth.repository';
import { endUserSessions } from './sessions.service';

/** Failed attempts allowed from one address, across accounts, within this window. */
export const THROTTLE_WINDOW_MS = 15 * 60 * 1000;
export const ADDRESS_LIMIT = 20;
/** Failed attempts of one account from one address before each further one makes it wait. */
export const PAIR_FREE_ATTEMPTS = 5;
/** The first wait; each further failure doubles it, up to the longest. */
export const PAIR_FIRST_DELAY_MS = 60 * 1000;
export const PAIR_LONGEST_DELAY_MS = 60 * 60 * 1000;
/** Failed attempts of one account from all addresses in an hour before unfamiliar addresses are refused. */
export const ACCOUNT_LIMIT = 100;
const HOUR_MS = 60 * 60 * 1000;
/** An address the account signed in from within this time is familiar: the account limit does not apply to it. */
const FAMILIAR_MS = 90 * 24 * HOUR_MS;

export type SignInResult =
  { outcome: 'signed-in'; userId: number } | { outcome: 'invalid' } | { outcome: 'throttled'; waitMinutes: number };

type Throttle = { reason: 'pair-throttled' | 'address-throttled' | 'account-throttled'; until: Date } | null;

function accountKey(email: string): string {
  return createHash('sha256').update(email.trim().toLowerCase()).digest('hex');
}

/** How long one account and address must wait after `failures` failures: none at first, then doubling. */
export function pairDelayMs(failures: number): number {
  if (failures < PAIR_FREE_ATTEMPTS) return 0;
  return Math.min(PAIR_LONGEST_DELAY_MS, PAIR_FIRST_DELAY_MS * 2 ** (failures - PAIR_FREE_ATTEMPTS));
}

/**
 * Whether this attempt must wait. Failures are counted per account and address (a growing delay),
 * per address (password spraying) and per account (guessing from many addresses); the last never
 * applies to an address the account signs in from, so a stranger cannot lock its owner out.
 */
async function throttleOf(db: Db, key: string, ip: string, now: Date): Promise<Throttle> {
  const at = (ms: number) => new Date(now.getTime() - ms);
  const byAddress = await repo.failuresSince(db, 'ip', ip, at(THROTTLE_WINDOW_MS));
  if (byAddress >= ADDRESS_LIMIT)
    return { reason: 'address-throttled', until: new Date(now.getTime() + THROTTLE_WINDOW_MS) };
  const pair = await repo.pairFailuresSince(db, key, ip, at(HOUR_MS));
  const pairUntil = pair.latest && new Date(pair.latest.getTime() + pairDelayMs(pair.count));
  if (pairUntil && pairUntil > now) return { reason: 'pair-throttled', until: pairUntil };
  const byAccount = await repo.failuresSince(db, 'accountKey', key, at(HOUR_MS));
  if (byAccount >= ACCOUNT_LIMIT && !(await repo.knownAddress(db, key, ip, at(FAMILIAR_MS))))
    return { reason: 'account-throttled', until: new Date(now.getTime() + HOUR_MS) };
  return null;
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
      const now = clock.now();
      const throttle = await throttleOf(db, key, ip, now);
      const user = await accountByEmail(db, email);
      const who = { ...actor, userId: user?.id ?? null, agencyId: user?.agencyId ?? null };
      if (throttle) {
        await recordAudit(db, who, { action: 'auth.sign-in', outcome: 'denied', details: { reason: throttle.reason } });
        return { outcome: 'throttled', waitMinutes: Math.ceil((throttle.until.getTime() - now.getTime()) / 60_000) };
      }
      const valid = user
        ? await verifyPassword(user.passwordHash, password)
        : (await verifyPassword(await timingDummyHash(), password)) && false;
      if (!user || !valid || !user.active || !user.agencyActive) {
        await repo.recordFailure(db, key, ip, now);
        await recordAudit(db, who, {
          action: 'auth.sign-in',
          outcome: 'failure',
          details: { reason: !user ? 'unknown-account' : !valid ? 'wrong-password' : 'inactive-account' },
        });
        return { outcome: 'invalid' };
      }
      await repo.recordSuccess(db, key, ip, now, new Date(now.getTime() - FAMILIAR_MS));
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
