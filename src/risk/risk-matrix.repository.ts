import { sql } from 'kysely';
import type { Db } from '../db/database';
import type { Matrix, NewQuestion } from './scoring';

const versionColumns = [
  'riskMatrixVersions.id',
  'riskMatrixVersions.number',
  'riskMatrixVersions.threshold',
  'riskMatrixVersions.perpetratorThreshold',
  'riskMatrixVersions.locationThreshold',
  'riskMatrixVersions.escalationIncidents',
  'riskMatrixVersions.escalationMonths',
  'riskMatrixVersions.repeatMonths',
  'riskMatrixVersions.changeNote',
  'riskMatrixVersions.createdAt',
] as const;

export function currentVersion(db: Db) {
  return db
    .selectFrom('riskMatrixVersions')
    .select(versionColumns)
    .orderBy('number', 'desc')
    .limit(1)
    .executeTakeFirstOrThrow();
}

export function findVersion(db: Db, id: number) {
  return db.selectFrom('riskMatrixVersions').select(versionColumns).where('id', '=', id).executeTakeFirst();
}

export function questionsOf(db: Db, versionId: number) {
  return db
    .selectFrom('riskQuestions')
    .select(['id', 'position', 'code', 'subjectKind', 'text', 'hint', 'options'])
    .where('matrixVersionId', '=', versionId)
    .orderBy('position')
    .execute();
}

/** Every version, newest first, with who made it and how many referrals were scored with it. */
export function listVersions(db: Db) {
  return db
    .selectFrom('riskMatrixVersions')
    .leftJoin('users', 'users.id', 'riskMatrixVersions.createdBy')
    .select([
      ...versionColumns,
      'users.name as createdByName',
      (eb) =>
        eb
          .selectFrom('referrals')
          .select(sql<string>`count(*)`.as('n'))
          .whereRef('referrals.riskMatrixVersionId', '=', 'riskMatrixVersions.id')
          .where('referrals.status', '!=', 'draft')
          .as('referralCount'),
    ])
    .orderBy('number', 'desc')
    .execute();
}

export async function loadMatrix(db: Db, versionId: number): Promise<Matrix | undefined> {
  const version = await findVersion(db, versionId);
  if (!version) return undefined;
  const questions = await questionsOf(db, version.id);
  return { ...version, questions };
}

export interface NewVersion {
  number: number;
  threshold: number;
  perpetratorThreshold: number;
  locationThreshold: number;
  escalationIncidents: number;
  escalationMonths: number;
  repeatMonths: number;
  changeNote: string;
  createdBy: number | null;
  questions: NewQuestion[];
}

export async function insertVersion(db: Db, version: NewVersion): Promise<number> {
  const { questions, ...fields } = version;
  const row = await db.insertInto('riskMatrixVersions').values(fields).returning('id').executeTakeFirstOrThrow();
  await db
    .insertInto('riskQuestions')
    .values(
      questions.map((q, i) => ({
        matrixVersionId: row.id,
        position: i + 1,
        code: q.code,
        subjectKind: q.subjectKind,
        text: q.text,
        hint: q.hint,
        options: JSON.stringify(q.options),
      })),
    )
    .execute();
  return row.id;
}
