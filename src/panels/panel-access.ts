import type { Db } from '../db/database';
import { recordAudit } from '../audit/audit';
import type { Actor, CurrentUser } from '../http/context';
import { NotFoundError } from '../http/errors';
import { findVisiblePanel } from './panels.repository';

/**
 * The panel, or a 404 exactly like an unknown id when the user may not see it (so ids cannot be
 * probed); the refused attempt is audited.
 */
export async function requireVisiblePanel(db: Db, user: CurrentUser, actor: Actor, panelId: number, action: string) {
  const panel = await findVisiblePanel(db, user, panelId);
  if (panel) return panel;
  await recordAudit(db, actor, { action, outcome: 'denied', entityType: 'panel', entityId: panelId });
  throw new NotFoundError();
}
