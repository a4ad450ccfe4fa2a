import { datePartsOf } from '../http/forms';
import type { RawReferral } from './referral-form';

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
  incidents: {
    incidentDate: string | null;
    type: string | null;
    summary: string | null;
    agencyReference: string | null;
  }[];
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
    links: r.subjectLinks.map((l) => ({
      from: position.get(l.fromSubjectId) ?? '',
      relation: l.relation,
      to: position.get(l.toSubjectId) ?? '',
    })),
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
