import type { Db } from '../db/database';
import { formatCalendarDate, formatDate, formatDateTime } from '../time';
import * as search from './subject-search.repository';

/** One record found, as the page and the export show it. */
export interface Finding {
  heading: string;
  lines: string[];
}

export interface Section {
  kind: string;
  title: string;
  findings: Finding[];
}

export interface SearchTerms {
  name: string | null;
  dateOfBirth: string | null;
  address: string | null;
}

export interface Bundle {
  sections: Section[];
  total: number;
  /** Other people named in what was found: the third parties an export can redact. */
  thirdParties: string[];
  /** The names the person was found under, never redacted. */
  ownNames: string[];
}

const text = (values: (string | null | undefined)[]) => values.filter((v): v is string => Boolean(v?.trim()));
const caseLabel = (reference: string | null, id: number | null) => reference ?? `Case ${id ?? ''}`.trim();

interface MinutesLike {
  introduction?: string | null;
  otherBusinessNotes?: string | null;
  items?: Array<{
    reference?: string;
    subjects?: string[];
    sharedInformation?: Array<{ agency: string; text: string }>;
    discussion?: string | null;
    decision?: string;
    actions?: Array<{ description: string; agency: string }>;
  }>;
}

function minutesFinding(
  row: { version: number; startsAt: Date; content: unknown },
  references: Set<string>,
  mentions: (s: string) => boolean,
): Finding {
  const c = row.content as MinutesLike;
  const lines = text([c.introduction, c.otherBusinessNotes]).filter(mentions);
  for (const item of c.items ?? []) {
    const own = item.reference !== undefined && references.has(item.reference);
    const itemLines = text([
      `Item ${item.reference ?? ''}: ${(item.subjects ?? []).join(', ')}`,
      ...(item.sharedInformation ?? []).map((s) => `${s.agency}: ${s.text}`),
      item.discussion,
      item.decision ? `Decision: ${item.decision}` : null,
      ...(item.actions ?? []).map((a) => `Action (${a.agency}): ${a.description}`),
    ]);
    lines.push(...(own ? itemLines : itemLines.filter(mentions)));
  }
  return { heading: `Approved minutes of the panel on ${formatDate(row.startsAt)}, version ${row.version}`, lines };
}

type Subjects = Awaited<ReturnType<typeof search.matchingSubjects>>;

function collector() {
  const sections: Section[] = [];
  const add = (kind: string, title: string, findings: Finding[]) => {
    const kept = findings.filter((f) => f.lines.length > 0);
    if (kept.length) sections.push({ kind, title, findings: kept });
  };
  return { sections, add };
}

/** The cases in which the person is a subject, and other cases' records that mention them. */
async function caseSections(db: Db, subjects: Subjects, ids: number[], patterns: string[]): Promise<Section[]> {
  const { sections, add } = collector();
  add(
    'subject',
    'Named as a subject of a case',
    subjects.map((s) => ({
      heading: `${caseLabel(s.reference, s.referralId)}: ${s.kind ?? 'subject'}`,
      lines: text([
        s.fullName,
        s.dateOfBirth ? `Born ${formatCalendarDate(s.dateOfBirth)}` : null,
        s.address,
        s.postcode,
        s.description,
      ]),
    })),
  );
  add(
    'referral',
    'Referrals',
    (await search.referralTexts(db, ids, patterns)).map((r) => ({
      heading: `${caseLabel(r.reference, r.referralId)}${r.submittedAt ? `, referred ${formatDate(r.submittedAt)}` : ''}`,
      lines: text([r.reason, r.triedDetails, r.judgementReasons, r.screeningNote, r.consentReason, r.closedReason]),
    })),
  );
  add(
    'incident',
    'Incidents',
    (await search.incidents(db, ids, patterns)).map((i) => ({
      heading: `${caseLabel(i.reference, i.referralId)}: ${i.type ?? 'incident'}${i.day ? `, ${formatCalendarDate(i.day)}` : ''}`,
      lines: text([i.summary]),
    })),
  );
  add(
    'case-note',
    'Case history notes',
    (await search.caseNotes(db, ids, patterns)).map((n) => ({
      heading: `${caseLabel(n.reference, n.referralId)}: ${n.kind}, ${formatDateTime(n.at)}`,
      lines: text([n.note]),
    })),
  );
  const records = await search.panelRecords(db, ids, patterns);
  add(
    'research',
    'Research answers by agencies',
    records.map((r) => ({
      heading: `${caseLabel(r.reference, r.referralId)}: panel of ${formatDate(r.startsAt)}`,
      lines: (r.research ?? []).map((x) => `${x.agency}: ${x.text}`),
    })),
  );
  add(
    'meeting',
    'Panel meeting records and information shared',
    records.map((r) => ({
      heading: `${caseLabel(r.reference, r.referralId)}: panel of ${formatDate(r.startsAt)}`,
      lines: [
        ...(r.shared ?? []).map((x) => `${x.agency}: ${x.text}`),
        ...text([r.discussion, r.decisionNote, r.deferredReason]),
      ],
    })),
  );
  add(
    'action',
    'Actions',
    (await search.actions(db, ids, patterns)).map((a) => ({
      heading: `${caseLabel(a.reference, a.referralId)}: action for ${a.agency}, due ${formatCalendarDate(a.dueOn)} (${a.status})`,
      lines: text([a.description, ...(a.notes ?? [])]),
    })),
  );
  return sections;
}

