import { configOrExit, createLogger, openDatabase } from '../bootstrap';

async function main(): Promise<void> {
  const config = configOrExit();
  const logger = createLogger(config);
  const database = await openDatabase(config, logger);
  await database.close();
  console.log('Database is up to date.');
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
