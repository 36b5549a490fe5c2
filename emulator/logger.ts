import pino, { type Logger } from 'pino';

export type { Logger };

/** The emulator's logger. It logs routes, statuses and counts only; never request bodies, keys or passwords. */
export function createEmulatorLogger(level?: string): Logger {
  const file = process.env.LOG_FILE;
  return pino(
    {
      name: 'kjoretoy-emulator',
      level: level ?? process.env.LOG_LEVEL ?? 'info',
      redact: { paths: ['password', 'assertion', 'access_token', 'headers.authorization'], censor: '[Redacted]' },
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    file ? pino.destination({ dest: file, append: true, sync: true }) : undefined,
  );
}
