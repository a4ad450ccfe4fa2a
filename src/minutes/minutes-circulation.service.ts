import type { ServiceDeps } from '../service-deps';
import type { Db } from '../db/database';
import type { Actor, CurrentUser } from '../http/context';
import { recordAudit } from '../audit/audit';
import { NotFoundError, RefusedError, StaleVersionError } from '../http/errors';
import { enqueueMail, isSingleAddress } from '../mail/outbox';
import { requireVisiblePanel } from '../panels/panel-access';
import { lockPanel, setPanelStatus } from '../panels/panels.service';
import {
  assembleMinutes,
  draftText,
  defaultRecipients,
  eligibleRecipients,
  minutesTitle,
  type MinutesContent,
  type Recipient,
} from './minutes-content';
import { agencyCopy, findVersion, printedCopy, type PrintedPdf } from './minutes-copies.service';
import { isApproved } from './minutes-rules';
import * as repo from './minutes.repository';

type Deps = Pick<ServiceDeps, 'db' | 'clock' | 'documents' | 'mail' | 'links'>;

/** What the circulation form sent: the version, the people ticked, and an address typed in. */
export interface CirculationInput {
  version: string;
  recipients: string[];
  addEmail: string;
}

async function draftContent(db: Db, panelId: number): Promise<MinutesContent> {
  return assembleMinutes(db, panelId, await draftText(db, panelId));
}

/** The circulation form: the approved versions, who is offered and who is chosen at first. */
export async function circulationPage(deps: Deps, user: CurrentUser, actor: Actor, panelId: number, action: string) {
  const { db } = deps;
  const panel = await requireVisiblePanel(db, user, actor, panelId, action);
  const versions = await repo.listVersions(db, panel.id);
  const defaults = await defaultRecipients(db, panel.id);
  const eligible = await eligibleRecipients(db, panel.id);
  await recordAudit(db, actor, { action: 'minutes.circulation-viewed', entityType: 'panel', entityId: panel.id });
  return {
    panel,
    approved: isApproved(panel.status),
    versions,
    defaults,
    eligible,
    content: await draftContent(db, panel.id),
  };
}

/** The address typed in, checked against the users of the invited agencies: the person, or what is wrong. */
function typedRecipient(typed: string, eligible: Recipient[]): Recipient | string | undefined {
  if (typed.trim() === '') return undefined;
  const address = typed.trim().toLowerCase();
  if (/[\r\n]/.test(typed)) return 'Enter one email address, on one line';
  if (/[,;\s]/.test(address)) return 'Enter one email address only';
  if (!isSingleAddress(address)) return 'Enter an email address in the correct format, like name@example.org';
  return (
    eligible.find((r) => r.email.toLowerCase() === address) ??
    'Enter the email address of a user of one of the invited agencies'
  );
}

/** The recipients chosen, only ever from the invited agencies; refused with a message by each wrong field. */
function chooseRecipients(input: CirculationInput, versionNumbers: number[], eligible: Recipient[]): Recipient[] {
  const errors: Record<string, string> = {};
  if (!versionNumbers.includes(Number(input.version))) errors.version = 'Choose the approved version to circulate';
  const byId = new Map(eligible.map((r) => [String(r.userId), r]));
  const chosen = new Map<number, Recipient>();
  for (const id of input.recipients) {
    const r = byId.get(id);
    if (!r) errors.recipients = 'Choose people from the invited agencies only';
    else chosen.set(r.userId, r);
  }
  const typed = typedRecipient(input.addEmail, eligible);
  if (typeof typed === 'string') errors.addEmail = typed;
  else if (typed) chosen.set(typed.userId, typed);
  if (chosen.size === 0 && !errors.recipients && !errors.addEmail) errors.recipients = 'Choose at least one recipient';
  if (Object.keys(errors).length) throw new RefusedError(errors);
  return [...chosen.values()];
}

function enqueueMinutesMail(
  trx: Db,
  baseUrl: string,
  content: MinutesContent,
  versionNumber: number,
  r: Pick<Recipient, 'email'>,
  pdf: Buffer,
) {
  return enqueueMail(trx, {
    kind: 'minutes',
    to: r.email,
    subject: minutesTitle(content),
    text: [
      `The approved minutes (version ${versionNumber}) of the ASBRAC panel for ${content.panel.district} on ${content.panel.dateText} are attached.`,
      '',
      'They are OFFICIAL-SENSITIVE: not to be copied or shared without the agreement of the agencies. Store them securely.',
      '',
      `You can also read them after signing in: ${baseUrl}/panels/${content.panel.id}/minutes`,
    ].join('\n'),
    attachments: [
      {
        filename: `asbrac-minutes-${content.panel.date}-v${versionNumber}.pdf`,
        contentType: 'application/pdf',
        contentBase64: pdf.toString('base64'),
      },
    ],
    entityType: 'panel',
    entityId: content.panel.id,
  });
}

