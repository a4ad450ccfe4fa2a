import type { Db } from '../db/database';
import type { SubjectKind } from '../db/schema';
import { riskMatrixService } from '../risk/risk-matrix.service';

const yesNo = (yes: number) => [
  { key: 'yes', label: 'Yes', weight: yes },
  { key: 'no', label: 'No', weight: 0 },
  { key: 'not-known', label: 'Not known', weight: 0 },
];

interface DemoQuestion {
  code: string;
  subjectKind: SubjectKind;
  text: string;
  hint: string | null;
  options: { key: string; label: string; weight: number }[];
}

const askedAbout =
  (subjectKind: SubjectKind, prefix: string) =>
  (code: string, text: string, yes: number, hint: string | null = null): DemoQuestion => ({
    code: `${prefix}-${code}`,
    subjectKind,
    text,
    hint,
    options: yesNo(yes),
  });
const perpetrator = askedAbout('perpetrator', 'perp');
const location = askedAbout('location', 'place');

/**
 * The partnership's questions about a perpetrator: persistence, violence and weapons, who they
 * target, breaches of the tools already used, and the needs and exploitation behind the behaviour.
 */
export const DEMO_PERPETRATOR_QUESTIONS: DemoQuestion[] = [
  perpetrator(
    'persistent',
    'Has the perpetrator caused anti-social behaviour on three or more occasions in the last three months?',
    3,
    'Count incidents reported to any agency, and those victims describe.',
  ),
  perpetrator(
    'violence',
    'Has the perpetrator used or threatened violence, or been arrested for violence, in the last 12 months?',
    4,
  ),
  perpetrator('weapons', 'Is the perpetrator known to carry, or to have access to, weapons?', 4),
  perpetrator(
    'targets-vulnerable',
    'Does the perpetrator target people who are vulnerable through disability, age, mental health or isolation?',
    3,
  ),
  perpetrator(
    'hate',
    'Is the behaviour motivated by hostility towards a disability, race, religion, sexual orientation or gender identity?',
    4,
  ),
  perpetrator(
    'breaches',
    'Has the perpetrator breached a warning, an acceptable behaviour contract, an injunction, a community protection notice or a criminal behaviour order?',
    3,
  ),
  perpetrator('substances', "Is the perpetrator's behaviour linked to alcohol or drug use?", 2),
  perpetrator(
    'unmet-needs',
    'Does the perpetrator have a mental health need, a learning disability or another vulnerability that is not being met?',
    2,
    'Unmet needs are a risk the panel can act on, as well as a reason for support.',
  ),
  perpetrator(
    'exploited',
    'Is the perpetrator being exploited by others, for example cuckooing, county lines or criminal exploitation?',
    3,
  ),
  perpetrator('not-engaging', 'Has the perpetrator refused, or failed to take up, support that was offered?', 2),
  perpetrator('tenancy', "Is the perpetrator's tenancy or home at risk because of the behaviour?", 1),
  perpetrator(
    'escalating',
    "Is the perpetrator's behaviour escalating: more often, more serious, or affecting more people?",
    3,
  ),
];

/** The partnership's questions about a place: how much happens there, to whom, and what has been tried. */
export const DEMO_LOCATION_QUESTIONS: DemoQuestion[] = [
  location(
    'reports',
    'Have there been five or more reports of anti-social behaviour at or about this place in the last three months?',
    3,
  ),
  location('households', 'Is the behaviour affecting several households or businesses nearby?', 3),
  location(
    'vulnerable-residents',
    'Do vulnerable people live at or next to this place: older or disabled people, children, people with mental health needs?',
    3,
  ),
  location('drugs', 'Is there drug dealing or drug use at this place?', 3),
  location('groups', 'Do groups gather at this place in a way that intimidates residents or passers-by?', 2),
  location('damage', 'Has there been criminal damage, graffiti, fly-tipping or deliberate fires at this place?', 2),
  location('violence', 'Has there been violence, or a threat of violence, at this place?', 4),
  location(
    'powers',
    'Has a closure order, a public spaces protection order or a community protection notice been used or considered for this place?',
    2,
  ),
  location('out-of-hours', 'Does the behaviour happen at night, or at times when no service is there to respond?', 2),
  location('getting-worse', 'Is the problem at this place getting worse despite what has been tried?', 3),
];

export const DEMO_PERPETRATOR_THRESHOLD = 14;
export const DEMO_LOCATION_THRESHOLD = 12;

/**
 * The demo matrix: the current version's victim questions, with the perpetrator and location
 * questions added as the next version, made by the co-ordinator.
 */
export async function seedDemoRiskMatrix(db: Db, createdBy: number | null): Promise<void> {
  const riskMatrix = riskMatrixService({ db });
  const current = await riskMatrix.current();
  const victim = current.questions.filter((q) => q.subjectKind === 'victim');
  await riskMatrix.addNextVersion({
    threshold: current.threshold,
    perpetratorThreshold: DEMO_PERPETRATOR_THRESHOLD,
    locationThreshold: DEMO_LOCATION_THRESHOLD,
    escalationIncidents: current.escalationIncidents,
    escalationMonths: current.escalationMonths,
    repeatMonths: current.repeatMonths,
    changeNote: 'Questions of their own for perpetrators and locations, each with its threshold',
    createdBy,
    questions: [
      ...victim.map((q) => ({
        code: q.code,
        subjectKind: q.subjectKind,
        text: q.text,
        hint: q.hint,
        options: q.options,
      })),
      ...DEMO_PERPETRATOR_QUESTIONS,
      ...DEMO_LOCATION_QUESTIONS,
    ],
  });
}
