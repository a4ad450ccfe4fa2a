/**
 * Shows that the referral list and search read indexes, not the whole table, at 100,000 referrals.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/explain-referrals.ts [count]
 *
 * Creates a throwaway database beside the one named, migrates it, fills it with synthetic
 * referrals, prints the plan of each list and search query and fails if any reads the referrals
 * table sequentially. The test referrals-explain.test.ts runs the same checks in CI.
 */
import { randomBytes } from 'node:crypto';
import { CompiledQuery, sql } from 'kysely';
import pg from 'pg';
import type { Db } from '../src/db/database';
import { kyselyOver } from '../src/db/database';
import { systemClock } from '../src/clock';
import { stampedBy } from '../src/db/clock-timestamps';
import { migrateToLatest } from '../src/db/migrate';
import { seedFoundation } from '../src/seed/demo-foundation';
import type { CurrentUser } from '../src/http/context';
import { visibleReferrals } from '../src/referrals/case-access';
import { countQuery, listQuery } from '../src/referrals/referral-list.repository';
import type { ListFilters, Sort } from '../src/referrals/referral-list-query';
import { COUNT_CAP } from '../src/referrals/referrals.service';

const FIRST = [
  'Ada',
  'Bryn',
  'Cara',
  'Dale',
  'Edie',
  'Finn',
  'Gwen',
  'Hal',
  'Isla',
  'Jude',
  'Kit',
  'Lena',
  'Moss',
  'Nell',
  'Owen',
  'Pia',
  'Quin',
  'Rory',
  'Sian',
  'Tate',
];
const LAST = [
  'Ashby',
  'Brumby',
  'Cawthorne',
  'Dunholme',
  'Elsham',
  'Fotherby',
  'Gedney',
  'Hagworthingham',
  'Ingoldmells',
  'Keelby',
  'Legbourne',
  'Mavis',
  'Nettleham',
  'Orby',
  'Pinchbeck',
  'Quadring',
  'Revesby',
  'Saxilby',
  'Tetney',
  'Uffington',
];

/**
 * Adds `count` referrals with one subject each, spread over statuses, districts, agencies, verdicts
 * and three years, in a few set-based statements (seconds, not minutes), then refreshes statistics.
 */
