import type { ServiceDeps } from '../service-deps';
import { recordAudit } from '../audit/audit';
import type { Actor } from '../http/context';
import { NotFoundError } from '../http/errors';
import * as repo from './risk-matrix.repository';
import type { MatrixInput } from './matrix-form';
import type { Matrix } from './scoring';

export type NewVersionResult = { ok: true; id: number; number: number } | { ok: false; stale: true };

/** The partnership's risk matrix. Versions are never changed: editing makes a new one. */
export function riskMatrixService({ db }: Pick<ServiceDeps, 'db'>) {
  return {
    async current(): Promise<Matrix> {
      const version = await repo.currentVersion(db);
      return { ...version, questions: await repo.questionsOf(db, version.id) };
    },

    /** A version by id; falls back to the current one for an unknown id (a form from an old page). */
    async forForm(id: number | null): Promise<Matrix> {
      const matrix = id ? await repo.loadMatrix(db, id) : undefined;
      return matrix ?? this.current();
    },

    async get(id: number) {
      const version = await repo.findVersion(db, id);
      if (!version) throw new NotFoundError();
      return { ...version, questions: await repo.questionsOf(db, id) };
    },

    versions: () => repo.listVersions(db),

    /**
     * Saves a new version made from version `basedOn`. Refused as stale if someone saved another
     * version since: the unique version number settles a race between two administrators.
     */
    async createVersion(input: MatrixInput, userId: number, actor: Actor): Promise<NewVersionResult> {
      const current = await repo.currentVersion(db);
      if (current.number !== input.basedOn) return { ok: false, stale: true };
      try {
        return await db.transaction().execute(async (trx) => {
          const number = input.basedOn + 1;
          const id = await repo.insertVersion(trx, {
            number,
            threshold: input.threshold,
            escalationIncidents: input.escalationIncidents,
            escalationMonths: input.escalationMonths,
            repeatMonths: input.repeatMonths,
            changeNote: input.changeNote,
            createdBy: userId,
            questions: input.questions,
          });
          await recordAudit(trx, actor, {
            action: 'risk-matrix.create-version',
            entityType: 'risk-matrix-version',
            entityId: id,
            details: { number, threshold: input.threshold, questions: input.questions.length },
          });
          return { ok: true as const, id, number };
        });
      } catch (err) {
        if ((err as { code?: string }).code === '23505') return { ok: false, stale: true };
        throw err;
      }
    },
  };
}

export type RiskMatrixService = ReturnType<typeof riskMatrixService>;
