import { answerFormValues, readAnswer, readClinicians } from '../../src/attendance/attendance-form';

describe('reading an attendance answer', () => {
  test('when attending with names on lines, then blank lines are dropped and the mode is kept', () => {
    expect(readAnswer({ answer: 'attending', attendees: ' A One \r\n\r\nB Two\n', mode: 'online' })).toEqual({
      ok: true,
      data: {
        answer: 'attending',
        attendees: [{ name: 'A One' }, { name: 'B Two' }],
        mode: 'online',
        deputyName: null,
        deputyRole: null,
        apologyReason: null,
        informationInAdvance: null,
      },
    });
  });

  test('when a deputy is sent, then name, role and mode are all needed', () => {
    expect(readAnswer({ answer: 'deputy', deputyName: 'D', deputyRole: '', deputyMode: '' })).toEqual({
      ok: false,
      errors: {
        deputyRole: "Enter the deputy's role",
        deputyMode: 'Select whether the deputy will attend in person or online',
      },
    });
    expect(readAnswer({ answer: 'deputy', deputyName: 'D', deputyRole: 'R', deputyMode: 'in-person' })).toMatchObject({
      ok: true,
      data: { deputyName: 'D', deputyRole: 'R', mode: 'in-person' },
    });
  });

  test('when apologies are sent, then the reason and the information in advance are needed', () => {
    expect(readAnswer({ answer: 'apologies', apologyReason: 'Court', informationInAdvance: 'no' })).toMatchObject({
      ok: true,
      data: { apologyReason: 'Court', informationInAdvance: false, mode: null },
    });
    expect(readAnswer({ answer: 'apologies' })).toMatchObject({
      ok: false,
      errors: { apologyReason: 'Enter the reason for apologies' },
    });
  });

  test('when a link fixes the answer, then the posted answer is ignored', () => {
    expect(readAnswer({ answer: 'apologies', attendees: 'X', mode: 'in-person' }, 'attending')).toMatchObject({
      ok: true,
      data: { answer: 'attending' },
    });
  });

  test('when the answer is unknown, too long, has too many people or a line break in a one-line field, then it is refused', () => {
    expect(readAnswer({ answer: 'maybe' })).toMatchObject({
      ok: false,
      errors: { answer: expect.any(String) as string },
    });
    expect(readAnswer({ answer: ['attending'] })).toMatchObject({ ok: false });
    expect(readAnswer({ answer: 'attending', attendees: 'x'.repeat(101), mode: 'online' })).toMatchObject({
      ok: false,
      errors: { attendees: 'Each name must be 100 characters or fewer' },
    });
    expect(readAnswer({ answer: 'attending', attendees: '1\n2\n3\n4\n5\n6\n7', mode: 'online' })).toMatchObject({
      ok: false,
      errors: { attendees: 'Enter no more than 6 people' },
    });
    expect(readAnswer({ answer: 'apologies', apologyReason: 'a\nb', informationInAdvance: 'yes' })).toMatchObject({
      ok: false,
      errors: { apologyReason: 'The reason for apologies must be on one line' },
    });
  });

  test('when an answer is shown again for changing, then its fields come back as typed', () => {
    expect(
      answerFormValues({ answer: 'deputy', deputyName: 'D', deputyRole: 'R', mode: 'online', attendees: [] }),
    ).toMatchObject({ answer: 'deputy', deputyMode: 'online', mode: '' });
    expect(answerFormValues({ answer: null })).toEqual({});
  });
});

describe('reading clinicians per agenda item', () => {
  test('when an item says yes, then a name is needed; no clears the name; unanswered items are left alone', () => {
    const r = readClinicians({
      items: {
        'item-3': { attending: 'yes', name: 'Dr A' },
        'item-4': { attending: 'no', name: 'ignored' },
        'item-5': { attending: '' },
      },
    });
    expect(r.ok && [...r.data.entries()]).toEqual([
      [3, { attending: true, clinicianName: 'Dr A' }],
      [4, { attending: false, clinicianName: null }],
    ]);
    expect(readClinicians({ items: { 'item-3': { attending: 'yes', name: ' ' } } })).toEqual({
      ok: false,
      errors: { 'items[item-3][name]': "Enter the clinician's name" },
    });
  });

  test('when the item keys or values are not what the page sends, then it is refused', () => {
    expect(readClinicians({ items: { '3': { attending: 'yes' } } }).ok).toBe(false);
    expect(readClinicians({ items: ['x'] }).ok).toBe(false);
    expect(readClinicians({ items: { 'item-3': { attending: 'perhaps' } } })).toEqual({
      ok: false,
      errors: { 'items[item-3][attending]': 'Select whether a clinician will attend' },
    });
  });
});
