import type { Db } from '../db/database';
import type { Clock } from '../clock';
import { londonDate } from '../time';
import { workingDaysAfter } from '../youth-checks/due-date';

const DAY = 24 * 60 * 60 * 1000;

interface CheckSeed {
  by: string;
  district: string;
  name: string;
  dob: string;
  address: string;
  concern: string;
  daysAgo: number;
  /** Days after asking it was answered; absent while open. */
  answeredAfter?: number;
  known?: [boolean, boolean];
  lead?: [string, string, string];
}

// Invented young people. Future4Me is the first point of contact; district ASB teams, the police and
// a housing provider ask. One open check is overdue, one is not yet due, one was answered late.
const CHECKS: CheckSeed[] = [
  {
    by: 'council@example.org',
    district: 'City of Lincoln',
    name: 'Kai Brennan',
    dob: '2011-04-17',
    address: '4 Sincil Walk, Lincoln LN5 7QT',
    concern: 'Throwing stones at buses on Sincil Walk with a group of older boys.',
    daysAgo: 40,
    answeredAfter: 1,
    known: [true, false],
    lead: ['Morgan Tate', 'Future4Me', '01522 550123'],
  },
  {
    by: 'boston@example.org',
    district: 'Boston',
    name: 'Leah Norris',
    dob: '2009-09-02',
    address: '11 Wide Bargate, Boston PE21 6RZ',
    concern: 'Abuse of shop staff in the market place on several evenings.',
    daysAgo: 25,
    answeredAfter: 4,
    known: [false, true],
    lead: ['Rowan Pike', "Children's Services", 'rowan.pike@example.org'],
  },
  {
    by: 'police@example.org',
    district: 'East Lindsey',
    name: 'Tyler Cross',
    dob: '2012-01-23',
    address: '7 North Parade, Skegness PE25 1BX',
    concern: 'Riding a quad bike on the beach path and threatening walkers.',
    daysAgo: 12,
    answeredAfter: 2,
    known: [false, false],
  },
  {
    by: 'housing@example.org',
    district: 'City of Lincoln',
    name: 'Jayden Holt',
    dob: '2010-06-30',
    address: '22 Ermine Close, Lincoln LN1 3SE',
    concern: 'Noise and damage in the communal stairwell of a housing block.',
    daysAgo: 9,
  },
  {
    by: 'council@example.org',
    district: 'City of Lincoln',
    name: 'Ellie Marsh',
    dob: '2013-11-08',
    address: '3 Monks Road, Lincoln LN2 5HW',
    concern: 'Setting fires in the bins behind the shops on Monks Road.',
    daysAgo: 0,
  },
];

interface StudySeed {
  by: string;
  title: string;
  category: string;
  place: string;
  district: string;
  agencies: string[];
  interventions: string[];
  other?: string;
  worked: string;
  didNot: string;
  barriers: string;
  outcome: string;
  status: 'approved' | 'submitted';
  daysAgo: number;
}

const STUDIES: StudySeed[] = [
  {
    by: 'council@example.org',
    title: 'Young people gathering in a city-centre car park',
    category: 'rowdy-behaviour',
    place: 'town-centre',
    district: 'City of Lincoln',
    agencies: ['CoLC', 'Police', 'Future4Me'],
    interventions: ['Warning letter', 'Acceptable behaviour contract', 'Support referral'],
    worked:
      'Joint home visits by the ASB officer and a youth worker, then acceptable behaviour contracts with a named youth worker for each young person.',
    didNot: 'Warning letters to parents alone changed nothing.',
    barriers: 'The car park owner was slow to agree to better lighting.',
    outcome: 'worked',
    status: 'approved',
    daysAgo: 60,
  },
  {
    by: 'housing@example.org',
    title: 'Noise nuisance from a flat in a sheltered block',
    category: 'noise',
    place: 'block-of-flats',
    district: 'City of Lincoln',
    agencies: ['Fenland Vale', 'CoLC', 'LPFT'],
    interventions: ['Mediation', 'Support referral'],
    worked: 'Once the tenant’s mental health support was in place, mediation between neighbours held.',
    didNot: 'Noise diaries on their own did not lead anywhere.',
    barriers: 'Waiting time for the mental health assessment.',
    outcome: 'promising',
    status: 'approved',
    daysAgo: 45,
  },
  {
    by: 'boston@example.org',
    title: 'Harassment of a family by neighbours',
    category: 'harassment',
    place: 'residential-street',
    district: 'Boston',
    agencies: ['BBC', 'Police', 'Victim Support'],
    interventions: ['Community protection notice', 'Target hardening'],
    worked: 'Target hardening and a community protection notice stopped the visits to the door.',
    didNot: 'An injunction application was dropped when witnesses withdrew.',
    barriers: 'Witnesses feared reprisals.',
    outcome: 'worked',
    status: 'approved',
    daysAgo: 30,
  },
  {
    by: 'police@example.org',
    title: 'Off-road bikes on a coastal path',
    category: 'vehicle-nuisance',
    place: 'park-or-open-space',
    district: 'East Lindsey',
    agencies: ['Police', 'ELDC'],
    interventions: ['Warning letter'],
    other: 'Seizure warnings under section 59',
    worked: 'Section 59 warnings were served quickly.',
    didNot: 'Patrols at weekends only moved the riding to weekdays.',
    barriers: 'Few officers free to patrol the path.',
    outcome: 'did-not-work',
    status: 'submitted',
    daysAgo: 3,
  },
];

