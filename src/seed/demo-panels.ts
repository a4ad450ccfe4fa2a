import { DEMO_MAIL } from './demo-foundation';
import { ZONE, londonDateTime } from '../time';
import { DateTime } from 'luxon';
import type { Db } from '../db/database';
import { SettableClock, type Clock } from '../clock';
import type { Actor, CurrentUser } from '../http/context';
import { agendaService } from '../agendas/agenda.service';
import { casesInvolvingChildren } from '../agendas/agenda.service';
import { monthlyDates } from '../panels/series';

import { defaultResearchClosingDate } from '../panels/working-days';
import { agendaChanges, timeSlots, type SnapshotItem } from '../agendas/proposal';

export interface SeededPanels {
  /** Per district id: the three past panels (oldest first) and the next two (nearest first). */
  byDistrict: Map<number, { past: number[]; next: number[] }>;
}

/**
 * The district's meeting day in the month `offset` months from now, 'YYYY-MM-DD'. Each district has
 * its own weekday of the second week (then of the third), so no chair sits at two panels at once.
 */
function meetingDay(now: DateTime, offset: number, districtIndex: number): string {
  return monthlyDates({
    weekday: 1 + (districtIndex % 5),
    nth: 2 + Math.floor(districtIndex / 5),
    firstMonth: now.plus({ months: offset }).toFormat('yyyy-MM'),
    months: 1,
  })[0];
}

/**
 * Panels for every district: one in each of the last three months (held and concluded, their
 * agendas listing the district's active cases) and the next two months (the nearer one with a
 * published agenda and research partly answered). Run after the referrals.
 */
