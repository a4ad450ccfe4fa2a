import type { RiskAnswerOption, SubjectKind } from '../db/schema';
import { optionalText, parseVersion, requiredText, rowsOf, str } from '../http/forms';
import { ASSESSED_KINDS, maxScore, type Matrix, type NewQuestion } from './scoring';

export const MAX_QUESTIONS = 50;
export const MAX_OPTIONS = 8;

export interface RawOption {
  key: string;
  label: string;
  weight: string;
}

export interface RawQuestion {
  code: string;
  subjectKind: string;
  text: string;
  hint: string;
  options: RawOption[];
}

export interface RawMatrix {
  basedOn: string;
  threshold: string;
  perpetratorThreshold: string;
  locationThreshold: string;
  escalationIncidents: string;
  escalationMonths: string;
  repeatMonths: string;
  changeNote: string;
  questions: RawQuestion[];
}

export interface MatrixInput {
  basedOn: number;
  threshold: number;
  perpetratorThreshold: number;
  locationThreshold: number;
  escalationIncidents: number;
  escalationMonths: number;
  repeatMonths: number;
  changeNote: string;
  questions: NewQuestion[];
}

/** The field of each kind's threshold. */
export const THRESHOLD_FIELDS: Record<SubjectKind, 'threshold' | 'perpetratorThreshold' | 'locationThreshold'> = {
  victim: 'threshold',
  perpetrator: 'perpetratorThreshold',
  location: 'locationThreshold',
};

export function blankQuestion(subjectKind: SubjectKind = 'victim'): RawQuestion {
  return {
    code: '',
    subjectKind,
    text: '',
    hint: '',
    options: [
      { key: 'yes', label: 'Yes', weight: '' },
      { key: 'no', label: 'No', weight: '0' },
      { key: 'not-known', label: 'Not known', weight: '0' },
    ],
  };
}

export function readRawMatrix(body: unknown): RawMatrix {
  const b = body !== null && typeof body === 'object' ? (body as Record<string, unknown>) : {};
  return {
    basedOn: str(b.basedOn),
    threshold: str(b.threshold),
    perpetratorThreshold: str(b.perpetratorThreshold),
    locationThreshold: str(b.locationThreshold),
    escalationIncidents: str(b.escalationIncidents),
    escalationMonths: str(b.escalationMonths),
    repeatMonths: str(b.repeatMonths),
    changeNote: str(b.changeNote),
    questions: rowsOf(b.questions, MAX_QUESTIONS).map((q) => ({
      code: str(q.code),
      subjectKind: str(q.subjectKind),
      text: str(q.text),
      hint: str(q.hint),
      options: rowsOf(q.options, MAX_OPTIONS).map((o) => ({
        key: str(o.key),
        label: str(o.label),
        weight: str(o.weight),
      })),
    })),
  };
}

export function rawFromMatrix(matrix: Matrix): RawMatrix {
  return {
    basedOn: String(matrix.number),
    threshold: String(matrix.threshold),
    perpetratorThreshold: String(matrix.perpetratorThreshold),
    locationThreshold: String(matrix.locationThreshold),
    escalationIncidents: String(matrix.escalationIncidents),
    escalationMonths: String(matrix.escalationMonths),
    repeatMonths: String(matrix.repeatMonths),
    changeNote: '',
    questions: matrix.questions.map((q) => ({
      code: q.code,
      subjectKind: q.subjectKind,
      text: q.text,
      hint: q.hint ?? '',
      options: q.options.map((o) => ({ key: o.key, label: o.label, weight: String(o.weight) })),
    })),
  };
}

const KEY = /^[a-z0-9][a-z0-9-]{0,39}$/;

function slug(text: string, fallback: string): string {
  const s = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .split('-')
    .slice(0, 5)
    .join('-')
    .slice(0, 40);
  return s || fallback;
}

function unique(wanted: string, taken: Set<string>): string {
  let candidate = wanted;
  for (let n = 2; taken.has(candidate); n++) candidate = `${wanted.slice(0, 36)}-${n}`;
  taken.add(candidate);
  return candidate;
}

/** Collects one message per field, the first found, as the form shows only one beside each. */
interface Check {
  errors: Record<string, string>;
  fail: (name: string, message: string) => void;
  whole: (name: string, value: string, min: number, max: number, message: string) => number;
}

function check(): Check {
  const errors: Record<string, string> = {};
  const fail = (name: string, message: string) => {
    if (!(name in errors)) errors[name] = message;
  };
  const whole = (name: string, value: string, min: number, max: number, message: string): number => {
    const v = value.trim();
    if (!/^\d{1,4}$/.test(v) || Number(v) < min || Number(v) > max) {
      fail(name, message);
      return 0;
    }
    return Number(v);
  };
  return { errors, fail, whole };
}

const KIND_WORDS: Record<SubjectKind, string> = { victim: 'victim', perpetrator: 'perpetrator', location: 'location' };

