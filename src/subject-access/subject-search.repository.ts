import { sql, type Expression, type SqlBool } from 'kysely';
import type { Db } from '../db/database';

/*
 * Everything the partnership holds that is about one person: the cases in which they are a
 * subject (every record of those cases), and every other record whose text mentions their name or
 * address. Subject access reads every feature's tables on purpose; it writes none of them.
 */

export interface Criteria {
  /** ILIKE patterns of the name and the address as typed. */
  patterns: string[];
  nameKey: string | null;
  dateOfBirth: string | null;
  addressPattern: string | null;
}

export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

const none = sql<SqlBool>`false`;
/** Any of the columns contains any of the patterns (case-insensitive). */
function mentions(columns: Expression<unknown>[], patterns: string[]): Expression<SqlBool> {
  const terms = columns.flatMap((c) => patterns.map((p) => sql<SqlBool>`${c} ilike ${p}`));
  return terms.length ? sql<SqlBool>`(${sql.join(terms, sql` or `)})` : none;
}

/** The subject rows that are this person: by name, date of birth or address, all that were given. */
export function matchingSubjects(db: Db, c: Criteria) {
  let q = db
    .selectFrom('referralSubjects')
    .innerJoin('referrals', 'referrals.id', 'referralSubjects.referralId')
    .select([
      'referralSubjects.id',
      'referralSubjects.referralId',
      'referralSubjects.kind',
      'referralSubjects.fullName',
      sql<string | null>`referral_subjects.date_of_birth::text`.as('dateOfBirth'),
      'referralSubjects.address',
      'referralSubjects.postcode',
      'referralSubjects.description',
      'referrals.reference',
      'referrals.status',
    ]);
  if (c.nameKey) q = q.where('referralSubjects.fullName', 'ilike', likePattern(c.nameKey));
  if (c.dateOfBirth) q = q.where(sql`referral_subjects.date_of_birth`, '=', c.dateOfBirth);
  if (c.addressPattern) {
    const p = c.addressPattern;
    q = q.where((eb) =>
      eb.or([eb('referralSubjects.address', 'ilike', p), eb('referralSubjects.postcode', 'ilike', p)]),
    );
  }
  return q.orderBy('referralSubjects.referralId').orderBy('referralSubjects.position').execute();
}

/** The other subjects of those cases: the third parties an export may redact. */
export async function otherPeopleOf(db: Db, referralIds: number[], subjectIds: number[]) {
  if (referralIds.length === 0) return [];
  const rows = await db
    .selectFrom('referralSubjects')
    .select('fullName')
    .where('referralId', 'in', referralIds)
    .where('id', 'not in', subjectIds.length ? subjectIds : [0])
    .execute();
  const officers = await db.selectFrom('referrals').select('officerName').where('id', 'in', referralIds).execute();
  return [...rows.map((r) => r.fullName), ...officers.map((o) => o.officerName)].filter((n): n is string => Boolean(n));
}

/** Everyone with an account (name and address), and everyone on a panel's register: what an export may redact. */
export async function staffNames(db: Db): Promise<string[]> {
  const users = await db.selectFrom('users').select(['name', 'email']).execute();
  const register = await db.selectFrom('registerEntries').select('personName').distinct().execute();
  return [...users.flatMap((u) => [u.name, u.email]), ...register.map((r) => r.personName)];
}

export function referralTexts(db: Db, ids: number[], patterns: string[]) {
  const cols = [
    'reason',
    'triedDetails',
    'judgementReasons',
    'screeningNote',
    'closedReason',
    'consentReason',
  ] as const;
  return db
    .selectFrom('referrals')
    .select(['id as referralId', 'reference', 'submittedAt', ...cols])
    .where((eb) =>
      eb.or([
        ids.length ? eb('id', 'in', ids) : none,
        mentions(
          cols.map((c) => eb.ref(c)),
          patterns,
        ),
      ]),
    )
    .orderBy('id')
    .execute();
}

