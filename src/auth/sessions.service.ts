import type { Db } from '../db/database';
import * as sessions from './sessions.repository';

/**
 * Ends a user's sessions (all but `keepSid` when given): after a password change or reset, or when
 * an administrator deactivates the account or changes its role or agency.
 */
export function endUserSessions(db: Db, userId: number, keepSid?: string): Promise<void> {
  return sessions.removeForUser(db, userId, keepSid);
}
