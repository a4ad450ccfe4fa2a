import { RefusedError } from '../http/errors';

export type AgendaRefusal = 'closed' | 'unchanged' | 'empty' | 'not-addable';

/** What the builder says when a change to the agenda is refused. */
export const AGENDA_REFUSALS: Record<AgendaRefusal, string> = {
  closed: 'This agenda can no longer be changed: the panel has been held or cancelled.',
  unchanged: 'Nothing has changed since the last published version, so there is nothing to publish.',
  empty: 'The agenda has no items. Propose or add cases before publishing.',
  'not-addable': 'That case cannot be added: it is not awaiting a panel or is already on the agenda.',
};

export const STALE_AGENDA =
  'Someone else changed this agenda while you were working on it. Nothing you entered has been saved: it is kept below. Check the agenda as it is now, then make your change again.';

export function agendaRefused(reason: AgendaRefusal): RefusedError {
  return new RefusedError({ '': AGENDA_REFUSALS[reason] }, reason);
}
