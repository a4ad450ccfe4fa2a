import type { ReferralStatus, RiskVerdict, SubjectKind } from '../db/schema';

/** The fixed lists of a referral, each code with the words a practitioner reads. */

export const STATUS_NAMES: Record<ReferralStatus, string> = {
  draft: 'Draft',
  submitted: 'Submitted',
  'more-information-requested': 'More information requested',
  rejected: 'Rejected',
  'awaiting-panel': 'Awaiting panel',
  active: 'Active',
  closed: 'Closed',
  merged: 'Merged into another case',
};
export const STATUSES = Object.keys(STATUS_NAMES) as ReferralStatus[];

/** GOV.UK tag colour per status. */
export const STATUS_TAG: Record<ReferralStatus, string> = {
  draft: 'govuk-tag--grey',
  submitted: 'govuk-tag--blue',
  'more-information-requested': 'govuk-tag--yellow',
  rejected: 'govuk-tag--red',
  'awaiting-panel': 'govuk-tag--purple',
  active: 'govuk-tag--green',
  closed: 'govuk-tag--grey',
  merged: 'govuk-tag--grey',
};

export const VERDICT_NAMES: Record<RiskVerdict, string> = {
  high: 'High risk',
  standard: 'Below the high-risk criteria',
};
export const VERDICTS = Object.keys(VERDICT_NAMES) as RiskVerdict[];

export const SUBJECT_KIND_NAMES: Record<SubjectKind, string> = {
  victim: 'Victim',
  perpetrator: 'Perpetrator',
  location: 'Location',
};
export const SUBJECT_KINDS = Object.keys(SUBJECT_KIND_NAMES) as SubjectKind[];

export const VULNERABILITY_NAMES = {
  'mental-health': 'Mental health',
  'physical-disability': 'Physical disability',
  'learning-disability': 'Learning disability',
  age: 'Age (older person, or a child or young person)',
  isolation: 'Isolation',
  'substance-misuse': 'Drug or alcohol misuse',
  'children-in-household': 'Children in the household',
  'repeat-victim': 'Repeat victim',
} as const;
export type Vulnerability = keyof typeof VULNERABILITY_NAMES;
export const VULNERABILITIES = Object.keys(VULNERABILITY_NAMES) as Vulnerability[];

export const GENDER_NAMES = {
  female: 'Female',
  male: 'Male',
  'non-binary': 'Non-binary',
  other: 'Other',
  'not-known': 'Not known',
} as const;
export type Gender = keyof typeof GENDER_NAMES;
export const GENDERS = Object.keys(GENDER_NAMES) as Gender[];

export const INCIDENT_TYPE_NAMES = {
  'verbal-abuse': 'Verbal abuse or intimidation',
  harassment: 'Harassment',
  threats: 'Threats of violence',
  violence: 'Violence',
  'criminal-damage': 'Criminal damage or vandalism',
  noise: 'Noise nuisance',
  'hate-incident': 'Hate incident',
  'drug-activity': 'Drug dealing or use',
  'rowdy-behaviour': 'Rowdy or inconsiderate behaviour',
  'vehicle-nuisance': 'Vehicle nuisance',
  'fire-setting': 'Fire setting',
  other: 'Other',
} as const;
export type IncidentType = keyof typeof INCIDENT_TYPE_NAMES;
export const INCIDENT_TYPES = Object.keys(INCIDENT_TYPE_NAMES) as IncidentType[];

export const TRIED_ACTION_NAMES = {
  warning: 'Verbal or written warning',
  abc: 'Acceptable behaviour contract',
  cpw: 'Community protection warning',
  'tenancy-action': 'Tenancy action',
  injunction: 'Injunction',
  other: 'Other',
} as const;
export type TriedAction = keyof typeof TRIED_ACTION_NAMES;
export const TRIED_ACTIONS = Object.keys(TRIED_ACTION_NAMES) as TriedAction[];

export const LAWFUL_BASIS_NAMES = {
  consent: 'Consent of the subject',
  'crime-and-disorder': 'Crime and Disorder Act 1998, section 115: preventing crime and disorder',
  'public-task': 'Public task (UK GDPR article 6(1)(e))',
  'vital-interests': "Vital interests: to protect someone's life",
  'legal-obligation': 'Legal obligation (UK GDPR article 6(1)(c))',
} as const;
export type LawfulBasis = keyof typeof LAWFUL_BASIS_NAMES;
export const LAWFUL_BASES = Object.keys(LAWFUL_BASIS_NAMES) as LawfulBasis[];

/** How one subject relates to another, read as "subject A … subject B". */
export const RELATION_NAMES = {
  'perpetrator-of': 'is causing anti-social behaviour to',
  'causes-asb-at': 'is causing anti-social behaviour at',
  'victim-at': 'is a victim at',
  'household-member': 'lives in the same household as',
  'family-of': 'is a family member of',
  'associate-of': 'is an associate of',
} as const;
export type Relation = keyof typeof RELATION_NAMES;
export const RELATIONS = Object.keys(RELATION_NAMES) as Relation[];

export const JUDGEMENT_NAMES = {
  agree: 'The score reflects the risk',
  high: 'I believe the risk is high, whatever the score',
  lower: 'I believe the risk is lower than the score shows',
} as const;
export type Judgement = keyof typeof JUDGEMENT_NAMES;
export const JUDGEMENTS = Object.keys(JUDGEMENT_NAMES) as Judgement[];

export const CRITERION_NAMES = {
  score: 'Score at or over the threshold',
  judgement: 'Professional judgement',
  escalation: 'Escalation',
  repeat: 'Repeat referral',
} as const;
export type Criterion = keyof typeof CRITERION_NAMES;

export const SCREENING_OUTCOME_NAMES = {
  accept: 'Accept as high risk',
  reject: 'Reject, with advice to the referrer',
  'request-information': 'Ask the referrer for more information',
} as const;
export type ScreeningOutcome = keyof typeof SCREENING_OUTCOME_NAMES;
export const SCREENING_OUTCOMES = Object.keys(SCREENING_OUTCOME_NAMES) as ScreeningOutcome[];

/** What happened to a referral, for its timeline. Panels add 'listed', 'discussed' and 'action'. */
export const EVENT_NAMES: Record<string, string> = {
  created: 'Draft started',
  submitted: 'Submitted for screening',
  resubmitted: 'Resubmitted with more information',
  accepted: 'Accepted as high risk: awaiting panel',
  rejected: 'Rejected',
  'information-requested': 'More information requested',
  heard: 'Heard at a panel',
  closed: 'Closed',
  linked: 'Linked to another case',
  listed: 'Listed on an agenda',
  discussed: 'Discussed at a panel',
  action: 'Action agreed',
  merged: 'Merged into an existing case',
  'merged-in': 'A duplicate referral merged into this case',
  moved: 'Moved to another district',
};

export function itemsOf(names: Record<string, string>) {
  return Object.entries(names).map(([value, text]) => ({ value, text }));
}
