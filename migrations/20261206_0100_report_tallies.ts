import { Kysely, sql } from 'kysely';

// The reports count referrals by month, district, agency, status, verdict, subject kind and
// vulnerability. Counted from the referrals themselves, a year's figures cost as much as the year
// has referrals. These tallies hold those counts per London month and are kept by the database
// as referrals and their subjects change, so a period costs what its months and groups cost,
// however many referrals the partnership has taken. Only counts: no tally holds personal data.
// Frozen: migrations never import application code.

const MONTH = (row: string) => `(date_trunc('month', ${row}submitted_at at time zone 'Europe/London'))::date`;

/**
 * One tally per figure, each by London month and district and its own few columns, so that each
 * holds at most months × districts × its own values. `each` counts a referral once per element of
 * that array column, the element going in the tally's one column.
 */
const TALLIES: { table: string; columns: [name: string, type: string][]; each?: string }[] = [
  {
    table: 'referral_tallies',
    columns: [
      ['status', 'text'],
      ['risk_verdict', 'text'],
    ],
  },
  { table: 'referral_agency_tallies', columns: [['referring_agency_id', 'integer']] },
  { table: 'referral_kind_tallies', columns: [['subject_kind', 'text']], each: 'subject_kinds' },
  { table: 'vulnerability_tallies', columns: [['vulnerability', 'text']], each: 'subject_vulnerabilities' },
];

const names = (t: (typeof TALLIES)[number]) => t.columns.map(([name]) => name);
/** The tally's own values of row `row` ('old.', 'new.' or '' for the table itself). */
const values = (t: (typeof TALLIES)[number], row: string) => (t.each ? ['v'] : names(t).map((c) => row + c));
const from = (t: (typeof TALLIES)[number], row: string) => (t.each ? ` from unnest(${row}${t.each}) as v` : '');

const decrement = (t: (typeof TALLIES)[number]) => `
        update ${t.table} t set n = t.n - 1
        where t.month = ${MONTH('old.')} and t.district_id is not distinct from old.district_id and ${
          t.each
            ? `t.${names(t)[0]} = any (old.${t.each})`
            : names(t)
                .map((c) => `t.${c} = old.${c}`)
                .join(' and ')
        };`;
const increment = (t: (typeof TALLIES)[number]) => `
        insert into ${t.table} (month, district_id, ${names(t).join(', ')}, n)
        select ${MONTH('new.')}, new.district_id, ${values(t, 'new.').join(', ')}, 1${from(t, 'new.')}
        on conflict on constraint ${t.table}_key do update set n = ${t.table}.n + 1;`;
const counted = (t: (typeof TALLIES)[number]) => `
       insert into ${t.table} (month, district_id, ${names(t).join(', ')}, n)
       select ${MONTH('')}, district_id, ${values(t, '').join(', ')}, count(*)
       from referrals${t.each ? ` cross join lateral unnest(${t.each}) as v` : ''}
       where submitted_at is not null group by ${[1, 2, ...names(t).map((_, i) => i + 3)].join(', ')}`;
