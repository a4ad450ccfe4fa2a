import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../db/database';
import { ZONE as LONDON } from '../time';

/**
 * Every figure of the reports, counted by the database (GROUP BY): no query loads case rows. The
 * referral figures read the monthly tallies the database keeps as referrals change (migration
 * 0100), so their cost is that of the period's months and groups, however many referrals there are.
 */

/** A half-open span of London months [start, end), each the midnight starting a month, and, optionally, one district. */
export interface Span {
  start: Date;
  end: Date;
  districtId: number | null;
}

export interface Count {
  key: string;
  n: number;
}

const ZONE = sql.lit(LONDON);
const inDistrict = (column: string, districtId: number | null): RawBuilder<unknown> =>
  districtId === null ? sql`` : sql`and ${sql.ref(column)} = ${districtId}`;
/** A panel that took place: not cancelled and already started. */
const held = (now: Date) => sql`p.status <> 'cancelled' and p.starts_at < ${now}`;
/**
 * `ai.panel_id` is one of the panels held in the span: the panels are found first (a few a month,
 * by index), then just their items, by index, however many panels the years have held.
 */
const heldIn = (span: Span, now: Date) =>
  sql`ai.panel_id = any (array(select p.id from panels p where p.starts_at >= ${span.start} and p.starts_at < ${span.end} and ${held(now)} ${inDistrict('p.district_id', span.districtId)}))`;
/** Not deferred: a deferred item was not heard. */
const notDeferred = sql`not exists (select 1 from meeting_records m where m.agenda_item_id = ai.id and m.decision = 'deferred')`;

/** The tallies `t` of the span's months, and of its district when it has one. */
const tallied = (span: Span) =>
  sql`t.month >= (${span.start}::timestamptz at time zone ${ZONE})::date and t.month < (${span.end}::timestamptz at time zone ${ZONE})::date ${inDistrict('t.district_id', span.districtId)}`;

async function rows<T>(db: Db, query: RawBuilder<T>): Promise<T[]> {
  return (await query.execute(db)).rows;
}

export function referralsByMonth(db: Db, span: Span): Promise<{ month: string; n: number }[]> {
  return rows(
    db,
    sql<{ month: string; n: number }>`
      select to_char(t.month, 'YYYY-MM') as month, sum(t.n)::int as n
      from referral_tallies t
      where ${tallied(span)}
      group by 1 having sum(t.n) > 0 order by 1`,
  );
}

/** A referral with a victim and a perpetrator counts once under each. */
export function referralsBySubjectKind(db: Db, span: Span): Promise<Count[]> {
  return rows(
    db,
    sql<Count>`
      select t.subject_kind as key, sum(t.n)::int as n
      from referral_kind_tallies t
      where ${tallied(span)}
      group by 1 having sum(t.n) > 0`,
  );
}

export function referralsByDistrict(db: Db, span: Span): Promise<{ id: number; name: string; n: number }[]> {
  return rows(
    db,
    sql<{ id: number; name: string; n: number }>`
      select d.id, d.name, coalesce(sum(t.n), 0)::int as n
      from districts d
      left join referral_tallies t on t.district_id = d.id and ${tallied({ ...span, districtId: null })}
      where true ${inDistrict('d.id', span.districtId)}
      group by d.id, d.name order by d.name`,
  );
}

export function referralsByAgency(db: Db, span: Span): Promise<{ id: number; name: string; n: number }[]> {
  return rows(
    db,
    sql<{ id: number; name: string; n: number }>`
      select a.id, a.short_name as name, sum(t.n)::int as n
      from referral_agency_tallies t join agencies a on a.id = t.referring_agency_id
      where ${tallied(span)}
      group by a.id, a.short_name having sum(t.n) > 0 order by n desc, a.short_name`,
  );
}

export interface ScreeningCounts {
  submitted: number;
  accepted: number;
  rejected: number;
  waiting: number;
  assessedHigh: number;
}

export async function screeningCounts(db: Db, span: Span): Promise<ScreeningCounts> {
  const [row] = await rows(
    db,
    sql<{ submitted: number; accepted: number; rejected: number; waiting: number; assessed_high: number }>`
      select coalesce(sum(t.n), 0)::int as submitted,
        coalesce(sum(t.n) filter (where t.status in ('awaiting-panel', 'active', 'closed')), 0)::int as accepted,
        coalesce(sum(t.n) filter (where t.status = 'rejected'), 0)::int as rejected,
        coalesce(sum(t.n) filter (where t.status in ('submitted', 'more-information-requested')), 0)::int as waiting,
        coalesce(sum(t.n) filter (where t.risk_verdict = 'high'), 0)::int as assessed_high
      from referral_tallies t
      where ${tallied(span)}`,
  );
  const raw = row as unknown as Record<string, number>;
  return {
    submitted: raw.submitted,
    accepted: raw.accepted,
    rejected: raw.rejected,
    waiting: raw.waiting,
    assessedHigh: raw.assessedHigh ?? raw.assessed_high,
  };
}

