import { startApp } from './app';
import { ConfigError } from './config';
import { createLogger } from './observability/logger';

/** `npm start`: the subgraph on PORT; with no FIKS_BASE_URL, the embedded emulator first. */
async function main(): Promise<void> {
  const logger = createLogger({ level: process.env.LOG_LEVEL });
  let app: Awaited<ReturnType<typeof startApp>>;
  try {
    app = await startApp({ logger });
  } catch (e) {
    const message =
      e instanceof ConfigError || (e instanceof Error && /must be set|requires/.test(e.message))
        ? e.message
        : 'start-up failed';
    logger.fatal({ err: e instanceof ConfigError ? undefined : { type: (e as Error)?.name } }, message);
    process.exitCode = 1;
    return;
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: no new requests, finishing those in flight');
    app
      .close()
      .then(() => logger.info('stopped'))
      .catch(() => logger.error('error while stopping'))
      .finally(() => process.exit(process.exitCode ?? 0));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

void main();
