import { configOrExit, createLogger, openDatabase } from '../bootstrap';
import { seedDemoData } from './seed';
import { stampedBy } from '../db/clock-timestamps';
import { systemClock } from '../clock';

async function main(): Promise<void> {
  const config = configOrExit();
  if (config.env === 'production') {
    console.error('Refusing to add demo data when NODE_ENV=production.');
    process.exit(1);
  }
  const logger = createLogger(config);
  const database = await openDatabase(config, logger);
  const added = await seedDemoData(
    stampedBy(database.db, systemClock),
    systemClock,
    config.demoPassword,
    config.baseUrl,
  );
  await database.close();
  console.log(added ? 'Demo data added.' : 'The database already holds data: demo data not added.');
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
