import type { ServiceDeps } from '../service-deps';
import type { Actor, CurrentUser } from '../http/context';
import { recordAudit } from '../audit/audit';
import { ForbiddenError, NotFoundError, RefusedError, StaleVersionError } from '../http/errors';
import { requireVisiblePanel } from '../panels/panel-access';
import { lockPanel, setPanelStatus } from '../panels/panels.service';
import { assembleMinutes, draftText, minutesTitle, type DraftText, type MinutesContent } from './minutes-content';
import { agencyCopy, findVersion, printedCopy, renderPdf, sha256, versionPdf } from './minutes-copies.service';
import { circulate, circulationPage, deliveryLog, resend, type CirculationInput } from './minutes-circulation.service';
import { REASON_MAX, canApprove, isDraftable, managesMinutes } from './minutes-rules';
import type { Panel } from './panel-type';
import { onlyCorrections } from './minutes-corrections';
import { listInvitedAgencies } from './minutes-content.repository';
import * as repo from './minutes.repository';

export { minutesTitle };
export type { CirculationInput };

type Deps = Pick<ServiceDeps, 'db' | 'clock' | 'documents' | 'mail' | 'links'>;

/** A save or approval against a draft that changed since the page was loaded; carries the draft as it now is. */
export class MinutesConflictError extends StaleVersionError {
  constructor(
    readonly theirs: DraftText & { version: number },
    message?: string,
  ) {
    super(message);
  }
}

export interface VersionSummary {
  id: number;
  version: number;
  approvedAt: Date;
  approvedBy: string | null;
  correctionReason: string | null;
  pdfSha256: string | null;
}

/** What the draft page shows. */
export interface DraftPage {
  panel: Panel;
  text: DraftText & { version: number };
  content: MinutesContent;
  versions: VersionSummary[];
  /** The invited agencies, who may own a corrected action. */
  agencies: { agencyId: number; agency: string }[];
}

export type MinutesView =
  | { view: 'not-ready'; panel: Panel }
  | ({ view: 'draft' } & DraftPage)
  | { view: 'version'; panel: Panel; latest: Awaited<ReturnType<typeof findVersion>>; versions: VersionSummary[] };

/** The panel, or a 404 like an unknown id when the user may not see it (the attempt is audited). */
function visiblePanel(
  { db }: Pick<ServiceDeps, 'db'>,
  user: CurrentUser,
  actor: Actor,
  panelId: number,
  action: string,
): Promise<Panel> {
  return requireVisiblePanel(db, user, actor, panelId, action);
}

/** A 404 for a reader asking for minutes not yet approved, audited as refused. */
async function denied({ db }: Pick<ServiceDeps, 'db'>, actor: Actor, panelId: number, action: string): Promise<never> {
  await recordAudit(db, actor, { action, outcome: 'denied', entityType: 'panel', entityId: panelId });
  throw new NotFoundError();
}

async function draftPage(
  deps: Deps,
  user: CurrentUser,
  actor: Actor,
  panelId: number,
  action: string,
): Promise<DraftPage> {
  return draftPageOf(deps, await visiblePanel(deps, user, actor, panelId, action));
}

async function draftPageOf(deps: Deps, panel: Panel): Promise<DraftPage> {
  const text = await draftText(deps.db, panel.id);
  const content = await assembleMinutes(deps.db, panel.id, text);
  return {
    panel,
    text,
    content,
    versions: await repo.listVersions(deps.db, panel.id),
    agencies: await listInvitedAgencies(deps.db, panel.id),
  };
}

async function latestVersion(deps: Deps, panelId: number) {
  const number = await repo.latestVersionNumber(deps.db, panelId);
  return number === undefined ? undefined : findVersion(deps, panelId, number);
}