export function incidents(db: Db, ids: number[], patterns: string[]) {
  return db
    .selectFrom('referralIncidents')
    .innerJoin('referrals', 'referrals.id', 'referralIncidents.referralId')
    .select([
      'referralIncidents.referralId',
      'referrals.reference',
      sql<string | null>`incident_date::text`.as('day'),
      'referralIncidents.type',
      'referralIncidents.summary',
    ])
    .where((eb) =>
      eb.or([
        ids.length ? eb('referralIncidents.referralId', 'in', ids) : none,
        mentions([eb.ref('referralIncidents.summary')], patterns),
      ]),
    )
    .where('referralIncidents.summary', 'is not', null)
    .orderBy('referralIncidents.referralId')
    .orderBy('referralIncidents.position')
    .execute();
}

export function caseNotes(db: Db, ids: number[], patterns: string[]) {
  return db
    .selectFrom('referralEvents')
    .innerJoin('referrals', 'referrals.id', 'referralEvents.referralId')
    .select([
      'referralEvents.referralId',
      'referrals.reference',
      'referralEvents.at',
      'referralEvents.kind',
      'referralEvents.note',
    ])
    .where('referralEvents.note', 'is not', null)
    .where((eb) =>
      eb.or([
        ids.length ? eb('referralEvents.referralId', 'in', ids) : none,
        mentions([eb.ref('referralEvents.note')], patterns),
      ]),
    )
    .orderBy('referralEvents.at')
    .execute();
}

/** Research answers, information shared and meeting records, by the agenda items of the panels that heard a case. */
export function panelRecords(db: Db, ids: number[], patterns: string[]) {
  const items = db
    .selectFrom('agendaItems')
    .innerJoin('panels', 'panels.id', 'agendaItems.panelId')
    .leftJoin('referrals', 'referrals.id', 'agendaItems.referralId')
    .leftJoin('meetingRecords', 'meetingRecords.agendaItemId', 'agendaItems.id');
  return items
    .select([
      'agendaItems.id as agendaItemId',
      'agendaItems.referralId',
      'referrals.reference',
      'panels.startsAt',
      'meetingRecords.discussion',
      'meetingRecords.decisionNote',
      'meetingRecords.deferredReason',
      (eb) =>
        eb
          .selectFrom('sharedInformation')
          .innerJoin('agencies', 'agencies.id', 'sharedInformation.agencyId')
          .select(
            sql<
              { agency: string; text: string }[]
            >`coalesce(json_agg(json_build_object('agency', agencies.short_name, 'text', shared_information.text)), '[]')`.as(
              'x',
            ),
          )
          .whereRef('sharedInformation.agendaItemId', '=', 'agendaItems.id')
          .as('shared'),
      (eb) =>
        eb
          .selectFrom('researchRequests')
          .innerJoin('agencies', 'agencies.id', 'researchRequests.agencyId')
          .select(
            sql<
              { agency: string; text: string }[]
            >`coalesce(json_agg(json_build_object('agency', agencies.short_name, 'text', research_requests.summary)) filter (where research_requests.summary is not null), '[]')`.as(
              'x',
            ),
          )
          .whereRef('researchRequests.agendaItemId', '=', 'agendaItems.id')
          .as('research'),
    ])
    .where((eb) =>
      eb.or([
        ids.length ? eb('agendaItems.referralId', 'in', ids) : none,
        mentions([eb.ref('meetingRecords.discussion'), eb.ref('meetingRecords.decisionNote')], patterns),
        eb.exists(
          eb
            .selectFrom('sharedInformation')
            .select('agendaItemId')
            .whereRef('sharedInformation.agendaItemId', '=', 'agendaItems.id')
            .where(mentions([sql.ref('shared_information.text')], patterns)),
        ),
        eb.exists(
          eb
            .selectFrom('researchRequests')
            .select('agendaItemId')
            .whereRef('researchRequests.agendaItemId', '=', 'agendaItems.id')
            .where(mentions([sql.ref('research_requests.summary')], patterns)),
        ),
      ]),
    )
    .orderBy('panels.startsAt')
    .execute();
}

