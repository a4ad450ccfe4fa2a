import type { Request, Response } from 'express';
import type { Services } from '../services';
import { actorOf, currentUser, flash } from '../http/context';
import { idParam, RefusedError, StaleVersionError } from '../http/errors';
import { datePartsOf, flattenValues, formState, parseVersion, str, type FormState } from '../http/forms';
import { ADMIN_OR_CHAIR, get, post, type RouteDef } from '../http/routes';
import { today } from '../time';
import { subjectLabel } from '../referrals/referral-view';
import { ACTION_STATUS_NAMES, ACTION_STATUS_TAGS, PRIORITIES, PRIORITY_NAMES } from '../actions/action-status';
import {
  NEXT_STEPS,
  NEXT_STEP_NAMES,
  REVIEW_OUTCOMES,
  REVIEW_OUTCOME_NAMES,
  REVIEW_REASONS,
  REVIEW_REASON_NAMES,
  reviewSummary,
} from '../actions/action-review';
import { pendingAction } from './review-form';
import { autosaveRoutes } from './autosave.routes';
import { isOverdue } from '../actions/overdue';
import {
  CLOSE_REASONS,
  CLOSE_REASON_NAMES,
  DECISIONS,
  DECISION_NAMES,
  ESCALATIONS,
  ESCALATION_NAMES,
  ITEM_KIND_NAMES,
  RISK_LEVELS,
  RISK_LEVEL_NAMES,
} from './meeting-codes';
import { readActionForm, readItemForm, resolutionField, sharedField } from './meeting-form';

type ItemData = Awaited<ReturnType<Services['meeting']['item']>>;

const items = <T extends string>(values: readonly T[], names: Record<T, string>) =>
  values.map((value) => ({ value, text: names[value] }));

function itemState(i: {
  referralId: number | null;
  decision: string | null;
  discussed: boolean | null;
  recordVersion: number | null;
}) {
  if (i.decision === 'deferred') return { text: 'Deferred', tag: 'govuk-tag--yellow' };
  if (i.discussed) return { text: 'Discussed', tag: 'govuk-tag--green' };
  if (i.recordVersion) return { text: 'In progress', tag: 'govuk-tag--light-blue' };
  return { text: 'Not started', tag: 'govuk-tag--grey' };
}

/** The saved record as form values: what the page shows when it is opened. */
function storedValues(data: ItemData): Record<string, unknown> {
  const r = data.record;
  const values: Record<string, unknown> = {
    version: String(r?.version ?? 0),
    discussion: r?.discussion ?? '',
    riskLevel: r?.riskLevel ?? '',
    decision: r?.decision ?? '',
    closeReason: r?.closeReason ?? '',
    escalateTo: r?.escalateTo ?? '',
    decisionNote: r?.decisionNote ?? '',
    deferredReason: r?.deferredReason ?? '',
    discussed: r?.discussed ? 'yes' : '',
    nextReviewOn: datePartsOf(r?.nextReviewOn),
  };
  // A carried-forward action stays with its owner unless the panel says otherwise.
  for (const a of data.earlier.filter((x) => x.pending))
    values[`${resolutionField(a.id)}[ownerAgencyId]`] = String(a.ownerAgencyId);
  // Shared information starts from each agency's research answer until the meeting records its own.
  for (const agency of data.agencies) {
    const saved = data.shared.find((s) => s.agencyId === agency.id);
    const answer = data.research.find((a) => a.agencyId === agency.id);
    values[sharedField(agency.id)] = saved
      ? saved.text
      : r
        ? ''
        : answer?.status === 'information-held'
          ? (answer.summary ?? '')
          : '';
  }
  return flattenValues(values);
}

function actionDefaults(data: ItemData): FormState {
  return formState(flattenValues({ priority: 'medium', due: datePartsOf(data.defaultDue), ownerAgencyId: '' }));
}

type ItemPage = { form?: FormState; actionForm?: FormState; status?: number; conflict?: boolean };

function earlierView(data: ItemData, now: Date) {
  return data.earlier.map((a) => ({
    ...a,
    statusName: ACTION_STATUS_NAMES[a.status],
    statusTag: ACTION_STATUS_TAGS[a.status],
    priorityName: PRIORITY_NAMES[a.priority],
    overdue: isOverdue(a, now),
    label: pendingAction(a).label,
    fields: Object.fromEntries(
      ['outcome', 'reason', 'reasonText', 'next', 'due', 'ownerAgencyId', 'ownerName', 'escalatedTo', 'note'].map(
        (part) => [part, `${resolutionField(a.id)}[${part}]`],
      ),
    ),
    updates: a.updates.map((u) => ({
      ...u,
      review: reviewSummary(u),
      fromName: u.fromStatus ? ACTION_STATUS_NAMES[u.fromStatus] : null,
      toName: u.toStatus ? ACTION_STATUS_NAMES[u.toStatus] : null,
    })),
  }));
}

