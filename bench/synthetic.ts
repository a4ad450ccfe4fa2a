import { sql } from 'kysely';
import type { Db } from '../src/db/database';
import type { Clock } from '../src/clock';
import { seedSyntheticReferrals } from './explain-referrals';

/** Marks the synthetic panels, so that the demo's own are told apart from them. */
export const SYNTHETIC_VENUE = 'Synthetic venue';

/**
 * Deterministic synthetic data in proportion to `cases`: referrals (with subjects), monthly panels
 * per district with 15-item agendas, actions on heard cases, and audit rows. Set-based SQL, so
 * 100,000 cases take seconds.
 */
export async function seedSynthetic(db: Db, clock: Clock, cases: number): Promise<void> {
  const now = clock.now();
  await seedSyntheticReferrals(db, cases);
  const chair = await db
    .selectFrom('users')
    .select('id')
    .where('email', '=', 'chair@example.org')
    .executeTakeFirstOrThrow();
  // One panel a month per district, as many months back as the cases need (15 cases a panel), all
  // older than the demo's panels (the last three months and the next two) and long circulated.
  const months = Math.max(3, Math.min(120, Math.ceil(cases / 15 / 7)));
  await sql`
    insert into panels (district_id, starts_at, ends_at, chair_user_id, research_closes_on, status, agenda_version, venue, created_at, updated_at)
    select d.id,
           date_trunc('month', ${now}::timestamptz) - ((m + 4) || ' months')::interval + interval '9 days 10 hours',
           date_trunc('month', ${now}::timestamptz) - ((m + 4) || ' months')::interval + interval '9 days 12 hours 30 minutes',
           ${chair.id},
           (date_trunc('month', ${now}::timestamptz) - ((m + 4) || ' months')::interval + interval '7 days')::date,
           'minutes-circulated',
           1,
           ${SYNTHETIC_VENUE}, ${now}::timestamptz, ${now}::timestamptz
    from districts d, generate_series(0, ${months - 1}) as m`.execute(db);
  await sql`
    insert into panel_invitations (panel_id, agency_id, reason, invited_at)
    select p.id, a.id, 'core', ${now}::timestamptz from panels p join agencies a on p.venue = ${SYNTHETIC_VENUE} and a.core_member and (a.district_id is null or a.district_id = p.district_id)`.execute(
    db,
  );
  // 15 cases of the panel's district on each agenda, each case on one panel only.
  await sql`
    with numbered as (
      select r.id as referral_id, r.district_id, r.risk_score,
             row_number() over (partition by r.district_id order by r.id) - 1 as n
      from referrals r where r.status in ('active', 'closed') and r.officer_name = 'Synthetic officer'
    ), panels_numbered as (
      select p.id as panel_id, p.district_id, row_number() over (partition by p.district_id order by p.starts_at desc) - 1 as k
      from panels p where p.venue = ${SYNTHETIC_VENUE}
    )
    insert into agenda_items (panel_id, position, kind, referral_id, minutes_allotted, involves_children, created_at)
    select pn.panel_id, (n % 15) + 1, case when n % 3 = 0 then 'review' else 'new' end, nb.referral_id, 15, n % 5 = 0, ${now}::timestamptz
    from numbered nb join panels_numbered pn on pn.district_id = nb.district_id and pn.k = nb.n / 15
    where nb.n < 15 * ${months}`.execute(db);
  // The published version of each agenda, as publishing would have frozen it.
  await sql`
    insert into agenda_versions (panel_id, version, published_at, items, changes)
    select p.id, 1, p.starts_at - interval '10 days',
           coalesce(jsonb_agg(jsonb_build_object('key', 'case:' || ai.referral_id, 'label', r.reference, 'kind', ai.kind, 'position', ai.position,
                                                 'startsAt', '10:00', 'minutes', ai.minutes_allotted, 'referralId', ai.referral_id,
                                                 'reference', r.reference, 'title', null, 'presentingAgency', null) order by ai.position)
                    filter (where ai.id is not null), '[]'::jsonb),
           '[]'::jsonb
    from panels p left join agenda_items ai on ai.panel_id = p.id left join referrals r on r.id = ai.referral_id
    where p.venue = ${SYNTHETIC_VENUE}
    group by p.id`.execute(db);
  await sql`
    insert into meeting_records (agenda_item_id, discussion, risk_level, decision, next_review_on, discussed, updated_at)
    select ai.id, 'Synthetic discussion of the case.', 'high', 'review', (p.starts_at + interval '1 month')::date, true, ${now}::timestamptz
    from agenda_items ai join panels p on p.id = ai.panel_id where p.venue = ${SYNTHETIC_VENUE}`.execute(db);
  await sql`
    insert into actions (referral_id, panel_id, agenda_item_id, description, owner_agency_id, due_on, priority, status, created_by, created_at)
    select ai.referral_id, ai.panel_id, ai.id, 'Synthetic action ' || k, pi.agency_id,
           (p.starts_at + interval '3 weeks')::date, 'medium',
           (array['open','in-progress','completed','completed','not-possible'])[1 + (ai.id + k) % 5],
           ${chair.id}, p.starts_at
    from agenda_items ai
    join panels p on p.id = ai.panel_id and p.venue = ${SYNTHETIC_VENUE}
    cross join generate_series(1, 3) as k
    join lateral (select agency_id from panel_invitations where panel_id = ai.panel_id order by agency_id offset (k * 3) % 8 limit 1) pi on true`.execute(
    db,
  );
  await sql`
    insert into audit_events (at, user_id, agency_id, action, outcome, entity_type, entity_id, ip)
    select ${now}::timestamptz - (g || ' minutes')::interval, ${chair.id}, 1, 'referral.view', 'success', 'referral', (1 + g % ${cases})::text, '127.0.0.1'
    from generate_series(1, ${cases * 2}) as g`.execute(db);
}
