import { ConfigError, type LedgerConfig } from '../config';
import type { IviIssue } from '../ivi';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import { closePool, createPool, migrate } from './database';
import { SubmissionLedger } from './ledger';

export { SubmissionLedger, ledgerUnavailable, type ClaimResult, type NewSubmission } from './ledger';
export * from './model';

const PURGE_INTERVAL_MS = 60 * 60 * 1000;

export interface RunningLedger {
  ledger: SubmissionLedger;
  /** Gives up PENDING rows whose sender is gone; also run on every read, so a list is never stale. */
  sweep(): Promise<number>;
  purge(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Opens the pool, applies migrations (safe with many replicas starting at once), then sweeps and purges at start-up
 * and on timers. A failing job logs and tries again next time; it never stops the process.
 */
export async function startLedger(options: {
  config: LedgerConfig;
  logger: Logger;
  metrics: Metrics;
  /** The issue a swept row gets: a submission's, or a withdrawal's, whose outcome is unknown. */
  unknownOutcomeIssues: { submission: IviIssue; withdrawal: IviIssue };
}): Promise<RunningLedger> {
  const { config, metrics } = options;
  const logger = options.logger.child({ component: 'ledger' });
  const pool = createPool({ url: config.databaseUrl, poolMax: config.poolMax, logger });
  try {
    await migrate(pool, logger);
  } catch (error) {
    await closePool(pool).catch(() => undefined);
    const e = error as { code?: string; name?: string };
    logger.error({ err: { type: e.name, code: e.code } }, 'database migration failed');
    // The message is ours and names no value (the URL may hold a password).
    throw new ConfigError('DATABASE_URL: the ledger database cannot be reached or migrated');
  }
  const ledger = new SubmissionLedger(pool, logger);

  const sweep = async () => {
    const swept = await ledger.sweep(options.unknownOutcomeIssues, config.pendingTimeoutMs);
    if (swept.submissions > 0) metrics.preRegistrations.inc({ outcome: 'OUTCOME_UNKNOWN' }, swept.submissions);
    if (swept.withdrawals > 0) metrics.withdrawals.inc({ outcome: 'OUTCOME_UNKNOWN' }, swept.withdrawals);
    if (swept.submissions + swept.withdrawals > 0) {
      logger.warn(swept, 'submissions and withdrawals whose sender is gone are now OUTCOME_UNKNOWN');
    }
    return swept.submissions + swept.withdrawals;
  };
  const purge = async () => {
    const purged = await ledger.purge(config.retentionDays);
    if (purged.submissions || purged.withdrawals)
      logger.info({ ...purged, retentionDays: config.retentionDays }, 'ledger purged');
  };
  const quietly = (job: () => Promise<unknown>) => () => {
    // ledgerUnavailable() was already logged by the ledger; the next round tries again.
    job().catch(() => undefined);
  };

  await sweep().catch(() => undefined);
  await purge().catch(() => undefined);
  const timers = [setInterval(quietly(sweep), config.sweepIntervalMs), setInterval(quietly(purge), PURGE_INTERVAL_MS)];
  for (const timer of timers) timer.unref();

  return {
    ledger,
    sweep,
    purge,
    close: async () => {
      for (const timer of timers) clearInterval(timer);
      await closePool(pool);
    },
  };
}
