import { DEMO_MAIL } from './demo-foundation';
import { DateTime } from 'luxon';
import type { Db } from '../db/database';
import { SettableClock, type Clock } from '../clock';
import type { Actor, CurrentUser } from '../http/context';
import { referralsService } from '../referrals/referrals.service';
import { readRaw, type RawReferral } from '../referrals/referral-form';
import { seedDemoRiskMatrix } from './demo-risk-matrix';
import type { Matrix } from '../risk/scoring';

/**
 * About forty invented referrals across the seven districts, in every status, so that a newcomer
 * sees the feature populated. Every person, address and event is made up. They go through the
 * referral service, as a practitioner's would, so references, scores, repeats, timelines and the
 * audit trail are exactly what the application itself produces.
 */

type Status =
  'draft' | 'submitted' | 'merged' | 'more-information-requested' | 'rejected' | 'awaiting-panel' | 'active' | 'closed';
type Profile = 'high' | 'medium' | 'low';

interface Place {
  district: string;
  town: string;
  postcodes: string[];
  referrers: string[];
}

const PLACES: Place[] = [
  {
    district: 'Boston',
    town: 'Boston',
    postcodes: ['PE21 8QX', 'PE21 9LB', 'PE21 0HT', 'PE21 7SN'],
    referrers: ['boston@example.org', 'police@example.org', 'housing@example.org'],
  },
  {
    district: 'East Lindsey',
    town: 'Skegness',
    postcodes: ['PE25 2QB', 'PE25 3HU', 'LN11 0DJ', 'LN11 9QA'],
    referrers: ['eastlindsey@example.org', 'police@example.org', 'wolds@example.org'],
  },
  {
    district: 'City of Lincoln',
    town: 'Lincoln',
    postcodes: ['LN1 3BY', 'LN2 4PW', 'LN5 8QT', 'LN6 7RZ'],
    referrers: ['council@example.org', 'police@example.org', 'lpft@example.org'],
  },
  {
    district: 'North Kesteven',
    town: 'Sleaford',
    postcodes: ['NG34 7TN', 'NG34 8GP', 'LN4 2HS'],
    referrers: ['police@example.org', 'adultcare@example.org'],
  },
  {
    district: 'South Holland',
    town: 'Spalding',
    postcodes: ['PE11 1XE', 'PE11 2RB', 'PE12 6QH'],
    referrers: ['police@example.org', 'housing@example.org', 'victims@example.org'],
  },
  {
    district: 'South Kesteven',
    town: 'Grantham',
    postcodes: ['NG31 6BU', 'NG31 9DL', 'PE9 2FJ'],
    referrers: ['police@example.org', 'fire@example.org'],
  },
  {
    district: 'West Lindsey',
    town: 'Gainsborough',
    postcodes: ['DN21 2QA', 'DN21 1HG', 'LN8 3AZ'],
    referrers: ['police@example.org', 'children@example.org'],
  },
];

const FIRST = [
  'Maureen',
  'Derek',
  'Aisha',
  'Tomasz',
  'Leanne',
  'Gareth',
  'Priti',
  'Callum',
  'Edith',
  'Wayne',
  'Jolene',
  'Marek',
  'Shannon',
  'Brian',
  'Kezia',
  'Dean',
  'Irene',
  'Kyle',
  'Hollie',
  'Stanley',
];
const FEMALE = new Set([
  'Edna',
  'Maureen',
  'Aisha',
  'Leanne',
  'Priti',
  'Edith',
  'Jolene',
  'Shannon',
  'Kezia',
  'Irene',
  'Hollie',
]);
const genderOf = (fullName: string) => (FEMALE.has(fullName.split(' ')[0]) ? 'female' : 'male');
const LAST = [
  'Pickering',
  'Ashdown',
  'Fairbairn',
  'Kowalczyk',
  'Threlfall',
  'Mabey',
  'Osei',
  'Tennant',
  'Lomax',
  'Drury',
  'Hebden',
  'Nowicki',
  'Carrow',
  'Blewitt',
  'Sumner',
  'Garside',
  'Peploe',
  'Whitlam',
  'Yardley',
  'Ormerod',
];
const STREETS = [
  'Tennyson Close',
  'Marsh Lane',
  'Wyberton Road',
  'Fydell Crescent',
  'Station Approach',
  'Willoughby Walk',
  'Jubilee Drive',
  'Foundry Court',
  'Priory Gardens',
  'Carholme Terrace',
  'Saxon Way',
  'Beck Side',
];

