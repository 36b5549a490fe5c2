import { runUntilSignal } from '../src/lifecycle';
import { createLogger } from '../src/observability/logger';
import { startAppOnEmulator, withLedgerDatabase } from './embedded';

/**
 * `npm start`: the subgraph on PORT over the emulator on EMULATOR_PORT (synthetic data, no credentials needed), with
 * the submission ledger in an embedded PostgreSQL (PGlite, data in LEDGER_DATA_DIR) unless DATABASE_URL is set.
 * With FIKS_BASE_URL set it starts the subgraph alone on the configured upstreams, as `node dist/src/index.js` does.
 */
const logger = createLogger({ level: process.env.LOG_LEVEL });
void runUntilSignal(
  () =>
    process.env.FIKS_BASE_URL
      ? import('../src/app').then(({ startApp }) =>
          withLedgerDatabase({ env: process.env, logger }, (databaseUrl) => startApp({ logger, databaseUrl })),
        )
      : startAppOnEmulator({ logger }),
  logger,
);