const WATCHED = [
  'submitted_at',
  'district_id',
  'referring_agency_id',
  'status',
  'risk_verdict',
  'subject_kinds',
  'subject_vulnerabilities',
];

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are typed against no schema on purpose
export async function up(db: Kysely<any>): Promise<void> {
  // Every vulnerability any subject of the referral has, once each, in order: kept by the trigger
  // on referral_subjects, so that the referrals trigger alone keeps every tally.
  await sql`alter table referrals add column subject_vulnerabilities text[] not null default '{}'`.execute(db);
  for (const t of TALLIES) {
    await sql
      .raw(
        `create table ${t.table} (
          month date not null,
          district_id integer,
          ${t.columns.map(([name, type]) => `${name} ${type} not null,`).join('\n')}
          n integer not null,
          constraint ${t.table}_key unique nulls not distinct (month, district_id, ${names(t).join(', ')})
        )`,
      )
      .execute(db);
  }

  await sql
    .raw(
      `
    create function tally_referral() returns trigger language plpgsql as $$
    begin
      if tg_op = 'UPDATE' and ${WATCHED.map((c) => `old.${c} is not distinct from new.${c}`).join(' and ')} then
        return null;
      end if;
      if tg_op in ('UPDATE', 'DELETE') and old.submitted_at is not null then
        ${TALLIES.map(decrement).join('')}
      end if;
      if tg_op in ('INSERT', 'UPDATE') and new.submitted_at is not null then
        ${TALLIES.map(increment).join('')}
      end if;
      return null;
    end $$`,
    )
    .execute(db);
  await sql`
    create trigger referrals_tally after insert or update or delete on referrals
    for each row execute function tally_referral()`.execute(db);

  // Statement-level, with the changed rows as transition tables: a statement that writes several
  // subjects of one referral sets that referral's vulnerabilities once, from all of them.
  const vulnerabilitiesOf = `coalesce((select array_agg(distinct v order by v) from referral_subjects s
      cross join lateral unnest(s.vulnerabilities) as v where s.referral_id = r.id), '{}')`;
  const refresh = (changed: string) => `
      update referrals r set subject_vulnerabilities = ${vulnerabilitiesOf}
      where r.id in (${changed}) and r.subject_vulnerabilities is distinct from ${vulnerabilitiesOf};`;
  await sql
    .raw(
      `
    create function refresh_subject_vulnerabilities() returns trigger language plpgsql as $$
    begin
      if tg_op = 'INSERT' then
        ${refresh('select referral_id from new_subjects')}
      elsif tg_op = 'DELETE' then
        ${refresh('select referral_id from old_subjects')}
      else
        ${refresh('select referral_id from new_subjects union select referral_id from old_subjects')}
      end if;
      return null;
    end $$`,
    )
    .execute(db);
  await sql`create trigger referral_subjects_added after insert on referral_subjects
    referencing new table as new_subjects for each statement execute function refresh_subject_vulnerabilities()`.execute(
    db,
  );
  await sql`create trigger referral_subjects_removed after delete on referral_subjects
    referencing old table as old_subjects for each statement execute function refresh_subject_vulnerabilities()`.execute(
    db,
  );
  await sql`create trigger referral_subjects_changed after update on referral_subjects
    referencing old table as old_subjects new table as new_subjects for each statement execute function refresh_subject_vulnerabilities()`.execute(
    db,
  );

  // The other figures of a period read just its rows: the cases closed in it, the actions set in it.
  await sql`create index referrals_closed_idx on referrals (closed_at) where status = 'closed'`.execute(db);
  await sql`create index actions_created_idx on actions (created_at)`.execute(db);

  // Counts every tally again from the referrals: for the records already held, and after a bulk
  // load made with the referrals trigger disabled (row by row, one statement adding many thousands
  // of referrals would update the same few tally rows many thousands of times).
  await sql
    .raw(
      `
    create function recount_report_tallies() returns void language plpgsql as $$
    begin
      update referrals r set subject_vulnerabilities = ${vulnerabilitiesOf}
      where r.subject_vulnerabilities is distinct from ${vulnerabilitiesOf};
      ${TALLIES.map((t) => `delete from ${t.table};${counted(t)};`).join('\n')}
    end $$`,
    )
    .execute(db);
  await sql.raw(`alter table referrals disable trigger referrals_tally`).execute(db);
  await sql`select recount_report_tallies()`.execute(db);
  await sql.raw(`alter table referrals enable trigger referrals_tally`).execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index actions_created_idx`.execute(db);
  await sql`drop index referrals_closed_idx`.execute(db);
  await sql`drop trigger referral_subjects_added on referral_subjects`.execute(db);
  await sql`drop trigger referral_subjects_removed on referral_subjects`.execute(db);
  await sql`drop trigger referral_subjects_changed on referral_subjects`.execute(db);
  await sql`drop function refresh_subject_vulnerabilities`.execute(db);
  await sql`drop function recount_report_tallies`.execute(db);
  await sql`drop trigger referrals_tally on referrals`.execute(db);
  await sql`drop function tally_referral`.execute(db);
  for (const t of TALLIES) await sql.raw(`drop table ${t.table}`).execute(db);
  await sql`alter table referrals drop column subject_vulnerabilities`.execute(db);
}