export async function seedPanels(db: Db, today: Clock, baseUrl = 'http://localhost:3000'): Promise<SeededPanels> {
  const now = DateTime.fromJSDate(today.now()).setZone(ZONE);
  const byDistrict = new Map<number, { past: number[]; next: number[] }>();
  const districts = await db.selectFrom('districts').select(['id', 'name']).orderBy('id').execute();
  const chairs = await db.selectFrom('users').select(['id', 'email']).where('role', '=', 'chair').execute();
  const admin = await db
    .selectFrom('users')
    .innerJoin('agencies', 'agencies.id', 'users.agencyId')
    .select([
      'users.id',
      'users.name',
      'users.email',
      'users.role',
      'users.agencyId',
      'agencies.name as agencyName',
      'agencies.shortName as agencyShortName',
    ])
    .where('users.email', '=', 'admin@example.org')
    .executeTakeFirstOrThrow();
  const adminUser: CurrentUser = { ...admin, spocForAgencyId: null };
  const actor: Actor = { userId: admin.id, agencyId: admin.agencyId, ip: null, requestId: 'demo-seed' };

  for (const [districtIndex, district] of districts.entries()) {
    const chairId =
      (district.name === 'East Lindsey' ? chairs.find((c) => c.email === 'chair.east@example.org') : undefined)?.id ??
      chairs.find((c) => c.email === 'chair@example.org')?.id ??
      chairs[0].id;
    const core = (
      await db
        .selectFrom('agencies')
        .select('id')
        .where('active', '=', true)
        .where('coreMember', '=', true)
        .where((eb) => eb.or([eb('districtId', 'is', null), eb('districtId', '=', district.id)]))
        .execute()
    ).map((a) => a.id);
    const active = await db
      .selectFrom('referrals')
      .select(['id', 'referringAgencyId'])
      .where('districtId', '=', district.id)
      .where('status', '=', 'active')
      .orderBy('riskScore', 'desc')
      .execute();
    const awaiting = await db
      .selectFrom('referrals')
      .select(['id', 'referringAgencyId'])
      .where('districtId', '=', district.id)
      .where('status', '=', 'awaiting-panel')
      .orderBy('riskScore', 'desc')
      .execute();
    // Part of the awaiting cases were heard last month, so the past panels are not empty where a district has no active case.
    const heard = active.length ? active : awaiting.slice(0, 1);
    const past: number[] = [];
    const next: number[] = [];

    const makePanel = async (date: string, status: 'concluded' | 'scheduled') => {
      const startsAt = londonDateTime(date, '10:00');
      const row = await db
        .insertInto('panels')
        .values({
          districtId: district.id,
          startsAt,
          endsAt: londonDateTime(date, '12:30'),
          venue: `${district.name} council offices, committee room 2`,
          chairUserId: chairId,
          researchClosesOn: defaultResearchClosingDate(date),
          status,
          concludedAt: status === 'concluded' ? londonDateTime(date, '12:30') : null,
          createdBy: admin.id,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const referrers = status === 'concluded' ? heard.map((h) => h.referringAgencyId) : [];
      const invited = [...new Set([...core, ...referrers])];
      await db
        .insertInto('panelInvitations')
        .values(
          invited.map((agencyId) => ({
            panelId: row.id,
            agencyId,
            reason: core.includes(agencyId) ? ('core' as const) : ('referrer' as const),
            invitedAt: startsAt,
          })),
        )
        .execute();
      return { id: row.id, startsAt, endsAt: londonDateTime(date, '12:30') };
    };

    for (const offset of [-3, -2, -1]) {
      const date = meetingDay(now, offset, districtIndex);
      const panel = await makePanel(date, 'concluded');
      const children = await casesInvolvingChildren(
        db,
        heard.map((h) => h.id),
        date,
      );
      const caseItems = heard.map((h, n) => ({
        referralId: h.id,
        kind: offset === -3 ? ('new' as const) : ('review' as const),
        position: n + 1,
        minutes: offset === -3 ? 15 : 10,
      }));
      for (const i of caseItems) {
        await db
          .insertInto('agendaItems')
          .values({
            panelId: panel.id,
            position: i.position,
            kind: i.kind,
            referralId: i.referralId,
            minutesAllotted: i.minutes,
            involvesChildren: children.has(i.referralId),
            createdAt: panel.startsAt,
          })
          .execute();
      }
      const references = await db
        .selectFrom('referrals')
        .select(['id', 'reference'])
        .where('id', 'in', heard.length ? heard.map((h) => h.id) : [0])
        .execute();
      const refOf = new Map(references.map((r) => [r.id, r.reference]));
      const { slots } = timeSlots(
        panel,
        caseItems.map((i) => ({ minutesAllotted: i.minutes })),
      );
      const snapshot: SnapshotItem[] = caseItems.map((i, n) => ({
        key: `case:${i.referralId}`,
        label: refOf.get(i.referralId) ?? `Item ${n + 1}`,
        kind: i.kind,
        position: n + 1,
        startsAt: DateTime.fromJSDate(slots[n].startsAt).setZone(ZONE).toFormat('HH:mm'),
        minutes: i.minutes,
        referralId: i.referralId,
        reference: refOf.get(i.referralId) ?? null,
        title: null,
        presentingAgency: null,
      }));
      if (snapshot.length) {
        const publishedAt = DateTime.fromISO(defaultResearchClosingDate(date), { zone: ZONE })
          .minus({ days: 5 })
          .set({ hour: 9 })
          .toJSDate();
        await db
          .insertInto('agendaVersions')
          .values({
            panelId: panel.id,
            version: 1,
            publishedAt,
            publishedBy: admin.id,
            changes: JSON.stringify(agendaChanges([], [])),
            items: JSON.stringify(snapshot),
          })
          .execute();
        await db
          .updateTable('panels')
          .set({ agendaVersion: 1, agendaRevision: 1 })
          .where('id', '=', panel.id)
          .execute();
        if (offset === -3) {
          await db
            .insertInto('referralEvents')
            .values(
              heard.map((h) => ({
                referralId: h.id,
                at: publishedAt,
                userId: admin.id,
                agencyId: admin.agencyId,
                kind: 'listed',
                note: null,
                details: JSON.stringify({ panelId: panel.id, version: 1 }),
              })),
            )
            .execute();
        }
      }
      past.push(panel.id);
    }
    if (heard.length)
      await db
        .updateTable('referrals')
        .set({ status: 'active' })
        .where(
          'id',
          'in',
          heard.map((h) => h.id),
        )
        .execute();

    // The next panel: its agenda built and published through the builder, as a chair would.
    const thisMonth = meetingDay(now, 0, districtIndex);
    const skip = thisMonth < (now.toISODate() as string) ? 1 : 0;
    const nearDate = meetingDay(now, skip, districtIndex);
    const near = await makePanel(nearDate, 'scheduled');
    const clock = new SettableClock(
      DateTime.fromISO(defaultResearchClosingDate(nearDate), { zone: ZONE })
        .minus({ days: 7 })
        .set({ hour: 9 })
        .toJSDate(),
    );
    const agendas = agendaService({ db, clock, links: { baseUrl }, mail: DEMO_MAIL });
    const stillAwaiting = awaiting.filter((a) => !heard.some((h) => h.id === a.id));
    let position = 1;
    const children = await casesInvolvingChildren(
      db,
      [...heard, ...stillAwaiting].map((c) => c.id),
      nearDate,
    );
    for (const h of heard)
      await db
        .insertInto('agendaItems')
        .values({
          panelId: near.id,
          position: position++,
          kind: 'review',
          referralId: h.id,
          minutesAllotted: 10,
          involvesChildren: children.has(h.id),
          createdAt: clock.now(),
        })
        .execute();
    for (const a of [...stillAwaiting].sort((x, y) => Number(children.has(y.id)) - Number(children.has(x.id)))) {
      await db
        .insertInto('agendaItems')
        .values({
          panelId: near.id,
          position: position++,
          kind: 'new',
          referralId: a.id,
          minutesAllotted: 15,
          involvesChildren: children.has(a.id),
          createdAt: clock.now(),
        })
        .execute();
    }
    await db
      .insertInto('agendaItems')
      .values({
        panelId: near.id,
        position: position++,
        kind: 'other-business',
        title: 'Date and venue of the next meeting',
        minutesAllotted: 5,
        addedManually: true,
        createdAt: clock.now(),
      })
      .execute();
    const revision = (
      await db.selectFrom('panels').select('agendaRevision').where('id', '=', near.id).executeTakeFirstOrThrow()
    ).agendaRevision;
    await agendas.change(adminUser, actor, near.id, revision, { kind: 'publish' });
    // Research partly answered: the police and the district council have answered every other case.
    const requests = await db
      .selectFrom('researchRequests')
      .innerJoin('agencies', 'agencies.id', 'researchRequests.agencyId')
      .select([
        'researchRequests.id',
        'researchRequests.agencyId',
        'agencies.type',
        (eb) =>
          eb
            .selectFrom('users')
            .select('users.id')
            .whereRef('users.agencyId', '=', 'agencies.id')
            .where('users.role', '=', 'representative')
            .orderBy('users.id')
            .limit(1)
            .as('answeredBy'),
      ])
      .where('panelId', '=', near.id)
      .orderBy('researchRequests.id')
      .execute();
    let n = 0;
    for (const r of requests.filter((q) => q.type === 'police' || q.type === 'council')) {
      n += 1;
      if (n % 2 === 0) continue;
      const held = n % 4 === 1;
      await db
        .updateTable('researchRequests')
        .set({
          status: held ? 'information-held' : 'nothing-held',
          summary: held ? 'Known to us: two calls about noise in the last month; a warning letter was sent.' : null,
          answeredAt: clock.now(),
          answeredBy: r.answeredBy,
          version: 2,
        })
        .where('id', '=', r.id)
        .execute();
    }
    next.push(near.id);

    const later = await makePanel(meetingDay(now, skip + 1, districtIndex), 'scheduled');
    next.push(later.id);
    byDistrict.set(district.id, { past, next });
  }
  return { byDistrict };
}
