import { assess, incidentsInPeriod, maxScore, periodStart, type Matrix } from '../../src/risk/scoring';

const yesNo = (yes: number) => [
  { key: 'yes', label: 'Yes', weight: yes },
  { key: 'no', label: 'No', weight: 0 },
  { key: 'not-known', label: 'Not known', weight: 0 },
];

/** A small matrix: questions worth 4, 3 and 0-2-5, threshold 7, escalation 3 in 12 months. */
const matrix: Matrix = {
  id: 1,
  number: 1,
  threshold: 7,
  perpetratorThreshold: 7,
  locationThreshold: 7,
  escalationIncidents: 3,
  escalationMonths: 12,
  repeatMonths: 12,
  questions: [
    { id: 10, position: 1, code: 'threats', subjectKind: 'victim', text: 'Threats?', hint: null, options: yesNo(4) },
    { id: 11, position: 2, code: 'fear', subjectKind: 'victim', text: 'Afraid?', hint: null, options: yesNo(3) },
    {
      id: 12,
      position: 3,
      code: 'impact',
      subjectKind: 'victim',
      text: 'Impact?',
      hint: null,
      options: [
        { key: 'none', label: 'None', weight: 0 },
        { key: 'some', label: 'Some', weight: 2 },
        { key: 'serious', label: 'Serious', weight: 5 },
      ],
    },
  ],
};

const base = { judgement: 'agree' as const, incidentDates: [] as string[], asOf: '2026-03-10', repeatMatches: 0 };
const answers = (threats: string, fear: string, impact: string) => ({ 10: threats, 11: fear, 12: impact });

describe('the score', () => {
  test('when each question is answered, then the score is the sum of the chosen answers', () => {
    expect(assess(matrix, { ...base, answers: answers('yes', 'no', 'some') }).score).toBe(6);
    expect(assess(matrix, { ...base, answers: answers('no', 'yes', 'serious') }).score).toBe(8);
    expect(assess(matrix, { ...base, answers: answers('not-known', 'not-known', 'none') }).score).toBe(0);
  });

  test('when a question is unanswered or has an unknown answer, then it scores nothing and is listed', () => {
    const result = assess(matrix, { ...base, answers: { 10: 'yes', 11: 'maybe' } });
    expect(result.score).toBe(4);
    expect(result.unanswered).toEqual([11, 12]);
  });

  test('the highest possible score counts the heaviest answer of each question', () => {
    expect(maxScore(matrix)).toBe(12);
  });
});

describe('the threshold criterion', () => {
  test('when the score is one below the threshold, then it is not met', () => {
    const result = assess(matrix, { ...base, answers: answers('yes', 'no', 'some') });
    expect(result.score).toBe(6);
    expect(result.criteria).not.toContain('score');
    expect(result.verdict).toBe('standard');
  });

  test('when the score equals the threshold, then it is met and the case is high risk', () => {
    const result = assess(matrix, { ...base, answers: answers('yes', 'yes', 'none') });
    expect(result.score).toBe(7);
    expect(result.criteria).toEqual(['score']);
    expect(result.verdict).toBe('high');
  });

  test('when the score is above the threshold, then it is met', () => {
    expect(assess(matrix, { ...base, answers: answers('yes', 'yes', 'serious') }).criteria).toContain('score');
  });
});

describe('professional judgement', () => {
  const low = answers('no', 'no', 'none');

  test('when the referrer judges the risk high, then a low score still meets the criteria', () => {
    const result = assess(matrix, { ...base, answers: low, judgement: 'high' });
    expect(result.criteria).toEqual(['judgement']);
    expect(result.verdict).toBe('high');
  });

  test('when the referrer judges the risk lower, then a high score stays high risk', () => {
    const result = assess(matrix, { ...base, answers: answers('yes', 'yes', 'serious'), judgement: 'lower' });
    expect(result.verdict).toBe('high');
    expect(result.criteria).toEqual(['score']);
    expect(result.judgementOverruled).toBe(true);
  });

  test('when the referrer judges the risk lower and no criterion is met, then nothing is overruled', () => {
    const result = assess(matrix, { ...base, answers: low, judgement: 'lower' });
    expect(result.verdict).toBe('standard');
    expect(result.judgementOverruled).toBe(false);
  });

  test('when the referrer agrees with the score, or gives no judgement, then judgement is not a criterion', () => {
    expect(assess(matrix, { ...base, answers: low, judgement: 'agree' }).criteria).toEqual([]);
    expect(assess(matrix, { ...base, answers: low, judgement: null }).criteria).toEqual([]);
  });
});