/** Referrals in which a subject has each vulnerability (a referral counts once per vulnerability). */
export function vulnerabilities(db: Db, span: Span, limit: number): Promise<Count[]> {
  return rows(
    db,
    sql<Count>`
      select t.vulnerability as key, sum(t.n)::int as n
      from vulnerability_tallies t
      where ${tallied(span)}
      group by t.vulnerability having sum(t.n) > 0 order by n desc, key limit ${limit}`,
  );
}

/** Cases discussed at a panel held in the span (a deferred item was not heard). */
export async function casesHeard(db: Db, span: Span, now: Date): Promise<number> {
  const [row] = await rows(
    db,
    sql<{ n: number }>`
      select count(distinct ai.referral_id)::int as n
      from agenda_items ai
      where ai.referral_id is not null and ai.removed_at is null and ${notDeferred} and ${heldIn(span, now)}`,
  );
  return row.n;
}

/** Cases accepted and not closed, now (not bounded by the period). */
export async function casesOpen(db: Db, districtId: number | null): Promise<number> {
  const [row] = await rows(
    db,
    sql<{
      n: number;
    }>`select count(*)::int as n from referrals r where r.status in ('awaiting-panel', 'active') ${inDistrict('r.district_id', districtId)}`,
  );
  return row.n;
}

/** Cases closed in the span, by the reason recorded at the panel that closed them. */
export function closuresByReason(db: Db, span: Span): Promise<Count[]> {
  return rows(
    db,
    sql<Count>`
      select coalesce((
          select m.close_reason from meeting_records m
          join agenda_items ai on ai.id = m.agenda_item_id
          join panels p on p.id = ai.panel_id
          where ai.referral_id = r.id and m.decision = 'close' and m.close_reason is not null
          order by p.starts_at desc limit 1
        ), 'not-recorded') as key, count(*)::int as n
      from referrals r
      where r.status = 'closed' and r.closed_at >= ${span.start} and r.closed_at < ${span.end} ${inDistrict('r.district_id', span.districtId)}
      group by 1`,
  );
}

export function escalations(db: Db, span: Span, now: Date): Promise<Count[]> {
  return rows(
    db,
    sql<Count>`
      select coalesce(m.escalate_to, 'other') as key, count(distinct ai.referral_id)::int as n
      from meeting_records m
      join agenda_items ai on ai.id = m.agenda_item_id
      where m.decision = 'escalate' and ai.removed_at is null and ${heldIn(span, now)}
      group by 1`,
  );
}

export interface ActionCounts {
  id: number;
  name: string;
  set: number;
  onTime: number;
  late: number;
  overdue: number;
  open: number;
  notPossible: number;
  notDone: number;
}

/**
 * Actions set at panels in the span, by the agency that owns them. On time: completed on or before
 * the London calendar day it was due; overdue: still open after it.
 */
export async function actionsByAgency(db: Db, span: Span, today: string): Promise<ActionCounts[]> {
  const result = await rows(
    db,
    sql<Record<string, number | string>>`
      select ag.id, ag.short_name as name, count(*)::int as set_count,
        (count(*) filter (where a.status = 'completed' and coalesce((a.closed_at at time zone ${ZONE})::date <= a.due_on, true)))::int as on_time,
        (count(*) filter (where a.status = 'completed' and (a.closed_at at time zone ${ZONE})::date > a.due_on))::int as late,
        (count(*) filter (where a.status in ('open', 'in-progress') and a.due_on < ${today}::date))::int as overdue,
        (count(*) filter (where a.status in ('open', 'in-progress') and a.due_on >= ${today}::date))::int as still_open,
        (count(*) filter (where a.status = 'not-possible'))::int as not_possible,
        (count(*) filter (where a.status = 'not-done'))::int as not_done
      from actions a
      join panels p on p.id = a.panel_id
      join agencies ag on ag.id = a.owner_agency_id
      where a.created_at >= ${span.start} and a.created_at < ${span.end} ${inDistrict('p.district_id', span.districtId)}
      group by ag.id, ag.short_name order by ag.short_name`,
  );
  const pick = (r: Record<string, number | string>, snake: string, camel: string) => Number(r[camel] ?? r[snake]);
  return result.map((r) => ({
    id: Number(r.id),
    name: String(r.name),
    set: pick(r, 'set_count', 'setCount'),
    onTime: pick(r, 'on_time', 'onTime'),
    late: Number(r.late),
    overdue: Number(r.overdue),
    open: pick(r, 'still_open', 'stillOpen'),
    notPossible: pick(r, 'not_possible', 'notPossible'),
    notDone: pick(r, 'not_done', 'notDone'),
  }));
}

