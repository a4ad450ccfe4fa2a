import { DateTime } from 'luxon';
import type { RiskAnswerOption, RiskVerdict, SubjectKind } from '../db/schema';
import type { Criterion, Judgement } from '../referrals/referral-codes';

/** One version of the partnership's risk matrix, as scoring needs it. */
export interface Matrix {
  id: number;
  number: number;
  /** The victim questions' high-risk threshold. */
  threshold: number;
  perpetratorThreshold: number;
  locationThreshold: number;
  escalationIncidents: number;
  escalationMonths: number;
  repeatMonths: number;
  questions: MatrixQuestion[];
}

export interface MatrixQuestion {
  id: number;
  position: number;
  code: string;
  subjectKind: SubjectKind;
  text: string;
  hint: string | null;
  options: RiskAnswerOption[];
}

/** A question of a version being made: its id and position come when it is saved. */
export type NewQuestion = Omit<MatrixQuestion, 'id' | 'position'>;

export const ASSESSED_KINDS: readonly SubjectKind[] = ['victim', 'perpetrator', 'location'];

export function thresholdOf(matrix: Matrix, kind: SubjectKind): number {
  if (kind === 'perpetrator') return matrix.perpetratorThreshold;
  if (kind === 'location') return matrix.locationThreshold;
  return matrix.threshold;
}

/** The questions a referral about subjects of these kinds answers: all of them while no kind is known. */
export function questionsFor(matrix: Matrix, kinds: readonly SubjectKind[]): MatrixQuestion[] {
  return kinds.length ? matrix.questions.filter((q) => kinds.includes(q.subjectKind)) : matrix.questions;
}

/** One kind of subject's part of an assessment: its questions' score against its own threshold. */
export interface KindScore {
  kind: SubjectKind;
  score: number;
  maxScore: number;
  threshold: number;
  met: boolean;
}

export interface ScoringInput {
  /** The chosen option key per question id. */
  answers: Record<number, string>;
  judgement: Judgement | null;
  /** Incident dates, 'YYYY-MM-DD'. */
  incidentDates: (string | null)[];
  /** The day the assessment is made (submission), 'YYYY-MM-DD'. */
  asOf: string;
  /** Earlier referrals of the same subjects within the matrix's repeat period that were heard or closed. */
  repeatMatches: number;
  /** The kinds of the referral's subjects: each is scored on its own questions (all, when none is given). */
  kinds?: readonly SubjectKind[];
}

export interface Assessment {
  /** The score of the deciding kind (the first to meet its threshold, else the nearest to it). */
  score: number;
  maxScore: number;
  threshold: number;
  /** Each kind of subject that has questions, scored on them. */
  byKind: KindScore[];
  /** Question ids with no (or an unknown) answer. */
  unanswered: number[];
  escalationCount: number;
  criteria: Criterion[];
  verdict: RiskVerdict;
  /** The referrer judged the risk lower than the criteria: recorded, but it cannot lower the verdict. */
  judgementOverruled: boolean;
}

export function maxScore(matrix: { questions: { options: RiskAnswerOption[] }[] }): number {
  return matrix.questions.reduce((sum, q) => sum + Math.max(0, ...q.options.map((o) => o.weight)), 0);
}

/** The first day that counts for a period of `months` ending on `asOf` (both inclusive). */
export function periodStart(asOf: string, months: number): string {
  return DateTime.fromISO(asOf, { zone: 'UTC' }).minus({ months }).toISODate() ?? asOf;
}

/** Incidents on or after the start of the escalation period and not after `asOf`. */
export function incidentsInPeriod(dates: (string | null)[], asOf: string, months: number): number {
  const start = periodStart(asOf, months);
  return dates.filter((d): d is string => !!d && d >= start && d <= asOf).length;
}

/**
 * Scores a risk assessment against a matrix and decides which referral criteria it meets. Pure:
 * everything it needs is given, so every criterion and edge is tested without a database.
 *
 * A case is high risk when it meets any criterion: the score of one kind of subject's questions (the
 * victims', the perpetrators' or the locations') reaches that kind's threshold; the referrer's
 * professional judgement says high; enough incidents happened in the escalation period; or the
 * subject was referred before within the repeat period. Judgement can raise the verdict, never
 * lower it.
 */
export function assess(matrix: Matrix, input: ScoringInput): Assessment {
  const asked = questionsFor(matrix, input.kinds ?? []);
  const unanswered: number[] = [];
  const byKind: KindScore[] = [];
  for (const kind of ASSESSED_KINDS) {
    const questions = asked.filter((q) => q.subjectKind === kind);
    if (!questions.length) continue;
    let score = 0;
    for (const question of questions) {
      const option = question.options.find((o) => o.key === input.answers[question.id]);
      if (option) score += option.weight;
      else unanswered.push(question.id);
    }
    const threshold = thresholdOf(matrix, kind);
    byKind.push({ kind, score, maxScore: maxScore({ questions }), threshold, met: score >= threshold });
  }
  const deciding =
    byKind.find((k) => k.met) ??
    [...byKind].sort((a, b) => b.score / b.threshold - a.score / a.threshold)[0] ??
    ({ score: 0, maxScore: 0, threshold: matrix.threshold } as const);
  const escalationCount = incidentsInPeriod(input.incidentDates, input.asOf, matrix.escalationMonths);
  const criteria: Criterion[] = [];
  if (byKind.some((k) => k.met)) criteria.push('score');
  if (input.judgement === 'high') criteria.push('judgement');
  if (escalationCount >= matrix.escalationIncidents) criteria.push('escalation');
  if (input.repeatMatches > 0) criteria.push('repeat');
  const verdict: RiskVerdict = criteria.length > 0 ? 'high' : 'standard';
  return {
    score: deciding.score,
    maxScore: deciding.maxScore,
    threshold: deciding.threshold,
    byKind,
    unanswered,
    escalationCount,
    criteria,
    verdict,
    judgementOverruled: input.judgement === 'lower' && verdict === 'high',
  };
}
