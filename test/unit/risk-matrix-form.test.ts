import { readRawMatrix, validateMatrix } from '../../src/risk/matrix-form';

const question = (text: string, yes = '3', code = '') => ({
  code,
  text,
  hint: '',
  options: [
    { key: 'yes', label: 'Yes', weight: yes },
    { key: 'no', label: 'No', weight: '0' },
  ],
});

const body = (overrides: Record<string, unknown> = {}) => ({
  basedOn: '1',
  threshold: '5',
  perpetratorThreshold: '5',
  locationThreshold: '5',
  escalationIncidents: '3',
  escalationMonths: '12',
  repeatMonths: '12',
  changeNote: 'Added a question about weapons',
  questions: [question('Threats?', '3', 'threats'), question('Weapons carried?', '4')],
  ...overrides,
});

const validate = (b: Record<string, unknown>) => validateMatrix(readRawMatrix(b));

describe('a new version of the risk matrix', () => {
  test('when valid, then questions keep their codes and new ones get one made from their text', () => {
    const { input, errors } = validate(body());
    expect(errors).toEqual({});
    expect(input).toMatchObject({
      basedOn: 1,
      threshold: 5,
      escalationIncidents: 3,
      changeNote: 'Added a question about weapons',
    });
    expect(input?.questions.map((q) => q.code)).toEqual(['threats', 'weapons-carried']);
    expect(input?.questions[1].options).toEqual([
      { key: 'yes', label: 'Yes', weight: 4 },
      { key: 'no', label: 'No', weight: 0 },
    ]);
  });

  test('when two questions claim one code, then the second gets its own', () => {
    const { input } = validate(body({ questions: [question('A?', '3', 'same'), question('B?', '3', 'same')] }));
    expect(input?.questions.map((q) => q.code)).toEqual(['same', 'b']);
  });

  test('when numbers are out of range, then each is reported by its field', () => {
    const { input, errors } = validate(
      body({ threshold: '0', escalationIncidents: '1', escalationMonths: '37', repeatMonths: 'x' }),
    );
    expect(input).toBeNull();
    expect(errors).toEqual({
      threshold: 'Enter the high-risk threshold of the victim questions as a whole number from 1 to 1000',
      escalationIncidents: 'Enter the number of incidents as a whole number from 2 to 100',
      escalationMonths: 'Enter the escalation period as a whole number of months from 1 to 36',
      repeatMonths: 'Enter the repeat period as a whole number of months from 1 to 36',
    });
  });

  test('when the threshold is above the highest possible score, then it is refused', () => {
    expect(validate(body({ threshold: '8' })).errors).toEqual({
      threshold:
        'The victim threshold must be no more than the highest possible score of the victim questions, 7, or no case could reach it',
    });
    expect(validate(body({ threshold: '7' })).errors).toEqual({});
  });

  test('a question needs text and at least two answers, each with a label and a weight', () => {
    const { errors } = validate(
      body({
        threshold: '1',
        questions: [
          {
            text: '',
            hint: '',
            options: [
              { label: 'Yes', weight: '2' },
              { label: 'No', weight: '0' },
            ],
          },
          {
            text: 'Only one answer?',
            hint: '',
            options: [
              { label: 'Yes', weight: '2' },
              { label: '', weight: '' },
            ],
          },
          {
            text: 'Bad weight?',
            hint: '',
            options: [
              { label: 'Yes', weight: '101' },
              { label: '', weight: '0' },
            ],
          },
        ],
      }),
    );
    expect(errors).toEqual({
      'questions[0][text]': 'Enter the text of question 1',
      'questions[1][options]': 'Give question 2 at least two answers',
      'questions[2][options][0][weight]': 'Enter the weight of answer 1 to question 3 as a whole number from 0 to 100',
      'questions[2][options][1][label]': 'Enter the label of answer 2 to question 3',
    });
  });

  test('a change note is required, and blank question rows are ignored', () => {
    const { errors } = validate(
      body({ changeNote: '', questions: [question('A?', '5'), { text: '', hint: '', options: [] }] }),
    );
    expect(errors).toEqual({ changeNote: 'Enter what changed and why' });
  });

  test('a matrix without questions is refused', () => {
    expect(validate(body({ questions: [] })).errors).toEqual({ questions: 'Add at least one question' });
  });
});
