import type { ServiceDeps } from '../service-deps';
import { sql } from 'kysely';
import type { Db } from '../db/database';
import type { RegisterStatus } from '../db/schema';
import type { Actor, CurrentUser } from '../http/context';
import { HttpError, NotFoundError, StaleVersionError } from '../http/errors';
import { recordAudit } from '../audit/audit';

export const REGISTER_STATUSES: readonly RegisterStatus[] = ['present', 'online', 'late', 'left-early', 'absent', 'apologies'];

export const REGISTER_STATUS_NAMES: Record<RegisterStatus, string> = {
  present: 'Present',
  online: 'Present online',
  late: 'Late',
  'left-early': 'Left early',
  absent: 'Absent',
  apologies: 'Apologies',
};

/** Statuses of someone who was in the meeting for at least part of it, and so agrees to confidentiality. */
export const PRESENT_STATUSES: readonly RegisterStatus[] = ['present', 'online', 'late', 'left-early'];

export class RegisterClosedError extends HttpError {
  constructor() {
    super(409, 'The register can be taken only while the panel is in progress');
  }
}

/**
 * The invited agencies with no register entry yet (an empty list: the register is complete).
 * The meeting asks this before the panel is concluded.
 */
export async function registerCompleteness(db: Db, panelId: number): Promise<{ agencyId: number; shortName: string }[]> {
  return db
    .selectFrom('panelInvitations as pi')
    .innerJoin('agencies as a', 'a.id', 'pi.agencyId')
    .select(['a.id as agencyId', 'a.shortName'])
    .where('pi.panelId', '=', panelId)
    .where((eb) =>
      eb.not(
        eb.exists(eb.selectFrom('registerEntries as e').select('e.id').whereRef('e.panelId', '=', 'pi.panelId').whereRef('e.agencyId', '=', 'pi.agencyId').where('e.isObserver', '=', false)),
      ),
    )
    .orderBy('a.shortName')
    .execute();
}

export async function currentConfidentialityStatement(db: Db) {
  return db.selectFrom('confidentialityStatements').selectAll().orderBy('version', 'desc').limit(1).executeTakeFirstOrThrow();
}

/** One line of the register as the page shows it: a saved entry, or a proposed one not yet saved. */
export interface RegisterLine {
  id: number | null;
  version: number | null;
  agencyId: number | null;
  agencyName: string;
  personName: string;
  role: string | null;
  isObserver: boolean;
  status: RegisterStatus | null;
  arrivedAt: string | null;
  leftAt: string | null;
  confidentialityAgreed: boolean;
  statementVersion: number | null;
  /** Where a proposed line came from: the agency's answer, or no answer at all. */
  source: 'saved' | 'expected' | 'not-recorded';
}

export interface RegisterRowInput {
  id: number | null;
  version: number | null;
  agencyId: number | null;
  personName: string;
  role: string | null;
  status: RegisterStatus;
  arrivedAt: string | null;
  leftAt: string | null;
  agreed: boolean;
}

