import type { Expression, ExpressionBuilder, SqlBool } from 'kysely';
import type { Db } from '../db/database';
import type { Database } from '../db/schema';
import { recordAudit } from '../audit/audit';
import type { Actor, CurrentUser } from '../http/context';
import { NotFoundError } from '../http/errors';

type PanelsEb = ExpressionBuilder<Database, 'panels'>;

/**
 * Who may see a panel: administrators and chairs see every panel; an agency's representatives
 * (its single point of contact included) see the panels their agency is invited to.
 */
export function visiblePanels(user: CurrentUser) {
  return (eb: PanelsEb): Expression<SqlBool> => {
    if (user.role === 'administrator' || user.role === 'chair') return eb.lit(true);
    return eb.exists(
      eb
        .selectFrom('panelInvitations')
        .select('panelInvitations.panelId')
        .whereRef('panelInvitations.panelId', '=', 'panels.id')
        .where('panelInvitations.agencyId', '=', user.agencyId),
    );
  };
}

export function findVisiblePanel(db: Db, user: CurrentUser, panelId: number) {
  return db.selectFrom('panels').selectAll('panels').where('panels.id', '=', panelId).where(visiblePanels(user)).executeTakeFirst();
}

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

export async function isInvited(db: Db, panelId: number, agencyId: number): Promise<boolean> {
  const row = await db
    .selectFrom('panelInvitations')
    .select('panelId')
    .where('panelId', '=', panelId)
    .where('agencyId', '=', agencyId)
    .executeTakeFirst();
  return row !== undefined;
}
