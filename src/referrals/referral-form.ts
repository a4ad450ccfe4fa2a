import { z } from 'zod';
import type { SubjectKind } from '../db/schema';
import { emailAddress, optionalLongText, optionalText } from '../http/forms';
import type { Matrix } from '../risk/scoring';
import { formatPostcode, isUkPostcode } from './matching';
import { checkDate, dateParts, datePartsOf, rowsOf, str, strList, type DateParts } from '../http/forms';
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

export const MAX_SUBJECTS = 12;
export const MAX_INCIDENTS = 30;
export const MAX_LINKS = 20;

/** The referral form exactly as typed: strings only, ready to show again. */
export interface RawSubject {
  kind: string;
  fullName: string;
  dateOfBirth: DateParts;
  approximateAge: string;
  gender: string;
  address: string;
  postcode: string;
  description: string;
  vulnerabilities: string[];
}

export interface RawIncident {
  date: DateParts;
  type: string;
  summary: string;
  agencyReference: string;
}

export interface RawLink {
  from: string;
  relation: string;
  to: string;
}

export interface RawReferral {
  districtId: string;
  officerName: string;
  officerRole: string;
  officerPhone: string;
  officerEmail: string;
  reason: string;
  subjects: RawSubject[];
  links: RawLink[];
  incidents: RawIncident[];
  triedActions: string[];
  triedOther: string;
  triedDetails: string;
  matrixVersionId: string;
  /** Answers by `q<question id>`: the body parser would turn purely numeric keys into a compacted array. */
  risk: Record<string, string>;
  judgement: string;
  judgementReasons: string;
  lawfulBasis: string;
  consent: string;
  consentReason: string;
}

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

/** The form field of a risk question's answer. */
export const riskField = (questionId: number) => `risk[q${questionId}]`;

export const blankSubject = (): RawSubject => ({
  kind: '',
  fullName: '',
  dateOfBirth: { day: '', month: '', year: '' },
  approximateAge: '',
  gender: '',
  address: '',
  postcode: '',
  description: '',
  vulnerabilities: [],
});

export const blankIncident = (): RawIncident => ({ date: { day: '', month: '', year: '' }, type: '', summary: '', agencyReference: '' });
export const blankLink = (): RawLink => ({ from: '', relation: '', to: '' });

/** Picks the referral's fields out of a request body, ignoring anything else that was sent. */
export function readRaw(body: unknown): RawReferral {
  const b = body !== null && typeof body === 'object' ? (body as Record<string, unknown>) : {};
  const risk: Record<string, string> = {};
  if (b.risk !== null && typeof b.risk === 'object' && !Array.isArray(b.risk)) {
    for (const [key, value] of Object.entries(b.risk as Record<string, unknown>)) {
      if (/^q\d{1,9}$/.test(key) && typeof value === 'string') risk[key] = value;
    }
  }
  return {
    districtId: str(b.districtId),
    officerName: str(b.officerName),
    officerRole: str(b.officerRole),
    officerPhone: str(b.officerPhone),
    officerEmail: str(b.officerEmail),
    reason: str(b.reason),
    subjects: rowsOf(b.subjects, MAX_SUBJECTS).map((s) => ({
      kind: str(s.kind),
      fullName: str(s.fullName),
      dateOfBirth: dateParts(s.dateOfBirth),
      approximateAge: str(s.approximateAge),
      gender: str(s.gender),
      address: str(s.address),
      postcode: str(s.postcode),
      description: str(s.description),
      vulnerabilities: strList(s.vulnerabilities),
    })),
    links: rowsOf(b.links, MAX_LINKS).map((l) => ({ from: str(l.from), relation: str(l.relation), to: str(l.to) })),
    incidents: rowsOf(b.incidents, MAX_INCIDENTS).map((i) => ({
      date: dateParts(i.date),
      type: str(i.type),
      summary: str(i.summary),
      agencyReference: str(i.agencyReference),
    })),
    triedActions: strList(b.triedActions),
    triedOther: str(b.triedOther),
    triedDetails: str(b.triedDetails),
    matrixVersionId: str(b.matrixVersionId),
    risk,
    judgement: str(b.judgement),
    judgementReasons: str(b.judgementReasons),
    lawfulBasis: str(b.lawfulBasis),
    consent: str(b.consent),
    consentReason: str(b.consentReason),
  };
}

const isBlankDate = (d: DateParts) => !d.day.trim() && !d.month.trim() && !d.year.trim();

export function isBlankSubject(s: RawSubject): boolean {
  return (
    !s.kind && !s.fullName.trim() && isBlankDate(s.dateOfBirth) && !s.approximateAge.trim() && !s.gender && !s.address.trim() && !s.postcode.trim() && !s.description.trim() && s.vulnerabilities.length === 0
  );
}

