import type { PanelStatus } from '../db/schema';
import type { CurrentUser } from '../http/context';

/** The statuses from which minutes exist: a concluded panel has a draft, the later ones approved versions. */
const DRAFTABLE: readonly PanelStatus[] = ['concluded', 'minutes-approved', 'minutes-circulated'];
const APPROVED: readonly PanelStatus[] = ['minutes-approved', 'minutes-circulated'];

export const isDraftable = (status: PanelStatus) => DRAFTABLE.includes(status);
export const isApproved = (status: PanelStatus) => APPROVED.includes(status);

/** Administrators and chairs work on the draft; everyone else reads the approved versions. */
export const managesMinutes = (user: CurrentUser) => user.role === 'administrator' || user.role === 'chair';

export const canApprove = (user: CurrentUser, panel: { chairUserId: number | null }) =>
  user.role === 'administrator' || panel.chairUserId === user.id;

/** The most a correction's reason may say. */
export const REASON_MAX = 2000;
