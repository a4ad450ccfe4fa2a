import { mkdirSync, writeFileSync } from 'node:fs';
import pg from 'pg';
import { kyselyOver, openEmbedded } from '../../src/db/database';
import { migrateToLatest } from '../../src/db/migrate';
import { seedFoundation } from '../../src/seed/demo-foundation';
import { ARTIFACTS, DEMO_PASSWORD, templateDb, pgliteTemplate, runId } from './paths';

/**
 * Migrates and seeds one template database; every test file then gets its own copy, so files run
 * in parallel without sharing state. PostgreSQL when TEST_DATABASE_URL is set, PGlite otherwise.
 */
export default async function globalSetup(): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  runId();
  const url = process.env.TEST_DATABASE_URL;
  if (url) {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`drop database if exists ${templateDb()} with (force)`);
    await admin.query(`create database ${templateDb()}`);
    await admin.end();
    const templateUrl = new URL(url);
    templateUrl.pathname = `/${templateDb()}`;
    const pool = new pg.Pool({ connectionString: templateUrl.toString(), max: 2 });
    const db = kyselyOver(pool);
    await migrateToLatest(db);
    await seedFoundation(db, DEMO_PASSWORD);
    await db.destroy();
    return;
  }
  const database = await openEmbedded(undefined);
  await migrateToLatest(database.db);
  await seedFoundation(database.db, DEMO_PASSWORD);
  const dump = await database.pglite!.dumpDataDir('gzip');
  writeFileSync(pgliteTemplate(), Buffer.from(await dump.arrayBuffer()));
  await database.close();
}
