import { z } from 'zod';
import {
  checkbox,
  flattenValues,
  formState,
  optionalLongText,
  optionalText,
  parseId,
  requiredText,
  str,
  strList,
  type FormState,
} from '../http/forms';
import { CATEGORIES, OUTCOMES, PLACE_TYPES } from './case-study-codes';
import type { CaseStudyContent } from './case-studies.repository';

export type Mode = 'draft' | 'submit';

export interface StudyLists {
  districtIds: number[];
  agencyIds: number[];
  interventionIds: number[];
}

const textSchema = z.object({
  title: requiredText('a title', 120),
  interventionsOther: optionalText('the other interventions', 300),
  whatWorked: optionalLongText('what worked', 3000),
  whatDidNot: optionalLongText('what did not work', 3000),
  barriers: optionalLongText('the barriers', 3000),
  confirmNoPersonalData: checkbox,
});

/** The free-text fields, where personal data could be typed. */
export const TEXT_FIELDS = ['title', 'interventionsOther', 'whatWorked', 'whatDidNot', 'barriers'] as const;

export type ReadStudy =
  | { ok: true; content: CaseStudyContent; confirmed: boolean; sourceReferralId: number | null }
  | { ok: false; form: FormState };

function pick(value: unknown, allowed: readonly string[]): string | null {
  const v = str(value);
  return allowed.includes(v) ? v : null;
}

function ids(value: unknown, allowed: number[]): { ids: number[]; bad: boolean } {
  const list = strList(value).map(parseId);
  return {
    ids: [...new Set(list.filter((n): n is number => n !== null && allowed.includes(n)))],
    bad: list.some((n) => n === null || !allowed.includes(n)),
  };
}

/**
 * Reads a case study. A draft needs only a title; submitting it for approval needs the whole
 * template: the problem, the agencies, at least one intervention, what worked, what did not, the
 * barriers and the outcome. Every message is by its field.
 */
export function readStudy(body: unknown, mode: Mode, lists: StudyLists): ReadStudy {
  const b = body !== null && typeof body === 'object' ? (body as Record<string, unknown>) : {};
  const errors: Record<string, string> = {};
  const text = textSchema.safeParse(b);
  if (!text.success) for (const issue of text.error.issues) errors[String(issue.path[0])] ??= issue.message;
  const category = pick(b.category, CATEGORIES);
  const placeType = pick(b.placeType, PLACE_TYPES);
  const outcome = pick(b.outcome, OUTCOMES);
  const districtId = parseId(b.districtId);
  const agencies = ids(b.agencyIds, lists.agencyIds);
  const interventions = ids(b.interventionIds, lists.interventionIds);
  if (str(b.category) && !category) errors.category = 'Select the ASB problem category from the list';
  if (str(b.placeType) && !placeType) errors.placeType = 'Select the type of place from the list';
  if (str(b.outcome) && !outcome) errors.outcome = 'Select whether it worked, was promising or did not work';
  if (str(b.districtId) && (districtId === null || !lists.districtIds.includes(districtId)))
    errors.districtId = 'Select a district from the list';
  if (agencies.bad) errors.agencyIds = 'Select the agencies from the list';
  if (interventions.bad) errors.interventionIds = 'Select the interventions from the list';
  const t = text.success ? text.data : null;
  if (mode === 'submit') {
    if (!category) errors.category ??= 'Select the ASB problem category';
    if (!placeType) errors.placeType ??= 'Select the type of place';
    if (districtId === null) errors.districtId ??= 'Select the district';
    if (agencies.ids.length === 0) errors.agencyIds ??= 'Select the agencies involved';
    if (interventions.ids.length === 0 && !t?.interventionsOther)
      errors.interventionIds ??= 'Select the interventions tried, or describe them under other interventions';
    if (t && !t.whatWorked) errors.whatWorked = 'Enter what worked';
    if (t && !t.whatDidNot) errors.whatDidNot = 'Enter what did not work';
    if (t && !t.barriers) errors.barriers = 'Enter the barriers';
    if (!outcome) errors.outcome ??= 'Select whether it worked, was promising or did not work';
  }
  if (Object.keys(errors).length || !t) return { ok: false, form: formState(flattenValues(body), errors) };
  return {
    ok: true,
    confirmed: t.confirmNoPersonalData,
    sourceReferralId: parseId(b.sourceReferralId),
    content: {
      title: t.title,
      category,
      placeType,
      districtId: districtId !== null && lists.districtIds.includes(districtId) ? districtId : null,
      agencyIds: agencies.ids,
      interventionIds: interventions.ids,
      interventionsOther: t.interventionsOther,
      whatWorked: t.whatWorked,
      whatDidNot: t.whatDidNot,
      barriers: t.barriers,
      outcome,
    },
  };
}

/** A stored study as the form shows it. */
export function valuesOfStudy(s: CaseStudyContent & { version: number; sourceReferralId: number | null }) {
  return {
    title: s.title,
    category: s.category ?? '',
    placeType: s.placeType ?? '',
    districtId: s.districtId === null || s.districtId === undefined ? '' : String(s.districtId),
    agencyIds: (s.agencyIds ?? []).map(String),
    interventionIds: (s.interventionIds ?? []).map(String),
    interventionsOther: s.interventionsOther ?? '',
    whatWorked: s.whatWorked ?? '',
    whatDidNot: s.whatDidNot ?? '',
    barriers: s.barriers ?? '',
    outcome: s.outcome ?? '',
    version: String(s.version),
    sourceReferralId: s.sourceReferralId === null ? '' : String(s.sourceReferralId),
  };
}
