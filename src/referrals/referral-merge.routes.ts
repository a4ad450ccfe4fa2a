import type { Request, Response } from 'express';
import type { Services } from '../services';
import { actorOf, currentUser, flash } from '../http/context';
import { idParam, RefusedError } from '../http/errors';
import { formState, optionalLongText, parseId, str } from '../http/forms';
import { ADMIN_OR_CHAIR, post, type RouteDef } from '../http/routes';
import { renderRecord } from './referral-record-page';
import { ALREADY_SCREENED } from './referral-screening.service';

type Handler = (req: Request, res: Response) => Promise<void>;

/** A refusal shown on the record: an already-screened referral as a banner, a field's message by its field. */
async function refused(
  services: Services,
  req: Request,
  res: Response,
  id: number,
  err: unknown,
  show: (errors: Record<string, string>) => Parameters<typeof renderRecord>[4],
) {
  if (!(err instanceof RefusedError)) throw err;
  if (err.reason === ALREADY_SCREENED) {
    flash(req, 'This referral has already been screened', 'important', err.fieldErrors['']);
    return res.redirect(303, `/referrals/${id}`);
  }
  return renderRecord(services, req, res, id, { ...show(err.fieldErrors), httpStatus: 400 });
}

function mergePost(services: Services): Handler {
  return async (req, res) => {
    const id = idParam(req.params.id);
    const body = req.body as Record<string, unknown>;
    const intoId = parseId(body.intoId);
    const note = optionalLongText('a note on the merge', 3000).safeParse(str(body.mergeNote));
    const values = { intoId: str(body.intoId), mergeNote: str(body.mergeNote) };
    const errors: Record<string, string> = {};
    if (!intoId) errors.intoId = 'Choose the case to merge this referral into';
    if (!note.success) errors.mergeNote = note.error.issues[0].message;
    if (!intoId || !note.success)
      return renderRecord(services, req, res, id, { mergeForm: formState(values, errors), httpStatus: 400 });
    try {
      const { reference } = await services.referrals.merge(currentUser(req), actorOf(req), id, intoId, note.data);
      flash(
        req,
        `Referral merged into ${reference}`,
        'success',
        'Both are kept: this referral, with its subjects, incidents and timeline, is linked from the case. The referrer has been sent an email.',
      );
      res.redirect(303, `/referrals/${id}`);
    } catch (err) {
      await refused(services, req, res, id, err, (e) => ({ mergeForm: formState(values, e) }));
    }
  };
}

function movePost(services: Services): Handler {
  return async (req, res) => {
    const id = idParam(req.params.id);
    const body = req.body as Record<string, unknown>;
    const districtId = parseId(body.districtId);
    const values = { districtId: str(body.districtId) };
    if (!districtId)
      return renderRecord(services, req, res, id, {
        moveForm: formState(values, { districtId: 'Select the district to move the referral to' }),
        httpStatus: 400,
      });
    try {
      const { districtName } = await services.referrals.moveDistrict(currentUser(req), actorOf(req), id, districtId);
      flash(req, `Referral moved to ${districtName}`, 'success', 'It is still waiting for screening.');
      res.redirect(303, `/referrals/${id}`);
    } catch (err) {
      await refused(services, req, res, id, err, (e) => ({ moveForm: formState(values, e) }));
    }
  };
}

/** Screening's other decisions: merging a duplicate into its case, moving a referral to another district. */
export function screeningRoutes(services: Services): RouteDef[] {
  return [
    post('/referrals/:id/merge', ADMIN_OR_CHAIR, mergePost(services)),
    post('/referrals/:id/move', ADMIN_OR_CHAIR, movePost(services)),
  ];
}
