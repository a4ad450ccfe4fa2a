import { dateParts, rowsOf, str, strList, type DateParts } from '../http/forms';

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

export const blankIncident = (): RawIncident => ({
  date: { day: '', month: '', year: '' },
  type: '',
  summary: '',
  agencyReference: '',
});
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

export const isBlankDate = (d: DateParts) => !d.day.trim() && !d.month.trim() && !d.year.trim();

export function isBlankSubject(s: RawSubject): boolean {
  return (
    !s.kind &&
    !s.fullName.trim() &&
    isBlankDate(s.dateOfBirth) &&
    !s.approximateAge.trim() &&
    !s.gender &&
    !s.address.trim() &&
    !s.postcode.trim() &&
    !s.description.trim() &&
    s.vulnerabilities.length === 0
  );
}

export function isBlankIncident(i: RawIncident): boolean {
  return isBlankDate(i.date) && !i.type && !i.summary.trim() && !i.agencyReference.trim();
}

export const isBlankLink = (l: RawLink) => !l.from && !l.relation && !l.to;

/** Removes a subject and the links that named it; later subjects move up one place. */
export function removeSubject(raw: RawReferral, index: number): RawReferral {
  if (index < 0 || index >= raw.subjects.length) return raw;
  const renumber = (v: string) => (v !== '' && Number(v) > index ? String(Number(v) - 1) : v);
  return {
    ...raw,
    subjects: raw.subjects.filter((_, i) => i !== index),
    links: raw.links
      .filter((l) => l.from !== String(index) && l.to !== String(index))
      .map((l) => ({ ...l, from: renumber(l.from), to: renumber(l.to) })),
  };
}