/** Managers see the draft (once the panel has concluded); everyone else the latest approved version. */
async function show(deps: Deps, user: CurrentUser, actor: Actor, panelId: number): Promise<MinutesView> {
  const panel = await visiblePanel(deps, user, actor, panelId, 'minutes.viewed');
  if (managesMinutes(user)) {
    await recordAudit(deps.db, actor, {
      action: 'minutes.viewed',
      entityType: 'panel',
      entityId: panel.id,
      details: { draft: true },
    });
    if (!isDraftable(panel.status)) return { view: 'not-ready', panel };
    return { view: 'draft', ...(await draftPageOf(deps, panel)) };
  }
  const latest = await latestVersion(deps, panel.id);
  if (!latest) return denied(deps, actor, panel.id, 'minutes.viewed');
  await recordAudit(deps.db, actor, {
    action: 'minutes.viewed',
    entityType: 'panel',
    entityId: panel.id,
    details: { minutesVersion: latest.version },
  });
  return { view: 'version', panel, latest, versions: await repo.listVersions(deps.db, panel.id) };
}

async function saveDraft(
  deps: Deps,
  user: CurrentUser,
  actor: Actor,
  panelId: number,
  expectedVersion: number,
  text: DraftText,
): Promise<void> {
  const { db, clock } = deps;
  const panel = await visiblePanel(deps, user, actor, panelId, 'minutes.draft-saved');
  if (!isDraftable(panel.status))
    throw new StaleVersionError('Minutes can be drafted only once the panel has concluded');
  const { text: kept, counts } = await onlyCorrections(db, panelId, text);
  await db.transaction().execute(async (trx) => {
    const locked = await lockPanel(trx, panelId);
    if (!locked) throw new NotFoundError();
    if (!isDraftable(locked.status))
      throw new StaleVersionError('Minutes can be drafted only once the panel has concluded');
    const current = await repo.findDraft(trx, panelId);
    const currentVersion = current?.version ?? 0;
    if (currentVersion !== expectedVersion) {
      throw new MinutesConflictError({
        introduction: current?.introduction ?? null,
        otherBusiness: current?.otherBusiness ?? null,
        itemSummaries: current?.itemSummaries ?? {},
        corrections: current?.corrections ?? {},
        version: currentVersion,
      });
    }
    const values = {
      introduction: kept.introduction,
      otherBusiness: kept.otherBusiness,
      itemSummaries: JSON.stringify(kept.itemSummaries),
      corrections: JSON.stringify(kept.corrections),
      updatedBy: user.id,
      updatedAt: clock.now(),
    };
    if (current) await repo.updateDraft(trx, panelId, values);
    else await repo.insertDraft(trx, panelId, values);
    await recordAudit(trx, actor, {
      action: 'minutes.draft-saved',
      entityType: 'panel',
      entityId: panelId,
      // What the draft corrects of the meeting's record: how many discussions and shared
      // information, and which actions; the record itself is unchanged.
      details: {
        draftVersion: currentVersion + 1,
        correctedDiscussions: counts.summaries,
        correctedSharedInformation: counts.shared,
        correctedActions: counts.actions,
      },
    });
  });
}

const OUT_OF_DATE = 'The page was out of date: check the minutes below and approve them again';
const DRAFT_CHANGED =
  'Someone changed the draft since you loaded this page: check the minutes below and approve them again';
const APPROVED_MEANWHILE =
  'Someone approved these minutes since you loaded this page: check the minutes below and approve them again';

/** Who may approve, and whether the panel and the reason allow it; throws the refusal. */
async function checkApproval(
  deps: Deps,
  user: CurrentUser,
  actor: Actor,
  panel: Panel,
  expectedDraftVersion: number,
  reason: string,
) {
  if (!canApprove(user, panel)) {
    await recordAudit(deps.db, actor, {
      action: 'minutes.approved',
      outcome: 'denied',
      entityType: 'panel',
      entityId: panel.id,
    });
    throw new ForbiddenError('Only the chair of this panel or an administrator can approve its minutes');
  }
  if (!isDraftable(panel.status))
    throw new StaleVersionError('Minutes can be approved only once the panel has concluded');
  const versions = await repo.listVersions(deps.db, panel.id);
  if (versions.length > 0 && !reason) throw new RefusedError({ reason: 'Give the reason for the correction' });
  if (reason.length > REASON_MAX)
    throw new RefusedError({ reason: `The reason must be ${REASON_MAX} characters or fewer` });
  if (expectedDraftVersion < 0) throw new MinutesConflictError(await draftText(deps.db, panel.id), OUT_OF_DATE);
}

