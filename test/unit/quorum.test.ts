import { missingForQuorum, reminderDue } from '../../src/attendance/quorum';
import { londonDate } from '../../src/time';

describe('quorum', () => {
  test('when required agencies have answered apologies or nothing, then they are missing; attending and deputy count; agencies not required never do', () => {
    const agencies = [
      { agencyId: 1, attendanceRequired: true, answer: 'attending' as const },
      { agencyId: 2, attendanceRequired: true, answer: 'deputy' as const },
      { agencyId: 3, attendanceRequired: true, answer: 'apologies' as const },
      { agencyId: 4, attendanceRequired: true, answer: null },
      { agencyId: 5, attendanceRequired: false, answer: null },
    ];
    expect(missingForQuorum(agencies).map((a) => a.agencyId)).toEqual([3, 4]);
  });
});

describe('when reminders are due', () => {
  test('when the panel is on a Monday, then reminders are due from the Wednesday before, in London time', () => {
    const panel = new Date('2026-06-15T09:00:00Z');
    expect(reminderDue(panel, new Date('2026-06-09T22:59:00Z'))).toBe(false);
    // 00:30 on Wednesday 10 June in London (BST) is still Tuesday in UTC.
    expect(reminderDue(panel, new Date('2026-06-09T23:30:00Z'))).toBe(true);
    expect(reminderDue(panel, new Date('2026-06-15T08:59:00Z'))).toBe(true);
    expect(reminderDue(panel, new Date('2026-06-15T09:00:00Z'))).toBe(false);
  });

  test('when Christmas and Boxing Day fall before the panel, then they are skipped', () => {
    // Tuesday 29 December 2026: working days back are 24, 23, 22 December (25 Fri, 28 Mon substitute Boxing Day).
    const panel = new Date('2026-12-29T10:00:00Z');
    expect(reminderDue(panel, new Date('2026-12-21T12:00:00Z'))).toBe(false);
    expect(reminderDue(panel, new Date('2026-12-22T12:00:00Z'))).toBe(true);
  });

  test('when a time is near midnight, then its day is the London calendar day', () => {
    expect(londonDate(new Date('2026-07-01T23:30:00Z'))).toBe('2026-07-02');
    expect(londonDate(new Date('2026-01-01T23:30:00Z'))).toBe('2026-01-01');
  });
});
