import { randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { appRoleGrants } from '../../src/audit/database-roles';
import type { Database } from '../../src/db/schema';
import { migrateToLatest } from '../../src/db/migrate';
import { createTestContext, type TestContext } from '../support/context';
import { DEMO } from '../support/http';
import { ids, type Ids } from './insight-builders';

/*
 * On PostgreSQL, with the tables owned by the role that migrated them and the app running as a
 * role of its own with the grants the README gives: that role cannot change or delete audit rows,
 * not even by setting asbrac.audit_purge, and can purge old rows only with a second
 * administrator's approval, through purge_audit_events.
 */

let ctx: TestContext;
let id: Ids;
let owner: string;
const appRole = `asbrac_app_${randomBytes(4).toString('hex')}`;
const NOW = '2026-11-23T10:00:00Z';

/** Runs `work` on one connection acting as the app's role. */
async function asApp<T>(work: (db: Kysely<Database>) => Promise<T>): Promise<T> {
  return ctx.db.connection().execute(async (conn) => {
    await sql`set role ${sql.id(appRole)}`.execute(conn);
    try {
      return await work(conn);
    } finally {
      await sql`reset role`.execute(conn);
    }
  });
}

beforeAll(async () => {
  ctx = await createTestContext({ now: NOW });
  id = await ids(ctx);
  owner = (await sql<{ owner: string }>`select current_user as owner`.execute(ctx.db)).rows[0].owner;
  await sql`create role ${sql.id(appRole)} nologin`.execute(ctx.db);
  for (const statement of appRoleGrants(appRole, owner)) await sql.raw(statement).execute(ctx.db);
  await ctx.db
    .insertInto('auditEvents')
    .values([
      { action: 'test.ancient', outcome: 'success', at: new Date('2023-06-01T10:00:00Z') },
      { action: 'test.recent', outcome: 'success', at: new Date('2026-06-01T10:00:00Z') },
    ])
    .execute();
}, 60_000);
afterAll(async () => {
  await sql.raw(`drop owned by "${appRole}"`).execute(ctx.db);
  await sql`drop role ${sql.id(appRole)}`.execute(ctx.db);
  await ctx.close();
});

const ancient = () => ctx.db.selectFrom('auditEvents').select('id').where('action', '=', 'test.ancient').execute();

test('the app role reads and adds audit rows, and finds the schema up to date at start-up', async () => {
  await asApp(async (db) => {
    await db
      .insertInto('auditEvents')
      .values({ action: 'test.by-app', outcome: 'success', at: new Date(NOW) })
      .execute();
    expect(await db.selectFrom('auditEvents').select('id').where('action', '=', 'test.by-app').execute()).toHaveLength(
      1,
    );
    expect(await migrateToLatest(db)).toEqual([]);
  });
});

test('the app role cannot delete audit rows, even with asbrac.audit_purge set, nor change, truncate or unprotect them', async () => {
  const [{ id: rowId }] = await ancient();
  await asApp(async (db) => {
    await expect(
      db.transaction().execute(async (trx) => {
        await sql`set local asbrac.audit_purge = 'on'`.execute(trx);
        await trx.deleteFrom('auditEvents').where('id', '=', rowId).execute();
      }),
    ).rejects.toThrow(/permission denied|append-only/);
    await expect(db.updateTable('auditEvents').set({ action: 'x' }).where('id', '=', rowId).execute()).rejects.toThrow(
      /permission denied/,
    );
    await expect(sql`truncate audit_events`.execute(db)).rejects.toThrow(/permission denied/);
    await expect(sql`alter table audit_events disable trigger audit_events_no_change`.execute(db)).rejects.toThrow(
      /must be owner/,
    );
    await expect(sql`drop trigger audit_events_no_change on audit_events`.execute(db)).rejects.toThrow(/must be owner/);
  });
  expect(await ancient()).toHaveLength(1);
});

test('even granted delete, the app role is refused by the trigger, which lets only the owner delete', async () => {
  const [{ id: rowId }] = await ancient();
  await sql.raw(`grant delete on audit_events to "${appRole}"`).execute(ctx.db);
  await asApp(async (db) => {
    await expect(
      db.transaction().execute(async (trx) => {
        await sql`set local asbrac.audit_purge = 'on'`.execute(trx);
        await trx.deleteFrom('auditEvents').where('id', '=', rowId).execute();
      }),
    ).rejects.toThrow(/append-only/);
  });
  await sql.raw(`revoke delete on audit_events from "${appRole}"`).execute(ctx.db);
  expect(await ancient()).toHaveLength(1);
});

test('the app role purges only through the function, and only what a second administrator approved', async () => {
  const admin = id.user(DEMO.admin);
  const chair = id.user(DEMO.chair);
  const request = (decidedBy: number | null, status: 'pending' | 'approved') => ({
    kind: 'audit-purge' as const,
    auditYears: 2,
    purgeBefore: new Date('2024-11-23T10:00:00Z'),
    status,
    requestedBy: admin,
    requestedAt: new Date(NOW),
    decidedBy,
    decidedAt: decidedBy === null ? null : new Date(NOW),
  });
  await asApp(async (db) => {
    const pending = await db
      .insertInto('retentionApprovals')
      .values(request(null, 'pending'))
      .returning('id')
      .executeTakeFirstOrThrow();
    const purge = (approval: number) =>
      db
        .transaction()
        .execute((trx) =>
          sql<{ n: number }>`select purge_audit_events(${approval}, ${new Date(NOW)}) as n`.execute(trx),
        );
    await expect(purge(pending.id)).rejects.toThrow(/not approved by a second administrator/);
    await expect(purge(999999)).rejects.toThrow(/not approved by a second administrator/);
    const approved = await db
      .insertInto('retentionApprovals')
      .values(request(chair, 'approved'))
      .returning('id')
      .executeTakeFirstOrThrow();
    expect((await purge(approved.id)).rows[0].n).toBe(1);
    await expect(purge(approved.id)).rejects.toThrow(/not approved by a second administrator/);
  });
  expect(await ancient()).toEqual([]);
  expect(
    await ctx.db.selectFrom('auditEvents').select('id').where('action', '=', 'test.recent').execute(),
  ).toHaveLength(1);
});