/**
 * Freezes the draft as a version with its PDF. The first approval needs a concluded panel; every
 * later one is a correction and needs a reason. The draft version guards against approving text
 * that changed since the page was loaded. `expectedDraftVersion` is -1 when the form had none.
 */
async function approve(
  deps: Deps,
  user: CurrentUser,
  actor: Actor,
  panelId: number,
  expectedDraftVersion: number,
  reason: string,
): Promise<number> {
  const { db, clock } = deps;
  const panel = await visiblePanel(deps, user, actor, panelId, 'minutes.approved');
  await checkApproval(deps, user, actor, panel, expectedDraftVersion, reason);
  const text = await draftText(deps.db, panelId);
  if (text.version !== expectedDraftVersion) throw new MinutesConflictError(text, DRAFT_CHANGED);
  const content = await assembleMinutes(db, panelId, text);
  const number = ((await repo.latestVersionNumber(db, panelId)) ?? 0) + 1;
  const approvedAt = clock.now();
  // Printed before the transaction: Chromium is slow, and a failed print must change nothing.
  const pdf = await renderPdf(deps, content, { version: number, approvedAt, approverName: user.name });
  return db.transaction().execute(async (trx) => {
    const locked = await lockPanel(trx, panelId);
    if (!locked) throw new NotFoundError();
    if (!isDraftable(locked.status))
      throw new StaleVersionError('Minutes can be approved only once the panel has concluded');
    const now = await repo.findDraftVersion(trx, panelId);
    if ((now?.version ?? 0) !== expectedDraftVersion)
      throw new MinutesConflictError(await draftText(trx, panelId), DRAFT_CHANGED);
    // The PDF states its version number: another approval since it was printed makes it wrong.
    if (((await repo.latestVersionNumber(trx, panelId)) ?? 0) + 1 !== number)
      throw new MinutesConflictError(await draftText(trx, panelId), APPROVED_MEANWHILE);
    if (number > 1 && !reason) throw new RefusedError({ reason: 'Give the reason for the correction' });
    const digest = sha256(pdf);
    await repo.insertVersion(trx, {
      panelId,
      version: number,
      content: JSON.stringify(content),
      pdf,
      pdfSha256: digest,
      correctionReason: number > 1 ? reason : null,
      approvedBy: user.id,
      approvedAt,
    });
    if (locked.status === 'concluded') await setPanelStatus(trx, panelId, 'minutes-approved', clock.now());
    await recordAudit(trx, actor, {
      action: number > 1 ? 'minutes.corrected' : 'minutes.approved',
      entityType: 'panel',
      entityId: panelId,
      details: { minutesVersion: number, sha256: digest },
    });
    return number;
  });
}

export type MinutesPdf = { pdf: Buffer; filename: string; sha256?: string };

/** Managers get the draft printed now; readers are sent to the latest approved version. */
async function currentPdf(
  deps: Deps,
  user: CurrentUser,
  actor: Actor,
  panelId: number,
): Promise<MinutesPdf | { latestVersion: number }> {
  const panel = await visiblePanel(deps, user, actor, panelId, 'minutes.downloaded');
  if (!managesMinutes(user)) {
    const latest = await repo.latestVersionNumber(deps.db, panel.id);
    return latest === undefined ? denied(deps, actor, panel.id, 'minutes.downloaded') : { latestVersion: latest };
  }
  if (!isDraftable(panel.status)) throw new NotFoundError();
  const content = await assembleMinutes(deps.db, panel.id, await draftText(deps.db, panel.id));
  const pdf = await renderPdf(deps, content, null);
  await recordAudit(deps.db, actor, {
    action: 'minutes.downloaded',
    entityType: 'panel',
    entityId: panel.id,
    details: { draft: true },
  });
  return { pdf, filename: `asbrac-minutes-${content.panel.date}-draft.pdf` };
}