export function registerService({ db, clock }: ServiceDeps) {
  async function panelOrThrow(panelId: number) {
    const panel = await db
      .selectFrom('panels')
      .innerJoin('districts', 'districts.id', 'panels.districtId')
      .select(['panels.id', 'panels.status', 'panels.startsAt', 'panels.endsAt', 'districts.name as districtName'])
      .where('panels.id', '=', panelId)
      .executeTakeFirst();
    if (!panel) throw new NotFoundError();
    return panel;
  }

  /**
   * The register: saved entries first, then one proposed line per person an agency said would come
   * and one "not yet recorded" line per invited agency with neither an entry nor an answer.
   */
  async function lines(panelId: number): Promise<RegisterLine[]> {
    const saved = await db
      .selectFrom('registerEntries as e')
      .leftJoin('agencies as a', 'a.id', 'e.agencyId')
      .leftJoin('confidentialityStatements as s', 's.id', 'e.confidentialityStatementId')
      .select(['e.id', 'e.version', 'e.agencyId', 'a.shortName', 'e.personName', 'e.role', 'e.isObserver', 'e.status', 'e.arrivedAt', 'e.leftAt', 'e.confidentialityAgreed', 's.version as statementVersion'])
      .where('e.panelId', '=', panelId)
      .orderBy('e.isObserver')
      .orderBy('a.shortName')
      .orderBy('e.id')
      .execute();
    const invited = await db
      .selectFrom('panelInvitations as pi')
      .innerJoin('agencies as a', 'a.id', 'pi.agencyId')
      .leftJoin('attendanceResponses as r', (j) => j.onRef('r.panelId', '=', 'pi.panelId').onRef('r.agencyId', '=', 'pi.agencyId'))
      .select(['a.id as agencyId', 'a.shortName', 'r.answer', 'r.attendees', 'r.deputyName', 'r.deputyRole', 'r.mode'])
      .where('pi.panelId', '=', panelId)
      .orderBy('a.shortName')
      .execute();
    const result: RegisterLine[] = saved.map((e) => ({
      id: e.id,
      version: e.version,
      agencyId: e.agencyId,
      agencyName: e.isObserver ? 'Observer' : (e.shortName ?? ''),
      personName: e.personName,
      role: e.role,
      isObserver: e.isObserver,
      status: e.status,
      arrivedAt: e.arrivedAt,
      leftAt: e.leftAt,
      confidentialityAgreed: e.confidentialityAgreed,
      statementVersion: e.statementVersion,
      source: 'saved',
    }));
    const savedNames = new Set(saved.map((e) => `${e.agencyId}:${e.personName.toLowerCase()}`));
    const agenciesWithEntries = new Set(saved.map((e) => e.agencyId));
    for (const a of invited) {
      const proposed = {
        id: null,
        version: null,
        agencyId: a.agencyId,
        agencyName: a.shortName,
        isObserver: false,
        arrivedAt: null,
        leftAt: null,
        confidentialityAgreed: false,
        statementVersion: null,
      };
      const people =
        a.answer === 'attending' ? (a.attendees ?? []).map((p) => ({ name: p.name, role: p.role ?? null })) : a.answer === 'deputy' && a.deputyName ? [{ name: a.deputyName, role: a.deputyRole }] : [];
      const expectedStatus: RegisterStatus | null = a.mode === 'online' ? 'online' : null;
      const missing = people.filter((p) => !savedNames.has(`${a.agencyId}:${p.name.toLowerCase()}`));
      for (const p of missing) result.push({ ...proposed, personName: p.name, role: p.role, status: expectedStatus, source: 'expected' });
      if (people.length === 0 && !agenciesWithEntries.has(a.agencyId)) {
        result.push({ ...proposed, personName: '', role: null, status: a.answer === 'apologies' ? 'apologies' : null, source: 'not-recorded' });
      }
    }
    return result;
  }

  return {
    panelOrThrow,
    lines,
    statement: () => currentConfidentialityStatement(db),
    completeness: (panelId: number) => registerCompleteness(db, panelId),

    /** Saves the register's lines in one go; a line changed by someone else meanwhile refuses the whole save. */
    async save(user: CurrentUser, actor: Actor, panelId: number, rows: RegisterRowInput[]) {
      await db.transaction().execute(async (trx) => {
        const panel = await trx.selectFrom('panels').select(['status']).where('id', '=', panelId).forUpdate().executeTakeFirst();
        if (!panel) throw new NotFoundError();
        if (panel.status !== 'in-progress') throw new RegisterClosedError();
        const statement = await currentConfidentialityStatement(trx);
        const invited = new Set((await trx.selectFrom('panelInvitations').select('agencyId').where('panelId', '=', panelId).execute()).map((r) => r.agencyId));
        const now = clock.now();
        let created = 0;
        let updated = 0;
        for (const row of rows) {
          if (row.agencyId !== null && !invited.has(row.agencyId)) throw new NotFoundError();
          const agreed = row.agreed && PRESENT_STATUSES.includes(row.status);
          const fields = {
            personName: row.personName,
            role: row.role,
            status: row.status,
            arrivedAt: row.status === 'late' ? row.arrivedAt : null,
            leftAt: row.status === 'left-early' ? row.leftAt : null,
            recordedBy: user.id,
          };
          if (row.id === null) {
            if (row.agencyId === null) throw new NotFoundError();
            await trx
              .insertInto('registerEntries')
              .values({ panelId, agencyId: row.agencyId, ...fields, confidentialityAgreed: agreed, confidentialityStatementId: agreed ? statement.id : null, agreedAt: agreed ? now : null })
              .execute();
            created += 1;
            continue;
          }
          const existing = await trx.selectFrom('registerEntries').select(['version', 'confidentialityAgreed']).where('id', '=', row.id).where('panelId', '=', panelId).executeTakeFirst();
          if (!existing) throw new NotFoundError();
          if (existing.version !== row.version) throw new StaleVersionError('Someone else changed the register while you were filling it in. Your changes are kept below: check the other changes and save again.');
          // An agreement already given keeps the version it was given to; a new one takes today's statement.
          const agreement = agreed
            ? existing.confidentialityAgreed
              ? {}
              : { confidentialityAgreed: true, confidentialityStatementId: statement.id, agreedAt: now }
            : { confidentialityAgreed: false, confidentialityStatementId: null, agreedAt: null };
          await trx
            .updateTable('registerEntries')
            .set({ ...fields, ...agreement, version: sql<number>`version + 1` })
            .where('id', '=', row.id)
            .execute();
          updated += 1;
        }
        await recordAudit(trx, actor, { action: 'register.save', entityType: 'panel', entityId: panelId, details: { created, updated, statementVersion: statement.version } });
      });
    },

    async addObserver(user: CurrentUser, actor: Actor, panelId: number, observer: { personName: string; role: string | null; agreed: boolean }) {
      await db.transaction().execute(async (trx) => {
        const panel = await trx.selectFrom('panels').select(['status']).where('id', '=', panelId).forUpdate().executeTakeFirst();
        if (!panel) throw new NotFoundError();
        if (panel.status !== 'in-progress') throw new RegisterClosedError();
        const statement = await currentConfidentialityStatement(trx);
        const now = clock.now();
        const row = await trx
          .insertInto('registerEntries')
          .values({
            panelId,
            agencyId: null,
            personName: observer.personName,
            role: observer.role,
            isObserver: true,
            status: 'present',
            confidentialityAgreed: observer.agreed,
            confidentialityStatementId: observer.agreed ? statement.id : null,
            agreedAt: observer.agreed ? now : null,
            recordedBy: user.id,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        await recordAudit(trx, actor, { action: 'register.observer', entityType: 'panel', entityId: panelId, details: { entryId: row.id } });
      });
    },

    /** The entry a signed-in attendee has on the register, matched by agency and name. */
    async ownEntry(user: CurrentUser, panelId: number) {
      return db
        .selectFrom('registerEntries as e')
        .leftJoin('confidentialityStatements as s', 's.id', 'e.confidentialityStatementId')
        .select(['e.id', 'e.status', 'e.confidentialityAgreed', 'e.agreedAt', 's.version as statementVersion'])
        .where('e.panelId', '=', panelId)
        .where('e.agencyId', '=', user.agencyId)
        .where(sql<boolean>`lower(e.person_name) = lower(${user.name})`)
        .orderBy('e.id')
        .executeTakeFirst();
    },

    /**
     * An attendee signs themselves in to the meeting and agrees to the current statement: their line
     * on the register is created, or marked present and agreed if the chair had already put them on it.
     */
    async selfAgree(user: CurrentUser, actor: Actor, panelId: number, status: 'present' | 'online') {
      await db.transaction().execute(async (trx) => {
        const panel = await trx.selectFrom('panels').select(['status']).where('id', '=', panelId).forUpdate().executeTakeFirst();
        if (!panel) throw new NotFoundError();
        if (panel.status !== 'in-progress') throw new RegisterClosedError();
        const invited = await trx.selectFrom('panelInvitations').select('agencyId').where('panelId', '=', panelId).where('agencyId', '=', user.agencyId).executeTakeFirst();
        if (!invited) throw new NotFoundError();
        const statement = await currentConfidentialityStatement(trx);
        const now = clock.now();
        const existing = await trx
          .selectFrom('registerEntries')
          .select(['id', 'status', 'confidentialityAgreed'])
          .where('panelId', '=', panelId)
          .where('agencyId', '=', user.agencyId)
          .where(sql<boolean>`lower(person_name) = lower(${user.name})`)
          .orderBy('id')
          .executeTakeFirst();
        if (existing) {
          await trx
            .updateTable('registerEntries')
            .set({
              ...(PRESENT_STATUSES.includes(existing.status) ? {} : { status }),
              ...(existing.confidentialityAgreed ? {} : { confidentialityAgreed: true, confidentialityStatementId: statement.id, agreedAt: now }),
              version: sql<number>`version + 1`,
            })
            .where('id', '=', existing.id)
            .execute();
        } else {
          await trx
            .insertInto('registerEntries')
            .values({ panelId, agencyId: user.agencyId, personName: user.name, status, confidentialityAgreed: true, confidentialityStatementId: statement.id, agreedAt: now, recordedBy: user.id })
            .execute();
        }
        await recordAudit(trx, actor, { action: 'register.self', entityType: 'panel', entityId: panelId, details: { agencyId: user.agencyId, status, statementVersion: statement.version } });
      });
    },

    /** A new version of the confidentiality statement; entries keep the version they agreed to. */
    async newStatement(user: CurrentUser, actor: Actor, text: string, basedOnVersion: number) {
      return db.transaction().execute(async (trx) => {
        const current = await trx.selectFrom('confidentialityStatements').select(['version']).orderBy('version', 'desc').limit(1).forUpdate().executeTakeFirstOrThrow();
        if (current.version !== basedOnVersion) throw new StaleVersionError('Someone else changed the statement while you were editing it. Your text is kept below: check theirs and save again.');
        const row = await trx
          .insertInto('confidentialityStatements')
          .values({ version: current.version + 1, text, createdBy: user.id })
          .returning(['id', 'version'])
          .executeTakeFirstOrThrow();
        await recordAudit(trx, actor, { action: 'confidentiality.change', entityType: 'confidentiality-statement', entityId: row.id, details: { version: row.version } });
        return row;
      });
    },
  };
}

export type RegisterService = ReturnType<typeof registerService>;
