import pino, { type Logger, type DestinationStream } from 'pino';

export type { Logger };

/**
 * Redaction is a safety net only: code logs allow-listed fields (operation name, route, status, duration,
 * correlation id) and never variables, upstream bodies, names, fødselsnummer or tokens.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["router-authorization"]',
  'req.headers.cookie',
  'headers.authorization',
  'headers.Authorization',
  'headers.IntegrasjonPassord',
  'headers.integrasjonpassord',
  'config.headers',
  'assertion',
  'access_token',
  'password',
  'variables',
  '*.fodselsnummer',
  '*.fnr',
  '*.name',
  '*.fornavn',
  '*.etternavn',
  '*.mellomnavn',
  '*.adresse',
  '*.address',
  '*.person',
];

export function createLogger(
  options: { level?: string; name?: string } = {},
  destination: DestinationStream | undefined = logDestination(),
): Logger {
  return pino(
    {
      name: options.name ?? 'kjoretoy-subgraph',
      level: options.level ?? process.env.LOG_LEVEL ?? 'info',
      redact: { paths: REDACT_PATHS, censor: '[Redacted]' },
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

/**
 * Stdout, written asynchronously: a request never waits for the log's reader (a full pipe would stall a synchronous
 * write), and lines written while one write is under way go out together. pino flushes what is left when the process
 * exits. LOG_FILE (used by the test run's log scan) appends JSON lines to a file instead, synchronously.
 */
function logDestination(): DestinationStream {
  const file = process.env.LOG_FILE;
  return file ? pino.destination({ dest: file, append: true, sync: true }) : pino.destination({ dest: 1, sync: false });
}
