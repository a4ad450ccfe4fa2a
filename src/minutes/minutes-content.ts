import { ZONE, formatCalendarDate } from '../time';
import { DateTime } from 'luxon';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';

/** Everything the minutes say, display-ready: frozen as JSON when a version is approved. */
export interface MinutesContent {
  panel: { id: number; district: string; date: string; dateText: string; time: string; venue: string | null; online: boolean; chair: string };
  attendance: Array<{ agency: string; people: Array<{ name: string; role: string | null; status: string }> }>;
  apologies: Array<{ agency: string; informationSent: string; receivedOn: string | null }>;
  observers: Array<{ name: string; role: string | null }>;
  confidentiality: { version: number; text: string; agreedBy: string[] } | null;
  introduction: string | null;
  items: MinutesItem[];
  otherBusiness: Array<{ title: string }>;
  otherBusinessNotes: string | null;
  nextPanel: string | null;
  circulation: Array<{ agency: string; people: string[] }>;
}

export interface MinutesItem {
  agendaItemId: number;
  number: number;
  kind: string;
  reference: string;
  subjects: string[];
  sharedInformation: Array<{ agency: string; text: string }>;
  discussion: string | null;
  recordedDiscussion: string | null;
  riskLevel: string;
  decision: string;
  nextReviewOn: string | null;
  actions: Array<{ description: string; agency: string; owner: string | null; dueOn: string }>;
  previousActions: Array<{ description: string; agency: string; status: string; outcome: string | null }>;
}

export interface DraftText {
  introduction: string | null;
  otherBusiness: string | null;
  itemSummaries: Record<string, string>;
}

const KIND = { review: 'Review', new: 'New case', anniversary: 'Anniversary review', 'other-business': 'Other business' } as const;
const STATUS = { present: 'Present', online: 'Online', late: 'Arrived late', 'left-early': 'Left early', absent: 'Absent', apologies: 'Apologies' } as const;
const DECISION = { review: 'Keep under review', close: 'Close', escalate: 'Escalate', deferred: 'Deferred' } as const;
const CLOSE = { 'risk-reduced': 'risk reduced', 'moved-away': 'moved away', 'other-process': 'managed by another process', other: 'other reason' } as const;
const ESCALATE = { marac: 'MARAC', mappa: 'MAPPA', 'adult-safeguarding': 'adult safeguarding', 'child-safeguarding': 'child safeguarding', other: 'another process' } as const;
const ACTION_STATUS = { open: 'Open', 'in-progress': 'In progress', completed: 'Completed', 'not-possible': 'Not possible', 'not-done': 'Not done' } as const;
const RISK = { high: 'High', medium: 'Medium', low: 'Low' } as const;

function statusText(status: keyof typeof STATUS, arrivedAt: string | null, leftAt: string | null): string {
  if (status === 'late') return arrivedAt ? `Arrived late at ${arrivedAt}` : STATUS.late;
  if (status === 'left-early') return leftAt ? `Left early at ${leftAt}` : STATUS['left-early'];
  return STATUS[status];
}

