import type { ResearchStatus } from '../db/schema';
import type { CaseSubject } from './research.repository';
import { subjectLabel } from '../referrals/referral-view';
import { CHILDREN_NAMES, SAFEGUARDING_FLAGS, type SafeguardingFlag, type SubjectResearch } from './research-form';

export const RESEARCH_STATUS_TAGS: Record<ResearchStatus, string> = {
  requested: 'govuk-tag--grey',
  'information-held': 'govuk-tag--blue',
  'nothing-held': 'govuk-tag--green',
};

const STATUS_NAMES: Record<ResearchStatus, string> = {
  requested: 'Not answered',
  'information-held': 'Information held',
  'nothing-held': 'Nothing held',
};

/** What an agency needs to find a subject in its records: the name, date of birth or approximate age, address. */
export function subjectToFind(s: CaseSubject) {
  return {
    id: s.id,
    label: subjectLabel({ ...s, address: null }),
    dateOfBirth: s.dateOfBirth,
    approximateAge: s.dateOfBirth ? null : s.approximateAge,
    address: [s.address, s.postcode].filter(Boolean).join(', '),
  };
}

/** One subject's research as a reader sees it: fact and opinion apart. */
export function subjectResearchView(subject: ReturnType<typeof subjectToFind>, answer: SubjectResearch | undefined) {
  return {
    label: subject.label,
    answered: answer !== undefined,
    known: answer?.known === 'known',
    keyRisks: answer?.keyRisks ?? null,
    children: answer?.childrenInHousehold ? CHILDREN_NAMES[answer.childrenInHousehold] : null,
    flags: (answer?.safeguardingFlags ?? []).map((f) => SAFEGUARDING_FLAGS[f as SafeguardingFlag] ?? f),
    factsHeld: answer?.factsHeld ?? null,
    professionalOpinion: answer?.professionalOpinion ?? null,
  };
}

interface OverviewInput {
  closed: boolean;
  agencies: { id: number; shortName: string }[];
  items: { id: number; reference: string | null; referralId: number }[];
  answers: {
    id: number;
    agendaItemId: number;
    agencyId: number;
    status: ResearchStatus;
    summary: string | null;
    answeredAt: Date | null;
    answeredLate: boolean;
    shortName: string;
    agencyName: string;
    answeredByName: string | null;
  }[];
  bySubject: (SubjectResearch & { researchRequestId: number })[];
  subjects: Map<number, CaseSubject[]>;
}

/**
 * The chair's research view: a short status line per agency, then one section per case with every
 * invited agency's answer in full (summary, and each subject's facts and opinion).
 */
export function researchOverview({ closed, agencies, items, answers, bySubject, subjects }: OverviewInput) {
  const answered = (a: { status: ResearchStatus }) => a.status !== 'requested';
  const cases = items.map((item) => {
    const toFind = (subjects.get(item.referralId) ?? []).map(subjectToFind);
    const ofItem = answers.filter((a) => a.agendaItemId === item.id);
    return {
      ...item,
      answered: ofItem.filter(answered).length,
      total: ofItem.length,
      waiting: ofItem
        .filter((a) => !answered(a))
        .map((a) => a.shortName)
        .join(', '),
      agencies: ofItem.filter(answered).map((a) => ({
        ...a,
        statusName: STATUS_NAMES[a.status],
        tag: RESEARCH_STATUS_TAGS[a.status],
        subjects:
          a.status === 'information-held'
            ? toFind.map((s) =>
                subjectResearchView(
                  s,
                  bySubject.find((b) => b.researchRequestId === a.id && b.subjectId === s.id),
                ),
              )
            : [],
      })),
    };
  });
  const byAgency = agencies.map((ag) => {
    const own = answers.filter((a) => a.agencyId === ag.id);
    return {
      ...ag,
      answered: own.filter(answered).length,
      total: own.length,
      late: own.filter((a) => answered(a) && a.answeredLate).length,
      overdue: closed ? own.filter((a) => !answered(a)).length : 0,
    };
  });
  return {
    overdue: closed,
    cases,
    byAgency: halves(byAgency),
    answered: answers.filter(answered).length,
    total: answers.length,
  };
}

/** A list in two columns: side by side on a wide screen, one after the other on a phone. */
function halves<T>(list: T[]): T[][] {
  const middle = Math.ceil(list.length / 2);
  return [list.slice(0, middle), list.slice(middle)];
}
