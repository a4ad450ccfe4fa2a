import { DateTime } from 'luxon';
import type { ReferralStatus, RiskVerdict, SubjectKind } from '../db/schema';
import { assess, questionsFor, type Matrix } from '../risk/scoring';
import type { StoredSubject } from './referral-stored';
import { formatCalendarDate } from '../time';
import {
  CRITERION_NAMES,
  EVENT_NAMES,
  GENDER_NAMES,
  INCIDENT_TYPE_NAMES,
  JUDGEMENT_NAMES,
  LAWFUL_BASIS_NAMES,
  RELATION_NAMES,
  STATUS_NAMES,
  STATUS_TAG,
  SUBJECT_KIND_NAMES,
  TRIED_ACTION_NAMES,
  VERDICT_NAMES,
  VULNERABILITY_NAMES,
  type Criterion,
} from './referral-codes';

/** Words for a code; an unknown code (from an older list) is shown as it is rather than lost. */
function nameOf(names: Record<string, string>, code: string | null | undefined): string | null {
  if (!code) return null;
  return names[code] ?? code;
}

/** Multi-line text typed by a user, as paragraphs (the CSP allows no inline style for pre-wrap). */
export function paragraphs(text: string | null | undefined): string[] {
  return text
    ? text
        .split(/\n+/)
        .map((p) => p.trim())
        .filter(Boolean)
    : [];
}

export function statusView(status: ReferralStatus) {
  return { code: status, name: STATUS_NAMES[status], tag: STATUS_TAG[status] };
}

export function verdictView(verdict: RiskVerdict) {
  return {
    code: verdict,
    name: VERDICT_NAMES[verdict],
    tag: verdict === 'high' ? 'govuk-tag--red' : 'govuk-tag--grey',
  };
}

function ageOn(dateOfBirth: string, today: string): number {
  return Math.floor(DateTime.fromISO(today).diff(DateTime.fromISO(dateOfBirth), 'years').years);
}

type SubjectLike = StoredSubject & { position: number };

/** How a subject is named in lists and links: a person's name, or a place's name or address. */
export function subjectLabel(s: {
  position: number;
  kind: string | null;
  fullName: string | null;
  address: string | null;
  description: string | null;
}): string {
  const what = s.fullName || s.address?.split(/[,\n]/)[0] || s.description?.slice(0, 60) || 'not named yet';
  return `${nameOf(SUBJECT_KIND_NAMES, s.kind) ?? 'Subject'} ${s.position}: ${what}`;
}

export interface RecordSource {
  referral: {
    status: ReferralStatus;
    riskVerdict: RiskVerdict;
    riskScore: number;
    criteria: string[];
    escalationCount: number;
    judgement: string | null;
    judgementReasons: string | null;
    reason: string | null;
    triedActions: string[];
    triedOther: string | null;
    triedDetails: string | null;
    lawfulBasis: string | null;
    consent: string | null;
    consentReason: string | null;
    screeningNote: string | null;
    closedReason: string | null;
    subjects: SubjectLike[];
    subjectLinks: { fromSubjectId: number; relation: string; toSubjectId: number }[];
    incidents: {
      position: number;
      incidentDate: string | null;
      type: string | null;
      summary: string | null;
      agencyReference: string | null;
    }[];
    answers: { questionId: number; answer: string }[];
  };
  matrix: Matrix;
}

/** Each kind of subject's score on its own questions, and the answers to the questions asked. */
function riskAnswersView(r: RecordSource['referral'], matrix: Matrix, today: string) {
  const answers = new Map(r.answers.map((a) => [a.questionId, a.answer]));
  const kinds = [...new Set(r.subjects.map((s) => s.kind as SubjectKind | null).filter((k) => k !== null))];
  // Each kind of subject is scored on its own questions, against its own threshold.
  const assessed = assess(matrix, {
    answers: Object.fromEntries(answers),
    judgement: null,
    incidentDates: [],
    asOf: today,
    repeatMatches: 0,
    kinds,
  });
  const byKind = assessed.byKind.map((k) => ({
    ...k,
    name: SUBJECT_KIND_NAMES[k.kind],
    lowerName: SUBJECT_KIND_NAMES[k.kind].toLowerCase(),
  }));
  const questions = questionsFor(matrix, kinds).map((q) => {
    const option = q.options.find((o) => o.key === answers.get(q.id));
    return {
      position: q.position,
      kindName: SUBJECT_KIND_NAMES[q.subjectKind],
      text: q.text,
      answer: option?.label ?? 'Not answered',
      weight: option ? option.weight : null,
    };
  });
  // The stored score is the deciding kind's: the threshold shown beside it is that kind's.
  return { byKind, questions, threshold: assessed.threshold };
}