interface Scenario {
  reason: string;
  shape: 'victim-perpetrator' | 'victim-only' | 'location' | 'household';
  incidents: { type: string; summary: string }[];
  vulnerabilities: string[];
  tried: string[];
  triedDetails: string;
  hate?: boolean;
}

const SCENARIOS: Scenario[] = [
  {
    reason:
      'An older resident living alone is being intimidated by a neighbour: banging on walls at night, abuse in the street and threats to "burn her out". She has stopped going out after dark.',
    shape: 'victim-perpetrator',
    incidents: [
      { type: 'verbal-abuse', summary: 'Abuse shouted through the letterbox late at night.' },
      { type: 'threats', summary: 'Threatened to set fire to the front door.' },
      { type: 'noise', summary: 'Repeated banging on the party wall between 1am and 4am.' },
    ],
    vulnerabilities: ['age', 'isolation'],
    tried: ['warning', 'tenancy-action'],
    triedDetails: 'Written warning from the landlord; a second breach is being recorded.',
  },
  {
    reason:
      'A disabled man has had hate graffiti painted on his house and his mobility scooter damaged. The behaviour is getting worse and he says he feels unsafe at home.',
    shape: 'victim-only',
    hate: true,
    incidents: [
      { type: 'hate-incident', summary: 'Offensive graffiti referring to his disability painted on the front wall.' },
      { type: 'criminal-damage', summary: 'Mobility scooter tyres slashed overnight.' },
    ],
    vulnerabilities: ['physical-disability', 'mental-health'],
    tried: ['other'],
    triedDetails: 'Target hardening: CCTV doorbell fitted by the council.',
  },
  {
    reason:
      'The play area and car park behind the shops are used for drug dealing; there have been small fires and residents are afraid to use the footpath.',
    shape: 'location',
    incidents: [
      { type: 'drug-activity', summary: 'Regular dealing seen from flats overlooking the car park.' },
      { type: 'fire-setting', summary: 'Wheelie bins set alight against the fence.' },
      { type: 'rowdy-behaviour', summary: 'Groups gathering until the early hours, shouting and smashing bottles.' },
    ],
    vulnerabilities: [],
    tried: ['cpw', 'other'],
    triedDetails: 'Dispersal order used twice; lighting improvements requested.',
  },
  {
    reason:
      'A young mother with two small children is being harassed by the tenant of the flat above: loud music, threats on the stairs and damage to her pram. She has asked to move.',
    shape: 'household',
    incidents: [
      { type: 'harassment', summary: 'Followed up the stairs and sworn at in front of the children.' },
      { type: 'noise', summary: 'Music at full volume most nights until after midnight.' },
      { type: 'criminal-damage', summary: 'Pram left in the hallway was kicked and broken.' },
    ],
    vulnerabilities: ['children-in-household', 'repeat-victim'],
    tried: ['warning', 'abc'],
    triedDetails: 'Acceptable behaviour contract signed in the autumn and breached within weeks.',
  },
  {
    reason:
      'A man with a learning disability is believed to have had his flat taken over by people dealing drugs. Neighbours report constant visitors and he has been seen with injuries.',
    shape: 'victim-perpetrator',
    incidents: [
      { type: 'drug-activity', summary: 'Steady stream of visitors day and night.' },
      { type: 'violence', summary: 'Seen with a black eye; says he fell.' },
    ],
    vulnerabilities: ['learning-disability', 'substance-misuse'],
    tried: ['other'],
    triedDetails: 'Safeguarding concern raised with adult care.',
  },
  {
    reason:
      'Youths have been throwing stones at buses and passengers at the bus station, and one driver was injured. The same group is known for vehicle nuisance in the town centre.',
    shape: 'location',
    incidents: [
      { type: 'violence', summary: 'A stone thrown through a bus window cut the driver.' },
      { type: 'vehicle-nuisance', summary: 'Mopeds ridden through the bus station.' },
    ],
    vulnerabilities: [],
    tried: ['warning', 'cpw'],
    triedDetails: 'Letters to parents; two community protection warnings issued.',
  },
  {
    reason:
      'A long-running dispute between two households has turned to threats and damage on both sides. Both families have children and the school has raised concerns.',
    shape: 'household',
    incidents: [
      { type: 'threats', summary: 'Threats made over the garden fence in front of children.' },
      { type: 'criminal-damage', summary: 'Car windscreen smashed; each side blames the other.' },
    ],
    vulnerabilities: ['children-in-household'],
    tried: ['warning', 'other'],
    triedDetails: 'Mediation offered and declined by one household.',
  },
  {
    reason:
      'A woman with severe mental health problems is causing nuisance to neighbours by shouting and knocking on doors at night, and is herself at risk: she has stopped engaging with her care team.',
    shape: 'victim-only',
    incidents: [
      { type: 'rowdy-behaviour', summary: "Knocking on neighbours' doors between midnight and 3am." },
      { type: 'verbal-abuse', summary: 'Shouting in the street, distressed.' },
    ],
    vulnerabilities: ['mental-health', 'isolation'],
    tried: ['other'],
    triedDetails: 'Referral to the community mental health team; missed appointments.',
  },
];

