import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { runner } from 'node-pg-migrate';
import { Pool } from 'pg';
import type { Logger } from '../observability/logger';

/**
 * The ledger's connection pool (node-postgres) and its schema migrations (node-pg-migrate, SQL files in
 * `migrations/`). The same code serves a real PostgreSQL server and the embedded PGlite the dev launcher starts,
 * which speaks the same wire protocol.
 */

/** Taken (blocking) around node-pg-migrate, whose own lock only try-locks and fails the replicas that lose. */
const MIGRATION_LOCK_KEY = 4_611_203_771_512_012n;
const MIGRATIONS_TABLE = 'ledger_migrations';

export interface DatabaseOptions {
  url: string;
  poolMax: number;
  logger: Logger;
}

export function createPool({ url, poolMax, logger }: DatabaseOptions): Pool {
  const pool = new Pool({
    connectionString: url,
    max: poolMax,
    connectionTimeoutMillis: 5000,
    // Client-side bound on every query: a stalled server must not hold a request (or the event loop's work) forever.
    query_timeout: 10000,
    idleTimeoutMillis: 30000,
    application_name: 'kjoretoy-subgraph',
  });
  // An idle connection that breaks (server restart, network) emits here; without a listener the process would crash.
  pool.on('error', (error) => {
    logger.warn(
      { component: 'ledger', err: { type: error.name, code: (error as { code?: string }).code } },
      'idle database connection lost',
    );
  });
  return pool;
}

/** How long closePool waits for the connections' goodbyes: shutdown must not hang on a dead socket. */
const CLOSE_WAIT_MS = 5000;

/**
 * Ends the pool and waits until its connections have closed. pg-pool's end() resolves once it has asked its idle
 * clients to end, before their connections close; a server stopped right after (the embedded database, a test's
 * server) would still see them and terminate them, which reaches the pool as an error.
 */
export async function closePool(pool: Pool): Promise<void> {
  let open = pool.totalCount;
  const closed = new Promise<void>((resolve) => {
    if (open === 0) resolve();
    pool.on('remove', () => {
      if (--open <= 0) resolve();
    });
  });
  await pool.end();
  await Promise.race([closed, delay(CLOSE_WAIT_MS, undefined, { ref: false })]);
}

/** `migrations/` sits at the project root, both for `src/` (ts-jest, tsx) and for `dist/src/` (built). */
export function migrationsDir(): string {
  for (const candidate of [
    resolve(__dirname, '..', '..', 'migrations'),
    resolve(__dirname, '..', '..', '..', 'migrations'),
  ]) {
    if (existsSync(join(candidate, '1764633600000_submission-ledger.sql'))) return candidate;
  }
  throw new Error('migrations/ directory not found');
}

/**
 * Applies pending migrations. Replicas starting together queue on an advisory lock, so exactly one applies each
 * migration and the others then find nothing to do.
 */
export async function migrate(pool: Pool, logger: Logger): Promise<string[]> {
  const client = await pool.connect();
  const log = logger.child({ component: 'migrations' });
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY.toString()]);
    try {
      const applied = await runner({
        dbClient: client,
        dir: migrationsDir(),
        direction: 'up',
        migrationsTable: MIGRATIONS_TABLE,
        singleTransaction: true,
        checkOrder: true,
        logger: {
          debug: () => undefined,
          info: (message: string) => log.debug(message),
          warn: (message: string) => log.warn(message),
          error: (message: string) => log.error(message),
        },
      });
      const names = applied.map((m) => m.name);
      if (names.length) log.info({ applied: names }, 'database migrations applied');
      return names;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY.toString()]);
    }
  } finally {
    client.release();
  }
}
