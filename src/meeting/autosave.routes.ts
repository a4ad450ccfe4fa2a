import type { Request, Response } from 'express';
import type { Services } from '../services';
import { actorOf, currentUser } from '../http/context';
import { HttpError, idParam, StaleVersionError } from '../http/errors';
import { parseVersion } from '../http/forms';
import { ADMIN_OR_CHAIR, post, type RouteDef } from '../http/routes';
import { londonTime, today } from '../time';
import { readItemForm } from './meeting-form';
import { pendingAction } from './review-form';

/**
 * Meeting mode saves the item's record as the chair types, under the same version check as Save.
 * It saves the record only: what the panel decides about earlier actions, and new actions, wait for
 * a button, so a slip of the mouse never closes an action. Answers JSON for the page's script:
 * 200 with the new version, 400 when the form needs attention (Save shows why), 409 when someone
 * else saved meanwhile (Save shows both).
 */
function autosave(services: Services) {
  return async (req: Request, res: Response) => {
    const { meeting } = services;
    const user = currentUser(req);
    const actor = actorOf(req);
    const panelId = idParam(req.params.id);
    const itemId = idParam(req.params.itemId);
    const data = await meeting.item(user, actor, panelId, itemId, { audit: false });
    if (data.panel.status !== 'in-progress') {
      res.status(400).json({ saved: false, reason: 'not-recording' });
      return;
    }
    const body = (req.body ?? {}) as Record<string, unknown>;
    const record = readItemForm(body, {
      agencyIds: data.agencies.map((a) => a.id),
      today: today(services.clock),
      pending: data.earlier.filter((a) => a.pending).map(pendingAction),
      otherBusiness: !data.item.referralId,
    });
    if (Object.keys(record.errors).length) {
      res.status(400).json({ saved: false, reason: 'invalid' });
      return;
    }
    try {
      const version = parseVersion(body.version);
      await meeting.saveItem(user, actor, panelId, itemId, version, { ...record.input, resolutions: [] });
      res.json({ saved: true, version: version + 1, at: londonTime(services.clock.now()) });
    } catch (err) {
      if (err instanceof StaleVersionError) {
        res.status(409).json({ saved: false, reason: 'conflict' });
        return;
      }
      // A record the service refuses as it stands (a case marked discussed with actions unresolved).
      if (err instanceof HttpError && err.status === 400) {
        res.status(400).json({ saved: false, reason: 'invalid' });
        return;
      }
      throw err;
    }
  };
}

export function autosaveRoutes(services: Services): RouteDef[] {
  return [post('/panels/:id/meeting/items/:itemId/autosave', ADMIN_OR_CHAIR, autosave(services))];
}
