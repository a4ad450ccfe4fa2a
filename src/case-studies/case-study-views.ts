import { str, parseId } from '../http/forms';
import {
  CATEGORIES,
  CATEGORY_NAMES,
  OUTCOMES,
  OUTCOME_NAMES,
  OUTCOME_TAGS,
  PLACE_TYPES,
  PLACE_TYPE_NAMES,
  STATUS_NAMES,
} from './case-study-codes';
import type { LibraryFilters, StoredStudy } from './case-studies.repository';

const items = (names: Record<string, string>) => Object.entries(names).map(([value, text]) => ({ value, text }));
export const CATEGORY_ITEMS = items(CATEGORY_NAMES);
export const PLACE_TYPE_ITEMS = items(PLACE_TYPE_NAMES);
export const OUTCOME_ITEMS = items(OUTCOME_NAMES);

/** A study as pages show it: codes in words, the agencies and interventions by name. */
export function studyView(
  s: StoredStudy,
  names: { agencies: { id: number; name: string }[]; interventions: { id: number; name: string }[] },
) {
  return {
    ...s,
    categoryName: s.category ? CATEGORY_NAMES[s.category] : null,
    placeTypeName: s.placeType ? PLACE_TYPE_NAMES[s.placeType] : null,
    outcomeName: s.outcome ? OUTCOME_NAMES[s.outcome] : null,
    outcomeTag: s.outcome ? OUTCOME_TAGS[s.outcome] : '',
    statusName: STATUS_NAMES[s.status],
    agencyNames: s.agencyIds.map((id) => names.agencies.find((a) => a.id === id)?.name).filter(Boolean),
    interventionNames: s.interventionIds
      .map((id) => names.interventions.find((i) => i.id === id)?.name)
      .filter(Boolean),
  };
}

/** The library's filters as typed; anything not on its list is a message by its field. */
export function readLibraryQuery(
  query: Record<string, unknown>,
  lists: { districtIds: number[]; interventionIds: number[] },
) {
  const values: Record<string, string> = {};
  const errors: Record<string, string> = {};
  const filters: LibraryFilters = {};
  const code = (name: 'category' | 'placeType' | 'outcome', allowed: string[], message: string) => {
    const v = str(query[name]).trim();
    values[name] = v;
    if (!v) return;
    if (allowed.includes(v)) filters[name] = v;
    else errors[name] = message;
  };
  const id = (name: 'districtId' | 'interventionId', allowed: number[], message: string) => {
    const v = str(query[name]).trim();
    values[name] = v;
    if (!v) return;
    const n = parseId(v);
    if (n !== null && allowed.includes(n)) filters[name] = n;
    else errors[name] = message;
  };
  code('category', CATEGORIES, 'Select an ASB problem category from the list');
  id('interventionId', lists.interventionIds, 'Select an intervention from the list');
  code('placeType', PLACE_TYPES, 'Select a type of place from the list');
  code('outcome', OUTCOMES, 'Select an outcome from the list');
  id('districtId', lists.districtIds, 'Select a district from the list');
  return { values, errors, filters };
}
