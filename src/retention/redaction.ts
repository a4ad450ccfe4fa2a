/*
 * The pure part of anonymising a case in the stores that hold several cases at once (minutes,
 * agenda versions, drafts): the case's own item is replaced, and the identifiers of its subjects
 * are swept out of every other piece of text.
 */

/** What replaces a redacted value in minutes and agendas, so a reader sees that something was there. */
export const ANONYMISED = '[anonymised]';

/** The identifying text of a case's subjects, gathered before their rows are cleared. */
export interface Identifiers {
  names: string[];
  addresses: string[];
  postcodes: string[];
  datesOfBirth: string[];
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** One expression finding any of them, longest first, whole words only; null when there is nothing to find. */
export function identifierPattern(ids: Identifiers): RegExp | null {
  const tokens = ids.names.flatMap((n) => n.split(/[\s,]+/)).filter((t) => t.replace(/[^\p{L}]/gu, '').length >= 3);
  const postcodeParts = ids.postcodes.map((p) => p.replace(/\s+/g, '\\s*'));
  const terms = [...ids.names, ...ids.addresses, ...tokens, ...ids.datesOfBirth]
    .map((t) => t.trim())
    .filter((t) => t.length >= 3)
    .map(escape);
  const all = [...new Set([...terms, ...postcodeParts])].sort((a, b) => b.length - a.length);
  if (all.length === 0) return null;
  return new RegExp(`(?<![\\p{L}\\p{N}])(?:${all.join('|')})(?![\\p{L}\\p{N}])`, 'giu');
}

export function sweepText(text: string, pattern: RegExp | null): string {
  return pattern ? text.replace(pattern, ANONYMISED) : text;
}

/** Every string inside a JSON value swept; the shape kept. */
export function sweepJson<T>(value: T, pattern: RegExp | null): T {
  if (!pattern) return value;
  if (typeof value === 'string') return sweepText(value, pattern) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => sweepJson(v, pattern)) as T;
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, sweepJson(v, pattern)])) as T;
  return value;
}

interface MinutesItemLike {
  agendaItemId?: number;
  subjects?: unknown[];
  sharedInformation?: Array<{ text?: string }>;
  discussion?: string | null;
  recordedDiscussion?: string | null;
  actions?: Array<{ description?: string; owner?: string | null }>;
  previousActions?: Array<{ description?: string; outcome?: string | null }>;
}

const redactedOrNull = (v: string | null | undefined) => (v ? ANONYMISED : (v ?? null));

/** The minutes item of an anonymised case: the reference, risk level and decision stay; what was said goes. */
export function redactMinutesItem<T extends MinutesItemLike>(item: T): T {
  return {
    ...item,
    subjects: (item.subjects ?? []).length ? [ANONYMISED] : [],
    sharedInformation: (item.sharedInformation ?? []).map((s) => ({ ...s, text: ANONYMISED })),
    discussion: redactedOrNull(item.discussion),
    recordedDiscussion: redactedOrNull(item.recordedDiscussion),
    actions: (item.actions ?? []).map((a) => ({ ...a, description: ANONYMISED, owner: null })),
    previousActions: (item.previousActions ?? []).map((a) => ({
      ...a,
      description: ANONYMISED,
      outcome: redactedOrNull(a.outcome),
    })),
  };
}

/** Stored minutes content with the case's items redacted and its subjects swept out of everything else. */
export function redactMinutesContent(content: unknown, agendaItemIds: Set<number>, pattern: RegExp | null): unknown {
  if (content === null || typeof content !== 'object') return content;
  const c = content as { items?: MinutesItemLike[] };
  const items = (c.items ?? []).map((item) =>
    item.agendaItemId !== undefined && agendaItemIds.has(item.agendaItemId) ? redactMinutesItem(item) : item,
  );
  return sweepJson({ ...c, items }, pattern);
}

interface SnapshotItemLike {
  referralId?: number | null;
  reference?: string | null;
  title?: string | null;
  label?: string;
}

/** A frozen agenda with the case's items reduced to their reference, and the subjects swept from the rest. */
export function redactAgendaItems(items: unknown[], referralId: number, pattern: RegExp | null): unknown[] {
  const redacted = items.map((raw) => {
    const item = raw as SnapshotItemLike;
    if (item.referralId !== referralId) return raw;
    return { ...item, title: null, label: item.reference ?? ANONYMISED };
  });
  return sweepJson(redacted, pattern);
}
