import type { SubjectKind } from '../db/schema';
import { emailAddress, parseId } from '../http/forms';
import { questionsFor, type Matrix } from '../risk/scoring';
import { fieldChecks, type FieldChecks } from './field-checks';
import { formatPostcode, isUkPostcode } from './matching';
import {
  isBlankDate,
  isBlankIncident,
  isBlankLink,
  isBlankSubject,
  riskField,
  type RawIncident,
  type RawLink,
  type RawReferral,
  type RawSubject,
} from './referral-form';
import {
  GENDERS,
  INCIDENT_TYPES,
  JUDGEMENTS,
  LAWFUL_BASES,
  RELATIONS,
  SUBJECT_KINDS,
  TRIED_ACTIONS,
  VULNERABILITIES,
  type Gender,
  type IncidentType,
  type Judgement,
  type LawfulBasis,
  type Relation,
  type TriedAction,
  type Vulnerability,
} from './referral-codes';

/** The referral form once checked. Nulls are fields left empty (allowed in a draft). */
export interface SubjectInput {
  kind: SubjectKind | null;
  fullName: string | null;
  dateOfBirth: string | null;
  approximateAge: number | null;
  gender: Gender | null;
  address: string | null;
  postcode: string | null;
  description: string | null;
  vulnerabilities: Vulnerability[];
}

export interface IncidentInput {
  date: string | null;
  type: IncidentType | null;
  summary: string | null;
  agencyReference: string | null;
}

/** A link between two subjects, by their place in `subjects` (from 0). */
export interface LinkInput {
  from: number;
  relation: Relation;
  to: number;
}

export interface ReferralInput {
  districtId: number | null;
  officerName: string | null;
  officerRole: string | null;
  officerPhone: string | null;
  officerEmail: string | null;
  reason: string | null;
  subjects: SubjectInput[];
  links: LinkInput[];
  incidents: IncidentInput[];
  triedActions: TriedAction[];
  triedOther: string | null;
  triedDetails: string | null;
  matrixVersionId: number;
  answers: Record<number, string>;
  judgement: Judgement | null;
  judgementReasons: string | null;
  lawfulBasis: LawfulBasis | null;
  consent: 'yes' | 'no' | null;
  consentReason: string | null;
}

export interface ValidationContext {
  /** 'draft' checks the format of what was typed; 'submit' also requires everything a referral needs. */
  mode: 'draft' | 'submit';
  /** Today in Europe/London, 'YYYY-MM-DD'. */
  today: string;
  districtIds: ReadonlySet<number>;
  matrix: Matrix;
}

export interface Validated {
  input: ReferralInput;
  errors: Record<string, string>;
}

const PHONE = /^[0-9 +()-]{6,40}$/;

/** The earliest believable dates: nobody alive was born before 1900; incident histories start in 2000. */
export const EARLIEST_BIRTH = '1900-01-01';
export const EARLIEST_INCIDENT = '2000-01-01';

function readDistrict(c: FieldChecks, value: string, districtIds: ReadonlySet<number>): number | null {
  if (value === '') {
    if (c.submit) c.fail('districtId', 'Select the district the case is in');
    return null;
  }
  const id = parseId(value);
  if (id === null || !districtIds.has(id)) {
    c.fail('districtId', 'Select a district from the list');
    return null;
  }
  return id;
}

/** The referring officer, and why they refer the case. */
function readReferrer(c: FieldChecks, raw: RawReferral) {
  const officerName = c.line('officerName', 'the name of the referring officer', raw.officerName, 120, true);
  const officerRole = c.line('officerRole', 'the job title of the referring officer', raw.officerRole, 120, false);
  const officerPhone = c.line('officerPhone', 'the phone number of the referring officer', raw.officerPhone, 40, false);
  if (officerPhone !== null && !PHONE.test(officerPhone))
    c.fail('officerPhone', 'Enter a phone number using digits, spaces, brackets, + or -');
  let officerEmail: string | null = null;
  if (raw.officerEmail.trim() === '') {
    if (c.submit) c.fail('officerEmail', 'Enter the email address of the referring officer');
  } else {
    officerEmail = c.parsed(
      'officerEmail',
      emailAddress('the email address of the referring officer'),
      raw.officerEmail,
    );
  }
  const reason = c.long('reason', 'why you are referring this case', raw.reason, 5000, true);
  return { officerName, officerRole, officerPhone, officerEmail, reason };
}

function readAge(c: FieldChecks, name: string, value: string, n: number): number | null {
  if (value === '') return null;
  if (!/^\d{1,3}$/.test(value) || Number(value) > 120) {
    c.fail(name, `The approximate age of subject ${n} must be a whole number from 0 to 120`);
    return null;
  }
  return Number(value);
}

