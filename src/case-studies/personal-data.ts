import { DateTime } from 'luxon';

/** The personal data of a source case that must not appear in a case study. */
export interface SourceTerms {
  names: string[];
  datesOfBirth: string[];
  postcodes: string[];
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const normalisePostcode = (p: string) => p.replace(/\s+/g, '').toUpperCase();
const POSTCODE = /\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b/gi;

/** A full name and each part of it of three letters or more, as whole words. */
function namePatterns(names: string[]): RegExp[] {
  const words = new Set<string>();
  for (const name of names) {
    const trimmed = name.trim();
    if (!trimmed) continue;
    words.add(trimmed);
    for (const part of trimmed.split(/[\s-]+/)) if (part.replace(/[^\p{L}]/gu, '').length >= 3) words.add(part);
  }
  return [...words].map((w) => new RegExp(`(?<![\\p{L}])${escape(w)}(?![\\p{L}])`, 'iu'));
}

/** The ways a date of birth is commonly written: 14/3/1941, 14-03-1941, 1941-03-14, 14 March 1941, 14 Mar 1941. */
function datePatterns(dates: string[]): RegExp[] {
  const out: RegExp[] = [];
  for (const iso of dates) {
    const d = DateTime.fromISO(iso, { zone: 'UTC' });
    if (!d.isValid) continue;
    out.push(new RegExp(`(?<!\\d)0?${d.day}[/.-]0?${d.month}[/.-]${d.year}(?!\\d)`));
    out.push(new RegExp(`(?<!\\d)${escape(iso)}(?!\\d)`));
    out.push(
      new RegExp(`(?<!\\d)${d.day}(st|nd|rd|th)?\\s+(${d.toFormat('LLLL')}|${d.toFormat('LLL')})\\s+${d.year}`, 'i'),
    );
  }
  return out;
}

/**
 * The fields whose text holds a subject's name, a date of birth or a postcode of the source case,
 * each with a message saying what kind of data was found (never the data itself).
 */
export function personalDataIn(texts: Record<string, string | null>, terms: SourceTerms): Record<string, string> {
  const names = namePatterns(terms.names);
  const dates = datePatterns(terms.datesOfBirth);
  const postcodes = new Set(terms.postcodes.map(normalisePostcode).filter(Boolean));
  const found: Record<string, string> = {};
  for (const [field, text] of Object.entries(texts)) {
    if (!text) continue;
    const kinds: string[] = [];
    if (names.some((p) => p.test(text))) kinds.push('a name');
    if (dates.some((p) => p.test(text))) kinds.push('a date of birth');
    if ((text.match(POSTCODE) ?? []).some((p) => postcodes.has(normalisePostcode(p)))) kinds.push('a postcode');
    if (kinds.length)
      found[field] =
        `This text contains ${kinds.join(' and ')} from the source case: remove personal data before submitting`;
  }
  return found;
}
