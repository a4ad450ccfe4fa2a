import { sql } from 'kysely';
import type { Db } from '../db/database';
import type { RegisterStatus } from '../db/schema';

/** The invited agencies with no entry (other than observers) on the panel's register. */
export function agenciesMissingFromRegister(db: Db, panelId: number) {
  return db
    .selectFrom('panelInvitations as pi')
    .innerJoin('agencies as a', 'a.id', 'pi.agencyId')
    .select(['a.id as agencyId', 'a.shortName'])
    .where('pi.panelId', '=', panelId)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('registerEntries as e')
            .select('e.id')
            .whereRef('e.panelId', '=', 'pi.panelId')
            .whereRef('e.agencyId', '=', 'pi.agencyId')
            .where('e.isObserver', '=', false),
        ),
      ),
    )
    .orderBy('a.shortName')
    .execute();
}

export function currentStatement(db: Db) {
  return db
    .selectFrom('confidentialityStatements')
    .selectAll()
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirstOrThrow();
}

/** A confidentiality statement by its id; undefined when there is none. */
export function statementById(db: Db, statementId: number) {
  return db
    .selectFrom('confidentialityStatements')
    .select(['id', 'version', 'text'])
    .where('id', '=', statementId)
    .executeTakeFirst();
}

/** The current statement's version, locked until the transaction ends. */
export function lockCurrentStatementVersion(trx: Db) {
  return trx
    .selectFrom('confidentialityStatements')
    .select(['version'])
    .orderBy('version', 'desc')
    .limit(1)
    .forUpdate()
    .executeTakeFirstOrThrow();
}

export function insertStatement(trx: Db, statement: { version: number; text: string; createdBy: number }) {
  return trx
    .insertInto('confidentialityStatements')
    .values(statement)
    .returning(['id', 'version'])
    .executeTakeFirstOrThrow();
}

/** The saved entries: agencies' people first, by agency, then observers. */
export function savedEntries(db: Db, panelId: number) {
  return db
    .selectFrom('registerEntries as e')
    .leftJoin('agencies as a', 'a.id', 'e.agencyId')
    .leftJoin('confidentialityStatements as s', 's.id', 'e.confidentialityStatementId')
    .select([
      'e.id',
      'e.version',
      'e.agencyId',
      'a.shortName',
      'e.personName',
      'e.role',
      'e.isObserver',
      'e.status',
      'e.arrivedAt',
      'e.leftAt',
      'e.confidentialityAgreed',
      's.version as statementVersion',
    ])
    .where('e.panelId', '=', panelId)
    .orderBy('e.isObserver')
    .orderBy('a.shortName')
    .orderBy('e.id')
    .execute();
}

/** Each invited agency with the answer it gave about who would come, signed in or by the e-mailed link. */
export function invitedWithAnswers(db: Db, panelId: number) {
  return db
    .selectFrom('panelInvitations as pi')
    .innerJoin('agencies as a', 'a.id', 'pi.agencyId')
    .leftJoin('attendanceResponses as r', (j) =>
      j.onRef('r.panelId', '=', 'pi.panelId').onRef('r.agencyId', '=', 'pi.agencyId'),
    )
    .select([
      'a.id as agencyId',
      'a.shortName',
      'r.answer',
      'r.attendees',
      'r.deputyName',
      'r.deputyRole',
      'r.mode',
      'r.informationInAdvance',
    ])
    .where('pi.panelId', '=', panelId)
    .orderBy('a.shortName')
    .execute();
}

export interface EntryFields {
  personName: string;
  role: string | null;
  status: RegisterStatus;
  arrivedAt: string | null;
  leftAt: string | null;
  recordedBy: number;
}

export interface Agreement {
  confidentialityAgreed?: boolean;
  confidentialityStatementId?: number | null;
  agreedAt?: Date | null;
}

export function insertEntry(
  trx: Db,
  entry: EntryFields & Agreement & { panelId: number; agencyId: number | null; isObserver?: boolean },
) {
  return trx.insertInto('registerEntries').values(entry).returning('id').executeTakeFirstOrThrow();
}

export function entryOfPanel(trx: Db, panelId: number, id: number) {
  return trx
    .selectFrom('registerEntries')
    .select(['version', 'confidentialityAgreed'])
    .where('id', '=', id)
    .where('panelId', '=', panelId)
    .executeTakeFirst();
}

export async function updateEntry(trx: Db, id: number, change: Partial<EntryFields> & Agreement) {
  await trx
    .updateTable('registerEntries')
    .set({ ...change, version: sql<number>`version + 1` })
    .where('id', '=', id)
    .execute();
}

/** The first entry of an agency's person, matched by name without regard to case. */
export function entryByName(db: Db, panelId: number, agencyId: number, personName: string) {
  return db
    .selectFrom('registerEntries as e')
    .leftJoin('confidentialityStatements as s', 's.id', 'e.confidentialityStatementId')
    .select(['e.id', 'e.status', 'e.confidentialityAgreed', 'e.agreedAt', 's.version as statementVersion'])
    .where('e.panelId', '=', panelId)
    .where('e.agencyId', '=', agencyId)
    .where(sql<boolean>`lower(e.person_name) = lower(${personName})`)
    .orderBy('e.id')
    .executeTakeFirst();
}
