/**
 * The trend alert: is a district's recent referral count significantly above its own earlier rate?
 *
 * The last three complete months are compared with the twelve complete months before them. If the
 * district's rate had not changed, the recent count would follow a Poisson distribution whose mean
 * is a quarter of the baseline year's count; the alert is raised when a count at least as high as the
 * one seen would happen by chance less than 5% of the time (a one-sided test), and only when at least
 * MIN_RECENT referrals were made, so a rise from one referral to three is never flagged.
 */

export const RECENT_MONTHS = 3;
export const BASELINE_MONTHS = 12;
export const SIGNIFICANCE = 0.05;
export const MIN_RECENT = 5;
/** A baseline year with no referrals is counted as one, so a rise from nothing has a finite expectation. */
export const EMPTY_BASELINE_FLOOR = 1;

export interface TrendInput {
  /** Referrals in the last RECENT_MONTHS complete months. */
  recent: number;
  /** Referrals in the BASELINE_MONTHS complete months before those. */
  baseline: number;
}

export interface TrendResult extends TrendInput {
  /** The recent count expected at the baseline's rate. */
  expected: number;
  /** The probability of a recent count at least this high at the baseline's rate. */
  pValue: number;
  flagged: boolean;
}

function logFactorial(n: number): number {
  let sum = 0;
  for (let i = 2; i <= n; i++) sum += Math.log(i);
  return sum;
}

/** P(X ≥ k) for X ~ Poisson(mean). */
export function poissonUpperTail(k: number, mean: number): number {
  if (!Number.isInteger(k) || k < 0) throw new Error(`count must be a whole number, not ${k}`);
  if (!(mean > 0)) throw new Error(`mean must be positive, not ${mean}`);
  if (k === 0) return 1;
  if (k <= mean) {
    // Below the mean the tail is large: 1 minus the (short) lower sum is accurate enough.
    let term = Math.exp(-mean);
    let lower = term;
    for (let i = 1; i < k; i++) {
      term *= mean / i;
      lower += term;
    }
    return Math.max(0, Math.min(1, 1 - lower));
  }
  // Above the mean, sum the tail itself from k upwards; terms shrink geometrically.
  let term = Math.exp(-mean + k * Math.log(mean) - logFactorial(k));
  let tail = 0;
  for (let i = k; term > 0 && term >= tail * 1e-15; i++) {
    tail += term;
    term *= mean / (i + 1);
  }
  return Math.min(1, tail);
}

export function trendTest(input: TrendInput): TrendResult {
  const { recent, baseline } = input;
  if (!Number.isInteger(recent) || recent < 0 || !Number.isInteger(baseline) || baseline < 0) {
    throw new Error('counts must be whole numbers of zero or more');
  }
  const expected = (Math.max(baseline, EMPTY_BASELINE_FLOOR) * RECENT_MONTHS) / BASELINE_MONTHS;
  const pValue = poissonUpperTail(recent, expected);
  return {
    recent,
    baseline,
    expected,
    pValue,
    flagged: recent >= MIN_RECENT && recent > expected && pValue < SIGNIFICANCE,
  };
}

export const METHOD_IN_WORDS = [
  `For each district, overall and for each subject type, we count the referrals submitted in the last ${RECENT_MONTHS} complete months and compare them with the district's own ${BASELINE_MONTHS} complete months before that.`,
  `If nothing had changed, the last ${RECENT_MONTHS} months would be expected to bring a quarter of the baseline year's referrals. We work out how likely a count at least as high as the one seen would be by chance alone, using the Poisson distribution (a one-sided test).`,
  `A district is flagged when that chance is below ${SIGNIFICANCE * 100}% and at least ${MIN_RECENT} referrals were made, so that very small numbers are not flagged. A baseline year with no referrals is counted as one referral.`,
  'A flag is a prompt to look more closely, not proof of a rise: about one test in twenty would be flagged by chance if nothing had changed.',
];

/** Why a district is or is not flagged, in a few words for its row of the trend table. */
export function flagReason(result: TrendResult, expectedText: string): string {
  if (result.flagged)
    return `Flagged: ${result.recent} against ${expectedText} expected, less than a ${SIGNIFICANCE * 100}% chance by luck`;
  if (result.recent < MIN_RECENT)
    return `Not flagged: ${result.recent} ${result.recent === 1 ? 'referral is' : 'referrals are'} too few to test (at least ${MIN_RECENT} are needed)`;
  if (result.recent <= result.expected)
    return `Not flagged: ${result.recent} is not above the ${expectedText} expected`;
  return `Not flagged: a rise this size happens by luck ${SIGNIFICANCE * 100}% of the time or more`;
}