export function actions(db: Db, ids: number[], patterns: string[]) {
  return db
    .selectFrom('actions')
    .innerJoin('referrals', 'referrals.id', 'actions.referralId')
    .innerJoin('agencies', 'agencies.id', 'actions.ownerAgencyId')
    .select([
      'actions.id',
      'actions.referralId',
      'referrals.reference',
      'actions.description',
      'actions.dueOn',
      'actions.status',
      'agencies.shortName as agency',
      (eb) =>
        eb
          .selectFrom('actionUpdates')
          .select(sql<string[]>`coalesce(array_agg(note order by at) filter (where note is not null), '{}')`.as('x'))
          .whereRef('actionUpdates.actionId', '=', 'actions.id')
          .as('notes'),
    ])
    .where((eb) =>
      eb.or([
        ids.length ? eb('actions.referralId', 'in', ids) : none,
        mentions([eb.ref('actions.description')], patterns),
      ]),
    )
    .orderBy('actions.id')
    .execute();
}

/** Checks on a young person asked of youth offending and children's services: by name, birth, address or case. */
export function youthChecks(db: Db, ids: number[], c: Criteria) {
  return db
    .selectFrom('youthChecks')
    .select([
      'youthChecks.id',
      'youthChecks.youngPersonName',
      sql<string | null>`youth_checks.date_of_birth::text`.as('dateOfBirth'),
      'youthChecks.address',
      'youthChecks.concern',
      'youthChecks.caseReference',
      'youthChecks.requestedAt',
      'youthChecks.status',
      'youthChecks.answerNote',
    ])
    .where((eb) =>
      eb.or([
        ids.length ? eb('youthChecks.referralId', 'in', ids) : none,
        mentions(
          [eb.ref('youthChecks.youngPersonName'), eb.ref('youthChecks.concern'), eb.ref('youthChecks.answerNote')],
          c.patterns,
        ),
        c.dateOfBirth ? eb(sql`youth_checks.date_of_birth`, '=', c.dateOfBirth) : none,
        c.addressPattern ? eb('youthChecks.address', 'ilike', c.addressPattern) : none,
      ]),
    )
    .orderBy('youthChecks.requestedAt')
    .execute();
}

/** Approved minutes, published agendas and e-mails whose stored text names the person or their cases. */
export async function documents(db: Db, references: string[], patterns: string[]) {
  const all = [...patterns, ...references.map(likePattern)];
  if (all.length === 0) return { minutes: [], agendas: [], mail: [] };
  const minutes = await db
    .selectFrom('minutesVersions')
    .innerJoin('panels', 'panels.id', 'minutesVersions.panelId')
    .select(['minutesVersions.panelId', 'minutesVersions.version', 'minutesVersions.content', 'panels.startsAt'])
    .where(mentions([sql<string>`minutes_versions.content::text`], all))
    .orderBy('minutesVersions.id')
    .execute();
  const agendas = await db
    .selectFrom('agendaVersions')
    .innerJoin('panels', 'panels.id', 'agendaVersions.panelId')
    .select(['agendaVersions.panelId', 'agendaVersions.version', 'agendaVersions.items', 'panels.startsAt'])
    .where(mentions([sql<string>`agenda_versions.items::text`, sql<string>`agenda_versions.changes::text`], all))
    .orderBy('agendaVersions.id')
    .execute();
  const mail = await db
    .selectFrom('outbox')
    .select(['id', 'kind', 'toAddress', 'subject', 'textBody', 'createdAt'])
    .where((eb) => mentions([eb.ref('textBody'), eb.ref('subject')], all))
    .orderBy('id')
    .execute();
  return { minutes, agendas, mail };
}

/** The person as someone who took part: a staff account, a panel's register, an attendance answer. */
export async function asParticipant(db: Db, patterns: string[]) {
  if (patterns.length === 0) return { users: [], register: [] };
  const users = await db
    .selectFrom('users')
    .innerJoin('agencies', 'agencies.id', 'users.agencyId')
    .select(['users.name', 'users.email', 'users.jobTitle', 'agencies.name as agency'])
    .where((eb) => mentions([eb.ref('users.name')], patterns))
    .execute();
  const register = await db
    .selectFrom('registerEntries')
    .innerJoin('panels', 'panels.id', 'registerEntries.panelId')
    .select(['registerEntries.personName', 'registerEntries.role', 'registerEntries.status', 'panels.startsAt'])
    .where((eb) => mentions([eb.ref('registerEntries.personName')], patterns))
    .orderBy('panels.startsAt')
    .execute();
  return { users, register };
}
