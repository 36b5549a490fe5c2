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
    const code = (e as NodeJS.ErrnoException)?.code;
    logger.fatal(
      { err: e instanceof ConfigError ? undefined : { type: (e as Error)?.name, code } },
      startupFailureMessage(e),
    );
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

/**
 * The one line a failed start logs: configuration errors as they are (they name the variable, never its value), and
 * the failures a second instance meets (a port or the embedded database's folder in use) with what to change. Other
 * errors' messages are not logged: they may carry a connection string or a value.
 */
export function startupFailureMessage(e: unknown): string {
  if (e instanceof ConfigError || (e instanceof Error && /must be set|requires/.test(e.message))) return e.message;
  const err = e as (NodeJS.ErrnoException & { address?: string; port?: number }) | undefined;
  switch (err?.code) {
    case 'EADDRINUSE':
    case 'EACCES':
      return `start-up failed: cannot listen on ${err.address ?? 'the address'}:${err.port ?? '?'} (${err.code}); set PORT, or EMULATOR_PORT for the embedded emulator`;
    case 'ELOCKED':
      return 'start-up failed: the embedded database folder is in use by another process; set LEDGER_DATA_DIR to another folder (or memory://)';
    case 'ECONNREFUSED':
      return `start-up failed: nothing answers at ${err.address ?? 'the address'}:${err.port ?? '?'} (ECONNREFUSED)`;
    default:
      return 'start-up failed';
  }
}
