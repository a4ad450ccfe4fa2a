import {
  agendaChanges,
  proposeAgenda,
  timeSlots,
  twelveMonthsBefore,
  type CandidateCase,
  type SnapshotItem,
} from '../../src/agendas/proposal';

const c = (id: number, riskScore: number, extra: Partial<CandidateCase> = {}): CandidateCase => ({
  referralId: id,
  reference: `ASB-2027-${String(id).padStart(4, '0')}`,
  riskScore,
  involvesChildren: false,
  firstHeardOn: null,
  incompleteActions: 0,
  ...extra,
});

describe('agenda proposal', () => {
  const panelDate = '2027-03-09';

  it('when there are reviews, new cases with and without children and a 12-month case, then they come in that order, each by risk', () => {
    const items = proposeAgenda({
      panelDate,
      reviews: [
        c(1, 20, { firstHeardOn: '2027-01-12', incompleteActions: 2 }),
        c(2, 40, { firstHeardOn: '2027-02-09' }),
        c(3, 50, { firstHeardOn: '2026-03-01' }),
      ],
      awaiting: [c(4, 30), c(5, 10, { involvesChildren: true }), c(6, 60), c(7, 25, { involvesChildren: true })],
    });
    expect(items.map((i) => [i.referralId, i.kind])).toEqual([
      [2, 'review'],
      [1, 'review'],
      [7, 'new'],
      [5, 'new'],
      [6, 'new'],
      [4, 'new'],
      [3, 'anniversary'],
    ]);
    expect(items.find((i) => i.referralId === 1)?.incompleteActions).toBe(2);
  });

  it('when a case was first heard exactly twelve months before, then it is flagged for a closure decision; a day later it is a review', () => {
    const items = proposeAgenda({
      panelDate,
      reviews: [c(1, 10, { firstHeardOn: '2026-03-09' }), c(2, 10, { firstHeardOn: '2026-03-10' })],
      awaiting: [],
    });
    expect(items.find((i) => i.referralId === 1)?.kind).toBe('anniversary');
    expect(items.find((i) => i.referralId === 2)?.kind).toBe('review');
  });

  it('when a case is offered twice, then it appears once', () => {
    const items = proposeAgenda({
      panelDate,
      reviews: [c(1, 10, { firstHeardOn: '2027-01-01' })],
      awaiting: [c(1, 10), c(2, 5), c(2, 5)],
    });
    expect(items.map((i) => i.referralId)).toEqual([1, 2]);
  });

  it('when items are proposed, then new cases get 15 minutes and reviews 10', () => {
    const items = proposeAgenda({
      panelDate,
      reviews: [c(1, 10, { firstHeardOn: '2027-01-01' })],
      awaiting: [c(2, 5)],
    });
    expect(items.map((i) => i.minutesAllotted)).toEqual([10, 15]);
  });

  it('when risk scores tie, then the order is by reference, so it is stable', () => {
    const items = proposeAgenda({ panelDate, reviews: [], awaiting: [c(9, 10), c(3, 10)] });
    expect(items.map((i) => i.referralId)).toEqual([3, 9]);
  });

  it('when the panel date is 29 February, then twelve months before is 28 February', () => {
    expect(twelveMonthsBefore('2028-02-29')).toBe('2027-02-28');
  });
});

describe('time slots', () => {
  const panel = { startsAt: new Date('2027-03-09T10:00:00Z'), endsAt: new Date('2027-03-09T11:00:00Z') };

  it('when items follow one another, then each starts where the last ended', () => {
    const { slots, endsAt, overrunMinutes } = timeSlots(panel, [
      { minutesAllotted: 15 },
      { minutesAllotted: 10 },
      { minutesAllotted: 20 },
    ]);
    expect(slots.map((s) => s.startsAt.toISOString().slice(11, 16))).toEqual(['10:00', '10:15', '10:25']);
    expect(endsAt.toISOString().slice(11, 16)).toBe('10:45');
    expect(overrunMinutes).toBe(0);
    expect(slots.some((s) => s.overruns)).toBe(false);
  });

  it('when an item is lengthened past the end time, then it and those after overrun and the overrun is counted', () => {
    const { slots, overrunMinutes } = timeSlots(panel, [
      { minutesAllotted: 40 },
      { minutesAllotted: 15 },
      { minutesAllotted: 15 },
    ]);
    expect(slots.map((s) => s.overruns)).toEqual([false, false, true]);
    expect(overrunMinutes).toBe(10);
  });

  it('when the items end exactly at the end time, then nothing overruns', () => {
    const { slots, overrunMinutes } = timeSlots(panel, [{ minutesAllotted: 30 }, { minutesAllotted: 30 }]);
    expect(slots.every((s) => !s.overruns)).toBe(true);
    expect(overrunMinutes).toBe(0);
  });
});

describe('agenda changes between versions', () => {
  const item = (key: string, position: number, startsAt: string, minutes = 10): SnapshotItem => ({
    key,
    label: key,
    kind: 'new',
    position,
    startsAt,
    minutes,
    referralId: null,
    reference: key,
    title: null,
    presentingAgency: null,
  });

  it('when nothing changed, then there are no changes', () => {
    const v = [item('A', 1, '10:00'), item('B', 2, '10:10')];
    expect(agendaChanges(v, v)).toEqual([]);
  });

  it('when an item is added, removed and two are swapped, then each is listed', () => {
    const before = [item('A', 1, '10:00'), item('B', 2, '10:10'), item('C', 3, '10:20')];
    const after = [item('C', 1, '10:00'), item('A', 2, '10:10'), item('D', 3, '10:20')];
    const changes = agendaChanges(before, after);
    expect(changes).toContain('Added: D (item 3, 10:20)');
    expect(changes).toContain('Removed: B');
    expect(changes.some((c) => c.startsWith('Moved: C from item 3 to item 1'))).toBe(true);
    expect(changes.some((c) => c.startsWith('Time changed: A now 10:10'))).toBe(true);
  });

  it('when only a length changes, then the time change is listed and nothing moved', () => {
    const changes = agendaChanges([item('A', 1, '10:00', 10)], [item('A', 1, '10:00', 20)]);
    expect(changes).toEqual(['Time changed: A now 10:00, 20 minutes (was 10:00, 10 minutes)']);
  });
});