/** A referral as the case record and the check page show it: every code in words. */
export function recordView({ referral: r, matrix }: RecordSource, today: string) {
  const byId = new Map(r.subjects.map((s) => [s.id, s]));
  const { byKind, questions, threshold } = riskAnswersView(r, matrix, today);
  const criteria = (Object.keys(CRITERION_NAMES) as Criterion[]).map((code) => ({
    code,
    name: CRITERION_NAMES[code],
    met: r.criteria.includes(code),
  }));
  return {
    status: statusView(r.status),
    verdict: verdictView(r.riskVerdict),
    reasonParagraphs: paragraphs(r.reason),
    subjects: r.subjects.map((s) => ({
      ...s,
      isPlace: s.kind === 'location',
      title: subjectLabel(s),
      kindName: nameOf(SUBJECT_KIND_NAMES, s.kind) ?? 'Not given',
      dateOfBirthText: s.dateOfBirth
        ? `${formatCalendarDate(s.dateOfBirth)} (age ${ageOn(s.dateOfBirth, today)})`
        : null,
      genderName: nameOf(GENDER_NAMES, s.gender),
      addressLines: paragraphs(s.address),
      descriptionParagraphs: paragraphs(s.description),
      vulnerabilityNames: s.vulnerabilities.map((v) => nameOf(VULNERABILITY_NAMES, v)),
    })),
    subjectLinks: r.subjectLinks
      .filter((l) => byId.has(l.fromSubjectId) && byId.has(l.toSubjectId))
      .map((l) => ({
        from: subjectLabel(byId.get(l.fromSubjectId)!),
        relation: nameOf(RELATION_NAMES, l.relation),
        to: subjectLabel(byId.get(l.toSubjectId)!),
      })),
    incidents: r.incidents.map((i) => ({
      ...i,
      dateText: i.incidentDate ? formatCalendarDate(i.incidentDate) : 'No date',
      typeName: nameOf(INCIDENT_TYPE_NAMES, i.type) ?? 'Not given',
      summaryParagraphs: paragraphs(i.summary),
    })),
    triedNames: r.triedActions.map((t) =>
      t === 'other' && r.triedOther ? `Other: ${r.triedOther}` : nameOf(TRIED_ACTION_NAMES, t),
    ),
    triedParagraphs: paragraphs(r.triedDetails),
    risk: {
      questions,
      byKind,
      score: r.riskScore,
      threshold,
      matrixNumber: matrix.number,
      escalationCount: r.escalationCount,
      escalationRule: `${matrix.escalationIncidents} or more incidents in ${matrix.escalationMonths} months`,
      repeatMonths: matrix.repeatMonths,
      criteria,
      judgementName: nameOf(JUDGEMENT_NAMES, r.judgement),
      judgementLower: r.judgement === 'lower',
      judgementParagraphs: paragraphs(r.judgementReasons),
    },
    lawfulBasisName: nameOf(LAWFUL_BASIS_NAMES, r.lawfulBasis),
    consentText: r.consent === 'yes' ? 'Yes' : r.consent === 'no' ? 'No' : null,
    consentParagraphs: paragraphs(r.consentReason),
    screeningParagraphs: paragraphs(r.screeningNote),
    closedParagraphs: paragraphs(r.closedReason),
  };
}

/** Timeline entries written by the meeting: a case deferred at a panel goes back to waiting for one. */
const MEETING_EVENT_NAMES: Record<string, string> = { deferred: 'Deferred at a panel: awaiting a later panel' };

export function eventView(e: {
  at: Date;
  kind: string;
  note: string | null;
  userName: string | null;
  agencyShortName: string | null;
}) {
  return {
    at: e.at,
    name: EVENT_NAMES[e.kind] ?? MEETING_EVENT_NAMES[e.kind] ?? e.kind,
    who: [e.userName, e.agencyShortName].filter(Boolean).join(', '),
    noteParagraphs: paragraphs(e.note),
  };
}