describe('escalation', () => {
  const low = answers('no', 'no', 'none');

  test('when three incidents fall in the last twelve months, then escalation is met', () => {
    const result = assess(matrix, { ...base, answers: low, incidentDates: ['2026-03-01', '2025-12-24', '2025-06-30'] });
    expect(result.escalationCount).toBe(3);
    expect(result.criteria).toEqual(['escalation']);
    expect(result.verdict).toBe('high');
  });

  test('when only two incidents fall in the period, then escalation is not met', () => {
    const result = assess(matrix, { ...base, answers: low, incidentDates: ['2026-03-01', '2025-12-24', '2024-06-30'] });
    expect(result.escalationCount).toBe(2);
    expect(result.criteria).toEqual([]);
  });

  test('an incident exactly twelve months before counts; the day before does not', () => {
    expect(periodStart('2026-03-10', 12)).toBe('2025-03-10');
    expect(incidentsInPeriod(['2025-03-10'], '2026-03-10', 12)).toBe(1);
    expect(incidentsInPeriod(['2025-03-09'], '2026-03-10', 12)).toBe(0);
  });

  test('incidents without a date or after the assessment date do not count', () => {
    expect(incidentsInPeriod([null, '2026-03-11', '2026-03-10'], '2026-03-10', 12)).toBe(1);
  });

  test('the number of incidents and the period come from the matrix', () => {
    const strict = { ...matrix, escalationIncidents: 2, escalationMonths: 1 };
    expect(assess(strict, { ...base, answers: low, incidentDates: ['2026-03-01', '2026-02-11'] }).criteria).toEqual([
      'escalation',
    ]);
    expect(assess(strict, { ...base, answers: low, incidentDates: ['2026-03-01', '2026-02-09'] }).criteria).toEqual([]);
  });
});

describe('repeat', () => {
  test('when a subject was referred within the repeat period, then repeat is met', () => {
    const result = assess(matrix, { ...base, answers: answers('no', 'no', 'none'), repeatMatches: 1 });
    expect(result.criteria).toEqual(['repeat']);
    expect(result.verdict).toBe('high');
  });

  test('when several criteria are met, then all are listed in a fixed order', () => {
    const result = assess(matrix, {
      answers: answers('yes', 'yes', 'serious'),
      judgement: 'high',
      incidentDates: ['2026-03-01', '2026-02-01', '2026-01-01'],
      asOf: '2026-03-10',
      repeatMatches: 2,
    });
    expect(result.criteria).toEqual(['score', 'judgement', 'escalation', 'repeat']);
  });
});

describe('questions for each kind of subject', () => {
  /** The small matrix with two perpetrator questions (threshold 5) and a location question (threshold 2). */
  const byKind: Matrix = {
    ...matrix,
    perpetratorThreshold: 5,
    locationThreshold: 2,
    questions: [
      ...matrix.questions,
      {
        id: 20,
        position: 4,
        code: 'p-violence',
        subjectKind: 'perpetrator',
        text: 'Violent?',
        hint: null,
        options: yesNo(4),
      },
      {
        id: 21,
        position: 5,
        code: 'p-weapons',
        subjectKind: 'perpetrator',
        text: 'Weapons?',
        hint: null,
        options: yesNo(3),
      },
      { id: 30, position: 6, code: 'l-drugs', subjectKind: 'location', text: 'Drugs?', hint: null, options: yesNo(2) },
    ],
  };

  test('when a referral has only a perpetrator, then it is scored on the perpetrator questions against their threshold', () => {
    const result = assess(byKind, { ...base, answers: { 20: 'yes', 21: 'yes' }, kinds: ['perpetrator'] });
    expect(result.byKind).toEqual([{ kind: 'perpetrator', score: 7, maxScore: 7, threshold: 5, met: true }]);
    expect(result).toMatchObject({ score: 7, threshold: 5, verdict: 'high', criteria: ['score'], unanswered: [] });
  });

  test('when the victim questions meet no threshold but the perpetrator questions do, then the score criterion is met', () => {
    const result = assess(byKind, {
      ...base,
      answers: { ...answers('no', 'no', 'none'), 20: 'yes', 21: 'yes' },
      kinds: ['victim', 'perpetrator'],
    });
    expect(result.byKind.map((k) => [k.kind, k.score, k.met])).toEqual([
      ['victim', 0, false],
      ['perpetrator', 7, true],
    ]);
    expect(result.criteria).toEqual(['score']);
  });

  test('when a perpetrator question is not answered, then it is unanswered, and the victim and location questions are not asked', () => {
    const result = assess(byKind, { ...base, answers: { 20: 'yes' }, kinds: ['perpetrator'] });
    expect(result.unanswered).toEqual([21]);
    expect(result).toMatchObject({ score: 4, verdict: 'standard' });
  });
});
