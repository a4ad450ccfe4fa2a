import { sql } from 'kysely';
import type { Db } from '../db/database';
import type { Role } from '../db/schema';
import type { AgencyType } from '../agencies/agency-types';
import { hashPassword } from '../auth/passwords';

/** The seven district council areas of Lincolnshire. */
export const DISTRICTS = [
  'Boston',
  'East Lindsey',
  'City of Lincoln',
  'North Kesteven',
  'South Holland',
  'South Kesteven',
  'West Lindsey',
] as const;

interface AgencySeed {
  name: string;
  shortName: string;
  type: AgencyType;
  district?: (typeof DISTRICTS)[number];
  core: boolean;
  required: boolean;
}

const COUNCIL_NAMES: Record<(typeof DISTRICTS)[number], [string, string]> = {
  Boston: ['Boston Borough Council ASB team', 'BBC'],
  'East Lindsey': ['East Lindsey District Council ASB team', 'ELDC'],
  'City of Lincoln': ['City of Lincoln Council ASB team', 'CoLC'],
  'North Kesteven': ['North Kesteven District Council ASB team', 'NKDC'],
  'South Holland': ['South Holland District Council ASB team', 'SHDC'],
  'South Kesteven': ['South Kesteven District Council ASB team', 'SKDC'],
  'West Lindsey': ['West Lindsey District Council ASB team', 'WLDC'],
};

export const AGENCIES: AgencySeed[] = [
  {
    name: 'Lincolnshire County Council Community Safety',
    shortName: 'LCC Community Safety',
    type: 'other',
    core: false,
    required: false,
  },
  { name: 'Lincolnshire Police', shortName: 'Police', type: 'police', core: true, required: true },
  ...DISTRICTS.map((district): AgencySeed => ({
    name: COUNCIL_NAMES[district][0],
    shortName: COUNCIL_NAMES[district][1],
    type: 'council',
    district,
    core: true,
    required: true,
  })),
  {
    name: 'Lincolnshire Partnership NHS Foundation Trust',
    shortName: 'LPFT',
    type: 'mental-health',
    core: true,
    required: true,
  },
  {
    name: 'Lincolnshire County Council Adult Care and Safeguarding',
    shortName: 'Adult Care',
    type: 'adult-social-care',
    core: true,
    required: true,
  },
  {
    name: "Lincolnshire County Council Children's Services",
    shortName: "Children's Services",
    type: 'childrens-services',
    core: true,
    required: true,
  },
  { name: 'Future4Me (youth offending)', shortName: 'Future4Me', type: 'youth-offending', core: true, required: false },
  { name: 'Probation Service (Lincolnshire)', shortName: 'Probation', type: 'probation', core: true, required: false },
  {
    name: 'Lincolnshire Drug and Alcohol Recovery Service',
    shortName: 'Drug and Alcohol',
    type: 'substance-misuse',
    core: false,
    required: false,
  },
  { name: 'Victim Support', shortName: 'Victim Support', type: 'victim-support', core: true, required: false },
  {
    name: 'Lincolnshire Fire and Rescue',
    shortName: 'Fire and Rescue',
    type: 'fire-rescue',
    core: true,
    required: false,
  },
  // The registered housing providers are core members where they hold homes: Fenland Vale across
  // the county, Wolds and Marsh in East Lindsey.
  {
    name: 'Fenland Vale Housing Association',
    shortName: 'Fenland Vale',
    type: 'housing',
    core: true,
    required: false,
  },
  {
    name: 'Wolds and Marsh Homes',
    shortName: 'Wolds and Marsh',
    type: 'housing',
    district: 'East Lindsey',
    core: true,
    required: false,
  },
];

interface UserSeed {
  email: string;
  name: string;
  jobTitle: string;
  role: Role;
  agency: string;
  deputy?: boolean;
  spoc?: boolean;
}

