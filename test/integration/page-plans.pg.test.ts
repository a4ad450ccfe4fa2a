import pg from 'pg';
import { kyselyOver } from '../../src/db/database';
import { stampedBy } from '../../src/db/clock-timestamps';
import { migrateToLatest } from '../../src/db/migrate';
import { systemClock } from '../../src/clock';
import { seedScene, type Scene } from '../../bench/scene';
import { pagesOf } from '../../bench/pages';
import { explainPages } from '../../bench/plans';
import { createEmptyDatabase } from '../support/database';

// Query plans are PostgreSQL's: this runs only against the server in TEST_DATABASE_URL, as CI does.
if (!process.env.TEST_DATABASE_URL) throw new Error('TEST_DATABASE_URL is required for this file');

const CASES = 20_000;

describe(`the main pages at ${CASES.toLocaleString('en-GB')} cases`, () => {
  let database: { url: string; drop(): Promise<void> };
  let scene: Scene;
  beforeAll(async () => {
    database = await createEmptyDatabase(process.env.TEST_DATABASE_URL!);
    const db = stampedBy(kyselyOver(new pg.Pool({ connectionString: database.url, max: 4 })), systemClock);
    try {
      await migrateToLatest(db);
      scene = await seedScene(db, systemClock, CASES, 'http://127.0.0.1');
    } finally {
      await db.destroy();
    }
  }, 180_000);
  afterAll(() => database?.drop());

  // A statement the app prepares may run on a generic plan, made without its values: a status
  // sent as a parameter there cannot use the partial index of incomplete actions.
  test('every statement of every page reads its large tables by index, planned for its values and as a generic plan', async () => {
    // The register and the meeting item need a meeting started; the benchmark explains them too.
    const pages = pagesOf(scene, { register: '', item: '' }).filter(([, url]) => url !== '');
    const plans = await explainPages(database.url, scene.chairEmail, pages);
    expect(plans.map((p) => p.page)).toEqual(pages.map(([page]) => page));
    for (const p of plans) expect({ page: p.page, scans: p.scans }).toEqual({ page: p.page, scans: [] });
    expect(plans.find((p) => p.page === 'actions page')!.queries).toBeGreaterThan(3);
  }, 60_000);
});