async function seedChecks(
  db: Db,
  clock: Clock,
  userId: (email: string) => Promise<{ id: number; agencyId: number }>,
  districtId: (name: string) => number,
) {
  const yot = await userId('yot@example.org');
  const now = clock.now().getTime();
  for (const c of CHECKS) {
    const requester = await userId(c.by);
    const requestedAt = new Date(now - c.daysAgo * DAY - 3 * 60 * 60 * 1000);
    const answeredAt = c.answeredAfter === undefined ? null : new Date(requestedAt.getTime() + c.answeredAfter * DAY);
    await db
      .insertInto('youthChecks')
      .values({
        requestedBy: requester.id,
        requesterAgencyId: requester.agencyId,
        districtId: districtId(c.district),
        youngPersonName: c.name,
        dateOfBirth: c.dob,
        address: c.address,
        concern: c.concern,
        caseReference: null,
        requestedAt,
        dueOn: workingDaysAfter(londonDate(requestedAt), 2),
        status: answeredAt ? 'answered' : 'requested',
        knownToYouthOffending: c.known?.[0] ?? null,
        knownToChildrensServices: c.known?.[1] ?? null,
        leadProfessionalName: c.lead?.[0] ?? null,
        leadProfessionalAgency: c.lead?.[1] ?? null,
        leadProfessionalContact: c.lead?.[2] ?? null,
        answerNote: answeredAt ? 'Signposting only: contact the lead professional for more.' : null,
        answeredBy: answeredAt ? yot.id : null,
        answeredAt,
      })
      .execute();
  }
}

/**
 * Future4Me as the first point of contact for youth checks, with checks asked and answered, and the
 * case study library with three approved studies and one waiting for approval.
 */
export async function seedYouthChecksAndCaseStudies(db: Db, clock: Clock): Promise<void> {
  const users = await db.selectFrom('users').select(['id', 'email', 'agencyId']).execute();
  const agencies = await db.selectFrom('agencies').select(['id', 'shortName']).execute();
  const districts = await db.selectFrom('districts').select(['id', 'name']).execute();
  const interventions = await db.selectFrom('caseStudyInterventions').select(['id', 'name']).execute();
  const admin = users.find((u) => u.email === 'admin@example.org');
  const yot = users.find((u) => u.email === 'yot@example.org');
  if (!admin || !yot) return;
  const userId = (email: string) => {
    const u = users.find((x) => x.email === email);
    if (!u) throw new Error(`demo user ${email} is not seeded`);
    return Promise.resolve(u);
  };
  const districtId = (name: string) => districts.find((d) => d.name === name)?.id ?? districts[0].id;
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('agencies').set({ youthCheckContactUserId: yot.id }).where('id', '=', yot.agencyId).execute();
    await seedChecks(trx, clock, userId, districtId);
    const now = clock.now().getTime();
    for (const s of STUDIES) {
      const author = await userId(s.by);
      const at = new Date(now - s.daysAgo * DAY);
      await trx
        .insertInto('caseStudies')
        .values({
          authorId: author.id,
          authorAgencyId: author.agencyId,
          sourceReferralId: null,
          title: s.title,
          category: s.category,
          placeType: s.place,
          districtId: districtId(s.district),
          agencyIds: s.agencies.flatMap((n) => agencies.filter((a) => a.shortName === n).map((a) => a.id)),
          interventionIds: s.interventions.flatMap((n) => interventions.filter((i) => i.name === n).map((i) => i.id)),
          interventionsOther: s.other ?? null,
          whatWorked: s.worked,
          whatDidNot: s.didNot,
          barriers: s.barriers,
          outcome: s.outcome,
          status: s.status,
          submittedAt: new Date(at.getTime() - 2 * DAY),
          reviewedBy: s.status === 'approved' ? admin.id : null,
          reviewedAt: s.status === 'approved' ? at : null,
          createdAt: new Date(at.getTime() - 3 * DAY),
          updatedAt: at,
        })
        .execute();
    }
  });
}
