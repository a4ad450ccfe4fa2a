import type { CorrectedAction } from '../db/schema';
import { checkDate, dateParts, datePartsOf, flattenValues, parseId } from '../http/forms';
import type { DraftText, MinutesContent } from './minutes-content';
import { sharedKey } from './minutes-corrections';

// The draft minutes' form: the introduction, the discussion of each case, corrections of the
// information shared and of the actions, and the other business notes.

const TEXT_MAX = 20000;

const str = (v: unknown) => (typeof v === 'string' ? v.replace(/\r\n/g, '\n') : '');
const objectOf = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
/** Keys are "i<agenda item id>", "a<agency or action id>": a purely numeric key would make the body parser build an array. */
const idOf = (key: string, letter: string) => (key.startsWith(letter) ? parseId(key.slice(1)) : null);

type Errors = Record<string, string>;

function limitedText(errors: Errors) {
  return (name: string, label: string, value: string) => {
    if (value.length > TEXT_MAX) errors[name] = `${label} must be ${TEXT_MAX} characters or fewer`;
    return value.trim() || null;
  };
}

/** One action as corrected: its wording, owner and due date, each checked by its field. */
function readAction(name: string, raw: Record<string, unknown>, errors: Errors): CorrectedAction | null {
  const description = str(raw.description).trim();
  if (!description) errors[`${name}[description]`] = 'Enter what is to be done';
  else if (description.length > 2000)
    errors[`${name}[description]`] = 'What is to be done must be 2,000 characters or fewer';
  const ownerAgencyId = parseId(raw.ownerAgencyId);
  if (!ownerAgencyId) errors[`${name}[ownerAgencyId]`] = 'Select the agency that owns the action';
  const ownerName = str(raw.ownerName).trim();
  if (ownerName.length > 200 || /\n/.test(ownerName))
    errors[`${name}[ownerName]`] = 'The named person must be one line of 200 characters or fewer';
  const due = checkDate(dateParts(raw.due), 'the due date', { earliest: '2000-01-01', latest: '2099-12-31' });
  if (due.empty) errors[`${name}[due]`] = 'Enter the due date';
  else if ('error' in due) errors[`${name}[due]`] = due.error;
  if (!ownerAgencyId || due.empty || 'error' in due || !description) return null;
  return { description, ownerAgencyId, ownerName: ownerName || null, dueOn: due.value };
}

export function readDraft(body: Record<string, unknown>): { text: DraftText; errors: Errors } {
  const errors: Errors = {};
  const limited = limitedText(errors);
  const summaries: Record<string, string> = {};
  for (const [key, value] of Object.entries(objectOf(body.summary))) {
    const itemId = idOf(key, 'i');
    if (itemId === null) continue;
    const text = limited(`summary[${key}]`, 'The summary', str(value));
    if (text) summaries[String(itemId)] = text;
  }
  const shared: Record<string, string> = {};
  for (const [itemKey, agencies] of Object.entries(objectOf(body.shared))) {
    const itemId = idOf(itemKey, 'i');
    if (itemId === null) continue;
    for (const [agencyKey, value] of Object.entries(objectOf(agencies))) {
      const agencyId = idOf(agencyKey, 'a');
      if (agencyId === null) continue;
      // Left empty, the information stays as recorded.
      const text = limited(`shared[${itemKey}][${agencyKey}]`, 'The information shared', str(value));
      if (text) shared[sharedKey(itemId, agencyId)] = text;
    }
  }
  const actions: Record<string, CorrectedAction> = {};
  for (const [key, raw] of Object.entries(objectOf(body.actions))) {
    const actionId = idOf(key, 'a');
    if (actionId === null) continue;
    const action = readAction(`actions[${key}]`, objectOf(raw), errors);
    if (action) actions[String(actionId)] = action;
  }
  return {
    text: {
      introduction: limited('introduction', 'The introduction', str(body.introduction)),
      otherBusiness: limited('otherBusiness', 'Other business notes', str(body.otherBusiness)),
      itemSummaries: summaries,
      corrections: { shared, actions },
    },
    errors,
  };
}

/**
 * The form as the draft stands: each discussion starts from the one recorded (or the draft's), each
 * piece of information shared and each action as the minutes now give them.
 */
export function draftValues(text: DraftText, content: MinutesContent): Record<string, unknown> {
  const summary: Record<string, string> = {};
  const shared: Record<string, Record<string, string>> = {};
  const actions: Record<string, unknown> = {};
  for (const item of content.items) {
    summary[`i${item.agendaItemId}`] = text.itemSummaries[String(item.agendaItemId)] ?? item.recordedDiscussion ?? '';
    shared[`i${item.agendaItemId}`] = Object.fromEntries(item.sharedInformation.map((s) => [`a${s.agencyId}`, s.text]));
    for (const a of item.actions)
      actions[`a${a.actionId}`] = {
        description: a.description,
        ownerAgencyId: String(a.agencyId ?? ''),
        ownerName: a.owner ?? '',
        due: datePartsOf(a.dueOnIso),
      };
  }
  return flattenValues({
    introduction: text.introduction ?? '',
    otherBusiness: text.otherBusiness ?? '',
    summary,
    shared,
    actions,
  });
}