function readPostcode(c: FieldChecks, name: string, value: string, n: number): string | null {
  if (value === '') return null;
  if (value.length > 10 || !isUkPostcode(value)) {
    c.fail(name, `Enter a real postcode for subject ${n}, like LN1 1AA`);
    return null;
  }
  return formatPostcode(value);
}

/** One subject: a person (victim or perpetrator) or a location, whose personal fields are dropped. */
function readSubject(c: FieldChecks, s: RawSubject, i: number): SubjectInput {
  const n = i + 1;
  const at = (field: string) => `subjects[${i}][${field}]`;
  const kindMessage = `Select whether subject ${n} is a victim, a perpetrator or a location`;
  const kind = c.pick(at('kind'), SUBJECT_KINDS, s.kind, kindMessage, kindMessage);
  const isPlace = kind === 'location';
  const fullName = c.line(
    at('fullName'),
    isPlace ? `the name of location ${n}` : `the full name of subject ${n}`,
    s.fullName,
    120,
    kind !== null && !isPlace,
  );
  const dateOfBirth = c.date(at('dateOfBirth'), `the date of birth of subject ${n}`, s.dateOfBirth, {
    required: false,
    earliest: EARLIEST_BIRTH,
  });
  const age = s.approximateAge.trim();
  const approximateAge = readAge(c, at('approximateAge'), age, n);
  if (!isPlace && dateOfBirth !== null && approximateAge !== null) {
    c.fail(at('approximateAge'), `Give either a date of birth or an approximate age for subject ${n}, not both`);
  }
  if (c.submit && kind !== null && !isPlace && isBlankDate(s.dateOfBirth) && age === '') {
    c.fail(at('dateOfBirth'), `Enter the date of birth of subject ${n}, or their approximate age`);
  }
  const gender = c.pick(at('gender'), GENDERS, s.gender, null, `Select the gender of subject ${n} from the list`);
  const address = c.long(at('address'), `the address of subject ${n}`, s.address, 300, false);
  const postcode = readPostcode(c, at('postcode'), s.postcode.trim(), n);
  const description = c.long(at('description'), `a description of location ${n}`, s.description, 500, false);
  if (c.submit && isPlace && address === null && description === null && !c.has(at('address'))) {
    c.fail(at('address'), `Enter the address of location ${n}, or describe where it is`);
  }
  const vulnerabilities = s.vulnerabilities.filter((v): v is Vulnerability =>
    (VULNERABILITIES as readonly string[]).includes(v),
  );
  if (vulnerabilities.length !== s.vulnerabilities.length)
    c.fail(at('vulnerabilities'), `Select the vulnerabilities of subject ${n} from the list`);
  return {
    kind,
    fullName,
    dateOfBirth: isPlace ? null : dateOfBirth,
    approximateAge: isPlace ? null : approximateAge,
    gender: isPlace ? null : gender,
    address,
    postcode,
    description,
    vulnerabilities: isPlace ? [] : [...new Set(vulnerabilities)],
  };
}

/** The subjects typed, blank rows left out; `placeOf` maps a row of the form to its place among those kept. */
function readSubjects(c: FieldChecks, rows: RawSubject[]) {
  const subjects: SubjectInput[] = [];
  const placeOf = new Map<number, number>();
  rows.forEach((s, i) => {
    if (isBlankSubject(s)) return;
    placeOf.set(i, subjects.length);
    subjects.push(readSubject(c, s, i));
  });
  if (c.submit && subjects.length === 0)
    c.fail('subjects', 'Add at least one subject: a victim, a perpetrator or a location');
  return { subjects, placeOf };
}

function readLinks(c: FieldChecks, rows: RawLink[], placeOf: ReadonlyMap<number, number>): LinkInput[] {
  const links: LinkInput[] = [];
  const subjectAt = (v: string) => (/^\d{1,2}$/.test(v) ? (placeOf.get(Number(v)) ?? null) : null);
  rows.forEach((l, i) => {
    if (isBlankLink(l)) return;
    const n = i + 1;
    const at = (field: string) => `links[${i}][${field}]`;
    const from = subjectAt(l.from);
    const to = subjectAt(l.to);
    const relationMessage = `Select how the subjects in link ${n} are related`;
    const relation = c.pick(at('relation'), RELATIONS, l.relation, relationMessage, relationMessage);
    if (from === null) c.fail(at('from'), `Select the first subject of link ${n} from the list`);
    if (to === null) c.fail(at('to'), `Select the second subject of link ${n} from the list`);
    if (from !== null && to !== null && from === to)
      c.fail(at('to'), `Link ${n} must be between two different subjects`);
    if (from !== null && to !== null && from !== to && relation) links.push({ from, relation, to });
  });
  return links;
}

