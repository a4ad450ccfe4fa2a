import { mkdirSync, writeFileSync } from 'node:fs';
import pg from 'pg';
import { kyselyOver, openEmbedded } from '../../src/db/database';
import { migrateToLatest } from '../../src/db/migrate';
import { seedFoundation } from '../../src/seed/demo-foundation';
import { stampedBy } from '../../src/db/clock-timestamps';
import { SettableClock } from '../../src/clock';
import { ARTIFACTS, DEMO_PASSWORD, templateDb, pgliteTemplate, runId } from './paths';

// The agencies and users every test starts with were made before any date a test pins.
const FOUNDED = new SettableClock('2020-01-01T00:00:00Z');

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
    await seedFoundation(stampedBy(db, FOUNDED), DEMO_PASSWORD);
    await db.destroy();
    return;
  }
  const database = await openEmbedded(undefined);
  await migrateToLatest(database.db);
  await seedFoundation(stampedBy(database.db, FOUNDED), DEMO_PASSWORD);
  const dump = await database.pglite!.dumpDataDir('gzip');
  writeFileSync(pgliteTemplate(), Buffer.from(await dump.arrayBuffer()));
  await database.close();
}