/** The record someone else saved meanwhile, shown beside the form on a conflict. */
function theirRecord(data: ItemData) {
  const r = data.record;
  if (!r) return null;
  return {
    updatedByName: r.updatedByName,
    updatedAt: r.updatedAt,
    discussion: r.discussion,
    riskLevel: r.riskLevel ? RISK_LEVEL_NAMES[r.riskLevel] : null,
    decision: r.decision ? DECISION_NAMES[r.decision] : null,
    shared: data.shared.map((s) => ({
      agencyName: data.agencies.find((a) => a.id === s.agencyId)?.name ?? '',
      text: s.text,
    })),
  };
}

function renderItem(services: Services, res: Response, data: ItemData, page: ItemPage) {
  const position = data.items.findIndex((i) => i.id === data.item.id);
  const neighbour = (i: (typeof data.items)[number] | undefined) =>
    i
      ? {
          href: `/panels/${data.panel.id}/meeting/items/${i.id}`,
          label: i.reference ?? i.title ?? `Item ${i.position}`,
        }
      : null;
  res.status(page.status ?? 200).render('meeting/item', {
    title: `Item ${position + 1}: ${data.referral?.reference ?? data.item.title ?? 'Other business'}`,
    backLink: `/panels/${data.panel.id}/meeting`,
    panel: data.panel,
    item: {
      ...data.item,
      kindName: ITEM_KIND_NAMES[data.item.kind] ?? data.item.kind,
      number: position + 1,
      of: data.items.length,
    },
    referral: data.referral,
    subjects: data.subjects.map((s) => subjectLabel(s)),
    research: data.research,
    agencies: data.agencies.map((a) => ({
      ...a,
      field: sharedField(a.id),
      research: data.research.find((x) => x.agencyId === a.id),
    })),
    earlier: earlierView(data, services.clock.now()),
    pendingCount: data.earlier.filter((a) => a.pending).length,
    clinicians: data.clinicians,
    agreed: data.agreed.map((a) => ({
      ...a,
      statusName: ACTION_STATUS_NAMES[a.status],
      statusTag: ACTION_STATUS_TAGS[a.status],
      priorityName: PRIORITY_NAMES[a.priority],
    })),
    recording: data.panel.status === 'in-progress',
    conflict: page.conflict,
    theirs: page.conflict ? theirRecord(data) : null,
    form: page.form ?? formState(storedValues(data)),
    actionForm: page.actionForm ?? actionDefaults(data),
    riskItems: items(RISK_LEVELS, RISK_LEVEL_NAMES),
    decisionItems: items(DECISIONS, DECISION_NAMES),
    closeItems: items(CLOSE_REASONS, CLOSE_REASON_NAMES),
    escalateItems: items(ESCALATIONS, ESCALATION_NAMES),
    outcomeItems: items(REVIEW_OUTCOMES, REVIEW_OUTCOME_NAMES),
    reasonItems: items(REVIEW_REASONS, REVIEW_REASON_NAMES),
    nextItems: items(NEXT_STEPS, NEXT_STEP_NAMES),
    priorityItems: items(PRIORITIES, PRIORITY_NAMES),
    ownerItems: data.agencies.map((a) => ({ value: a.id, text: a.name })),
    previous: neighbour(data.items[position - 1]),
    next: neighbour(data.items[position + 1]),
  });
}

/** What was posted, as the form shows it again (without the CSRF token). */
function typedValues(body: Record<string, unknown>) {
  const typed = flattenValues(body);
  delete typed._csrf;
  return typed;
}

type Button = 'save' | 'add-action';

const NOT_RECORDING = {
  concluded: 'The meeting has been concluded, so this record can no longer be changed',
  notStarted: 'The meeting has not started: start it before recording anything',
  noActions: 'Actions can be agreed only while the meeting is in progress',
};