/** An approved version: managers get the version itself, an agency's representatives their agency's copy, named on every page. */
async function versionDownload(
  deps: Deps,
  user: CurrentUser,
  actor: Actor,
  panelId: number,
  number: number,
): Promise<Required<MinutesPdf>> {
  const panel = await visiblePanel(deps, user, actor, panelId, 'minutes.downloaded');
  const row = await findVersion(deps, panel.id, number).catch(() => undefined);
  if (!row) return denied(deps, actor, panel.id, 'minutes.downloaded');
  const file = managesMinutes(user)
    ? await versionPdf(deps, panel.id, number)
    : await agencyCopy(deps, row, user.agencyId, user.agencyName);
  await recordAudit(deps.db, actor, {
    action: 'minutes.downloaded',
    entityType: 'panel',
    entityId: panel.id,
    details: { minutesVersion: number, sha256: file.sha256 },
  });
  return { pdf: file.pdf, sha256: file.sha256, filename: `asbrac-minutes-${row.content.panel.date}-v${number}.pdf` };
}

/** The stored copy one agency was sent, for an administrator checking what went out. */
async function copyDownload(
  deps: Deps,
  user: CurrentUser,
  actor: Actor,
  panelId: number,
  copyId: number,
): Promise<Required<MinutesPdf>> {
  const panel = await visiblePanel(deps, user, actor, panelId, 'minutes.downloaded');
  const copy = await repo.findPanelCopy(deps.db, panel.id, copyId);
  if (!copy) throw new NotFoundError();
  const printed = await printedCopy(deps, copyId);
  await recordAudit(deps.db, actor, {
    action: 'minutes.downloaded',
    entityType: 'panel',
    entityId: panel.id,
    details: { minutesVersion: copy.version, agencyId: copy.agencyId, sha256: printed.sha256 },
  });
  return {
    pdf: printed.pdf,
    sha256: printed.sha256,
    filename: `asbrac-minutes-v${copy.version}-copy-${copy.agencyId}.pdf`,
  };
}

export function minutesService(deps: ServiceDeps) {
  return {
    show: (user: CurrentUser, actor: Actor, panelId: number) => show(deps, user, actor, panelId),
    draftPage: (user: CurrentUser, actor: Actor, panelId: number, action: string) =>
      draftPage(deps, user, actor, panelId, action),
    saveDraft: (user: CurrentUser, actor: Actor, panelId: number, expectedVersion: number, text: DraftText) =>
      saveDraft(deps, user, actor, panelId, expectedVersion, text),
    approve: (user: CurrentUser, actor: Actor, panelId: number, expectedDraftVersion: number, reason: string) =>
      approve(deps, user, actor, panelId, expectedDraftVersion, reason),
    currentPdf: (user: CurrentUser, actor: Actor, panelId: number) => currentPdf(deps, user, actor, panelId),
    versionDownload: (user: CurrentUser, actor: Actor, panelId: number, number: number) =>
      versionDownload(deps, user, actor, panelId, number),
    copyDownload: (user: CurrentUser, actor: Actor, panelId: number, copyId: number) =>
      copyDownload(deps, user, actor, panelId, copyId),
    circulationPage: (user: CurrentUser, actor: Actor, panelId: number, action: string) =>
      circulationPage(deps, user, actor, panelId, action),
    circulate: (user: CurrentUser, actor: Actor, panelId: number, input: CirculationInput) =>
      circulate(deps, user, actor, panelId, input),
    deliveryLog: (user: CurrentUser, actor: Actor, panelId: number) => deliveryLog(deps, user, actor, panelId),
    resend: (user: CurrentUser, actor: Actor, panelId: number, deliveryId: number) =>
      resend(deps, user, actor, panelId, deliveryId),
  };
}

export type MinutesService = ReturnType<typeof minutesService>;
