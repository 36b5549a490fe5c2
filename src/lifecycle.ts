import type { App } from './app';
import { ConfigError } from './config';
import type { Logger } from './observability/logger';

/**
 * Runs a started app as a process: a start-up failure logs one line naming the problem (never a value) and exits 1;
 * SIGTERM/SIGINT stop accepting, let requests in flight finish, close upstream sockets and exit 0.
 */
export async function runUntilSignal(start: () => Promise<App>, logger: Logger): Promise<void> {
  let app: App;
  try {
    app = await start();
  } catch (e) {
    const message =
      e instanceof ConfigError || (e instanceof Error && /must be set|requires/.test(e.message))
        ? e.message
        : 'start-up failed';
    logger.fatal({ err: e instanceof ConfigError ? undefined : { type: (e as Error)?.name } }, message);
    // Exit rather than wait: nothing may be left holding a port (e.g. an emulator started before the failure).
    logger.flush?.();
    process.exit(1);
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
