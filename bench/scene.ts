import { sql } from 'kysely';
import type { Db } from '../src/db/database';
import type { Clock } from '../src/clock';
import { seedDemoData } from '../src/seed/seed';
import { SYNTHETIC_VENUE, seedSynthetic } from './synthetic';

/** The records the benchmarked pages show: the demo partnership's own, with the synthetic bulk around them. */
export interface Scene {
  chairEmail: string;
  builderPanelId: number;
  publishedPanelId: number;
  /** Panels whose meetings the benchmark starts: the register, the meeting item and the saves. */
  meetingPanelIds: number[];
  minutesPanelId: number;
  referralId: number;
  searchTerm: string;
}

/**
 * The demo data (every kind of panel a chair works on: one being built, one published, past ones
 * with approved minutes), then `cases` synthetic cases with years of older panels, agendas,
 * actions and audit rows around them. The pages measured are the demo's, so the same page is
 * compared at every size and only the volume around it grows.
 */
export async function seedScene(db: Db, clock: Clock, cases: number, baseUrl: string): Promise<Scene> {
  await seedDemoData(db, clock, 'demo-password', baseUrl);
  await seedSynthetic(db, clock, cases);
  // As autovacuum leaves a live database: statistics gathered, and the rows marked visible to all,
  // so that an index holding every column a query needs is read without the table. Then a
  // checkpoint, so that the pages are measured on a settled database, not while it is still writing
  // out what the seeding changed (each page first changed after a checkpoint is logged whole).
  await sql`vacuum (analyze)`.execute(db);
  await sql`checkpoint`.execute(db);

  const chairEmail = 'chair@example.org';
  const chair = await db.selectFrom('users').select('id').where('email', '=', chairEmail).executeTakeFirstOrThrow();
  const panelsOf = (status: 'scheduled' | 'agenda-published' | 'minutes-approved' | 'minutes-circulated') =>
    db
      .selectFrom('panels')
      .select('id')
      .where('chairUserId', '=', chair.id)
      .where('status', '=', status)
      .where('venue', '!=', SYNTHETIC_VENUE)
      .orderBy('startsAt')
      .execute();
  const [builder] = await panelsOf('scheduled');
  const published = await panelsOf('agenda-published');
  const approved = [...(await panelsOf('minutes-approved')), ...(await panelsOf('minutes-circulated'))];
  if (!builder || published.length < 2 || !approved.length)
    throw new Error('the demo data has not the panels the benchmark needs');
  // A meeting hears about 15 cases: the meeting panels' agendas are filled up with waiting cases of their district.
  const meetingPanelIds = published.slice(1).map((p) => p.id);
  await sql`
    with wanted as (
      select p.id as panel_id, p.district_id, 15 - count(ai.id) as missing, coalesce(max(ai.position), 0) as last
      from panels p left join agenda_items ai on ai.panel_id = p.id and ai.removed_at is null
      where p.id in (${sql.join(meetingPanelIds)}) group by p.id
    ), waiting as (
      select r.id, r.district_id, row_number() over (partition by r.district_id order by r.id) as n
      from referrals r
      where r.status = 'awaiting-panel' and r.officer_name = 'Synthetic officer'
        and not exists (select 1 from agenda_items ai where ai.referral_id = r.id)
    )
    insert into agenda_items (panel_id, position, kind, referral_id, minutes_allotted, involves_children, created_at)
    select w.panel_id, w.last + c.n, 'new', c.id, 10, false, ${clock.now()}
    from wanted w join waiting c on c.district_id = w.district_id and c.n <= w.missing`.execute(db);
  const onAgenda = await db
    .selectFrom('agendaItems')
    .innerJoin('referrals', 'referrals.id', 'agendaItems.referralId')
    .innerJoin('referralSubjects', 'referralSubjects.referralId', 'referrals.id')
    .select(['referrals.id', 'referralSubjects.fullName'])
    .where('agendaItems.panelId', '=', published[0].id)
    .where('agendaItems.removedAt', 'is', null)
    .where('referralSubjects.fullName', 'is not', null)
    .orderBy('agendaItems.position')
    .limit(1)
    .executeTakeFirstOrThrow();
  return {
    chairEmail,
    builderPanelId: builder.id,
    publishedPanelId: published[0].id,
    meetingPanelIds,
    minutesPanelId: approved[approved.length - 1].id,
    referralId: onAgenda.id,
    searchTerm: onAgenda.fullName!,
  };
}
