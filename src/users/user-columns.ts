import type { Selectable } from 'kysely';
import type { AgencyTable, UserTable } from '../db/schema';

/** The columns of a user that pages show (never the password's hash). */
export const userColumns = [
  'users.id',
  'users.email',
  'users.name',
  'users.jobTitle',
  'users.phone',
  'users.role',
  'users.agencyId',
  'users.isDeputy',
  'users.active',
  'users.version',
  'users.passwordChangedAt',
] as const;

/**
 * A user with their agency, as the signed-in user is shown everywhere, from users joined to
 * agencies: read by the users' own queries and with each session (src/auth/sessions.repository.ts).
 */
export const withAgencyColumns = [
  ...userColumns,
  'agencies.name as agencyName',
  'agencies.shortName as agencyShortName',
  'agencies.active as agencyActive',
  'agencies.spocUserId',
] as const;

type User = Selectable<UserTable>;
type Agency = Selectable<AgencyTable>;

/** A row read with `withAgencyColumns`. */
export type UserWithAgency = Pick<
  User,
  | 'id'
  | 'email'
  | 'name'
  | 'jobTitle'
  | 'phone'
  | 'role'
  | 'agencyId'
  | 'isDeputy'
  | 'active'
  | 'version'
  | 'passwordChangedAt'
> & {
  agencyName: Agency['name'];
  agencyShortName: Agency['shortName'];
  agencyActive: Agency['active'];
  spocUserId: Agency['spocUserId'];
};
