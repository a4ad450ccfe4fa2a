import { createHash, randomBytes } from 'node:crypto';
import { Kysely, sql } from 'kysely';

// One-click attendance links are made when a message is sent, not when it is queued: the outbox
// keeps a placeholder naming a token row by a random nonce, and the worker gives that row a fresh
// token as it sends. Messages already queued or sent lose their live links here: each is replaced
// by the placeholder of its token row, so that a message not yet sent still gets a working link and
// one already sent keeps the link its recipient has (its hash is unchanged until it is sent again).
// Frozen: migrations never import application code.

const LINK = /\/attend\/([A-Za-z0-9_-]{43})(?![A-Za-z0-9_-])/g;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are typed against no schema on purpose
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('attendance_tokens')
    .addColumn('link_nonce', 'text', (c) => c.unique())
    .execute();
  const rows = await db
    .selectFrom('outbox')
    .select(['id', 'text_body'])
    .where('text_body', 'like', '%/attend/%')
    .execute();
  for (const row of rows as { id: string; text_body: string }[]) {
    let text = row.text_body;
    for (const [, raw] of [...row.text_body.matchAll(LINK)]) {
      const hash = createHash('sha256').update(raw).digest('hex');
      const nonce = randomBytes(16).toString('base64url');
      const updated = await db
        .updateTable('attendance_tokens')
        .set({ link_nonce: sql`coalesce(link_nonce, ${nonce})` })
        .where('token_hash', '=', hash)
        .returning('link_nonce')
        .executeTakeFirst();
      text = text.replace(`/attend/${raw}`, updated ? `/attend/{{attend:${updated.link_nonce}}}` : '/attend/[expired]');
    }
    await db.updateTable('outbox').set({ text_body: text }).where('id', '=', row.id).execute();
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('attendance_tokens').dropColumn('link_nonce').execute();
}
