import type { Response } from 'express';
import type { ReferralStatus, SubjectKind } from '../db/schema';
import { flattenValues, formState } from '../http/forms';
import { assess, type Assessment, type Matrix } from '../risk/scoring';
import {
  blankIncident,
  blankLink,
  blankSubject,
  MAX_INCIDENTS,
  MAX_LINKS,
  MAX_SUBJECTS,
  removeSubject,
  riskField,
  type RawReferral,
} from './referral-form';
import {
  GENDER_NAMES,
  INCIDENT_TYPE_NAMES,
  itemsOf,
  JUDGEMENT_NAMES,
  LAWFUL_BASIS_NAMES,
  RELATION_NAMES,
  SUBJECT_KIND_NAMES,
  TRIED_ACTION_NAMES,
  VULNERABILITY_NAMES,
} from './referral-codes';
import { subjectLabel } from './referral-view';

const SUBJECT_FIELDS = [
  'kind',
  'fullName',
  'dateOfBirth',
  'approximateAge',
  'gender',
  'address',
  'postcode',
  'description',
  'vulnerabilities',
] as const;
const INCIDENT_FIELDS = ['date', 'type', 'summary', 'agencyReference'] as const;
const LINK_FIELDS = ['from', 'relation', 'to'] as const;

const namesFor = <F extends string>(prefix: string, index: number, fields: readonly F[]) =>
  Object.fromEntries(fields.map((f) => [f, `${prefix}[${index}][${f}]`])) as Record<F, string>;

/** The lists every referral form offers. Built once: they never change while the app runs. */
const FORM_ITEMS = {
  kindItems: itemsOf(SUBJECT_KIND_NAMES),
  genderItems: itemsOf(GENDER_NAMES),
  vulnerabilityItems: itemsOf(VULNERABILITY_NAMES),
  incidentTypeItems: itemsOf(INCIDENT_TYPE_NAMES),
  triedItems: itemsOf(TRIED_ACTION_NAMES),
  relationItems: itemsOf(RELATION_NAMES),
  judgementItems: [
    { value: 'agree', text: JUDGEMENT_NAMES.agree },
    {
      value: 'high',
      text: JUDGEMENT_NAMES.high,
      hint: 'The case then meets the referral criteria. Give your reasons below.',
    },
    {
      value: 'lower',
      text: JUDGEMENT_NAMES.lower,
      hint: 'Your view is recorded for the panel, but it cannot lower the verdict. Give your reasons below.',
    },
  ],
  lawfulBasisItems: itemsOf(LAWFUL_BASIS_NAMES),
  consentItems: [
    { value: 'yes', text: 'Yes' },
    { value: 'no', text: 'No', hint: 'Explain below why the information is shared without consent.' },
  ],
};

/** The referral a form is about; none for a new one. */
export interface FormReferral {
  referralId?: number;
  version?: number;
  reference?: string | null;
  status?: ReferralStatus;
  screeningNote?: string | null;
}

export interface FormPage extends FormReferral {
  raw: RawReferral;
  errors?: Record<string, string>;
  matrix: Matrix;
  httpStatus?: number;
  conflict?: boolean;
}

export function formReferralOf(
  id: number,
  referral: { version: number; reference: string | null; status: ReferralStatus; screeningNote: string | null },
): FormReferral {
  return {
    referralId: id,
    version: referral.version,
    reference: referral.reference,
    status: referral.status,
    screeningNote: referral.screeningNote,
  };
}

function titleOf(page: FormPage): string {
  if (!page.referralId) return 'Make a referral';
  return page.reference ? `Update referral ${page.reference}` : 'Edit draft referral';
}

const KIND_HEADINGS: Record<SubjectKind, string> = {
  victim: 'Questions about the victim',
  perpetrator: 'Questions about the perpetrator',
  location: 'Questions about the location',
};

/** One section per kind of subject, each with its questions, threshold and score so far. */
function questionGroupsOf(matrix: Matrix, preview: Assessment, chosenKinds: Set<string>) {
  return preview.byKind.map((k) => {
    const questions = matrix.questions.filter((q) => q.subjectKind === k.kind);
    return {
      ...k,
      heading: KIND_HEADINGS[k.kind],
      referred: chosenKinds.has(k.kind),
      unanswered: questions.filter((q) => preview.unanswered.includes(q.id)).length,
      questions: questions.map((q) => ({ ...q, name: riskField(q.id) })),
    };
  });
}