function readNumbers(raw: RawMatrix, { whole }: Check) {
  const threshold = (kind: SubjectKind) =>
    whole(
      THRESHOLD_FIELDS[kind],
      raw[THRESHOLD_FIELDS[kind]],
      1,
      1000,
      `Enter the high-risk threshold of the ${KIND_WORDS[kind]} questions as a whole number from 1 to 1000`,
    );
  return {
    basedOn: parseVersion(raw.basedOn),
    threshold: threshold('victim'),
    perpetratorThreshold: threshold('perpetrator'),
    locationThreshold: threshold('location'),
    escalationIncidents: whole(
      'escalationIncidents',
      raw.escalationIncidents,
      2,
      100,
      'Enter the number of incidents as a whole number from 2 to 100',
    ),
    escalationMonths: whole(
      'escalationMonths',
      raw.escalationMonths,
      1,
      36,
      'Enter the escalation period as a whole number of months from 1 to 36',
    ),
    repeatMonths: whole(
      'repeatMonths',
      raw.repeatMonths,
      1,
      36,
      'Enter the repeat period as a whole number of months from 1 to 36',
    ),
  };
}

type FilledOption = { o: RawOption; j: number };

function readOptions(filled: FilledOption[], i: number, { fail, whole }: Check): RiskAnswerOption[] {
  const n = i + 1;
  const option = (j: number, field: string) => `questions[${i}][options][${j}][${field}]`;
  const keys = new Set<string>();
  const options: RiskAnswerOption[] = [];
  for (const { o, j } of filled) {
    const label = requiredText(`the label of answer ${j + 1} to question ${n}`, 100).safeParse(o.label);
    if (!label.success) fail(option(j, 'label'), label.error.issues[0].message);
    const weight = whole(
      option(j, 'weight'),
      o.weight,
      0,
      100,
      `Enter the weight of answer ${j + 1} to question ${n} as a whole number from 0 to 100`,
    );
    if (label.success) {
      const key = unique(KEY.test(o.key) && !keys.has(o.key) ? o.key : slug(label.data, `answer-${j + 1}`), keys);
      options.push({ key, label: label.data, weight });
    }
  }
  return options;
}

/** One question row, or null when it is left blank (skipped) or its text or hint is wrong. */
function readQuestion(
  q: RawQuestion,
  i: number,
  codes: Set<string>,
  c: Check,
): MatrixInput['questions'][number] | null {
  const n = i + 1;
  const at = (field: string) => `questions[${i}][${field}]`;
  const filled = q.options.map((o, j) => ({ o, j })).filter(({ o }) => o.label.trim() !== '' || o.weight.trim() !== '');
  if (q.text.trim() === '' && q.hint.trim() === '' && filled.length === 0) return null;
  const text = requiredText(`the text of question ${n}`, 500).safeParse(q.text);
  if (!text.success) c.fail(at('text'), text.error.issues[0].message);
  const hint = optionalText(`the hint of question ${n}`, 500).safeParse(q.hint);
  if (!hint.success) c.fail(at('hint'), hint.error.issues[0].message);
  const options = readOptions(filled, i, c);
  if (filled.length < 2) c.fail(at('options'), `Give question ${n} at least two answers`);
  // A row without a kind is asked about the victim, as every question was before kinds were added.
  const kindGiven = q.subjectKind.trim() || 'victim';
  const subjectKind = (ASSESSED_KINDS as readonly string[]).includes(kindGiven) ? (kindGiven as SubjectKind) : null;
  if (!subjectKind) c.fail(at('subjectKind'), `Select who question ${n} is asked about`);
  if (!text.success || !hint.success || !subjectKind) return null;
  const code = unique(KEY.test(q.code) && !codes.has(q.code) ? q.code : slug(text.data, `question-${n}`), codes);
  return { code, subjectKind, text: text.data, hint: hint.data, options };
}

/** Checks a new version of the matrix. Codes tie a question to its earlier versions; new ones are made up. */
export function validateMatrix(raw: RawMatrix): { input: MatrixInput | null; errors: Record<string, string> } {
  const c = check();
  const { errors, fail } = c;
  const numbers = readNumbers(raw, c);
  const note = requiredText('what changed and why', 300).safeParse(raw.changeNote);
  if (!note.success) fail('changeNote', note.error.issues[0].message);

  const codes = new Set<string>();
  const questions: MatrixInput['questions'] = [];
  raw.questions.forEach((q, i) => {
    const question = readQuestion(q, i, codes, c);
    if (question) questions.push(question);
  });
  if (questions.length === 0 && !Object.keys(errors).some((k) => k.startsWith('questions')))
    fail('questions', 'Add at least one question');

  for (const kind of ASSESSED_KINDS) {
    const field = THRESHOLD_FIELDS[kind];
    const asked = questions.filter((q) => q.subjectKind === kind);
    const highest = maxScore({ questions: asked });
    if (!(field in errors) && asked.length > 0 && numbers[field] > highest) {
      fail(
        field,
        `The ${KIND_WORDS[kind]} threshold must be no more than the highest possible score of the ${KIND_WORDS[kind]} questions, ${highest}, or no case could reach it`,
      );
    }
  }

  if (Object.keys(errors).length > 0 || !note.success) return { input: null, errors };
  return { input: { ...numbers, changeNote: note.data, questions }, errors };
}