/** Checks asked about a young person, by their name, birth, address or case. */
async function youthCheckSections(db: Db, ids: number[], criteria: search.Criteria): Promise<Section[]> {
  const { sections, add } = collector();
  add(
    'youth-check',
    'Checks on a young person',
    (await search.youthChecks(db, ids, criteria)).map((y) => ({
      heading: `Youth check ${y.id}${y.caseReference ? ` (${y.caseReference})` : ''}, asked ${formatDate(y.requestedAt)} (${y.status})`,
      lines: text([
        y.youngPersonName,
        y.dateOfBirth ? `Born ${formatCalendarDate(y.dateOfBirth)}` : null,
        y.address,
        y.concern,
        y.answerNote,
      ]),
    })),
  );
  return sections;
}

/** Minutes, agendas and e-mails about the person's cases or mentioning them; the person as a participant. */
async function documentSections(
  db: Db,
  ids: number[],
  references: Set<string>,
  patterns: string[],
  name: string | null,
  mentions: (s: string) => boolean,
): Promise<Section[]> {
  const { sections, add } = collector();
  const docs = await search.documents(db, [...references], patterns);
  add(
    'minutes',
    'Minutes',
    docs.minutes.map((m) => minutesFinding(m, references, mentions)),
  );
  add(
    'agenda',
    'Published agendas',
    docs.agendas.map((a) => ({
      heading: `Agenda of the panel on ${formatDate(a.startsAt)}, version ${a.version}`,
      lines: (a.items as Array<{ referralId?: number | null; label?: string; title?: string | null }>)
        .filter(
          (i) =>
            (typeof i.referralId === 'number' && ids.includes(i.referralId)) ||
            mentions(`${i.label ?? ''} ${i.title ?? ''}`),
        )
        .map((i) => text([i.label, i.title]).join(': ')),
    })),
  );
  add(
    'mail',
    'E-mails',
    docs.mail.map((m) => ({
      heading: `E-mail to ${m.toAddress}, ${formatDateTime(m.createdAt)}: ${m.subject}`,
      lines: text([m.textBody]),
    })),
  );
  const people = await search.asParticipant(db, name ? [search.likePattern(name)] : []);
  add('participant', 'Taking part in the partnership’s work', [
    ...people.users.map((u) => ({
      heading: `User account at ${u.agency}`,
      lines: text([u.name, u.email, u.jobTitle]),
    })),
    ...people.register.map((r) => ({
      heading: `Panel register, ${formatDate(r.startsAt)}`,
      lines: text([r.personName, r.role, r.status]),
    })),
  ]);
  return sections;
}

/** Everything held about the person, in sections by kind of record. */
export async function gather(db: Db, terms: SearchTerms): Promise<Bundle> {
  const patterns = text([terms.name, terms.address]).map(search.likePattern);
  const needles = text([terms.name, terms.address]).map((t) => t.toLowerCase());
  const mentions = (s: string) => needles.some((n) => s.toLowerCase().includes(n));
  const criteria: search.Criteria = {
    patterns,
    nameKey: terms.name,
    dateOfBirth: terms.dateOfBirth,
    addressPattern: terms.address ? search.likePattern(terms.address) : null,
  };
  const subjects = await search.matchingSubjects(db, criteria);
  const ids = [...new Set(subjects.map((s) => s.referralId))];
  const references = new Set(subjects.map((s) => s.reference).filter((r): r is string => r !== null));
  const sections = [
    ...(await caseSections(db, subjects, ids, patterns)),
    ...(await youthCheckSections(db, ids, criteria)),
    ...(await documentSections(db, ids, references, patterns, terms.name, mentions)),
  ];
  const ownNames = text(subjects.map((s) => s.fullName).concat(terms.name));
  const others = [
    ...(await search.otherPeopleOf(
      db,
      ids,
      subjects.map((s) => s.id),
    )),
    ...(await search.staffNames(db)),
  ];
  const own = new Set(ownNames.map((n) => n.toLowerCase()));
  return {
    sections,
    total: sections.reduce((n, s) => n + s.findings.length, 0),
    thirdParties: [...new Set(others.filter((n) => !own.has(n.toLowerCase())))],
    ownNames,
  };
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Other people's names replaced by "[redacted]" in every heading and line; the person's own kept. */
export function redactThirdParties(bundle: Bundle): Bundle {
  const names = bundle.thirdParties.filter((n) => n.trim().length >= 2).sort((a, b) => b.length - a.length);
  if (names.length === 0) return bundle;
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}])(?:${names.map(escape).join('|')})(?![\\p{L}\\p{N}])`, 'giu');
  const clean = (s: string) => s.replace(pattern, '[redacted]');
  return {
    ...bundle,
    sections: bundle.sections.map((s) => ({
      ...s,
      findings: s.findings.map((f) => ({ heading: clean(f.heading), lines: f.lines.map(clean) })),
    })),
  };
}