const STATUSES: Status[] = [
  ...Array<Status>(3).fill('draft'),
  ...Array<Status>(5).fill('submitted'),
  'merged',
  ...Array<Status>(3).fill('more-information-requested'),
  ...Array<Status>(4).fill('rejected'),
  ...Array<Status>(8).fill('awaiting-panel'),
  ...Array<Status>(10).fill('active'),
  ...Array<Status>(6).fill('closed'),
];

/** A small seeded random sequence, so the demo data is the same every time. */
function sequence(seed: number) {
  let state = seed;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  return { next, pick: <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] };
}

function answersFor(
  matrix: Matrix,
  profile: Profile,
  scenario: Scenario,
  random: () => number,
): Record<string, string> {
  const wanted: Record<Profile, Record<string, string>> = {
    high: {
      'repeat-victimisation': 'five-or-more',
      'threats-of-violence': 'yes',
      'perpetrator-violence': 'yes',
      'health-impact': 'serious',
      vulnerability: 'yes',
      isolation: 'yes',
      fear: 'yes',
      targeted: 'yes',
      'property-damage': 'yes',
      'getting-worse': 'yes',
      'perp-persistent': 'yes',
      'perp-violence': 'yes',
      'perp-targets-vulnerable': 'yes',
      'perp-breaches': 'yes',
      'perp-substances': 'yes',
      'perp-escalating': 'yes',
      'place-reports': 'yes',
      'place-households': 'yes',
      'place-vulnerable-residents': 'yes',
      'place-drugs': 'yes',
      'place-groups': 'yes',
      'place-getting-worse': 'yes',
    },
    medium: {
      'repeat-victimisation': 'two-to-four',
      'health-impact': 'some',
      vulnerability: 'yes',
      fear: 'yes',
      targeted: 'yes',
      'getting-worse': 'yes',
      'perp-persistent': 'yes',
      'perp-substances': 'yes',
      'perp-not-engaging': 'yes',
      'place-reports': 'yes',
      'place-groups': 'yes',
    },
    low: { 'repeat-victimisation': 'once', 'health-impact': 'none' },
  };
  // Not every case is the same: some of the profile's answers are left at "no".
  const kept = Object.fromEntries(Object.entries(wanted[profile]).filter(() => random() < 0.8));
  const chosen: Record<string, string> = {
    ...kept,
    ...(scenario.hate ? { 'hate-motivated': 'yes' } : {}),
    ...(scenario.vulnerabilities.includes('children-in-household') ? { 'children-affected': 'yes' } : {}),
  };
  return Object.fromEntries(
    matrix.questions.map((q) => {
      const key = chosen[q.code];
      const option =
        q.options.find((o) => o.key === key) ??
        q.options.find((o) => o.key === 'no') ??
        [...q.options].sort((a, b) => a.weight - b.weight)[0];
      return [`q${q.id}`, option.key];
    }),
  );
}

const dateParts = (d: DateTime) => ({ day: String(d.day), month: String(d.month), year: String(d.year) });

