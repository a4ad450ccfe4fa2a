import type { TestContext } from '../support/context';
import { DEMO, postForm, signIn } from '../support/http';
import { makePanel } from './panels-builders';

/**
 * A panel whose agenda the co-ordinator proposed and published, so every invited agency has a
 * research request for each case on it. Its research closes on `researchClosesOn`.
 */
export async function publishedPanel(
  ctx: TestContext,
  o: { districtId: number; startsAt: string; agencyIds: number[]; researchClosesOn: string },
): Promise<number> {
  const panelId = await makePanel(ctx, { districtId: o.districtId, startsAt: o.startsAt, agencyIds: o.agencyIds });
  await ctx.db.updateTable('panels').set({ researchClosesOn: o.researchClosesOn }).where('id', '=', panelId).execute();
  const admin = await signIn(ctx, DEMO.admin);
  for (const action of ['propose', 'publish']) {
    const { agendaRevision } = await ctx.db
      .selectFrom('panels')
      .select('agendaRevision')
      .where('id', '=', panelId)
      .executeTakeFirstOrThrow();
    const res = await postForm(admin, `/panels/${panelId}/agenda`, { action, revision: String(agendaRevision) });
    if (res.status !== 303) throw new Error(`${action} answered ${res.status}`);
  }
  return panelId;
}

/** An agency's research request for a case, as stored. */
export function researchRequestOf(ctx: TestContext, agencyId: number, referralId: number) {
  return ctx.db
    .selectFrom('researchRequests')
    .innerJoin('agendaItems', 'agendaItems.id', 'researchRequests.agendaItemId')
    .select([
      'researchRequests.id',
      'researchRequests.status',
      'researchRequests.summary',
      'researchRequests.version',
      'researchRequests.answeredLate',
      'researchRequests.agendaItemId',
    ])
    .where('researchRequests.agencyId', '=', agencyId)
    .where('agendaItems.referralId', '=', referralId)
    .executeTakeFirstOrThrow();
}
