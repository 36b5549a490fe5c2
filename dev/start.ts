import { ensureExplorerBuilt } from '../explorer/build';
import { startApp } from '../src/app';
import { runUntilSignal } from '../src/lifecycle';
import { createLogger } from '../src/observability/logger';
import { startAppOnEmulator, withLedgerDatabase } from './embedded';

/**
 * `npm start`: the subgraph on PORT over the emulator on EMULATOR_PORT (synthetic data, no credentials needed), with
 * the submission ledger in an embedded PostgreSQL (PGlite, data in LEDGER_DATA_DIR) unless DATABASE_URL is set.
 * With FIKS_BASE_URL set it starts the subgraph alone on the configured upstreams, as `node dist/src/index.js` does.
 * The offline explorer (/explorer/) is bundled first if it has not been yet.
 */
const logger = createLogger({ level: process.env.LOG_LEVEL });

async function prepareExplorer(): Promise<void> {
  if (process.env.NODE_ENV === 'production' || /^(false|0|no)$/.test(process.env.EXPLORER_ENABLED ?? '')) return;
  await ensureExplorerBuilt().catch((e: unknown) =>
    logger.warn({ err: { message: String(e) } }, 'offline explorer not built; /explorer/ will say how to build it'),
  );
}

void runUntilSignal(async () => {
  await prepareExplorer();
  return process.env.FIKS_BASE_URL
    ? withLedgerDatabase({ env: process.env, logger }, (databaseUrl) => startApp({ logger, databaseUrl }))
    : startAppOnEmulator({ logger });
}, logger);