/** Invented people. The first six are the demo accounts listed in the README. */
export const DEMO_USERS: UserSeed[] = [
  {
    email: 'admin@example.org',
    name: 'Alex Morgan',
    jobTitle: 'Community Safety Co-ordinator',
    role: 'administrator',
    agency: 'LCC Community Safety',
  },
  {
    email: 'chair@example.org',
    name: 'Insp. Sam Hartley',
    jobTitle: 'Inspector, Neighbourhood Policing',
    role: 'chair',
    agency: 'Police',
  },
  {
    email: 'police@example.org',
    name: 'PC Jordan Ellis',
    jobTitle: 'ASB Officer',
    role: 'representative',
    agency: 'Police',
  },
  {
    email: 'lpft@example.org',
    name: 'Priya Shah',
    jobTitle: 'Single Point of Contact, Community Mental Health',
    role: 'representative',
    agency: 'LPFT',
    spoc: true,
  },
  {
    email: 'housing@example.org',
    name: 'Chris Walker',
    jobTitle: 'Tenancy Enforcement Officer',
    role: 'representative',
    agency: 'Fenland Vale',
  },
  { email: 'council@example.org', name: 'Jamie Fox', jobTitle: 'ASB Officer', role: 'representative', agency: 'CoLC' },
  {
    email: 'chair.east@example.org',
    name: 'Morgan Reeve',
    jobTitle: 'Community Safety Manager',
    role: 'chair',
    agency: 'ELDC',
  },
  {
    email: 'police.deputy@example.org',
    name: 'PCSO Taylor Grant',
    jobTitle: 'PCSO',
    role: 'representative',
    agency: 'Police',
    deputy: true,
  },
  {
    email: 'lpft.deputy@example.org',
    name: 'Dr Robin Marsh',
    jobTitle: 'Clinical Lead',
    role: 'representative',
    agency: 'LPFT',
    deputy: true,
  },
  {
    email: 'adultcare@example.org',
    name: 'Casey Lund',
    jobTitle: 'Safeguarding Practitioner',
    role: 'representative',
    agency: 'Adult Care',
  },
  {
    email: 'children@example.org',
    name: 'Rowan Pike',
    jobTitle: 'Early Help Consultant',
    role: 'representative',
    agency: "Children's Services",
  },
  {
    email: 'yot@example.org',
    name: 'Drew Akers',
    jobTitle: 'Youth Justice Officer',
    role: 'representative',
    agency: 'Future4Me',
  },
  {
    email: 'probation@example.org',
    name: 'Kit Mallory',
    jobTitle: 'Probation Officer',
    role: 'representative',
    agency: 'Probation',
  },
  {
    email: 'victims@example.org',
    name: 'Avery Lane',
    jobTitle: 'Victim Care Co-ordinator',
    role: 'representative',
    agency: 'Victim Support',
  },
  {
    email: 'fire@example.org',
    name: 'Quinn Oakes',
    jobTitle: 'Prevention Officer',
    role: 'representative',
    agency: 'Fire and Rescue',
  },
  {
    email: 'wolds@example.org',
    name: 'Reese Hollis',
    jobTitle: 'Housing Officer',
    role: 'representative',
    agency: 'Wolds and Marsh',
  },
  { email: 'boston@example.org', name: 'Sasha Byrne', jobTitle: 'ASB Officer', role: 'representative', agency: 'BBC' },
  {
    email: 'eastlindsey@example.org',
    name: 'Toni Reid',
    jobTitle: 'ASB Officer',
    role: 'representative',
    agency: 'ELDC',
  },
  {
    email: 'drugs@example.org',
    name: 'Jules Carver',
    jobTitle: 'Recovery Worker',
    role: 'representative',
    agency: 'Drug and Alcohol',
  },
];

/** Districts, agencies and demo accounts. Returns false when the database already holds districts. */
export async function seedFoundation(db: Db, password: string): Promise<boolean> {
  const passwordHash = await hashPassword(password);
  return db.transaction().execute(async (trx) => {
    // Several instances may start at once on an empty database: one seeds, the others find it done.
    await sql`select pg_advisory_xact_lock(7405021)`.execute(trx);
    const existing = await trx.selectFrom('districts').select('id').limit(1).executeTakeFirst();
    if (existing) return false;
    const districts = await trx
      .insertInto('districts')
      .values(DISTRICTS.map((name) => ({ name, slug: name.toLowerCase().replace(/[^a-z]+/g, '-') })))
      .returning(['id', 'name'])
      .execute();
    const districtId = (name?: string) => districts.find((d) => d.name === name)?.id ?? null;
    const agencies = await trx
      .insertInto('agencies')
      .values(
        AGENCIES.map((a) => ({
          name: a.name,
          shortName: a.shortName,
          type: a.type,
          districtId: districtId(a.district),
          coreMember: a.core,
          attendanceRequired: a.required,
        })),
      )
      .returning(['id', 'shortName'])
      .execute();
    const agencyId = (shortName: string) => {
      const found = agencies.find((a) => a.shortName === shortName);
      if (!found) throw new Error(`demo user's agency ${shortName} is not seeded`);
      return found.id;
    };
    for (const u of DEMO_USERS) {
      const row = await trx
        .insertInto('users')
        .values({
          email: u.email,
          name: u.name,
          jobTitle: u.jobTitle,
          role: u.role,
          agencyId: agencyId(u.agency),
          isDeputy: u.deputy ?? false,
          passwordHash,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      if (u.spoc)
        await trx.updateTable('agencies').set({ spocUserId: row.id }).where('id', '=', agencyId(u.agency)).execute();
    }
    return true;
  });
}

/** Demo data queues its e-mails like the app does; they wait for the app's own mail worker. */
export const DEMO_MAIL = { from: 'ASBRAC Manager <asbrac@example.org>', poke: () => undefined };