export async function seedSyntheticReferrals(db: Db, count: number): Promise<void> {
  const creator = await db.selectFrom('users').select('id').orderBy('id').limit(1).executeTakeFirstOrThrow();
  const matrix = await db
    .selectFrom('riskMatrixVersions')
    .select('id')
    .orderBy('number', 'desc')
    .limit(1)
    .executeTakeFirstOrThrow();
  // Tallied once at the end, as a bulk load is (migration 0100), not row by row.
  await sql`alter table referrals disable trigger referrals_tally`.execute(db);
  const first = sql.raw(`array[${FIRST.map((n) => `'${n}'`).join(',')}]`);
  const last = sql.raw(`array[${LAST.map((n) => `'${n}'`).join(',')}]`);
  await sql`
    with agencies as (select array_agg(id order by id) as ids from agencies),
         districts as (select array_agg(id order by id) as ids from districts),
         made as (
           select g,
                  (${first})[1 + (g * 7) % ${FIRST.length}] || ' ' || (${last})[1 + (g * 13) % ${LAST.length}] || (g % 997)::text as full_name,
                  ((g * 31) % 300 + 1)::text || ' ' || (${last})[1 + (g * 3) % ${LAST.length}] || ' Road' as address,
                  'LN' || (1 + g % 9)::text || ' ' || (g % 10)::text || 'AB' as postcode,
                  ${systemClock.now()}::timestamptz - ((g::bigint * 7919) % (3 * 365 * 24 * 60)) * interval '1 minute' as submitted_at,
                  -- The open workload (to screen, waiting, active) is that of the first 1,000; past them
                  -- the years add closed cases, as a partnership's history does.
                  case when g <= 1000
                       then (array['submitted','more-information-requested','rejected','awaiting-panel','active','active','closed','closed','closed','draft'])[1 + g % 10]
                       else (array['closed','closed','rejected','closed','closed','closed','closed','closed','closed','draft'])[1 + g % 10] end as status
           from generate_series(1, ${count}) as g
         )
    insert into referrals (reference, status, district_id, referring_agency_id, created_by, submitted_by, officer_name, officer_email,
                           reason, risk_matrix_version_id, risk_score, risk_verdict, criteria, subject_kinds, search_text,
                           submitted_at, last_submitted_at, created_at, updated_at)
    select case when status = 'draft' then null else 'ASB-' || extract(year from submitted_at)::int || '-' || lpad(g::text, greatest(6, length(g::text)), '0') end,
           status,
           d.ids[1 + g % array_length(d.ids, 1)],
           a.ids[1 + (g * 5) % array_length(a.ids, 1)],
           ${creator.id}, ${creator.id}, 'Synthetic officer', 'officer@example.org', 'Synthetic referral for measuring plans',
           ${matrix.id},
           (g * 17) % 40,
           case when (g * 17) % 40 >= 18 then 'high' else 'standard' end,
           case when (g * 17) % 40 >= 18 then array['score'] else '{}'::text[] end,
           case g % 4 when 0 then array['victim','perpetrator'] when 1 then array['victim'] when 2 then array['location','perpetrator'] else array['perpetrator'] end,
           lower(coalesce('ASB-' || extract(year from submitted_at)::int || '-' || lpad(g::text, greatest(6, length(g::text)), '0'), '') || ' ' || full_name || ' ' || address || ' ' || postcode || ' ' || replace(postcode, ' ', '')),
           case when status = 'draft' then null else submitted_at end,
           case when status = 'draft' then null else submitted_at end,
           submitted_at, submitted_at
    from made, agencies a, districts d
  `.execute(db);
  await sql`
    insert into referral_subjects (referral_id, position, kind, full_name, address, postcode)
    select r.id, 1, r.subject_kinds[1], initcap(split_part(r.search_text, ' ', 2)) || ' ' || initcap(split_part(r.search_text, ' ', 3)), 'Synthetic address', 'LN1 1AA'
    from referrals r
    where not exists (select 1 from referral_subjects s where s.referral_id = r.id)
  `.execute(db);
  await sql`alter table referrals enable trigger referrals_tally`.execute(db);
  await sql`select recount_report_tallies()`.execute(db);
  await sql`analyze referrals`.execute(db);
  await sql`analyze referral_subjects`.execute(db);
}

export interface PlanReport {
  name: string;
  plan: string;
  usesIndex: boolean;
  scansTable: boolean;
}

/** A user of `role` in agency `agencyId`, as the list's need-to-know rule sees them. */
export const person = (role: CurrentUser['role'], agencyId: number): CurrentUser => ({
  id: 1,
  name: 'Synthetic user',
  email: 'synthetic@example.org',
  role,
  agencyId,
  agencyName: 'Synthetic agency',
  agencyShortName: 'Synthetic',
  spocForAgencyId: null,
});

