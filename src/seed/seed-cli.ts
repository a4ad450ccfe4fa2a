import { configOrExit, createLogger, logFatalAndExit, openDatabase } from '../bootstrap';
import { seedDemoData } from './seed';
import { stampedBy } from '../db/clock-timestamps';
import { systemClock } from '../clock';

async function main(): Promise<void> {
  const config = configOrExit();
  const logger = createLogger(config);
  if (config.env === 'production') {
    logger.fatal('Refusing to add demo data when NODE_ENV=production.');
    process.exit(1);
  }
  const database = await openDatabase(config, logger);
  try {
    const added = await seedDemoData(
      stampedBy(database.db, systemClock),
      systemClock,
      config.demoPassword,
      config.baseUrl,
      logger,
    );
    logger.info(added ? 'Demo data added.' : 'The database already holds data: demo data not added.');
  } finally {
    await database.close();
  }
}

main().catch((err: unknown) => logFatalAndExit(createLogger({ logLevel: 'info' }), err, 'demo data not added'));
