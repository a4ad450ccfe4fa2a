import type { ServiceDeps } from '../service-deps';
import { recordAudit } from '../audit/audit';
import type { Actor } from '../http/context';
import { NotFoundError } from '../http/errors';
import * as repo from './agencies.repository';
import type { AgencyChanges } from './agencies.repository';

export type SaveResult = { ok: true; id: number } | { ok: false; errors: Record<string, string> } | { ok: false; stale: true };

export function agenciesService({ db }: ServiceDeps) {
  async function fieldErrors(changes: AgencyChanges, exceptId?: number): Promise<Record<string, string>> {
    const errors: Record<string, string> = {};
    const clash = await repo.clashes(db, changes.name, changes.shortName, exceptId);
    if (clash.name) errors.name = 'An agency with this name already exists';
    if (clash.shortName) errors.shortName = 'An agency with this short name already exists';
    if (changes.districtId !== null) {
      const district = await db.selectFrom('districts').select('id').where('id', '=', changes.districtId).executeTakeFirst();
      if (!district) errors.districtId = 'Select a district from the list';
    }
    if (changes.spocUserId !== null) {
      const spoc = await db
        .selectFrom('users')
        .select('id')
        .where('id', '=', changes.spocUserId)
        .where('agencyId', '=', exceptId ?? -1)
        .where('active', '=', true)
        .executeTakeFirst();
      if (!spoc) errors.spocUserId = 'Select an active user of this agency as its single point of contact';
    }
    return errors;
  }

  return {
    list: () => repo.listWithSpoc(db),
    districts: () => repo.listDistricts(db),

    async get(id: number) {
      const agency = await repo.findById(db, id);
      if (!agency) throw new NotFoundError();
      return agency;
    },

    async create(changes: AgencyChanges, actor: Actor): Promise<SaveResult> {
      const errors = await fieldErrors({ ...changes, spocUserId: null });
      if (Object.keys(errors).length) return { ok: false, errors };
      const id = await db.transaction().execute(async (trx) => {
        const newId = await repo.insert(trx, { ...changes, spocUserId: null });
        await recordAudit(trx, actor, { action: 'agency.create', entityType: 'agency', entityId: newId });
        return newId;
      });
      return { ok: true, id };
    },

    async update(id: number, version: number, changes: AgencyChanges, actor: Actor): Promise<SaveResult> {
      const current = await repo.findById(db, id);
      if (!current) throw new NotFoundError();
      const errors = await fieldErrors(changes, id);
      if (Object.keys(errors).length) return { ok: false, errors };
      return db.transaction().execute(async (trx) => {
        if (!(await repo.update(trx, id, version, changes))) return { ok: false as const, stale: true as const };
        const changed = (Object.keys(changes) as (keyof AgencyChanges)[]).filter(
          (k) => String(changes[k]) !== String(current[k]),
        );
        await recordAudit(trx, actor, { action: 'agency.update', entityType: 'agency', entityId: id, details: { changed } });
        return { ok: true as const, id };
      });
    },
  };
}

export type AgenciesService = ReturnType<typeof agenciesService>;