/** Assembles the minutes of a panel from its record, with the draft's edited text laid over it. */
export async function assembleMinutes(db: Kysely<Database>, panelId: number, draft: DraftText): Promise<MinutesContent> {
  const panel = await db
    .selectFrom('panels')
    .innerJoin('districts', 'districts.id', 'panels.districtId')
    .innerJoin('users as chair', 'chair.id', 'panels.chairUserId')
    .select(['panels.id', 'panels.districtId', 'panels.startsAt', 'panels.endsAt', 'panels.venue', 'panels.onlineLink', 'panels.confidentialityStatementId', 'districts.name as district', 'chair.name as chair'])
    .where('panels.id', '=', panelId)
    .executeTakeFirstOrThrow();
  const starts = DateTime.fromJSDate(panel.startsAt).setZone(ZONE);
  const ends = DateTime.fromJSDate(panel.endsAt).setZone(ZONE);

  const register = await db
    .selectFrom('registerEntries')
    .leftJoin('agencies', 'agencies.id', 'registerEntries.agencyId')
    .select(['registerEntries.personName', 'registerEntries.role', 'registerEntries.isObserver', 'registerEntries.status', 'registerEntries.arrivedAt', 'registerEntries.leftAt', 'registerEntries.confidentialityAgreed', 'registerEntries.confidentialityStatementId', 'agencies.name as agency'])
    .where('registerEntries.panelId', '=', panelId)
    .orderBy('agencies.name')
    .orderBy('registerEntries.id')
    .execute();
  const attendance = new Map<string, MinutesContent['attendance'][number]>();
  for (const r of register.filter((e) => !e.isObserver && e.status !== 'absent' && e.status !== 'apologies')) {
    const agency = r.agency ?? 'No agency';
    if (!attendance.has(agency)) attendance.set(agency, { agency, people: [] });
    attendance.get(agency)!.people.push({ name: r.personName, role: r.role, status: statusText(r.status, r.arrivedAt, r.leftAt) });
  }
  const responses = await db
    .selectFrom('attendanceResponses')
    .innerJoin('agencies', 'agencies.id', 'attendanceResponses.agencyId')
    .select(['agencies.name as agency', 'attendanceResponses.answer', 'attendanceResponses.deputyName', 'attendanceResponses.informationInAdvance', 'attendanceResponses.informationReceivedOn'])
    .where('attendanceResponses.panelId', '=', panelId)
    .orderBy('agencies.name')
    .execute();
  const apologies = responses
    .filter((r) => r.answer === 'apologies')
    .map((r) => ({ agency: r.agency, informationSent: r.informationInAdvance ? 'Yes' : 'No', receivedOn: r.informationReceivedOn ? formatCalendarDate(r.informationReceivedOn) : null }));
  const observers = register.filter((e) => e.isObserver).map((e) => ({ name: e.personName, role: e.role }));

  const statementId = panel.confidentialityStatementId ?? register.find((e) => e.confidentialityStatementId)?.confidentialityStatementId ?? null;
  const statement = statementId
    ? await db.selectFrom('confidentialityStatements').select(['version', 'text']).where('id', '=', statementId).executeTakeFirst()
    : undefined;
  const confidentiality = statement
    ? { version: statement.version, text: statement.text, agreedBy: register.filter((e) => e.confidentialityAgreed).map((e) => e.personName) }
    : null;

  const agenda = await db
    .selectFrom('agendaItems')
    .leftJoin('referrals', 'referrals.id', 'agendaItems.referralId')
    .leftJoin('meetingRecords', 'meetingRecords.agendaItemId', 'agendaItems.id')
    .select([
      'agendaItems.id',
      'agendaItems.position',
      'agendaItems.kind',
      'agendaItems.referralId',
      'agendaItems.title',
      'referrals.reference',
      'meetingRecords.discussion',
      'meetingRecords.riskLevel',
      'meetingRecords.decision',
      'meetingRecords.closeReason',
      'meetingRecords.escalateTo',
      'meetingRecords.decisionNote',
      'meetingRecords.nextReviewOn',
      'meetingRecords.deferredReason',
    ])
    .where('agendaItems.panelId', '=', panelId)
    .where('agendaItems.removedAt', 'is', null)
    .orderBy('agendaItems.position')
    .execute();
  const caseItems = agenda.filter((a) => a.kind !== 'other-business');
  const itemIds = caseItems.map((a) => a.id);
  const referralIds = caseItems.map((a) => a.referralId!).filter(Boolean);

  const subjects = referralIds.length
    ? await db.selectFrom('referralSubjects').select(['referralId', 'fullName', 'description', 'kind']).where('referralId', 'in', referralIds).orderBy('position').execute()
    : [];
  const shared = itemIds.length
    ? await db
        .selectFrom('sharedInformation')
        .innerJoin('agencies', 'agencies.id', 'sharedInformation.agencyId')
        .select(['sharedInformation.agendaItemId', 'agencies.name as agency', 'sharedInformation.text'])
        .where('sharedInformation.agendaItemId', 'in', itemIds)
        .orderBy('agencies.name')
        .execute()
    : [];
  const actions = referralIds.length
    ? await db
        .selectFrom('actions')
        .innerJoin('agencies', 'agencies.id', 'actions.ownerAgencyId')
        .select(['actions.id', 'actions.referralId', 'actions.panelId', 'actions.description', 'actions.ownerName', 'actions.dueOn', 'actions.status', 'agencies.name as agency'])
        .where('actions.referralId', 'in', referralIds)
        .orderBy('actions.dueOn')
        .orderBy('actions.id')
        .execute()
    : [];
  const updates = actions.length
    ? await db.selectFrom('actionUpdates').select(['actionId', 'note', 'at']).where('actionId', 'in', actions.map((a) => a.id)).where('note', 'is not', null).orderBy('at').execute()
    : [];
  const lastNote = new Map(updates.map((u) => [u.actionId, u.note]));

  const items: MinutesItem[] = caseItems.map((a, i) => {
    let decision: string = a.decision ? DECISION[a.decision] : 'Not recorded';
    if (a.decision === 'close' && a.closeReason) decision += ` (${CLOSE[a.closeReason]})`;
    if (a.decision === 'escalate' && a.escalateTo) decision += ` to ${ESCALATE[a.escalateTo]}`;
    if (a.decision === 'deferred' && a.deferredReason) decision += `: ${a.deferredReason}`;
    if (a.decisionNote) decision += `. ${a.decisionNote}`;
    const override = draft.itemSummaries[String(a.id)]?.trim();
    return {
      agendaItemId: a.id,
      number: i + 1,
      kind: KIND[a.kind],
      reference: a.reference ?? 'No reference',
      subjects: subjects.filter((s) => s.referralId === a.referralId).map((s) => s.fullName ?? s.description ?? 'Unnamed'),
      sharedInformation: shared.filter((s) => s.agendaItemId === a.id).map((s) => ({ agency: s.agency, text: s.text })),
      discussion: override || a.discussion,
      recordedDiscussion: a.discussion,
      riskLevel: a.riskLevel ? RISK[a.riskLevel] : 'Not recorded',
      decision,
      nextReviewOn: a.nextReviewOn ? formatCalendarDate(a.nextReviewOn) : null,
      actions: actions
        .filter((x) => x.referralId === a.referralId && x.panelId === panelId)
        .map((x) => ({ description: x.description, agency: x.agency, owner: x.ownerName, dueOn: formatCalendarDate(x.dueOn) })),
      previousActions:
        a.kind === 'new'
          ? []
          : actions
              .filter((x) => x.referralId === a.referralId && x.panelId !== panelId)
              .map((x) => ({ description: x.description, agency: x.agency, status: ACTION_STATUS[x.status], outcome: lastNote.get(x.id) ?? null })),
    };
  });

  const next = await db
    .selectFrom('panels')
    .select('startsAt')
    .where('districtId', '=', panel.districtId)
    .where('startsAt', '>', panel.startsAt)
    .where('status', '<>', 'cancelled')
    .orderBy('startsAt')
    .executeTakeFirst();

  const recipients = await defaultRecipients(db, panelId);
  const circulation = new Map<string, string[]>();
  for (const r of recipients) circulation.set(r.agencyName, [...(circulation.get(r.agencyName) ?? []), r.name]);

  return {
    panel: {
      id: panel.id,
      district: panel.district,
      date: starts.toISODate()!,
      dateText: starts.toFormat('d MMMM yyyy'),
      time: `${starts.toFormat('HH:mm')} to ${ends.toFormat('HH:mm')}`,
      venue: panel.venue,
      online: Boolean(panel.onlineLink),
      chair: panel.chair,
    },
    attendance: [...attendance.values()],
    apologies,
    observers,
    confidentiality,
    introduction: draft.introduction?.trim() || null,
    items,
    otherBusiness: agenda.filter((a) => a.kind === 'other-business').map((a) => ({ title: a.title ?? '' })),
    otherBusinessNotes: draft.otherBusiness?.trim() || null,
    nextPanel: next ? DateTime.fromJSDate(next.startsAt).setZone(ZONE).toFormat("d MMMM yyyy 'at' HH:mm") : null,
    circulation: [...circulation.entries()].map(([agency, people]) => ({ agency, people })),
  };
}

