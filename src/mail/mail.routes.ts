import { sql } from 'kysely';
import { z } from 'zod';
import type { Services } from '../services';
import { recordAudit } from '../audit/audit';
import { actorOf, flash } from '../http/context';
import { NotFoundError, idParam } from '../http/errors';
import { ADMIN, get, post, type RouteDef } from '../http/routes';

const PAGE_SIZE = 50;
const STATUSES = ['queued', 'sending', 'sent', 'failed'] as const;
const filterSchema = z.object({
  status: z.enum(STATUSES).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(100000).catch(1),
});

export function mailRoutes(services: Services): RouteDef[] {
  const { db } = services;
  return [
    get('/admin/mail', ADMIN, async (req, res) => {
      const { status, page } = filterSchema.parse(req.query);
      let q = db.selectFrom('outbox');
      if (status) q = q.where('status', '=', status);
      const [rows, total, counts] = await Promise.all([
        q
          .select(['id', 'kind', 'toAddress', 'subject', 'status', 'attempts', 'lastError', 'createdAt', 'sentAt', 'nextAttemptAt'])
          .orderBy('id', 'desc')
          .limit(PAGE_SIZE)
          .offset((page - 1) * PAGE_SIZE)
          .execute(),
        q.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
        db.selectFrom('outbox').select(['status', sql<string>`count(*)`.as('n')]).groupBy('status').execute(),
      ]);
      const pages = Math.max(1, Math.ceil(Number(total.n) / PAGE_SIZE));
      const link = (p: number) => `/admin/mail?${new URLSearchParams({ ...(status ? { status } : {}), page: String(p) })}`;
      res.render('admin/mail', {
        title: 'Sent mail',
        messages: rows,
        status,
        delivery: services.mailTransport.describe(),
        counts: Object.fromEntries(STATUSES.map((s) => [s, Number(counts.find((c) => c.status === s)?.n ?? 0)])),
        statusLinks: [{ value: '', text: 'All' }, ...STATUSES.map((s) => ({ value: s, text: s[0].toUpperCase() + s.slice(1) }))].map((s) => ({
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
      const message = await db.selectFrom('outbox').selectAll().where('id', '=', String(idParam(req.params.id))).executeTakeFirst();
      if (!message) throw new NotFoundError();
      res.render('admin/mail-message', {
        title: `Message ${message.id}`,
        backLink: '/admin/mail',
        message,
        attachmentNames: message.attachments.map((a) => a.filename),
      });
    }),

    post('/admin/mail/:id/retry', ADMIN, async (req, res) => {
      const id = String(idParam(req.params.id));
      const updated = await db.transaction().execute(async (trx) => {
        const result = await trx
          .updateTable('outbox')
          .set({ status: 'queued', nextAttemptAt: services.clock.now(), attempts: 0, lastError: null })
          .where('id', '=', id)
          .where('status', '=', 'failed')
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) === 1) await recordAudit(trx, actorOf(req), { action: 'mail.retry', entityType: 'outbox', entityId: id });
        return Number(result.numUpdatedRows) === 1;
      });
      if (!updated) {
        const exists = await db.selectFrom('outbox').select('id').where('id', '=', id).executeTakeFirst();
        if (!exists) throw new NotFoundError();
        flash(req, 'Only a message that failed can be sent again', 'important');
      } else {
        services.mailWorker.poke();
        flash(req, `Message ${id} will be sent again`);
      }
      res.redirect(303, `/admin/mail/${id}`);
    }),
  ];
}
