import type { Services } from '../services';
import { actorOf, currentUser, flash } from '../http/context';
import { idParam } from '../http/errors';
import { formState } from '../http/forms';
import { ADMIN_OR_CHAIR, get, post, type RouteDef } from '../http/routes';
import { str } from '../http/forms';
import { subjectLabel } from '../referrals/referral-view';
import { RESEARCH_STATUS_NAMES } from './research.service';

const STATUS_TAGS: Record<string, string> = { requested: 'govuk-tag--grey', 'information-held': 'govuk-tag--blue', 'nothing-held': 'govuk-tag--green' };

export function researchRoutes(services: Services): RouteDef[] {
  const { research } = services;
  const answerItems = [
    { value: 'information-held', text: 'Information held', hint: 'Give a short summary to share at the meeting.' },
    { value: 'nothing-held', text: 'Nothing held' },
  ];

  async function renderAnswer(req: Parameters<Parameters<typeof get>[2]>[0], res: Parameters<Parameters<typeof get>[2]>[1], id: number, form = formState(), status = 200, refusal?: string) {
    const found = await research.view(currentUser(req), actorOf(req), id);
    res.status(status).render('research/answer', {
      title: `Research for ${found.request.reference}`,
      backLink: '/research',
      request: found.request,
      overdue: found.overdue,
      refusal,
      subjects: found.subjects.map((s) => ({ label: subjectLabel({ ...s, address: null }), dateOfBirth: s.dateOfBirth, address: [s.address, s.postcode].filter(Boolean).join(', ') })),
      answerItems,
      form: form.values.status !== undefined || form.hasErrors ? form : formState({ status: found.request.status === 'requested' ? '' : found.request.status, summary: found.request.summary ?? '', version: String(found.request.version) }),
    });
  }

  return [
    get('/research', 'signed-in', async (req, res) => {
      const user = currentUser(req);
      const panels = await research.forAgency(user, actorOf(req));
      res.render('research/list', {
        title: 'Research requests',
        agencyName: user.agencyName,
        spoc: user.spocForAgencyId !== null,
        manages: user.role !== 'representative',
        panels: panels.map((p) => ({
          ...p,
          open: p.requests.filter((r) => r.status === 'requested').length,
          requests: p.requests.map((r) => ({ ...r, statusName: RESEARCH_STATUS_NAMES[r.status], tag: STATUS_TAGS[r.status] })),
        })),
      });
    }),

    get('/research/:id', 'signed-in', async (req, res) => renderAnswer(req, res, idParam(req.params.id))),

    post('/research/:id', 'signed-in', async (req, res) => {
      const id = idParam(req.params.id);
      const body = req.body as Record<string, unknown>;
      const status = str(body.status);
      const summary = str(body.summary).replace(/\r\n/g, '\n').trim();
      const errors: Record<string, string> = {};
      if (status !== 'information-held' && status !== 'nothing-held') errors.status = 'Select whether your agency holds information';
      if (status === 'information-held' && !summary) errors.summary = 'Enter a short summary of the information to share';
      if (summary.length > 2000) errors.summary = 'The summary must be 2000 characters or fewer';
      const version = /^\d{1,9}$/.test(str(body.version)) ? Number(body.version) : -1;
      const form = formState({ status, summary: str(body.summary), version: str(body.version) }, errors);
      if (Object.keys(errors).length) return renderAnswer(req, res, id, form, 400);
      const saved = await research.answer(currentUser(req), actorOf(req), id, version, { status: status as 'information-held' | 'nothing-held', summary: status === 'nothing-held' ? null : summary });
      if (!saved.ok && saved.reason === 'stale') {
        return renderAnswer(req, res, id, form, 409, 'Someone else in your agency answered this request while you were on this page. Your answer is kept below: check theirs, then save again if needed.');
      }
      if (!saved.ok) return renderAnswer(req, res, id, form, 400, 'This panel has been held or cancelled: research can no longer be recorded.');
      flash(req, 'Your research has been recorded');
      res.redirect(303, '/research');
    }),

    get('/panels/:id/research', ADMIN_OR_CHAIR, async (req, res) => {
      const id = idParam(req.params.id);
      const m = await research.matrix(currentUser(req), actorOf(req), id);
      res.render('research/matrix', { title: 'Research matrix', backLink: `/panels/${id}`, ...m });
    }),
  ];
}