export async function seedReferrals(db: Db, today: Clock, baseUrl = 'http://localhost:3000'): Promise<number> {
  // The referrals are written at their own past dates; `today` places them relative to now.
  const clock = new SettableClock(today.now());
  const referrals = referralsService({ db, clock, links: { baseUrl }, mail: DEMO_MAIL });
  const districts = await referrals.districts();
  const users = new Map<string, CurrentUser>();
  for (const row of await db
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
    .execute()) {
    users.set(row.email, { ...row, spocForAgencyId: null });
  }
  const user = (email: string) => {
    const found = users.get(email);
    if (!found) throw new Error(`demo user ${email} is not seeded`);
    return found;
  };
  const actor = (u: CurrentUser): Actor => ({ userId: u.id, agencyId: u.agencyId, ip: null, requestId: 'demo-seed' });
  const admin = user('admin@example.org');
  const chair = user('chair@example.org');
  await seedDemoRiskMatrix(db, admin.id);
  const matrix = await referrals.riskMatrix.current();
  const random = sequence(20261123);
  const now = DateTime.fromJSDate(today.now()).setZone('Europe/London').startOf('day').plus({ hours: 10 });
  // This person was referred months ago (an active case) and again last week: the repeat criterion at work.
  const repeated = { fullName: 'Edna Grimbleby', dob: DateTime.fromISO('1941-06-14') };
  // Two people referred again while their first referral still waits for a panel: possible
  // duplicates, not repeats. One waits for screening (which offers the merge); the other was merged.
  const duplicated = { fullName: 'Harold Pinchbeck', dob: DateTime.fromISO('1948-02-03') };
  const merged = { fullName: 'Maureen Tealby', dob: DateTime.fromISO('1956-09-21') };
  const SAME_PERSON: Record<number, { fullName: string; dob: DateTime }> = {
    24: repeated,
    7: repeated,
    16: duplicated,
    6: duplicated,
    17: merged,
    8: merged,
  };
  const MERGED_INTO: Record<number, number> = { 8: 17 };
  const ids = new Map<number, number>();

  const plans: { i: number; status: Status; referrer: CurrentUser; submittedOn: DateTime; raw: RawReferral }[] = [];
  for (let i = 0; i < STATUSES.length; i++) {
    const status = STATUSES[i];
    const place = PLACES[i % PLACES.length];
    const scenario = SCENARIOS[i % SCENARIOS.length];
    const referrer = user(place.referrers[i % place.referrers.length]);
    const profile: Profile = status === 'rejected' ? 'low' : i % 5 === 0 ? 'medium' : 'high';
    // Older cases further along: closed cases months ago, drafts and new submissions this month.
    const weeksAgo =
      {
        draft: 0,
        submitted: 1,
        merged: 1,
        'more-information-requested': 3,
        rejected: 6,
        'awaiting-panel': 4,
        active: 14,
        closed: 36,
      }[status] +
      (i % 6);
    const submittedOn = now.minus({ weeks: weeksAgo, days: i % 4 });
    const street = `${((i * 7) % 90) + 2} ${random.pick(STREETS)}`;
    const postcode = random.pick(place.postcodes);
    const person = (n: number) => `${FIRST[(i * 3 + n) % FIRST.length]} ${LAST[(i * 7 + n * 5) % LAST.length]}`;
    const known = SAME_PERSON[i];
    const victimName = known ? known.fullName : person(0);
    const victim = {
      kind: 'victim',
      fullName: victimName,
      dateOfBirth: dateParts(
        known ? known.dob : DateTime.fromISO('1950-01-01').plus({ days: Math.floor(random.next() * 20000) }),
      ),
      address: `${street}\n${place.town}`,
      postcode,
      gender: genderOf(victimName),
      vulnerabilities: scenario.vulnerabilities,
    };
    const perpetrator = {
      kind: 'perpetrator',
      fullName: person(1),
      approximateAge: String(17 + ((i * 11) % 40)),
      address: `${((i * 7) % 90) + 4} ${street.replace(/^\d+ /, '')}\n${place.town}`,
      postcode,
      gender: genderOf(person(1)),
    };
    const location = {
      kind: 'location',
      fullName: `${random.pick(['Jubilee', 'Memorial', 'Riverside', 'Market'])} ${random.pick(['Park', 'Parade', 'Bus Station', 'Car Park'])}`,
      address: `${street.replace(/^\d+ /, '')}, ${place.town}`,
      postcode,
      description: 'Open ground and a car park overlooked by flats; poorly lit at night.',
    };
    const subjects =
      scenario.shape === 'location'
        ? [location, { ...perpetrator, fullName: person(2), gender: genderOf(person(2)) }]
        : scenario.shape === 'victim-only'
          ? [victim]
          : scenario.shape === 'household'
            ? [
                victim,
                {
                  ...victim,
                  fullName: person(3),
                  dateOfBirth: dateParts(DateTime.fromISO('2017-05-01').plus({ days: i * 13 })),
                  gender: genderOf(person(3)),
                  vulnerabilities: ['age', 'children-in-household'],
                },
                perpetrator,
              ]
            : [victim, perpetrator];
    const links =
      scenario.shape === 'location'
        ? [{ from: '1', relation: 'causes-asb-at', to: '0' }]
        : scenario.shape === 'household'
          ? [
              { from: '2', relation: 'perpetrator-of', to: '0' },
              { from: '1', relation: 'household-member', to: '0' },
            ]
          : scenario.shape === 'victim-perpetrator'
            ? [{ from: '1', relation: 'perpetrator-of', to: '0' }]
            : [];
    const incidentCount = profile === 'low' ? 1 : scenario.incidents.length;
    const incidents = scenario.incidents.slice(0, incidentCount).map((inc, n) => ({
      date: dateParts(submittedOn.minus({ days: 6 + n * (profile === 'high' ? 9 : 40) })),
      type: inc.type,
      summary: inc.summary,
      agencyReference: n === 0 ? `INC-${String(100000 + i * 37)}` : '',
    }));
    const judgement = profile === 'medium' ? 'high' : 'agree';
    const body = {
      districtId: String(districts.find((d) => d.name === place.district)?.id ?? ''),
      officerName: referrer.name,
      officerEmail: referrer.email,
      reason: scenario.reason,
      subjects,
      links,
      incidents,
      triedActions: scenario.tried,
      triedOther: scenario.tried.includes('other') ? 'Partnership problem-solving' : '',
      triedDetails: scenario.triedDetails,
      matrixVersionId: String(matrix.id),
      risk: answersFor(matrix, profile, scenario, random.next),
      judgement,
      judgementReasons:
        judgement === 'high'
          ? 'The victim is isolated and frightened; I believe the risk is higher than the score shows.'
          : '',
      lawfulBasis: i % 3 === 0 ? 'consent' : 'crime-and-disorder',
      consent: i % 3 === 0 ? 'yes' : 'no',
      consentReason:
        i % 3 === 0
          ? ''
          : 'The victim is too frightened to agree to sharing; sharing is needed to prevent crime and disorder.',
    };
    const raw = readRaw(body);
    // Drafts are left part-way through, as real ones are.
    if (status === 'draft') delete raw.risk[`q${matrix.questions[matrix.questions.length - 1].id}`];
    plans.push({ i, status, referrer, submittedOn, raw });
  }

  // In the order they happened, so that a later referral of the same person is seen as a repeat.
  plans.sort((a, b) => a.submittedOn.toMillis() - b.submittedOn.toMillis());
  for (const { i, status, referrer, submittedOn, raw } of plans) {
    clock.set(submittedOn.minus({ days: 1 }).toJSDate());
    const { input, errors } = await referrals.validate(raw, status === 'draft' ? 'draft' : 'submit');
    if (Object.keys(errors).length) throw new Error(`demo referral ${i + 1} is not valid: ${JSON.stringify(errors)}`);
    const id = await referrals.createDraft(referrer, actor(referrer), input, matrix);
    ids.set(i, id);
    if (status === 'draft') continue;
    clock.set(submittedOn.toJSDate());
    const { version } = await db
      .selectFrom('referrals')
      .select('version')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    await referrals.submit(referrer, actor(referrer), id, version, []);
    if (status === 'submitted') continue;
    if (status === 'merged') {
      clock.set(submittedOn.plus({ days: 1, hours: 2 }).toJSDate());
      await referrals.merge(admin, actor(admin), id, ids.get(MERGED_INTO[i])!, null);
      continue;
    }

    const screener = i % 4 === 0 ? chair : admin;
    clock.set(submittedOn.plus({ days: 2, hours: 3 }).toJSDate());
    if (status === 'more-information-requested') {
      await referrals.screen(
        screener,
        actor(screener),
        id,
        'request-information',
        'Please add the dates of the incidents reported to the police and say what the landlord has done so far.',
      );
      continue;
    }
    if (status === 'rejected') {
      await referrals.screen(
        screener,
        actor(screener),
        id,
        'reject',
        'This does not meet the high-risk criteria. Please continue to manage it through the neighbourhood policing team and the landlord, and refer again if it escalates.',
      );
      continue;
    }
    await referrals.screen(
      screener,
      actor(screener),
      id,
      'accept',
      i % 3 === 0
        ? "Accepted on professional judgement; please bring an update on the landlord's action to the panel."
        : null,
    );
    if (status === 'awaiting-panel') continue;
    clock.set(submittedOn.plus({ weeks: 3 }).toJSDate());
    await referrals.hear(actor(chair), id);
    if (status === 'active') continue;
    clock.set(submittedOn.plus({ weeks: 11 }).toJSDate());
    await referrals.close(
      actor(chair),
      id,
      'Risk reduced: the perpetrator has moved away and the victim reports no further incidents. Agencies agreed to close.',
    );
  }
  return STATUSES.length;
}