function readIncidents(c: FieldChecks, rows: RawIncident[]): IncidentInput[] {
  const incidents: IncidentInput[] = [];
  rows.forEach((inc, i) => {
    if (isBlankIncident(inc)) return;
    const n = i + 1;
    const at = (field: string) => `incidents[${i}][${field}]`;
    incidents.push({
      date: c.date(at('date'), `the date of incident ${n}`, inc.date, { required: true, earliest: EARLIEST_INCIDENT }),
      type: c.pick(
        at('type'),
        INCIDENT_TYPES,
        inc.type,
        `Select the type of incident ${n}`,
        `Select the type of incident ${n} from the list`,
      ),
      summary: c.long(at('summary'), `a summary of incident ${n}`, inc.summary, 2000, true),
      agencyReference: c.line(at('agencyReference'), `the reference of incident ${n}`, inc.agencyReference, 40, false),
    });
  });
  if (c.submit && incidents.length === 0) c.fail('incidents', 'Add at least one incident');
  return incidents;
}

function readTried(c: FieldChecks, raw: RawReferral) {
  const triedActions = raw.triedActions.filter((v): v is TriedAction =>
    (TRIED_ACTIONS as readonly string[]).includes(v),
  );
  if (triedActions.length !== raw.triedActions.length)
    c.fail('triedActions', 'Select what has been tried from the list');
  return {
    triedActions: [...new Set(triedActions)],
    triedOther: c.line('triedOther', 'the other action tried', raw.triedOther, 200, triedActions.includes('other')),
    triedDetails: c.long('triedDetails', 'the details of what has been tried', raw.triedDetails, 3000, false),
  };
}

/**
 * The risk assessment's answers by question id: only answers the matrix offers. Submitting needs
 * the questions about the kinds of subject referred (a perpetrator's, for a perpetrator).
 */
function readAnswers(
  c: FieldChecks,
  risk: Record<string, string>,
  matrix: Matrix,
  kinds: SubjectKind[],
): Record<number, string> {
  const answers: Record<number, string> = {};
  const asked = new Set(questionsFor(matrix, kinds).map((q) => q.id));
  for (const question of matrix.questions) {
    const name = riskField(question.id);
    const value = risk[`q${question.id}`] ?? '';
    if (value === '') {
      if (c.submit && asked.has(question.id))
        c.fail(name, `Answer question ${question.position} of the risk assessment`);
    } else if (!question.options.some((o) => o.key === value)) {
      c.fail(name, `Select one of the answers to question ${question.position}`);
    } else answers[question.id] = value;
  }
  return answers;
}

/** The referrer's judgement of the risk, and the grounds for sharing the information. */
function readJudgementAndSharing(c: FieldChecks, raw: RawReferral) {
  const judgement = c.pick(
    'judgement',
    JUDGEMENTS,
    raw.judgement,
    'Select your professional judgement of the risk',
    'Select your professional judgement from the list',
  );
  const judgementReasons = c.long(
    'judgementReasons',
    'the reasons for your professional judgement',
    raw.judgementReasons,
    3000,
    judgement === 'high' || judgement === 'lower',
  );
  const lawfulBasis = c.pick(
    'lawfulBasis',
    LAWFUL_BASES,
    raw.lawfulBasis,
    'Select the lawful basis for sharing this information',
    'Select a lawful basis from the list',
  );
  const consentMessage = 'Select whether the subject consented to the referral';
  const consent = c.pick('consent', ['yes', 'no'] as const, raw.consent, consentMessage, consentMessage);
  const consentReason = c.long(
    'consentReason',
    'why the information is shared without consent',
    raw.consentReason,
    2000,
    consent === 'no',
  );
  if (lawfulBasis === 'consent' && consent === 'no')
    c.fail('lawfulBasis', 'The subject did not consent: choose another lawful basis for sharing');
  return { judgement, judgementReasons, lawfulBasis, consent, consentReason };
}

/**
 * Checks a referral form. Pure: the districts, the matrix and today's date are given. Every
 * problem is reported against the field that has it, in words a practitioner understands.
 */
export function validateReferral(raw: RawReferral, ctx: ValidationContext): Validated {
  const c = fieldChecks(ctx.mode, ctx.today);
  const districtId = readDistrict(c, raw.districtId, ctx.districtIds);
  const referrer = readReferrer(c, raw);
  const { subjects, placeOf } = readSubjects(c, raw.subjects);
  const links = readLinks(c, raw.links, placeOf);
  const incidents = readIncidents(c, raw.incidents);
  const tried = readTried(c, raw);
  const kinds = [...new Set(subjects.map((s) => s.kind).filter((k): k is SubjectKind => k !== null))];
  const answers = readAnswers(c, raw.risk, ctx.matrix, kinds);
  const judgementAndSharing = readJudgementAndSharing(c, raw);
  return {
    input: {
      districtId,
      ...referrer,
      subjects,
      links,
      incidents,
      ...tried,
      matrixVersionId: ctx.matrix.id,
      answers,
      ...judgementAndSharing,
    },
    errors: c.errors,
  };
}
