import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { startEmbeddedDatabase } from '../../dev/embedded-database';
import { createLogger } from '../../src/observability/logger';
import { runLogFile } from './log-scan';
import { setSharedDatabase } from './shared-database';

/**
 * Jest globalSetup (runs once, before any worker starts; workers inherit this process's environment):
 * - empties the run log, so the global teardown scans exactly the lines written during this run;
 * - sets a random Fiks integration password that every test stack's embedded emulator uses, and a database password
 *   for the throwaway PostgreSQL servers, so the scan can prove that neither reaches a log line;
 * - starts one embedded PostgreSQL (PGlite, in memory) for the whole run and points DATABASE_URL at it, so every
 *   test stack (and every subgraph process a test spawns) has its ledger without paying PGlite's start-up each time.
 */
export default async function globalSetup(): Promise<void> {
  const file = runLogFile();
  process.env.LOG_FILE = file;
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, '');
  process.env.FIKS_INTEGRATION_PASSWORD ??= `pw-${randomBytes(18).toString('base64url')}`;
  // The throwaway PostgreSQL servers' password (test/helpers/postgres.ts), also scanned for in the log.
  process.env.TEST_DATABASE_PASSWORD ??= `db-${randomBytes(18).toString('base64url')}`;

  const logger = createLogger({ level: 'info' });
  const database = await startEmbeddedDatabase({ dataDir: 'memory://', logger });
  process.env.DATABASE_URL = database.url;
  setSharedDatabase(database);
}
