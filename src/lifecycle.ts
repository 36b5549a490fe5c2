import type { App } from './app';
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
    const configError = e instanceof Error && e.name === 'ConfigError';
    const code = (e as NodeJS.ErrnoException)?.code;
    logger.fatal({ err: configError ? undefined : { type: (e as Error)?.name, code } }, startupFailureMessage(e));
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
  // The emulator's own configuration errors (dev only) carry the same name; it shares no code with src/.
  if (e instanceof Error && e.name === 'ConfigError') return e.message;
  const err = e as (NodeJS.ErrnoException & { address?: string; port?: number }) | undefined;
  if (err?.syscall === 'listen' && (err.code === 'EADDRINUSE' || err.code === 'EACCES')) {
    return `start-up failed: cannot listen on ${err.address ?? 'the address'}:${err.port ?? '?'} (${err.code}); set PORT, or EMULATOR_PORT for the embedded emulator`;
  }
  switch (err?.code) {
    case 'EACCES':
      // A folder or file from the configuration (LEDGER_DATA_DIR, a key file): its path is configuration, not data.
      return `start-up failed: no permission to ${err.syscall ?? 'use'} ${err.path ?? 'a file'} (EACCES)`;
    case 'ELOCKED':
      return 'start-up failed: the embedded database folder is in use by another process; set LEDGER_DATA_DIR to another folder (or memory://)';
    default:
      return 'start-up failed';
  }
}