/** The referral form, with what was typed, a preview of the score and the districts to choose from. */
export function renderForm(
  res: Response,
  page: FormPage,
  context: { today: string; districts: { id: number; name: string }[] },
) {
  const raw = { ...page.raw };
  if (raw.subjects.length === 0) raw.subjects = [blankSubject()];
  if (raw.incidents.length === 0) raw.incidents = [blankIncident()];
  const { matrix } = page;
  const validAnswers = Object.fromEntries(
    matrix.questions
      .filter((q) => q.options.some((o) => o.key === raw.risk[`q${q.id}`]))
      .map((q) => [q.id, raw.risk[`q${q.id}`]]),
  );
  const preview = assess(matrix, {
    answers: validAnswers,
    judgement: null,
    incidentDates: [],
    asOf: context.today,
    repeatMatches: 0,
  });
  const questionGroups = questionGroupsOf(matrix, preview, new Set(raw.subjects.map((s) => s.kind)));
  const subjectChoices = raw.subjects.map((s, i) => ({
    value: String(i),
    text: subjectLabel({
      position: i + 1,
      kind: s.kind || null,
      fullName: s.fullName.trim() || null,
      address: s.address.trim() || null,
      description: s.description.trim() || null,
    }),
  }));
  res.status(page.httpStatus ?? 200).render('referrals/form', {
    title: titleOf(page),
    backLink: page.referralId ? `/referrals/${page.referralId}` : '/referrals',
    action: page.referralId ? `/referrals/${page.referralId}/edit` : '/referrals/new',
    referralId: page.referralId,
    version: page.version,
    reference: page.reference,
    moreInformation:
      page.status === 'more-information-requested' ? (page.screeningNote?.split(/\n+/).filter(Boolean) ?? []) : null,
    conflict: page.conflict,
    form: formState(flattenValues(raw), page.errors ?? {}),
    matrixVersionId: matrix.id,
    matrixNumber: matrix.number,
    threshold: matrix.threshold,
    escalationRule: `${matrix.escalationIncidents} or more incidents in ${matrix.escalationMonths} months`,
    repeatMonths: matrix.repeatMonths,
    preview,
    districtItems: context.districts.map((d) => ({ value: d.id, text: d.name })),
    subjects: raw.subjects.map((_, i) => ({
      index: i,
      number: i + 1,
      names: namesFor('subjects', i, SUBJECT_FIELDS),
      canRemove: raw.subjects.length > 1,
    })),
    incidents: raw.incidents.map((_, i) => ({
      index: i,
      number: i + 1,
      names: namesFor('incidents', i, INCIDENT_FIELDS),
      canRemove: raw.incidents.length > 1,
    })),
    links: raw.links.map((_, i) => ({ index: i, number: i + 1, names: namesFor('links', i, LINK_FIELDS) })),
    canAddSubject: raw.subjects.length < MAX_SUBJECTS,
    canAddIncident: raw.incidents.length < MAX_INCIDENTS,
    canAddLink: raw.links.length < MAX_LINKS && raw.subjects.length > 1,
    subjectChoices,
    questionGroups,
    ...FORM_ITEMS,
  });
}

/** Adds or removes a row, keeping everything typed; null when the button was not one of those. */
export function applyRowAction(raw: RawReferral, action: { name: string; index: number | null }): RawReferral | null {
  const i = action.index ?? -1;
  switch (action.name) {
    case 'add-subject':
      return raw.subjects.length < MAX_SUBJECTS ? { ...raw, subjects: [...raw.subjects, blankSubject()] } : raw;
    case 'remove-subject':
      return removeSubject(raw, i);
    case 'add-incident':
      return raw.incidents.length < MAX_INCIDENTS ? { ...raw, incidents: [...raw.incidents, blankIncident()] } : raw;
    case 'remove-incident':
      return { ...raw, incidents: raw.incidents.filter((_, n) => n !== i) };
    case 'add-link':
      return raw.links.length < MAX_LINKS ? { ...raw, links: [...raw.links, blankLink()] } : raw;
    case 'remove-link':
      return { ...raw, links: raw.links.filter((_, n) => n !== i) };
    default:
      return null;
  }
}
