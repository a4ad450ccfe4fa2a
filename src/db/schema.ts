import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/** TypeScript view of the tables (camelCase; the CamelCasePlugin maps to snake_case SQL). */

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Id = Generated<number>;
/** bigint identity columns come back from pg as strings. */
type BigId = ColumnType<string, never, never>;

export type Role = 'administrator' | 'chair' | 'representative';
export const ROLES: readonly Role[] = ['administrator', 'chair', 'representative'];

export interface DistrictTable {
  id: Id;
  name: string;
  slug: string;
}

export interface AgencyTable {
  id: Id;
  name: string;
  shortName: string;
  type: string;
  districtId: number | null;
  coreMember: Generated<boolean>;
  attendanceRequired: Generated<boolean>;
  active: Generated<boolean>;
  spocUserId: number | null;
  /** The first point of contact for youth checks, when this agency answers them. */
  youthCheckContactUserId: Generated<number | null>;
  version: Generated<number>;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface UserTable {
  id: Id;
  email: string;
  name: string;
  jobTitle: string | null;
  phone: string | null;
  passwordHash: string;
  role: Role;
  agencyId: number;
  isDeputy: Generated<boolean>;
  active: Generated<boolean>;
  passwordChangedAt: Timestamp;
  version: Generated<number>;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface SessionTable {
  sid: string;
  sess: unknown;
  userId: number | null;
  expiresAt: Timestamp;
}

export interface LoginFailureTable {
  id: BigId;
  accountKey: string;
  ip: string;
  at: Timestamp;
}

/** An address an account has signed in from, and when it last did. */
export interface SignInAddressTable {
  accountKey: string;
  ip: string;
  lastSignedInAt: Date;
}

export interface AuditEventTable {
  id: BigId;
  at: Timestamp;
  userId: number | null;
  agencyId: number | null;
  action: string;
  outcome: 'success' | 'denied' | 'failure';
  entityType: string | null;
  entityId: string | null;
  ip: string | null;
  requestId: string | null;
  details: ColumnType<Record<string, unknown>, string | undefined, never>;
}

export interface OutboxAttachment {
  filename: string;
  contentType: string;
  contentBase64: string;
}

export type OutboxStatus = 'queued' | 'sending' | 'sent' | 'failed';

export interface OutboxTable {
  id: BigId;
  kind: string;
  toAddress: string;
  subject: string;
  textBody: string;
  htmlBody: string | null;
  attachments: ColumnType<OutboxAttachment[], string | undefined, string>;
  status: ColumnType<OutboxStatus, OutboxStatus | undefined, OutboxStatus>;
  attempts: Generated<number>;
  nextAttemptAt: Timestamp;
  lockedUntil: ColumnType<Date | null, Date | null | undefined, Date | null>;
  lastError: string | null;
  serverResponse: string | null;
  entityType: string | null;
  entityId: string | null;
  createdAt: Timestamp;
  sentAt: ColumnType<Date | null, Date | null | undefined, Date | null>;
  /** When retention cleared the bodies and attachments; the rest is kept. */
  bodyClearedAt: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

export interface Database {
  districts: DistrictTable;
  agencies: AgencyTable;
  users: UserTable;
  sessions: SessionTable;
  loginFailures: LoginFailureTable;
  signInAddresses: SignInAddressTable;
  auditEvents: AuditEventTable;
  outbox: OutboxTable;
  riskMatrixVersions: RiskMatrixVersionTable;
  riskQuestions: RiskQuestionTable;
  referralReferenceCounters: ReferralReferenceCounterTable;
  referrals: ReferralTable;
  referralSubjects: ReferralSubjectTable;
  referralSubjectLinks: ReferralSubjectLinkTable;
  referralIncidents: ReferralIncidentTable;
  referralRiskAnswers: ReferralRiskAnswerTable;
  referralLinks: ReferralLinkTable;
  referralEvents: ReferralEventTable;
  panelSeries: PanelSeriesTable;
  panels: PanelTable;
  panelInvitations: PanelInvitationTable;
  agendaItems: AgendaItemTable;
  agendaVersions: AgendaVersionTable;
  researchRequests: ResearchRequestTable;
  researchSubjectAnswers: ResearchSubjectAnswerTable;
  reminderLog: ReminderLogTable;
  confidentialityStatements: ConfidentialityStatementTable;
  attendanceResponses: AttendanceResponseTable;
  attendanceTokens: AttendanceTokenTable;
  clinicianAttendance: ClinicianAttendanceTable;
  registerEntries: RegisterEntryTable;
  meetingRecords: MeetingRecordTable;
  sharedInformation: SharedInformationTable;
  actions: ActionTable;
  actionUpdates: ActionUpdateTable;
  minutesDrafts: MinutesDraftTable;
  minutesVersions: MinutesVersionTable;
  minutesCopies: MinutesCopyTable;
  minutesCirculations: MinutesCirculationTable;
  minutesDeliveries: MinutesDeliveryTable;
  retentionSettings: RetentionSettingsTable;
  retentionReviews: RetentionReviewTable;
  destructionCertificates: DestructionCertificateTable;
  retentionApprovals: RetentionApprovalTable;
  subjectAccessRequests: SubjectAccessRequestTable;
  youthCheckSettings: YouthCheckSettingsTable;
  youthChecks: YouthCheckTable;
  caseStudyInterventions: CaseStudyInterventionTable;
  caseStudies: CaseStudyTable;
}

export type District = Selectable<DistrictTable>;
export type Agency = Selectable<AgencyTable>;
export type NewAgency = Insertable<AgencyTable>;
export type AgencyUpdate = Updateable<AgencyTable>;
export type User = Selectable<UserTable>;
export type NewUser = Insertable<UserTable>;
export type OutboxMessage = Selectable<OutboxTable>;

export interface RiskMatrixVersionTable {
  id: Id;
  number: number;
  threshold: number;
  escalationIncidents: number;
  escalationMonths: number;
  repeatMonths: number;
  /** The high-risk threshold of the perpetrator questions (`threshold` is the victim questions'). */
  perpetratorThreshold: number;
  locationThreshold: number;
  changeNote: string;
  createdBy: number | null;
  createdAt: Timestamp;
}

export interface RiskAnswerOption {
  key: string;
  label: string;
  weight: number;
}

export interface RiskQuestionTable {
  id: Id;
  matrixVersionId: number;
  position: number;
  code: string;
  /** Who the question is asked about: a referral answers the questions of its subjects' kinds. */
  subjectKind: ColumnType<SubjectKind, SubjectKind | undefined, SubjectKind>;
  text: string;
  hint: string | null;
  options: ColumnType<RiskAnswerOption[], string, string>;
}

export interface ReferralReferenceCounterTable {
  year: number;
  lastNumber: number;
}

export type ReferralStatus =
  'draft' | 'submitted' | 'more-information-requested' | 'rejected' | 'awaiting-panel' | 'active' | 'closed' | 'merged';
export type RiskVerdict = 'high' | 'standard';
export type SubjectKind = 'victim' | 'perpetrator' | 'location';

export interface ReferralTable {
  id: Id;
  reference: string | null;
  status: ReferralStatus;
  districtId: number | null;
  referringAgencyId: number;
  createdBy: number;
  submittedBy: number | null;
  officerName: string | null;
  officerRole: string | null;
  officerPhone: string | null;
  officerEmail: string | null;
  reason: string | null;
  triedActions: ColumnType<string[], string[] | undefined, string[]>;
  triedOther: string | null;
  triedDetails: string | null;
  lawfulBasis: string | null;
  consent: 'yes' | 'no' | null;
  consentReason: string | null;
  riskMatrixVersionId: number;
  riskScore: Generated<number>;
  riskVerdict: ColumnType<RiskVerdict, RiskVerdict | undefined, RiskVerdict>;
  criteria: ColumnType<string[], string[] | undefined, string[]>;
  judgement: 'agree' | 'high' | 'lower' | null;
  judgementReasons: string | null;
  escalationCount: Generated<number>;
  subjectKinds: ColumnType<SubjectKind[], SubjectKind[] | undefined, SubjectKind[]>;
  /** Every vulnerability of its subjects, once each: kept by the database (migration 0100), never written here. */
  subjectVulnerabilities: ColumnType<string[], never, never>;
  searchText: Generated<string>;
  screeningNote: string | null;
  screenedBy: number | null;
  screenedAt: ColumnType<Date | null, Date | null | undefined, Date | null>;
  closedReason: string | null;
  closedAt: ColumnType<Date | null, Date | null | undefined, Date | null>;
  submittedAt: ColumnType<Date | null, Date | null | undefined, Date | null>;
  lastSubmittedAt: ColumnType<Date | null, Date | null | undefined, Date | null>;
  /** The case a duplicate was merged into at screening (its status is then 'merged'). */
  mergedIntoId: number | null;
  /** Set when the retention job removed the case's personal data. */
  anonymisedAt: ColumnType<Date | null, Date | null | undefined, Date | null>;
  version: Generated<number>;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface ReferralSubjectTable {
  id: Id;
  referralId: number;
  position: number;
  kind: SubjectKind | null;
  fullName: string | null;
  nameKey: string | null;
  /** pg parses `date` to a Date at local midnight, which shifts the day outside UTC: select it with ::text. */
  dateOfBirth: ColumnType<Date | null, string | null, string | null>;
  approximateAge: number | null;
  gender: string | null;
  address: string | null;
  addressKey: string | null;
  postcode: string | null;
  postcodeKey: string | null;
  description: string | null;
  vulnerabilities: ColumnType<string[], string[] | undefined, string[]>;
}

export interface ReferralSubjectLinkTable {
  id: Id;
  referralId: number;
  fromSubjectId: number;
  relation: string;
  toSubjectId: number;
}

export interface ReferralIncidentTable {
  id: Id;
  referralId: number;
  position: number;
  /** Select with ::text, as dateOfBirth. */
  incidentDate: ColumnType<Date | null, string | null, string | null>;
  type: string | null;
  summary: string | null;
  agencyReference: string | null;
}

export interface ReferralRiskAnswerTable {
  referralId: number;
  questionId: number;
  answer: string;
}

export interface ReferralLinkTable {
  id: Id;
  referralId: number;
  linkedReferralId: number;
  kind: 'repeat' | 'duplicate';
  createdAt: Timestamp;
}

export interface ReferralEventTable {
  id: BigId;
  referralId: number;
  at: Timestamp;
  userId: number | null;
  agencyId: number | null;
  kind: string;
  note: string | null;
  details: ColumnType<Record<string, unknown>, string | undefined, never>;
}

export type Referral = Selectable<ReferralTable>;
export type RiskMatrixVersion = Selectable<RiskMatrixVersionTable>;
export type RiskQuestion = Selectable<RiskQuestionTable>;

/** A calendar day, 'YYYY-MM-DD' (pg's date parser is set to leave it as text). */
type CalendarDate = string;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export type PanelStatus =
  | 'scheduled'
  | 'agenda-published'
  | 'in-progress'
  | 'concluded'
  | 'minutes-approved'
  | 'minutes-circulated'
  | 'cancelled';

export interface PanelSeriesTable {
  id: Generated<number>;
  districtId: number;
  rule: string;
  createdBy: number | null;
  createdAt: Timestamp;
}

export interface PanelTable {
  id: Generated<number>;
  districtId: number;
  seriesId: number | null;
  startsAt: Timestamp;
  endsAt: Timestamp;
  venue: string | null;
  onlineLink: string | null;
  chairUserId: number;
  researchClosesOn: CalendarDate;
  status: Generated<PanelStatus>;
  cancelledReason: string | null;
  icsSequence: Generated<number>;
  agendaVersion: Generated<number>;
  agendaRevision: Generated<number>;
  confidentialityStatementId: number | null;
  concludedAt: NullableTimestamp;
  createdBy: number | null;
  version: Generated<number>;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface PanelInvitationTable {
  panelId: number;
  agencyId: number;
  reason: 'core' | 'referrer' | 'added';
  invitedAt: Timestamp;
}

export type AgendaItemKind = 'review' | 'new' | 'anniversary' | 'other-business';

export interface AgendaItemTable {
  id: Generated<number>;
  panelId: number;
  position: number;
  kind: AgendaItemKind;
  referralId: number | null;
  title: string | null;
  presentingAgencyId: number | null;
  minutesAllotted: number;
  involvesChildren: Generated<boolean>;
  addedManually: Generated<boolean>;
  removedAt: NullableTimestamp;
  removedReason: string | null;
  createdAt: Timestamp;
}

export interface AgendaVersionTable {
  id: Generated<number>;
  panelId: number;
  version: number;
  publishedAt: Timestamp;
  publishedBy: number | null;
  changes: ColumnType<string[], string | undefined, string>;
  items: ColumnType<unknown[], string, string>;
}

export type ResearchStatus = 'requested' | 'information-held' | 'nothing-held';

export interface ResearchRequestTable {
  id: Generated<number>;
  panelId: number;
  agendaItemId: number;
  agencyId: number;
  status: Generated<ResearchStatus>;
  summary: string | null;
  answeredBy: number | null;
  answeredAt: NullableTimestamp;
  version: Generated<number>;
  createdAt: Timestamp;
  /** When the agency was taken off the panel: a withdrawn request is shown to no one. */
  withdrawnAt: ColumnType<Date | null, Date | null | undefined, Date | null>;
  /** The latest answer was given after the research closing date. */
  answeredLate: Generated<boolean>;
}

/** One agency's research on one subject of the case: fact kept apart from opinion. */
export interface ResearchSubjectAnswerTable {
  id: Generated<number>;
  researchRequestId: number;
  subjectId: number;
  known: 'known' | 'not-known';
  keyRisks: string | null;
  childrenInHousehold: 'yes' | 'no' | 'not-known' | null;
  safeguardingFlags: ColumnType<string[], string[] | undefined, string[]>;
  factsHeld: string | null;
  professionalOpinion: string | null;
}

export interface ReminderLogTable {
  kind: string;
  subjectKey: string;
  sentAt: Timestamp;
}

export interface ConfidentialityStatementTable {
  id: Generated<number>;
  version: number;
  text: string;
  createdBy: number | null;
  createdAt: Timestamp;
}

export type AttendanceAnswer = 'attending' | 'deputy' | 'apologies';

export interface AttendanceResponseTable {
  id: Generated<number>;
  panelId: number;
  agencyId: number;
  answer: AttendanceAnswer;
  /** The named people attending: [{ name, role? }]. */
  attendees: ColumnType<{ name: string; role?: string | null }[], string | undefined, string>;
  mode: 'in-person' | 'online' | null;
  deputyName: string | null;
  deputyRole: string | null;
  apologyReason: string | null;
  informationInAdvance: boolean | null;
  informationReceivedOn: CalendarDate | null;
  answeredBy: number | null;
  answeredVia: 'signed-in' | 'link';
  answeredAt: Timestamp;
  version: Generated<number>;
}

export interface AttendanceTokenTable {
  id: Generated<number>;
  panelId: number;
  agencyId: number;
  answer: AttendanceAnswer;
  tokenHash: string;
  expiresAt: Timestamp;
  usedAt: NullableTimestamp;
  createdAt: Timestamp;
  /** Names the row in a queued message, whose token is made only when it is sent. */
  linkNonce: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface ClinicianAttendanceTable {
  agendaItemId: number;
  agencyId: number;
  attending: boolean;
  clinicianName: string | null;
  updatedBy: number | null;
  updatedAt: Timestamp;
}

export type RegisterStatus = 'present' | 'online' | 'late' | 'left-early' | 'absent' | 'apologies';

export interface RegisterEntryTable {
  id: Generated<number>;
  panelId: number;
  agencyId: number | null;
  personName: string;
  role: string | null;
  isObserver: Generated<boolean>;
  status: RegisterStatus;
  /** Local time of day, 'HH:MM' (Europe/London), as the chair notes it. */
  arrivedAt: string | null;
  leftAt: string | null;
  confidentialityAgreed: Generated<boolean>;
  confidentialityStatementId: number | null;
  agreedAt: NullableTimestamp;
  recordedBy: number | null;
  version: Generated<number>;
  createdAt: Timestamp;
}

export type Decision = 'review' | 'close' | 'escalate' | 'deferred';

export interface MeetingRecordTable {
  agendaItemId: number;
  discussion: string | null;
  riskLevel: 'high' | 'medium' | 'low' | null;
  decision: Decision | null;
  closeReason: 'risk-reduced' | 'moved-away' | 'other-process' | 'other' | null;
  escalateTo: 'marac' | 'mappa' | 'adult-safeguarding' | 'child-safeguarding' | 'other' | null;
  decisionNote: string | null;
  nextReviewOn: CalendarDate | null;
  deferredReason: string | null;
  discussed: Generated<boolean>;
  updatedBy: number | null;
  updatedAt: Timestamp;
  version: Generated<number>;
}

export interface SharedInformationTable {
  agendaItemId: number;
  agencyId: number;
  text: string;
}

export type ActionStatus = 'open' | 'in-progress' | 'completed' | 'not-possible' | 'not-done' | 'escalated' | 'closed';
export type ReviewOutcome = 'completed' | 'not-completed';
export type ReviewReason = 'not-possible' | 'not-done' | 'other';
export type NextStep = 'carry-forward' | 'escalate' | 'close';

export interface ActionTable {
  id: Generated<number>;
  /** The case; null for an action agreed under other business (see agendaItemId). */
  referralId: number | null;
  panelId: number;
  agendaItemId: number | null;
  description: string;
  ownerAgencyId: number;
  ownerName: string | null;
  dueOn: CalendarDate;
  priority: Generated<'high' | 'medium' | 'low'>;
  status: Generated<ActionStatus>;
  createdBy: number | null;
  createdAt: Timestamp;
  closedAt: NullableTimestamp;
  version: Generated<number>;
}

export interface ActionUpdateTable {
  id: Generated<number>;
  actionId: number;
  userId: number | null;
  panelId: number | null;
  at: Timestamp;
  fromStatus: ActionStatus | null;
  toStatus: ActionStatus | null;
  note: string | null;
  newDueOn: CalendarDate | null;
  reviewOutcome: ReviewOutcome | null;
  reviewReason: ReviewReason | null;
  reviewReasonText: string | null;
  nextStep: NextStep | null;
  escalatedTo: string | null;
  newOwnerAgencyId: number | null;
  newOwnerName: string | null;
}

/** The single row (id 1) of the young-person checks' settings. */
export interface YouthCheckSettingsTable {
  id: number;
  dueWorkingDays: Generated<number>;
  retentionMonths: Generated<number>;
  updatedBy: number | null;
  updatedAt: ColumnType<Date | null, Date | null | undefined, Date | null>;
  version: Generated<number>;
}

export type YouthCheckStatus = 'requested' | 'answered';

export interface YouthCheckTable {
  id: Id;
  requestedBy: number;
  requesterAgencyId: number;
  districtId: number;
  youngPersonName: string | null;
  /** Select with ::text, as a subject's date of birth. */
  dateOfBirth: ColumnType<Date | null, string | null, string | null>;
  address: string | null;
  concern: string | null;
  caseReference: string | null;
  requestedAt: ColumnType<Date, Date, Date>;
  dueOn: CalendarDate;
  status: YouthCheckStatus;
  knownToYouthOffending: boolean | null;
  knownToChildrensServices: boolean | null;
  leadProfessionalName: string | null;
  leadProfessionalAgency: string | null;
  leadProfessionalContact: string | null;
  answerNote: string | null;
  answeredBy: number | null;
  answeredAt: ColumnType<Date | null, Date | null | undefined, Date | null>;
  referralId: number | null;
  clearedAt: ColumnType<Date | null, Date | null | undefined, Date | null>;
  version: Generated<number>;
}

export interface CaseStudyInterventionTable {
  id: Id;
  name: string;
  active: Generated<boolean>;
}

export type CaseStudyStatus = 'draft' | 'submitted' | 'returned' | 'approved';

export interface CaseStudyTable {
  id: Id;
  authorId: number;
  authorAgencyId: number;
  sourceReferralId: number | null;
  title: string;
  category: string | null;
  placeType: string | null;
  districtId: number | null;
  agencyIds: ColumnType<number[], number[] | undefined, number[]>;
  interventionIds: ColumnType<number[], number[] | undefined, number[]>;
  interventionsOther: string | null;
  whatWorked: string | null;
  whatDidNot: string | null;
  barriers: string | null;
  outcome: string | null;
  status: CaseStudyStatus;
  reviewComments: string | null;
  reviewedBy: number | null;
  reviewedAt: ColumnType<Date | null, Date | null | undefined, Date | null>;
  submittedAt: ColumnType<Date | null, Date | null | undefined, Date | null>;
  createdAt: ColumnType<Date, Date, Date>;
  updatedAt: ColumnType<Date, Date, Date>;
  version: Generated<number>;
}

export type RetentionReviewStatus = 'due' | 'extended' | 'held' | 'destroyed';

/** A closed case at the end of its retention period, and the co-ordinator's decision on it. */
export interface RetentionReviewTable {
  referralId: number;
  status: RetentionReviewStatus;
  dueAt: Timestamp;
  keepUntil: NullableTimestamp;
  reason: string | null;
  heldSince: NullableTimestamp;
  listedAt: Timestamp;
  decidedBy: number | null;
  decidedAt: NullableTimestamp;
  version: Generated<number>;
}

/** What was destroyed, when, and who approved it: ids, codes and counts, no personal data. */
export interface DestructionCertificateTable {
  id: Generated<number>;
  referralId: number;
  caseReference: string | null;
  districtId: number | null;
  closedAt: Timestamp;
  retentionYears: number;
  stores: ColumnType<Record<string, number>, string, never>;
  approvedBy: number;
  destroyedAt: Timestamp;
}

/** A change to audit retention, or a purge of old audit rows, waiting for a second administrator. */
export interface RetentionApprovalTable {
  id: Generated<number>;
  kind: 'audit-years' | 'audit-purge';
  auditYears: number | null;
  purgeBefore: NullableTimestamp;
  status: Generated<'pending' | 'approved' | 'refused' | 'withdrawn'>;
  requestedBy: number;
  requestedAt: Timestamp;
  decidedBy: number | null;
  decidedAt: NullableTimestamp;
  executedAt: NullableTimestamp;
  deletedCount: number | null;
}

export interface SubjectAccessRequestTable {
  id: Generated<number>;
  subjectName: string;
  receivedOn: CalendarDate;
  dueOn: CalendarDate;
  status: Generated<'open' | 'completed' | 'withdrawn'>;
  completedOn: CalendarDate | null;
  createdBy: number | null;
  createdAt: Timestamp;
  version: Generated<number>;
}

/** The single row (id 1) of how long data is kept. */
export interface RetentionSettingsTable {
  id: number;
  closedCaseYears: Generated<number>;
  auditYears: Generated<number>;
  /** Days after sending when an outbox message's bodies and attachments are cleared. */
  outboxBodyDays: Generated<number>;
  updatedBy: number | null;
  updatedAt: Timestamp;
  version: Generated<number>;
}

/** An action as the minutes give it, corrected before approval. */
export interface CorrectedAction {
  description: string;
  ownerAgencyId: number;
  ownerName: string | null;
  dueOn: string;
}

export interface MinutesCorrections {
  /** By "agendaItemId:agencyId", the information shared. */
  shared?: Record<string, string>;
  /** By action id. */
  actions?: Record<string, CorrectedAction>;
}

export interface MinutesDraftTable {
  panelId: number;
  introduction: string | null;
  otherBusiness: string | null;
  /** Per agenda item id, a summary that replaces the recorded discussion in the minutes. */
  itemSummaries: ColumnType<Record<string, string>, string | undefined, string>;
  /** Corrections of the information shared and the actions, as the minutes give them. */
  corrections: ColumnType<MinutesCorrections, string | undefined, string>;
  updatedBy: number | null;
  updatedAt: Timestamp;
  version: Generated<number>;
}

export interface MinutesVersionTable {
  id: Generated<number>;
  panelId: number;
  version: number;
  content: ColumnType<unknown, string, string>;
  pdf: ColumnType<Uint8Array | null, Buffer | null | undefined, Buffer | null>;
  pdfSha256: string | null;
  correctionReason: string | null;
  approvedBy: number | null;
  approvedAt: ColumnType<Date, Date, Date>;
}

export interface MinutesCopyTable {
  id: Generated<number>;
  minutesVersionId: number;
  agencyId: number;
  pdf: ColumnType<Uint8Array | null, Buffer | null | undefined, Buffer | null>;
  pdfSha256: string | null;
  createdAt: Timestamp;
}

export interface MinutesCirculationTable {
  id: Generated<number>;
  panelId: number;
  minutesVersionId: number;
  circulatedBy: number | null;
  circulatedAt: ColumnType<Date, Date, Date>;
}

export interface MinutesDeliveryTable {
  id: Generated<number>;
  circulationId: number;
  panelId: number;
  userId: number;
  agencyId: number;
  email: string;
  copyId: number;
  pdfSha256: string | null;
  outboxId: string;
  resendOf: number | null;
  createdBy: number | null;
  createdAt: ColumnType<Date, Date, Date>;
}