/** The plans of the list and search queries exactly as the application builds them. */
export async function explainReferralQueries(db: Db): Promise<PlanReport[]> {
  const district = await db.selectFrom('districts').select('id').orderBy('id').limit(1).executeTakeFirstOrThrow();
  const agency = await db
    .selectFrom('referrals')
    .select('referringAgencyId')
    .groupBy('referringAgencyId')
    .orderBy(sql`count(*)`)
    .limit(1)
    .executeTakeFirstOrThrow();
  const rare = await db
    .selectFrom('referralSubjects')
    .select('fullName')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirstOrThrow();
  const admin = person('administrator', 1);
  const representative = person('representative', agency.referringAgencyId);
  const none: ListFilters = { words: [] };
  const cases: {
    name: string;
    user: CurrentUser;
    filters: ListFilters;
    sort: Sort;
    count?: boolean;
    offset?: number;
  }[] = [
    { name: 'list, newest first (administrator)', user: admin, filters: none, sort: 'submitted-desc' },
    {
      name: 'count for an administrator, nothing filtered',
      user: admin,
      filters: none,
      sort: 'submitted-desc',
      count: true,
    },
    { name: 'list, page 40 (administrator)', user: admin, filters: none, sort: 'submitted-desc', offset: 39 * 25 },
    {
      name: "list of one agency's referrals (representative)",
      user: representative,
      filters: none,
      sort: 'submitted-desc',
    },
    { name: 'count for a representative', user: representative, filters: none, sort: 'submitted-desc', count: true },
    {
      name: 'screening queue: status submitted, oldest first',
      user: admin,
      filters: { ...none, status: 'submitted' },
      sort: 'submitted-asc',
    },
    {
      name: 'count of the screening queue',
      user: admin,
      filters: { ...none, status: 'submitted' },
      sort: 'submitted-desc',
      count: true,
    },
    { name: 'filter by district', user: admin, filters: { ...none, districtId: district.id }, sort: 'submitted-desc' },
    {
      name: 'filter by subject type',
      user: admin,
      filters: { ...none, subjectKind: 'location' },
      sort: 'submitted-desc',
    },
    { name: 'filter by verdict, sorted by score', user: admin, filters: { ...none, verdict: 'high' }, sort: 'score' },
    {
      name: 'filter by submission dates',
      user: admin,
      filters: { ...none, submittedFrom: new Date(Date.now() - 30 * 86400_000), submittedBefore: new Date() },
      sort: 'submitted-desc',
    },
    {
      name: 'search for a name',
      user: admin,
      filters: { words: (rare.fullName ?? 'x').toLowerCase().split(' ') },
      sort: 'submitted-desc',
    },
    {
      name: 'count of a name search',
      user: admin,
      filters: { words: (rare.fullName ?? 'x').toLowerCase().split(' ') },
      sort: 'submitted-desc',
      count: true,
    },
    { name: 'search for a reference', user: admin, filters: { words: ['000042'] }, sort: 'submitted-desc' },
    {
      name: 'search for a postcode by a representative',
      user: representative,
      filters: { words: ['ln3 3ab'] },
      sort: 'reference',
    },
  ];
  const reports: PlanReport[] = [];
  for (const c of cases) {
    const visible = visibleReferrals(c.user);
    const query = c.count
      ? countQuery(db, visible, c.filters, COUNT_CAP)
      : listQuery(db, visible, c.filters, c.sort, 25, c.offset ?? 0);
    const compiled = query.compile();
    const result = await db.executeQuery<{ 'QUERY PLAN': string }>(
      CompiledQuery.raw(`explain ${compiled.sql}`, [...compiled.parameters]),
    );
    const plan = result.rows.map((r) => r['QUERY PLAN']).join('\n');
    reports.push({
      name: c.name,
      plan,
      usesIndex: /Index (Only )?Scan|Bitmap Index Scan/.test(plan),
      scansTable: /Seq Scan on referrals\b/.test(plan),
    });
  }
  return reports;
}

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (!url) {
    console.error(
      'Set DATABASE_URL (or TEST_DATABASE_URL) to a PostgreSQL server; a throwaway database is made beside it.',
    );
    process.exit(2);
  }
  const count = Number(process.argv[2] ?? 100_000);
  const name = `asbrac_explain_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create database "${name}"`);
  const target = new URL(url);
  target.pathname = `/${name}`;
  const db = stampedBy(kyselyOver(new pg.Pool({ connectionString: target.toString(), max: 2 })), systemClock);
  let failed = false;
  try {
    await migrateToLatest(db);
    await seedFoundation(db, 'synthetic-password');
    const started = Date.now();
    await seedSyntheticReferrals(db, count);
    console.log(`${count} referrals made in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    for (const report of await explainReferralQueries(db)) {
      const ok = report.usesIndex && !report.scansTable;
      failed ||= !ok;
      console.log(`${ok ? 'INDEX' : 'SCAN!'}  ${report.name}\n${report.plan.replace(/^/gm, '       ')}\n`);
    }
  } finally {
    await db.destroy();
    await admin.query(`drop database if exists "${name}" with (force)`);
    await admin.end();
  }
  if (failed) {
    console.error('At least one query reads the referrals table sequentially.');
    process.exit(1);
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