/**
 * One e-mail per recipient, each with its agency's copy, queued in one transaction with the
 * circulation and the panel's new status: all of them are sent, or none is. Returns how many.
 */
export async function circulate(
  deps: Deps,
  user: CurrentUser,
  actor: Actor,
  panelId: number,
  input: CirculationInput,
): Promise<number> {
  const { db, clock } = deps;
  const panel = await requireVisiblePanel(db, user, actor, panelId, 'minutes.circulated');
  if (!isApproved(panel.status)) throw new StaleVersionError('Only approved minutes can be circulated');
  const versions = await repo.listVersions(db, panel.id);
  const recipients = chooseRecipients(
    input,
    versions.map((v) => v.version),
    await eligibleRecipients(db, panel.id),
  );
  const chosen = await findVersion(deps, panelId, Number(input.version));
  // Printed before the transaction: one copy per agency, shared by its recipients.
  const copies = new Map<number, PrintedPdf & { id: number }>();
  for (const r of recipients)
    if (!copies.has(r.agencyId)) copies.set(r.agencyId, await agencyCopy(deps, chosen, r.agencyId, r.agencyName));
  await db.transaction().execute(async (trx) => {
    const locked = await lockPanel(trx, panelId);
    if (!locked) throw new NotFoundError();
    if (!isApproved(locked.status)) throw new StaleVersionError('Only approved minutes can be circulated');
    const circulationId = await repo.insertCirculation(trx, {
      panelId,
      minutesVersionId: chosen.id,
      circulatedBy: user.id,
      circulatedAt: clock.now(),
    });
    for (const r of recipients) {
      const copy = copies.get(r.agencyId);
      if (!copy) throw new Error('Every agency has its copy printed above');
      const outboxId = await enqueueMinutesMail(trx, deps.links.baseUrl, chosen.content, chosen.version, r, copy.pdf);
      await repo.insertDelivery(trx, {
        circulationId,
        panelId,
        userId: r.userId,
        agencyId: r.agencyId,
        email: r.email,
        copyId: copy.id,
        pdfSha256: copy.sha256,
        outboxId,
        createdBy: user.id,
        createdAt: clock.now(),
      });
    }
    await setPanelStatus(trx, panelId, 'minutes-circulated', clock.now());
    await recordAudit(trx, actor, {
      action: 'minutes.circulated',
      entityType: 'panel',
      entityId: panelId,
      details: {
        minutesVersion: chosen.version,
        recipients: recipients.length,
        userIds: recipients.map((r) => r.userId),
      },
    });
  });
  deps.mail.poke();
  return recipients.length;
}

/** Every message sent with the minutes, and which were sent again. */
export async function deliveryLog(deps: Deps, user: CurrentUser, actor: Actor, panelId: number) {
  const { db } = deps;
  const panel = await requireVisiblePanel(db, user, actor, panelId, 'minutes.deliveries-viewed');
  const deliveries = await repo.listDeliveries(db, panel.id);
  await recordAudit(db, actor, { action: 'minutes.deliveries-viewed', entityType: 'panel', entityId: panel.id });
  return {
    panel,
    content: await draftContent(db, panel.id),
    deliveries: deliveries.map((d) => ({ ...d, superseded: deliveries.some((o) => o.resendOf === d.id) })),
  };
}

/** Queues a new message for one recipient of an earlier delivery: the same stored copy, a new Message-ID. */
export async function resend(
  deps: Deps,
  user: CurrentUser,
  actor: Actor,
  panelId: number,
  deliveryId: number,
): Promise<void> {
  const { db, clock } = deps;
  const panel = await requireVisiblePanel(db, user, actor, panelId, 'minutes.resent');
  const copyId = await repo.findDeliveryCopyId(db, panel.id, deliveryId);
  if (copyId === undefined) throw new NotFoundError();
  const printed = await printedCopy(deps, copyId);
  await db.transaction().execute(async (trx) => {
    const d = await repo.findDeliveryToResend(trx, panel.id, deliveryId);
    if (!d) throw new NotFoundError();
    const outboxId = await enqueueMinutesMail(
      trx,
      deps.links.baseUrl,
      d.content as MinutesContent,
      d.version,
      d,
      printed.pdf,
    );
    await repo.insertDelivery(trx, {
      circulationId: d.circulationId,
      panelId: panel.id,
      userId: d.userId,
      agencyId: d.agencyId,
      email: d.email,
      copyId: d.copyId,
      pdfSha256: printed.sha256,
      outboxId,
      resendOf: d.id,
      createdBy: user.id,
      createdAt: clock.now(),
    });
    await recordAudit(trx, actor, {
      action: 'minutes.resent',
      entityType: 'panel',
      entityId: panel.id,
      details: { deliveryId, userId: d.userId },
    });
  });
  deps.mail.poke();
}
