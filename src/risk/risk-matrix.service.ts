import type { ServiceDeps } from '../service-deps';
import { recordAudit } from '../audit/audit';
import type { Actor } from '../http/context';
import { NotFoundError, StaleVersionError } from '../http/errors';
import * as repo from './risk-matrix.repository';
import type { MatrixInput } from './matrix-form';
import type { Matrix } from './scoring';

type Deps = Pick<ServiceDeps, 'db'>;

async function current({ db }: Deps): Promise<Matrix> {
  const version = await repo.currentVersion(db);
  return { ...version, questions: await repo.questionsOf(db, version.id) };
}

/** A version by id; falls back to the current one for an unknown id (a form from an old page). */
async function forForm(deps: Deps, id: number | null): Promise<Matrix> {
  const matrix = id ? await repo.loadMatrix(deps.db, id) : undefined;
  return matrix ?? current(deps);
}

async function version({ db }: Deps, id: number) {
  const found = await repo.findVersion(db, id);
  if (!found) throw new NotFoundError();
  return { ...found, questions: await repo.questionsOf(db, id) };
}

const UNIQUE_VIOLATION = '23505';

/**
 * Saves a new version made from version `basedOn`. Refused as stale if someone saved another
 * version since: the unique version number settles a race between two administrators.
 */
async function createVersion(
  { db }: Deps,
  input: MatrixInput,
  userId: number,
  actor: Actor,
): Promise<{ id: number; number: number }> {
  const latest = await repo.currentVersion(db);
  if (latest.number !== input.basedOn) throw new StaleVersionError();
  try {
    return await db.transaction().execute(async (trx) => {
      const number = input.basedOn + 1;
      const id = await repo.insertVersion(trx, {
        number,
        threshold: input.threshold,
        perpetratorThreshold: input.perpetratorThreshold,
        locationThreshold: input.locationThreshold,
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
      return { id, number };
    });
  } catch (err) {
    if ((err as { code?: string }).code === UNIQUE_VIOLATION) throw new StaleVersionError();
    throw err;
  }
}

/** The partnership's risk matrix. Versions are never changed: editing makes a new one. */
export function riskMatrixService(deps: Deps) {
  return {
    current: () => current(deps),
    forForm: (id: number | null) => forForm(deps, id),
    get: (id: number) => version(deps, id),
    versions: () => repo.listVersions(deps.db),
    createVersion: (input: MatrixInput, userId: number, actor: Actor) => createVersion(deps, input, userId, actor),
    /** Adds the next version in the caller's own transaction (the demo data, added whole or not at all). */
    addNextVersion: async (version: Omit<repo.NewVersion, 'number'>) =>
      repo.insertVersion(deps.db, { ...version, number: (await repo.currentVersion(deps.db)).number + 1 }),
  };
}

export type RiskMatrixService = ReturnType<typeof riskMatrixService>;
