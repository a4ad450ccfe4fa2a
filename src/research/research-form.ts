import { formState, optionalLongText, parseId, str, strList, type FormState } from '../http/forms';

/** The safeguarding flags an agency can raise about a subject, as the SafeLives research form lists them. */
export const SAFEGUARDING_FLAGS = {
  'child-protection': 'Child protection',
  'adult-safeguarding': 'Adult safeguarding',
  'domestic-abuse': 'Domestic abuse',
  'mental-health': 'Mental health crisis or risk',
  'self-harm': 'Self-harm or suicide risk',
  'substance-misuse': 'Substance misuse',
  weapons: 'Weapons or violence',
  'risk-to-staff': 'Risk to visiting staff',
} as const;

export type SafeguardingFlag = keyof typeof SAFEGUARDING_FLAGS;

export const CHILDREN_NAMES = { yes: 'Yes', no: 'No', 'not-known': 'Not known' } as const;

/** One agency's research on one subject: what it knows, kept apart from what it thinks. */
export interface SubjectResearch {
  subjectId: number;
  known: 'known' | 'not-known';
  keyRisks: string | null;
  childrenInHousehold: keyof typeof CHILDREN_NAMES | null;
  /** Codes of SAFEGUARDING_FLAGS. */
  safeguardingFlags: string[];
  factsHeld: string | null;
  professionalOpinion: string | null;
}

export interface ResearchAnswer {
  status: 'information-held' | 'nothing-held';
  summary: string | null;
  subjects: SubjectResearch[];
}

/** `subjects[s-<subject id>][field]`: the prefix keeps qs from making an array of small numeric keys. */
export const subjectField = (subjectId: number, field: string) => `subjects[s-${subjectId}][${field}]`;

const keyRisks = optionalLongText('the key risks', 1000);
const facts = optionalLongText('the facts held', 2000);
const opinion = optionalLongText('the professional opinion', 2000);

function textOf(schema: typeof facts, raw: unknown, name: string, errors: Record<string, string>): string | null {
  const r = schema.safeParse(typeof raw === 'string' ? raw : undefined);
  if (r.success) return r.data;
  errors[name] = r.error.issues[0].message;
  return null;
}

/** One subject's part of the form; null when the subject was left unanswered. */
function readSubject(id: number, raw: Record<string, unknown>, errors: Record<string, string>): SubjectResearch | null {
  const known = str(raw.known);
  if (known === '') return null;
  if (known !== 'known' && known !== 'not-known') {
    errors[subjectField(id, 'known')] = 'Select whether your agency knows this subject';
    return null;
  }
  if (known === 'not-known')
    return {
      subjectId: id,
      known,
      keyRisks: null,
      childrenInHousehold: null,
      safeguardingFlags: [],
      factsHeld: null,
      professionalOpinion: null,
    };
  const children = str(raw.children);
  if (children !== '' && !(children in CHILDREN_NAMES))
    errors[subjectField(id, 'children')] = 'Select whether there are children in the household';
  const flags = strList(raw.flags);
  if (flags.some((f) => !(f in SAFEGUARDING_FLAGS)))
    errors[subjectField(id, 'flags')] = 'Select safeguarding flags from the list';
  const factsHeld = textOf(facts, raw.facts, subjectField(id, 'facts'), errors);
  if (!factsHeld && !errors[subjectField(id, 'facts')])
    errors[subjectField(id, 'facts')] = 'Enter the facts your agency holds about this subject';
  return {
    subjectId: id,
    known,
    keyRisks: textOf(keyRisks, raw.keyRisks, subjectField(id, 'keyRisks'), errors),
    childrenInHousehold: children === '' ? null : (children as keyof typeof CHILDREN_NAMES),
    safeguardingFlags: [...new Set(flags)],
    factsHeld,
    professionalOpinion: textOf(opinion, raw.opinion, subjectField(id, 'opinion'), errors),
  };
}

/** The subjects' answers, keyed by the subject ids of the case (anything else is refused). */
function readSubjects(body: Record<string, unknown>, subjectIds: Set<number>, errors: Record<string, string>) {
  const raw = body.subjects;
  const answers: SubjectResearch[] = [];
  if (raw === undefined) return answers;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    errors.subjects = 'Reload the page and try again';
    return answers;
  }
  for (const [key, fields] of Object.entries(raw as Record<string, unknown>)) {
    const id = parseId(/^s-(\d+)$/.exec(key)?.[1]);
    if (id === null || !subjectIds.has(id) || fields === null || typeof fields !== 'object') {
      errors.subjects = 'Reload the page and try again';
      continue;
    }
    const answer = readSubject(id, fields as Record<string, unknown>, errors);
    if (answer) answers.push(answer);
  }
  return answers;
}

/**
 * Reads the research form: whether the agency holds information, the summary to share and, when it
 * does, each subject's research. "Nothing held" records every subject as not known.
 */
export function readResearchAnswer(
  body: Record<string, unknown>,
  subjectIds: number[],
): { form: FormState; answer?: ResearchAnswer } {
  const status = str(body.status);
  const summary = str(body.summary).replace(/\r\n/g, '\n').trim();
  const errors: Record<string, string> = {};
  if (status !== 'information-held' && status !== 'nothing-held')
    errors.status = 'Select whether your agency holds information';
  if (status === 'information-held' && !summary) errors.summary = 'Enter a short summary of the information to share';
  if (summary.length > 2000) errors.summary = 'The summary must be 2000 characters or fewer';
  const subjects = status === 'information-held' ? readSubjects(body, new Set(subjectIds), errors) : [];
  const form = formState(
    { ...flattenSubjects(body), status, summary: str(body.summary), version: str(body.version) },
    errors,
  );
  if (form.hasErrors) return { form };
  if (status === 'nothing-held') return { form, answer: { status, summary: null, subjects: subjectIds.map(notKnown) } };
  return { form, answer: { status: 'information-held', summary, subjects } };
}

function notKnown(subjectId: number): SubjectResearch {
  return {
    subjectId,
    known: 'not-known',
    keyRisks: null,
    childrenInHousehold: null,
    safeguardingFlags: [],
    factsHeld: null,
    professionalOpinion: null,
  };
}

/** The typed subject fields, as the form shows them again. */
function flattenSubjects(body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const raw = body.subjects;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return out;
  for (const [key, fields] of Object.entries(raw as Record<string, unknown>)) {
    if (fields === null || typeof fields !== 'object') continue;
    for (const [field, value] of Object.entries(fields as Record<string, unknown>))
      out[`subjects[${key}][${field}]`] = Array.isArray(value) ? strList(value) : str(value);
  }
  return out;
}

/** A stored answer as the form's values, to show it again for changing. */
export function subjectFormValues(subjects: SubjectResearch[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const s of subjects) {
    out[subjectField(s.subjectId, 'known')] = s.known;
    out[subjectField(s.subjectId, 'keyRisks')] = s.keyRisks ?? '';
    out[subjectField(s.subjectId, 'children')] = s.childrenInHousehold ?? '';
    out[subjectField(s.subjectId, 'flags')] = s.safeguardingFlags;
    out[subjectField(s.subjectId, 'facts')] = s.factsHeld ?? '';
    out[subjectField(s.subjectId, 'opinion')] = s.professionalOpinion ?? '';
  }
  return out;
}
