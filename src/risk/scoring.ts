import { DateTime } from 'luxon';
import type { RiskAnswerOption, RiskVerdict } from '../db/schema';
import type { Criterion, Judgement } from '../referrals/referral-codes';

/** One version of the partnership's risk matrix, as scoring needs it. */
export interface Matrix {
  id: number;
  number: number;
  threshold: number;
  escalationIncidents: number;
  escalationMonths: number;
  repeatMonths: number;
  questions: MatrixQuestion[];
}

export interface MatrixQuestion {
  id: number;
  position: number;
  code: string;
  text: string;
  hint: string | null;
  options: RiskAnswerOption[];
}

export interface ScoringInput {
  /** The chosen option key per question id. */
  answers: Record<number, string>;
  judgement: Judgement | null;
  /** Incident dates, 'YYYY-MM-DD'. */
  incidentDates: (string | null)[];
  /** The day the assessment is made (submission), 'YYYY-MM-DD'. */
  asOf: string;
  /** Earlier referrals of the same subjects within the matrix's repeat period. */
  repeatMatches: number;
}

export interface Assessment {
  score: number;
  maxScore: number;
  threshold: number;
  /** Question ids with no (or an unknown) answer. */
  unanswered: number[];
  escalationCount: number;
  criteria: Criterion[];
  verdict: RiskVerdict;
  /** The referrer judged the risk lower than the criteria: recorded, but it cannot lower the verdict. */
  judgementOverruled: boolean;
}

export function maxScore(matrix: Matrix): number {
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
 * A case is high risk when it meets any criterion: the score reaches the threshold; the referrer's
 * professional judgement says high; enough incidents happened in the escalation period; or the
 * subject was referred before within the repeat period. Judgement can raise the verdict, never
 * lower it.
 */
export function assess(matrix: Matrix, input: ScoringInput): Assessment {
  let score = 0;
  const unanswered: number[] = [];
  for (const question of matrix.questions) {
    const option = question.options.find((o) => o.key === input.answers[question.id]);
    if (option) score += option.weight;
    else unanswered.push(question.id);
  }
  const escalationCount = incidentsInPeriod(input.incidentDates, input.asOf, matrix.escalationMonths);
  const criteria: Criterion[] = [];
  if (score >= matrix.threshold) criteria.push('score');
  if (input.judgement === 'high') criteria.push('judgement');
  if (escalationCount >= matrix.escalationIncidents) criteria.push('escalation');
  if (input.repeatMatches > 0) criteria.push('repeat');
  const verdict: RiskVerdict = criteria.length > 0 ? 'high' : 'standard';
  return {
    score,
    maxScore: maxScore(matrix),
    threshold: matrix.threshold,
    unanswered,
    escalationCount,
    criteria,
    verdict,
    judgementOverruled: input.judgement === 'lower' && verdict === 'high',
  };
}
