import type { PanelStatus } from '../db/schema';

export const PANEL_STATUSES: readonly PanelStatus[] = [
  'scheduled',
  'agenda-published',
  'in-progress',
  'concluded',
  'minutes-approved',
  'minutes-circulated',
  'cancelled',
];

export const PANEL_STATUS_NAMES: Record<PanelStatus, string> = {
  scheduled: 'Scheduled',
  'agenda-published': 'Agenda published',
  'in-progress': 'In progress',
  concluded: 'Concluded',
  'minutes-approved': 'Minutes approved',
  'minutes-circulated': 'Minutes circulated',
  cancelled: 'Cancelled',
};

export const PANEL_STATUS_TAGS: Record<PanelStatus, string> = {
  scheduled: 'govuk-tag--grey',
  'agenda-published': 'govuk-tag--blue',
  'in-progress': 'govuk-tag--yellow',
  concluded: 'govuk-tag--green',
  'minutes-approved': 'govuk-tag--turquoise',
  'minutes-circulated': 'govuk-tag--purple',
  cancelled: 'govuk-tag--red',
};

/** Panels that can still be moved or cancelled: not yet held. */
export const CHANGEABLE: readonly PanelStatus[] = ['scheduled', 'agenda-published'];

/** Why a change to a panel is refused when the panel has been held or cancelled. */
export const NOT_CHANGEABLE = 'not-changeable';