/** Why nothing on this item can be recorded now, as a message for the button pressed; null while recording. */
function notRecording(data: ItemData, button: Button): FormState | null {
  const inProgress = data.panel.status === 'in-progress';
  if (button === 'add-action' && !inProgress) return formState({}, { description: NOT_RECORDING.noActions });
  if (inProgress) return null;
  return formState(
    {},
    { discussion: data.panel.status === 'concluded' ? NOT_RECORDING.concluded : NOT_RECORDING.notStarted },
  );
}

/**
 * The item's one form, whichever button is pressed: Save, Save and go to the next item, or Add the
 * action all send everything typed. The record and a typed action are checked together, then saved
 * together (the record first, under its version check), or the page is shown again with every value
 * and a message by each field. An Add the action request with the action's fields only (no record
 * version) adds the action and leaves the record as it is.
 */
function submitItem(services: Services, button: Button) {
  return async (req: Request, res: Response) => {
    const { meeting } = services;
    const user = currentUser(req);
    const actor = actorOf(req);
    const panelId = idParam(req.params.id);
    const itemId = idParam(req.params.itemId);
    const data = await meeting.item(user, actor, panelId, itemId, { audit: false });
    const body = (req.body ?? {}) as Record<string, unknown>;
    const typed = typedValues(body);
    const refused = notRecording(data, button);
    if (refused) {
      const form = formState(typed, refused.errors);
      return renderItem(
        services,
        res,
        data,
        button === 'add-action' ? { actionForm: form, status: 400 } : { form, status: 400 },
      );
    }
    // Save always saves the record (without its version it is refused as stale); Add the action saves it
    // too when the whole form was sent.
    const wholeForm = button === 'save' || body.version !== undefined;
    const withAction = button === 'add-action' || str(body.description).trim() !== '';
    const ctx = { agencyIds: data.agencies.map((a) => a.id), today: today(services.clock) };
    const record = wholeForm
      ? readItemForm(body, {
          ...ctx,
          pending: data.earlier.filter((a) => a.pending).map(pendingAction),
          otherBusiness: !data.item.referralId,
        })
      : null;
    const action = withAction ? readActionForm(body, ctx) : null;
    const recordErrors = record?.errors ?? {};
    const actionErrors = action?.errors ?? {};
    if (Object.keys(recordErrors).length || Object.keys(actionErrors).length) {
      // One error summary for the whole form: the record's messages and the action's together.
      return renderItem(services, res, data, {
        form: wholeForm ? formState(typed, { ...recordErrors, ...actionErrors }) : undefined,
        actionForm: withAction ? formState(typed, actionErrors) : undefined,
        status: 400,
      });
    }
    if (record) {
      try {
        // A form without its version cannot prove it is up to date: parseVersion makes it stale.
        await meeting.saveItem(user, actor, panelId, itemId, parseVersion(body.version), record.input);
      } catch (err) {
        if (!(err instanceof StaleVersionError)) throw err;
        const latest = await meeting.item(user, actor, panelId, itemId, { audit: false });
        return renderItem(services, res, latest, {
          form: formState({ ...typed, version: String(latest.record?.version ?? 0) }),
          actionForm: withAction ? formState(typed) : undefined,
          status: 409,
          conflict: true,
        });
      }
    }
    const actionId = action?.input ? await meeting.addAction(user, actor, panelId, itemId, action.input) : null;
    afterSubmit(req, res, { data, itemId, body, discussed: record?.input.discussed ?? false, actionId });
  };
}

function afterSubmit(
  req: Request,
  res: Response,
  done: { data: ItemData; itemId: number; body: Record<string, unknown>; discussed: boolean; actionId: number | null },
) {
  const { data, itemId, body, actionId } = done;
  const panelId = data.panel.id;
  if (actionId !== null)
    flash(req, `Action ${actionId} agreed`, 'success', 'The owning agency has been told by email.');
  else if (done.discussed)
    flash(req, data.item.referralId ? 'The case is recorded as discussed' : 'The item is recorded as discussed');
  else flash(req, 'The record has been saved');
  const next = data.items[data.items.findIndex((i) => i.id === itemId) + 1];
  if (actionId === null && str(body.continue) === 'next' && next) {
    return res.redirect(303, `/panels/${panelId}/meeting/items/${next.id}`);
  }
  res.redirect(303, `/panels/${panelId}/meeting/items/${itemId}${actionId !== null ? '#actions' : ''}`);
}

