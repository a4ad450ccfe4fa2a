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
}

export interface Database {
  districts: DistrictTable;
  agencies: AgencyTable;
  users: UserTable;
  sessions: SessionTable;
  loginFailures: LoginFailureTable;
  auditEvents: AuditEventTable;
  outbox: OutboxTable;
}

export type District = Selectable<DistrictTable>;
export type Agency = Selectable<AgencyTable>;
export type NewAgency = Insertable<AgencyTable>;
export type AgencyUpdate = Updateable<AgencyTable>;
export type User = Selectable<UserTable>;
export type NewUser = Insertable<UserTable>;
export type OutboxMessage = Selectable<OutboxTable>;
