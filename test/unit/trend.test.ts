import { flagReason, MIN_RECENT, poissonUpperTail, trendTest } from '../../src/insight/trend';

describe('the Poisson upper tail', () => {
  test('when the count is zero, then the chance is certain', () => {
    expect(poissonUpperTail(0, 3)).toBe(1);
  });

  test.each([
    // Worked by hand: 1 − Σ e^−λ λ^i / i! for i < k.
    [7, 2.5, 0.014187311990913498],
    [6, 2.5, 0.042021038195306226],
    [5, 2.5, 0.10882198108584884],
    [3, 1, 0.08030139707139416],
    [20, 10, 0.0034543419758567007],
    [5, 0.25, 6.6117105610441484e-6],
  ])('when %i are seen against a mean of %d, then the chance is %d', (k, mean, expected) => {
    expect(poissonUpperTail(k, mean)).toBeCloseTo(expected, 10);
  });

  test('when the count is far above the mean, then the chance is tiny but not zero or negative', () => {
    const p = poissonUpperTail(150, 10);
    expect(p).toBeGreaterThan(0);
    expect(p).toBeLessThan(1e-100);
  });

  test('when the count is below the mean, then the chance is large', () => {
    expect(poissonUpperTail(5, 20)).toBeGreaterThan(0.99);
  });

  test('when the count is not a whole number or the mean is not positive, then it refuses', () => {
    expect(() => poissonUpperTail(2.5, 1)).toThrow();
    expect(() => poissonUpperTail(-1, 1)).toThrow();
    expect(() => poissonUpperTail(3, 0)).toThrow();
  });
});

describe('the trend test', () => {
  test('when a district had 10 referrals in its baseline year and 7 in the last three months, then it is flagged', () => {
    const result = trendTest({ recent: 7, baseline: 10 });
    expect(result.expected).toBe(2.5);
    expect(result.pValue).toBeCloseTo(0.0142, 4);
    expect(result.flagged).toBe(true);
  });

  test('when the same district had 5 in the last three months, then it is not flagged (chance about 11%)', () => {
    const result = trendTest({ recent: 5, baseline: 10 });
    expect(result.pValue).toBeCloseTo(0.1088, 4);
    expect(result.flagged).toBe(false);
  });

  test('when the chance is just under 5%, then it is flagged; just over, it is not', () => {
    expect(trendTest({ recent: 6, baseline: 10 }).flagged).toBe(true); // p ≈ 0.042
    expect(trendTest({ recent: 19, baseline: 40 })).toMatchObject({ flagged: true }); // p ≈ 0.0072
    expect(trendTest({ recent: 14, baseline: 40 }).pValue).toBeGreaterThan(0.05);
    expect(trendTest({ recent: 14, baseline: 40 }).flagged).toBe(false);
  });

  test('when the count is significant but below the minimum, then it is not flagged', () => {
    // 4 against an expected 0.25 is very unlikely by chance, but too few to act on.
    const result = trendTest({ recent: MIN_RECENT - 1, baseline: 1 });
    expect(result.pValue).toBeLessThan(0.001);
    expect(result.flagged).toBe(false);
  });

  test('when the count reaches the minimum from an empty baseline, then it is flagged against a floor of one a year', () => {
    const result = trendTest({ recent: MIN_RECENT, baseline: 0 });
    expect(result.expected).toBe(0.25);
    expect(result.flagged).toBe(true);
  });

  test('when nothing happened at all, then nothing is flagged', () => {
    expect(trendTest({ recent: 0, baseline: 0 })).toMatchObject({ flagged: false, pValue: 1 });
  });

  test('when the recent count is below the baseline rate, then it is not flagged', () => {
    expect(trendTest({ recent: 10, baseline: 100 }).flagged).toBe(false);
  });

  test('when a count is negative or fractional, then it refuses', () => {
    expect(() => trendTest({ recent: -1, baseline: 3 })).toThrow();
    expect(() => trendTest({ recent: 1, baseline: 2.5 })).toThrow();
  });
});

describe('why a district is or is not flagged', () => {
  test('when the chance is tiny but there are too few referrals, then the row says there are too few to test', () => {
    const result = trendTest({ recent: 4, baseline: 0 });
    expect(result.pValue).toBeLessThan(0.001);
    expect(result.flagged).toBe(false);
    expect(flagReason(result, '0.25')).toBe('Not flagged: 4 referrals are too few to test (at least 5 are needed)');
  });

  test('when a district is flagged, then the row says by how much and how unlikely by luck', () => {
    const result = trendTest({ recent: 6, baseline: 4 });
    expect(flagReason(result, '1.00')).toBe('Flagged: 6 against 1.00 expected, less than a 5% chance by luck');
  });

  test('when the count is not above the expected, or the rise is within luck, then the row says which', () => {
    expect(flagReason(trendTest({ recent: 5, baseline: 40 }), '10.00')).toBe(
      'Not flagged: 5 is not above the 10.00 expected',
    );
    expect(flagReason(trendTest({ recent: 5, baseline: 12 }), '3.00')).toBe(
      'Not flagged: a rise this size happens by luck 5% of the time or more',
    );
  });
});