export function isBlankIncident(i: RawIncident): boolean {
  return isBlankDate(i.date) && !i.type && !i.summary.trim() && !i.agencyReference.trim();
}

const isBlankLink = (l: RawLink) => !l.from && !l.relation && !l.to;

/** Removes a subject and the links that named it; later subjects move up one place. */
export function removeSubject(raw: RawReferral, index: number): RawReferral {
  if (index < 0 || index >= raw.subjects.length) return raw;
  const renumber = (v: string) => (v !== '' && Number(v) > index ? String(Number(v) - 1) : v);
  return {
    ...raw,
    subjects: raw.subjects.filter((_, i) => i !== index),
    links: raw.links.filter((l) => l.from !== String(index) && l.to !== String(index)).map((l) => ({ ...l, from: renumber(l.from), to: renumber(l.to) })),
  };
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

/**
 * Checks a referral form. Pure: the districts, the matrix and today's date are given. Every
 * problem is reported against the field that has it, in words a practitioner understands.
 */
export function validateReferral(raw: RawReferral, ctx: ValidationContext): Validated {
  const errors: Record<string, string> = {};
  const submit = ctx.mode === 'submit';
  const fail = (name: string, message: string) => {
    if (!(name in errors)) errors[name] = message;
  };

  function parsed<T>(name: string, schema: z.ZodType<T>, value: string): T | null {
    const result = schema.safeParse(value);
    if (!result.success) {
      fail(name, result.error.issues[0].message);
      return null;
    }
    return result.data;
  }
  const line = (name: string, label: string, value: string, max: number, required: boolean) => {
    const v = parsed(name, optionalText(label, max), value);
    if (v === null && required && submit && !(name in errors)) fail(name, `Enter ${label}`);
    return v;
  };
  const long = (name: string, label: string, value: string, max: number, required: boolean) => {
    const v = parsed(name, optionalLongText(label, max), value);
    if (v === null && required && submit && !(name in errors)) fail(name, `Enter ${label}`);
    return v;
  };
  function pick<T extends string>(name: string, allowed: readonly T[], value: string, required: string | null, unknown: string): T | null {
    if (value === '') {
      if (required && submit) fail(name, required);
      return null;
    }
    if (!(allowed as readonly string[]).includes(value)) {
      fail(name, unknown);
      return null;
    }
    return value as T;
  }
  function date(name: string, label: string, parts: DateParts, opts: { required: boolean; earliest: string }): string | null {
    const checked = checkDate(parts, label, { earliest: opts.earliest, latest: ctx.today });
    if (checked.empty) {
      if (opts.required && submit) fail(name, `Enter ${label}`);
      return null;
    }
    if ('error' in checked) {
      fail(name, checked.error);
      return null;
    }
    return checked.value;
  }

  const districtId = ((): number | null => {
    const v = raw.districtId;
    if (v === '') {
      if (submit) fail('districtId', 'Select the district the case is in');
      return null;
    }
    if (!/^[1-9]\d{0,9}$/.test(v) || !ctx.districtIds.has(Number(v))) {
      fail('districtId', 'Select a district from the list');
      return null;
    }
    return Number(v);
  })();

  const officerName = line('officerName', 'the name of the referring officer', raw.officerName, 120, true);
  const officerRole = line('officerRole', 'the job title of the referring officer', raw.officerRole, 120, false);
  const officerPhone = line('officerPhone', 'the phone number of the referring officer', raw.officerPhone, 40, false);
  if (officerPhone !== null && !PHONE.test(officerPhone)) fail('officerPhone', 'Enter a phone number using digits, spaces, brackets, + or -');
  let officerEmail: string | null = null;
  if (raw.officerEmail.trim() === '') {
    if (submit) fail('officerEmail', 'Enter the email address of the referring officer');
  } else {
    officerEmail = parsed('officerEmail', emailAddress('the email address of the referring officer'), raw.officerEmail);
  }
  const reason = long('reason', 'why you are referring this case', raw.reason, 5000, true);

  const subjects: SubjectInput[] = [];
  const keptSubjectIndex = new Map<number, number>();
  raw.subjects.forEach((s, i) => {
    if (isBlankSubject(s)) return;
    const n = i + 1;
    const at = (field: string) => `subjects[${i}][${field}]`;
    const kind = pick(at('kind'), SUBJECT_KINDS, s.kind, `Select whether subject ${n} is a victim, a perpetrator or a location`, `Select whether subject ${n} is a victim, a perpetrator or a location`);
    const isPlace = kind === 'location';
    const fullName = line(at('fullName'), isPlace ? `the name of location ${n}` : `the full name of subject ${n}`, s.fullName, 120, kind !== null && !isPlace);
    const dateOfBirth = date(at('dateOfBirth'), `the date of birth of subject ${n}`, s.dateOfBirth, { required: false, earliest: EARLIEST_BIRTH });
    let approximateAge: number | null = null;
    const age = s.approximateAge.trim();
    if (age !== '') {
      if (!/^\d{1,3}$/.test(age) || Number(age) > 120) fail(at('approximateAge'), `The approximate age of subject ${n} must be a whole number from 0 to 120`);
      else approximateAge = Number(age);
    }
    if (!isPlace && dateOfBirth !== null && approximateAge !== null) {
      fail(at('approximateAge'), `Give either a date of birth or an approximate age for subject ${n}, not both`);
    }
    if (submit && kind !== null && !isPlace && isBlankDate(s.dateOfBirth) && age === '') {
      fail(at('dateOfBirth'), `Enter the date of birth of subject ${n}, or their approximate age`);
    }
    const gender = pick(at('gender'), GENDERS, s.gender, null, `Select the gender of subject ${n} from the list`);
    const address = long(at('address'), `the address of subject ${n}`, s.address, 300, false);
    let postcode: string | null = null;
    const pc = s.postcode.trim();
    if (pc !== '') {
      if (pc.length > 10 || !isUkPostcode(pc)) fail(at('postcode'), `Enter a real postcode for subject ${n}, like LN1 1AA`);
      else postcode = formatPostcode(pc);
    }
    const description = long(at('description'), `a description of location ${n}`, s.description, 500, false);
    if (submit && isPlace && address === null && description === null && !(at('address') in errors)) {
      fail(at('address'), `Enter the address of location ${n}, or describe where it is`);
    }
    const vulnerabilities = s.vulnerabilities.filter((v): v is Vulnerability => (VULNERABILITIES as readonly string[]).includes(v));
    if (vulnerabilities.length !== s.vulnerabilities.length) fail(at('vulnerabilities'), `Select the vulnerabilities of subject ${n} from the list`);
    keptSubjectIndex.set(i, subjects.length);
    subjects.push({
      kind,
      fullName,
      dateOfBirth: isPlace ? null : dateOfBirth,
      approximateAge: isPlace ? null : approximateAge,
      gender: isPlace ? null : gender,
      address,
      postcode,
      description,
      vulnerabilities: isPlace ? [] : [...new Set(vulnerabilities)],
    });
  });
  if (submit && subjects.length === 0) fail('subjects', 'Add at least one subject: a victim, a perpetrator or a location');

  const links: LinkInput[] = [];
  raw.links.forEach((l, i) => {
    if (isBlankLink(l)) return;
    const n = i + 1;
    const at = (field: string) => `links[${i}][${field}]`;
    const index = (v: string) => (/^\d{1,2}$/.test(v) && keptSubjectIndex.has(Number(v)) ? (keptSubjectIndex.get(Number(v)) as number) : null);
    const from = index(l.from);
    const to = index(l.to);
    const relation = pick(at('relation'), RELATIONS, l.relation, `Select how the subjects in link ${n} are related`, `Select how the subjects in link ${n} are related`);
    if (from === null) fail(at('from'), `Select the first subject of link ${n} from the list`);
    if (to === null) fail(at('to'), `Select the second subject of link ${n} from the list`);
    if (from !== null && to !== null && from === to) fail(at('to'), `Link ${n} must be between two different subjects`);
    if (from !== null && to !== null && from !== to && relation) links.push({ from, relation, to });
  });

  const incidents: IncidentInput[] = [];
  raw.incidents.forEach((inc, i) => {
    if (isBlankIncident(inc)) return;
    const n = i + 1;
    const at = (field: string) => `incidents[${i}][${field}]`;
    incidents.push({
      date: date(at('date'), `the date of incident ${n}`, inc.date, { required: true, earliest: EARLIEST_INCIDENT }),
      type: pick(at('type'), INCIDENT_TYPES, inc.type, `Select the type of incident ${n}`, `Select the type of incident ${n} from the list`),
      summary: long(at('summary'), `a summary of incident ${n}`, inc.summary, 2000, true),
      agencyReference: line(at('agencyReference'), `the reference of incident ${n}`, inc.agencyReference, 40, false),
    });
  });
  if (submit && incidents.length === 0) fail('incidents', 'Add at least one incident');

  const triedActions = raw.triedActions.filter((v): v is TriedAction => (TRIED_ACTIONS as readonly string[]).includes(v));
  if (triedActions.length !== raw.triedActions.length) fail('triedActions', 'Select what has been tried from the list');
  const triedOther = line('triedOther', 'the other action tried', raw.triedOther, 200, triedActions.includes('other'));
  const triedDetails = long('triedDetails', 'the details of what has been tried', raw.triedDetails, 3000, false);

  const answers: Record<number, string> = {};
  for (const question of ctx.matrix.questions) {
    const name = riskField(question.id);
    const value = raw.risk[`q${question.id}`] ?? '';
    if (value === '') {
      if (submit) fail(name, `Answer question ${question.position} of the risk assessment`);
    } else if (!question.options.some((o) => o.key === value)) {
      fail(name, `Select one of the answers to question ${question.position}`);
    } else answers[question.id] = value;
  }

  const judgement = pick('judgement', JUDGEMENTS, raw.judgement, 'Select your professional judgement of the risk', 'Select your professional judgement from the list');
  const judgementReasons = long('judgementReasons', 'the reasons for your professional judgement', raw.judgementReasons, 3000, judgement === 'high' || judgement === 'lower');

  const lawfulBasis = pick('lawfulBasis', LAWFUL_BASES, raw.lawfulBasis, 'Select the lawful basis for sharing this information', 'Select a lawful basis from the list');
  const consent = pick('consent', ['yes', 'no'] as const, raw.consent, 'Select whether the subject consented to the referral', 'Select whether the subject consented to the referral');
  const consentReason = long('consentReason', 'why the information is shared without consent', raw.consentReason, 2000, consent === 'no');
  if (lawfulBasis === 'consent' && consent === 'no') fail('lawfulBasis', 'The subject did not consent: choose another lawful basis for sharing');

  return {
    input: {
      districtId,
      officerName,
      officerRole,
      officerPhone,
      officerEmail,
      reason,
      subjects,
      links,
      incidents,
      triedActions: [...new Set(triedActions)],
      triedOther,
      triedDetails,
      matrixVersionId: ctx.matrix.id,
      answers,
      judgement,
      judgementReasons,
      lawfulBasis,
      consent,
      consentReason,
    },
    errors,
  };
}

/** A stored subject of a referral, as the form and the record page read it. */
export interface StoredSubject {
  id: number;
  kind: string | null;
  fullName: string | null;
  dateOfBirth: string | null;
  approximateAge: number | null;
  gender: string | null;
  address: string | null;
  postcode: string | null;
  description: string | null;
  vulnerabilities: string[];
}

/** A stored referral as the form shows it, for editing. */
export interface StoredReferral {
  districtId: number | null;
  officerName: string | null;
  officerRole: string | null;
  officerPhone: string | null;
  officerEmail: string | null;
  reason: string | null;
  triedActions: string[];
  triedOther: string | null;
  triedDetails: string | null;
  riskMatrixVersionId: number;
  judgement: string | null;
  judgementReasons: string | null;
  lawfulBasis: string | null;
  consent: string | null;
  consentReason: string | null;
  subjects: StoredSubject[];
  subjectLinks: { fromSubjectId: number; relation: string; toSubjectId: number }[];
  incidents: { incidentDate: string | null; type: string | null; summary: string | null; agencyReference: string | null }[];
  answers: { questionId: number; answer: string }[];
}

export function rawFromStored(r: StoredReferral): RawReferral {
  const position = new Map(r.subjects.map((s, i) => [s.id, String(i)]));
  return {
    districtId: r.districtId === null ? '' : String(r.districtId),
    officerName: r.officerName ?? '',
    officerRole: r.officerRole ?? '',
    officerPhone: r.officerPhone ?? '',
    officerEmail: r.officerEmail ?? '',
    reason: r.reason ?? '',
    subjects: r.subjects.map((s) => ({
      kind: s.kind ?? '',
      fullName: s.fullName ?? '',
      dateOfBirth: datePartsOf(s.dateOfBirth),
      approximateAge: s.approximateAge === null ? '' : String(s.approximateAge),
      gender: s.gender ?? '',
      address: s.address ?? '',
      postcode: s.postcode ?? '',
      description: s.description ?? '',
      vulnerabilities: s.vulnerabilities,
    })),
    links: r.subjectLinks.map((l) => ({ from: position.get(l.fromSubjectId) ?? '', relation: l.relation, to: position.get(l.toSubjectId) ?? '' })),
    incidents: r.incidents.map((i) => ({
      date: datePartsOf(i.incidentDate),
      type: i.type ?? '',
      summary: i.summary ?? '',
      agencyReference: i.agencyReference ?? '',
    })),
    triedActions: r.triedActions,
    triedOther: r.triedOther ?? '',
    triedDetails: r.triedDetails ?? '',
    matrixVersionId: String(r.riskMatrixVersionId),
    risk: Object.fromEntries(r.answers.map((a) => [`q${a.questionId}`, a.answer])),
    judgement: r.judgement ?? '',
    judgementReasons: r.judgementReasons ?? '',
    lawfulBasis: r.lawfulBasis ?? '',
    consent: r.consent ?? '',
    consentReason: r.consentReason ?? '',
  };
}
