import { z } from 'zod';
import type { Services } from '../services';
import { actorOf, flash } from '../http/context';
import { idParam } from '../http/errors';
import { ADMIN, get, post, type RouteDef } from '../http/routes';
import { deliveryInWords, OUTBOX_STATUSES } from './mail-admin.service';

const filterSchema = z.object({
  status: z
    .enum(OUTBOX_STATUSES as ['queued', 'sending', 'sent', 'failed'])
    .optional()
    .catch(undefined),
  page: z.coerce.number().int().min(1).max(100000).catch(1),
});

export function mailRoutes(services: Services): RouteDef[] {
  const { mailAdmin } = services;
  return [
    get('/admin/mail', ADMIN, async (req, res) => {
      const { status, page } = filterSchema.parse(req.query);
      const { messages, pages, counts } = await mailAdmin.list(status, page);
      const link = (p: number) =>
        `/admin/mail?${new URLSearchParams({ ...(status ? { status } : {}), page: String(p) })}`;
      res.render('admin/mail', {
        title: 'Sent mail',
        messages,
        status,
        delivery: deliveryInWords(services.mailTransport.describe()),
        counts,
        statusLinks: [
          { value: '', text: 'All' },
          ...OUTBOX_STATUSES.map((s) => ({ value: s, text: s[0].toUpperCase() + s.slice(1) })),
        ].map((s) => ({
          ...s,
          href: s.value ? `/admin/mail?status=${s.value}` : '/admin/mail',
          current: (status ?? '') === s.value,
        })),
        previous: page > 1 ? link(page - 1) : null,
        next: page < pages ? link(page + 1) : null,
        page,
        pages,
      });
    }),

    get('/admin/mail/:id', ADMIN, async (req, res) => {
      const message = await mailAdmin.message(String(idParam(req.params.id)));
      res.render('admin/mail-message', {
        title: `Message ${message.id}`,
        backLink: '/admin/mail',
        message,
        attachmentNames: message.attachments.map((a) => a.filename),
      });
    }),

    post('/admin/mail/:id/retry', ADMIN, async (req, res) => {
      const id = String(idParam(req.params.id));
      if (await mailAdmin.retry(actorOf(req), id)) flash(req, `Message ${id} will be sent again`);
      else flash(req, 'Only a message that failed can be sent again', 'important');
      res.redirect(303, `/admin/mail/${id}`);
    }),
  ];
}
