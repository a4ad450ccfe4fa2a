import type { ServiceDeps } from '../service-deps';
import { recordAudit } from '../audit/audit';
import type { Actor } from '../http/context';
import { districts } from '../directory/directory.repository';
import { parsePeriod } from '../insight/period';
import { checkCountsTable, countChecks } from '../insight/youth-check-counts';
import { today } from '../time';
import * as repo from './youth-checks.repository';

/** Checks by district and month over the chosen months (the dashboard's period filter); audited. */
export async function checkReport(
  { db, clock }: Pick<ServiceDeps, 'db' | 'clock'>,
  actor: Actor,
  query: Record<string, unknown>,
  exported = false,
) {
  const districtRows = await districts(db);
  const parsed = parsePeriod(
    query,
    clock.now(),
    districtRows.map((d) => d.id),
  );
  const districtItems = districtRows.map((d) => ({ value: d.id, text: d.name }));
  if (!parsed.ok) return { ok: false as const, values: parsed.values, errors: parsed.errors, districtItems };
  const { period } = parsed;
  const rows = await repo.forReport(db, period.start, period.end);
  const district = districtRows.find((d) => d.id === period.districtId);
  const counted = countChecks(
    rows.filter((r) => !district || r.districtName === district.name),
    today(clock),
  );
  await recordAudit(db, actor, {
    action: exported ? 'report.export' : 'report.view',
    entityType: 'report',
    entityId: 'youth-checks',
    details: { from: period.fromMonth, to: period.toMonth, districtId: period.districtId },
  });
  return { ok: true as const, values: parsed.values, table: checkCountsTable(counted), districtItems };
}
