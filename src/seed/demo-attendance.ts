import type { Db } from '../db/database';
import type { AttendanceAnswer, RegisterStatus } from '../db/schema';

/** A repeatable pseudo-random number in [0, 1) from a panel and an agency, so the demo is the same each time. */
function chance(panelId: number, agencyId: number, salt: number): number {
  let h = Math.imul(panelId, 73856093) ^ Math.imul(agencyId, 19349663) ^ Math.imul(salt, 83492791);
  h = Math.imul(h ^ (h >>> 16), 0x45d9f3b);
  h = Math.imul(h ^ (h >>> 16), 0x45d9f3b);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

const FIRST = ['Alex', 'Sam', 'Jo', 'Chris', 'Pat', 'Robin', 'Lee', 'Kim', 'Ash', 'Jess'];
const LAST = ['Bell', 'Carter', 'Dunn', 'Ellis', 'Frost', 'Gray', 'Hale', 'Irwin', 'Jones', 'Kerr'];
const inventedName = (panelId: number, agencyId: number, n: number) =>
  `${FIRST[(panelId + agencyId + n) % FIRST.length]} ${LAST[(panelId * 3 + agencyId + n) % LAST.length]}`;

/** Agencies the partnership knows attend least: mental health and adult social care. */
const PATCHY = ['mental-health', 'adult-social-care'];

/**
 * Answers and registers for whatever panels exist: concluded panels get full registers with
 * confidentiality agreed, the next panel partial answers. LPFT and adult care miss more often,
 * so the attendance report has something to show. Panels that already have answers are left alone.
 */
export async function seedAttendance(db: Db): Promise<void> {
  const statement = await db
    .selectFrom('confidentialityStatements')
    .select(['id'])
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirstOrThrow();
  const panels = await db
    .selectFrom('panels')
    .select(['id', 'status', 'startsAt', 'chairUserId'])
    .orderBy('startsAt')
    .execute();
  const nextPanel = panels.find((p) => p.status === 'scheduled' || p.status === 'agenda-published');
  for (const panel of panels) {
    const met = ['concluded', 'minutes-approved', 'minutes-circulated'].includes(panel.status);
    if (!met && panel !== nextPanel) continue;
    const already = await db
      .selectFrom('attendanceResponses')
      .select('id')
      .where('panelId', '=', panel.id)
      .limit(1)
      .executeTakeFirst();
    if (already) continue;
    const invited = await db
      .selectFrom('panelInvitations as pi')
      .innerJoin('agencies as a', 'a.id', 'pi.agencyId')
      .select(['a.id', 'a.type'])
      .where('pi.panelId', '=', panel.id)
      .execute();
    await db.transaction().execute(async (trx) => {
      for (const agency of invited) {
        const patchy = PATCHY.includes(agency.type);
        const roll = chance(panel.id, agency.id, 1);
        // The upcoming panel: about half have answered, and LPFT and adult care not yet.
        if (!met && (patchy || roll < 0.45)) continue;
        const silent = roll < (patchy ? 0.3 : 0.03);
        const apologies = !silent && roll < (patchy ? 0.5 : 0.1);
        const deputy = !silent && !apologies && chance(panel.id, agency.id, 2) < 0.15;
        const online = chance(panel.id, agency.id, 3) < 0.3;
        const answeredAt = new Date(panel.startsAt.getTime() - (2 + Math.floor(roll * 10)) * 86_400_000);
        const person = inventedName(panel.id, agency.id, 0);
        let answer: AttendanceAnswer | null = null;
        if (!silent) {
          answer = apologies ? 'apologies' : deputy ? 'deputy' : 'attending';
          await trx
            .insertInto('attendanceResponses')
            .values({
              panelId: panel.id,
              agencyId: agency.id,
              answer,
              attendees: JSON.stringify(answer === 'attending' ? [{ name: person }] : []),
              mode: answer === 'apologies' ? null : online ? 'online' : 'in-person',
              deputyName: answer === 'deputy' ? person : null,
              deputyRole: answer === 'deputy' ? 'Deputy officer' : null,
              apologyReason: answer === 'apologies' ? 'Staff shortage on the day' : null,
              informationInAdvance: answer === 'apologies' ? chance(panel.id, agency.id, 4) < 0.6 : null,
              answeredVia: chance(panel.id, agency.id, 5) < 0.5 ? 'link' : 'signed-in',
              answeredAt,
            })
            .execute();
        }
        if (!met) continue;
        // Some who said they would come did not; some who never answered turned up anyway.
        const noShow = answer !== 'apologies' && chance(panel.id, agency.id, 6) < (patchy ? 0.3 : 0.03);
        const status: RegisterStatus =
          answer === 'apologies'
            ? 'apologies'
            : noShow || silent
              ? 'absent'
              : online
                ? 'online'
                : chance(panel.id, agency.id, 7) < 0.1
                  ? 'late'
                  : 'present';
        const present = status !== 'absent' && status !== 'apologies';
        await trx
          .insertInto('registerEntries')
          .values({
            panelId: panel.id,
            agencyId: agency.id,
            personName:
              status === 'apologies' || status === 'absent' ? `${inventedName(panel.id, agency.id, 0)}` : person,
            role: deputy ? 'Deputy officer' : null,
            status,
            arrivedAt: status === 'late' ? '10:20' : null,
            confidentialityAgreed: present,
            confidentialityStatementId: present ? statement.id : null,
            agreedAt: present ? panel.startsAt : null,
            recordedBy: panel.chairUserId,
          })
          .execute();
      }
    });
  }
}
