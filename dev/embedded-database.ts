import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import lockfile from 'proper-lockfile';
import { closePool, createPool, migrate } from '../src/ledger/database';
import { createLogger, type Logger } from '../src/observability/logger';

/**
 * The ledger's database for local runs: PGlite (PostgreSQL compiled to WebAssembly, in this process) served on a
 * loopback port over the PostgreSQL wire protocol, so the subgraph uses the same driver (`pg`) and migrations as
 * against a real server. Its data lives in a folder that survives restarts (`.data/ledger` by default).
 *
 * It lives in the dev launcher, not in `src/`: production always has DATABASE_URL, and PGlite (about 30 MB) is a
 * development dependency the container image does not carry.
 */

export const DEFAULT_LEDGER_DATA_DIR = '.data/ledger';
/** `LEDGER_DATA_DIR=memory://`: nothing on disk (tests). */
const IN_MEMORY = 'memory://';

export interface EmbeddedDatabase {
  /** postgresql://… on 127.0.0.1, for DATABASE_URL. */
  url: string;
  /** Absolute data folder, or undefined in memory. */
  dataDir?: string;
  close(): Promise<void>;
}

export async function startEmbeddedDatabase(
  options: { dataDir?: string; logger?: Logger } = {},
): Promise<EmbeddedDatabase> {
  const requested = options.dataDir || DEFAULT_LEDGER_DATA_DIR;
  const dataDir = requested === IN_MEMORY ? undefined : resolve(requested);
  let unlock: (() => Promise<void>) | undefined;
  if (dataDir) {
    mkdirSync(dirname(dataDir), { recursive: true });
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    // PGlite does not lock its folder, and two processes on one folder corrupt it: a second `npm start` waits here
    // (a lock left by a killed process goes stale after 10 s).
    unlock = await lockfile.lock(dataDir, {
      stale: 10_000,
      update: 2_000,
      retries: { retries: 25, minTimeout: 200, maxTimeout: 1_000 },
      onCompromised: () => options.logger?.error({ dataDir }, 'embedded database: lost the lock on its data folder'),
    });
  }
  try {
    const started = Date.now();
    const db = await PGlite.create(dataDir ?? IN_MEMORY);
    // The socket server multiplexes connections onto PGlite's single session, keeping a transaction's statements
    // together. The ledger holds no transaction open across an await, so that is all it needs.
    const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 100 });
    await server.start();
    const port = Number(server.getServerConn().split(':').pop());
    const url = `postgresql://postgres@127.0.0.1:${port}/postgres`;
    // Migrated before anyone else connects: PGlite is one session, whose advisory locks (re-entrant within a
    // session) cannot order several processes migrating at once, as replicas on a real server can.
    const pool = createPool({ url, poolMax: 1, logger: options.logger ?? createLogger({ level: 'silent' }) });
    try {
      await migrate(pool, options.logger ?? createLogger({ level: 'silent' }));
    } finally {
      await closePool(pool);
    }
    options.logger?.info(
      { dataDir: dataDir ?? IN_MEMORY, port, startupMs: Date.now() - started },
      'embedded PostgreSQL (PGlite) for the submission ledger is listening on loopback',
    );
    let closing: Promise<void> | undefined;
    return {
      url,
      dataDir,
      close: () => {
        closing ??= (async () => {
          await server.stop();
          await db.close();
          await unlock?.();
        })();
        return closing;
      },
    };
  } catch (error) {
    await unlock?.();
    throw error;
  }
}