async function renderConclude(services: Services, req: Request, res: Response, status = 200) {
  const panelId = idParam(req.params.id);
  const summary = await services.meeting.concludeSummary(currentUser(req), actorOf(req), panelId);
  res.status(status).render('meeting/conclude', {
    title: 'Conclude the meeting',
    backLink: `/panels/${panelId}/meeting`,
    panel: summary.panel,
    undecided: summary.undecided.map((i) => ({
      ...i,
      href: `/panels/${panelId}/meeting/items/${i.id}`,
      missing: i.referralId !== null && i.decision === null ? 'No decision recorded' : 'Not marked discussed',
    })),
    register: summary.register,
    ready: summary.ready,
    inProgress: summary.panel.status === 'in-progress',
    refused: status !== 200,
    decided: summary.items
      .filter((i) => i.referralId !== null && !summary.undecided.includes(i))
      .map((i) => ({ ...i, decisionName: i.decision ? DECISION_NAMES[i.decision] : '' })),
  });
}

async function renderOverview(services: Services, req: Request, res: Response, earlyStart?: string) {
  const panelId = idParam(req.params.id);
  const { panel, items: agenda, statement } = await services.meeting.overview(currentUser(req), actorOf(req), panelId);
  res.render('meeting/overview', {
    title: 'Meeting',
    backLink: `/panels/${panelId}`,
    panel,
    statement,
    canStart: panel.status === 'agenda-published',
    earlyStart,
    recording: panel.status === 'in-progress',
    items: agenda.map((i) => ({
      ...i,
      kindName: ITEM_KIND_NAMES[i.kind] ?? i.kind,
      state: itemState(i),
      decisionName: i.decision ? DECISION_NAMES[i.decision] : null,
      href: `/panels/${panelId}/meeting/items/${i.id}`,
    })),
    first: agenda[0] ? `/panels/${panelId}/meeting/items/${agenda[0].id}` : null,
  });
}

function overviewPage(services: Services) {
  return (req: Request, res: Response) => renderOverview(services, req, res);
}

function startMeeting(services: Services) {
  return async (req: Request, res: Response) => {
    const panelId = idParam(req.params.id);
    const confirmedEarly = str((req.body as Record<string, unknown> | undefined)?.confirmEarly) === 'yes';
    let started: boolean;
    try {
      started = await services.meeting.start(currentUser(req), actorOf(req), panelId, { confirmedEarly });
    } catch (err) {
      // Starting early is asked again, with the reason, rather than refused outright.
      if (err instanceof RefusedError && err.reason === 'early') return renderOverview(services, req, res, err.message);
      throw err;
    }
    if (started)
      flash(
        req,
        'The meeting has started',
        'success',
        'Read the confidentiality statement to the meeting before the first case.',
      );
    res.redirect(303, `/panels/${panelId}/meeting`);
  };
}

function itemPage(services: Services) {
  return async (req: Request, res: Response) => {
    const data = await services.meeting.item(
      currentUser(req),
      actorOf(req),
      idParam(req.params.id),
      idParam(req.params.itemId),
    );
    // The chair sees approved case studies of the same kind of problem beside the case.
    if (data.referral) res.locals.similar = await services.caseStudies.similarFor(data.referral.id);
    renderItem(services, res, data, {});
  };
}

function concludeMeeting(services: Services) {
  return async (req: Request, res: Response) => {
    const panelId = idParam(req.params.id);
    try {
      await services.meeting.conclude(currentUser(req), actorOf(req), panelId);
    } catch (err) {
      if (err instanceof RefusedError) return renderConclude(services, req, res, 400);
      throw err;
    }
    flash(
      req,
      'The meeting is concluded',
      'success',
      'Decisions have been applied to the cases. The minutes can now be drafted.',
    );
    res.redirect(303, `/panels/${panelId}/meeting`);
  };
}

export function meetingRoutes(services: Services): RouteDef[] {
  return [
    ...autosaveRoutes(services),
    get('/panels/:id/meeting', ADMIN_OR_CHAIR, overviewPage(services)),
    post('/panels/:id/meeting/start', ADMIN_OR_CHAIR, startMeeting(services)),
    get('/panels/:id/meeting/items/:itemId', ADMIN_OR_CHAIR, itemPage(services)),
    post('/panels/:id/meeting/items/:itemId', ADMIN_OR_CHAIR, submitItem(services, 'save')),
    post('/panels/:id/meeting/items/:itemId/actions', ADMIN_OR_CHAIR, submitItem(services, 'add-action')),
    get('/panels/:id/conclude', ADMIN_OR_CHAIR, (req, res) => renderConclude(services, req, res)),
    post('/panels/:id/conclude', ADMIN_OR_CHAIR, concludeMeeting(services)),
  ];
}