export interface Recipient {
  userId: number;
  name: string;
  email: string;
  agencyId: number;
  agencyName: string;
}

/** Every active representative of every invited agency, whether they came or not. */
export function defaultRecipients(db: Kysely<Database>, panelId: number): Promise<Recipient[]> {
  return db
    .selectFrom('panelInvitations')
    .innerJoin('agencies', 'agencies.id', 'panelInvitations.agencyId')
    .innerJoin('users', 'users.agencyId', 'agencies.id')
    .select(['users.id as userId', 'users.name', 'users.email', 'agencies.id as agencyId', 'agencies.name as agencyName'])
    .where('panelInvitations.panelId', '=', panelId)
    .where('users.active', '=', true)
    .where('users.role', '=', 'representative')
    .orderBy('agencies.name')
    .orderBy('users.name')
    .execute();
}

/** Active users of the invited agencies of any role: those an administrator may add to the circulation. */
export function eligibleRecipients(db: Kysely<Database>, panelId: number): Promise<Recipient[]> {
  return db
    .selectFrom('panelInvitations')
    .innerJoin('agencies', 'agencies.id', 'panelInvitations.agencyId')
    .innerJoin('users', 'users.agencyId', 'agencies.id')
    .select(['users.id as userId', 'users.name', 'users.email', 'agencies.id as agencyId', 'agencies.name as agencyName'])
    .where('panelInvitations.panelId', '=', panelId)
    .where('users.active', '=', true)
    .orderBy('agencies.name')
    .orderBy('users.name')
    .execute();
}