/** Per district: referrals since recentStart, and in the baseline [baselineStart, recentStart). */
export function trendCounts(
  db: Db,
  window: { baselineStart: Date; recentStart: Date; end: Date },
): Promise<{ districtId: number; kind: string; recent: number; baseline: number }[]> {
  const recentMonth = sql`(${window.recentStart}::timestamptz at time zone ${ZONE})::date`;
  const span = { start: window.baselineStart, end: window.end, districtId: null };
  const counts = (kind: RawBuilder<unknown>, from: RawBuilder<unknown>) => sql`
    select t.district_id as district, ${kind} as kind,
      coalesce(sum(t.n) filter (where t.month >= ${recentMonth}), 0)::int as recent,
      coalesce(sum(t.n) filter (where t.month < ${recentMonth}), 0)::int as baseline
    from ${from}
    where t.district_id is not null and ${tallied(span)}
    group by 1, 2`;
  return sql<{ district: number; kind: string; recent: number; baseline: number }>`
    ${counts(sql`'all'`, sql`referral_tallies t`)}
    union all
    ${counts(sql`t.subject_kind`, sql`referral_kind_tallies t`)}`
    .execute(db)
    .then((r) =>
      r.rows.map((row) => ({ districtId: row.district, kind: row.kind, recent: row.recent, baseline: row.baseline })),
    );
}

/** For the quarterly return: referrals by district and subject kind ('all' for every referral). */
export function referralsByDistrictAndKind(
  db: Db,
  span: Span,
): Promise<{ districtId: number; kind: string; n: number }[]> {
  return sql<{ district: number; kind: string; n: number }>`
    select t.district_id as district, 'all' as kind, sum(t.n)::int as n from referral_tallies t
    where t.district_id is not null and ${tallied({ ...span, districtId: null })} group by 1 having sum(t.n) > 0
    union all
    select t.district_id, t.subject_kind, sum(t.n)::int from referral_kind_tallies t
    where t.district_id is not null and ${tallied({ ...span, districtId: null })} group by 1, 2 having sum(t.n) > 0`
    .execute(db)
    .then((r) => r.rows.map((row) => ({ districtId: row.district, kind: row.kind, n: row.n })));
}

/** Referrals in the span linked as a repeat of an earlier case, by district. */
export function repeatReferralsByDistrict(db: Db, span: Span): Promise<{ districtId: number; n: number }[]> {
  return sql<{ district: number; n: number }>`
    select r.district_id as district, count(*)::int as n from referrals r
    where r.district_id is not null and r.submitted_at >= ${span.start} and r.submitted_at < ${span.end}
      and exists (select 1 from referral_links l where l.referral_id = r.id and l.kind = 'repeat')
    group by 1`
    .execute(db)
    .then((r) => r.rows.map((row) => ({ districtId: row.district, n: row.n })));
}

export function casesHeardByDistrict(db: Db, span: Span, now: Date): Promise<{ districtId: number; n: number }[]> {
  return sql<{ district: number; n: number }>`
    select p.district_id as district, count(distinct ai.referral_id)::int as n
    from agenda_items ai
    join panels p on p.id = ai.panel_id
    where ai.referral_id is not null and ai.removed_at is null and ${notDeferred} and ${heldIn({ ...span, districtId: null }, now)}
    group by 1`
    .execute(db)
    .then((r) => r.rows.map((row) => ({ districtId: row.district, n: row.n })));
}

/** Per agency: panels held in the span it was invited to, and those at which the register shows it present. */
export function attendanceByAgency(
  db: Db,
  span: Span,
  now: Date,
): Promise<{ id: number; name: string; fullName: string; invited: number; attended: number }[]> {
  return rows(
    db,
    sql<{ id: number; name: string; fullName: string; invited: number; attended: number }>`
      select ag.id, ag.short_name as name, ag.name as "fullName", count(*)::int as invited,
        (count(*) filter (where exists (
          select 1 from register_entries re
          where re.panel_id = pi.panel_id and re.agency_id = pi.agency_id and not re.is_observer
            and re.status in ('present', 'online', 'late', 'left-early'))))::int as attended
      from panel_invitations pi
      join panels p on p.id = pi.panel_id
      join agencies ag on ag.id = pi.agency_id
      where p.starts_at >= ${span.start} and p.starts_at < ${span.end} and ${held(now)}
      group by ag.id, ag.short_name, ag.name order by ag.short_name`,
  );
}

/** Per agency: actions due in [firstDay, lastDay] (London calendar days) and those completed by then. */
export function actionsDueByAgency(
  db: Db,
  firstDay: string,
  lastDay: string,
): Promise<{ id: number; name: string; fullName: string; due: number; onTime: number }[]> {
  return sql<{ id: number; name: string; fullName: string; due: number; on_time: number; onTime?: number }>`
    select ag.id, ag.short_name as name, ag.name as "fullName", count(*)::int as due,
      (count(*) filter (where a.status = 'completed' and coalesce((a.closed_at at time zone ${ZONE})::date <= a.due_on, true)))::int as on_time
    from actions a join agencies ag on ag.id = a.owner_agency_id
    where a.due_on >= ${firstDay}::date and a.due_on <= ${lastDay}::date
    group by ag.id, ag.short_name, ag.name order by ag.short_name`
    .execute(db)
    .then((r) =>
      r.rows.map((row) => ({
        id: row.id,
        name: row.name,
        fullName: row.fullName,
        due: row.due,
        onTime: row.onTime ?? row.on_time,
      })),
    );
}
