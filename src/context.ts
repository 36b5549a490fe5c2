import type { Request } from 'express';
import type { Config } from './config';
import { EcocDataSource } from './datasources/ecoc/ecoc-datasource';
import { PerCallerLimiter, callerKey, type UpstreamRequester } from './datasources/fairness';
import { FiksDataSource } from './datasources/fiks/fiks-datasource';
import type { LedgerSession } from './ledger/session';
import { tooManyRequests } from './errors';
import { IVI_CHECK_DEFAULTS, IviPoolBusyError, type IviCheckPool, type IviChecker } from './ivi/pool';
import type { Metrics } from './observability/metrics';
import type { Caller } from './security/caller';

/** Everything a resolver may use. Built once per GraphQL request. */
export interface RequestContext {
  caller: Caller;
  correlationId: string;
  config: Config;
  /** Per request: its DataLoaders never outlive the request or leak between callers. */
  fiks: FiksDataSource;
  ecoc: EcocDataSource;
  /** The submission ledger, bound to this caller's sender. */
  ledger: LedgerSession;
  /** The local IVI check, off the event loop, within the caller's share of the worker pool. */
  ivi: IviChecker;
}

export interface ContextDeps {
  config: Config;
  metrics: Metrics;
  fiksClient: UpstreamRequester;
  ecocClient: UpstreamRequester;
  /**
   * How long an eCoC call may wait for the caller's share. Its deadline starts after the wait, so wait + deadline must
   * fit in the ledger's lease (LEDGER_PENDING_TIMEOUT_MS): a call still under way when its row's lease ends could land
   * after the row was swept and the reference sent or withdrawn again (see ecocQueueTimeoutMs in src/config.ts).
   */
  ecocQueueTimeoutMs: number;
  /** Binds the submission ledger to the caller (its sender is resolved when a ledger field needs it). */
  createLedgerSession: (caller: Caller) => LedgerSession;
  /** Verifies the caller's bearer token (throws UNAUTHENTICATED on a bad one). */
  authenticate: (req: Request) => Promise<Caller>;
  /** Resolves the Fiks organisation the request acts for. */
  fiksOrgIdFor: (caller: Caller) => string;
}

/**
 * IVI checks one caller may have running and waiting (the pool's threads are few; see ivi/pool). Each check is bounded
 * by the pool's budget, so a wait is too: room for the checks ahead of it, and its own.
 */
const IVI_CHECKS_PER_CALLER = {
  limit: 2,
  queue: 4,
  queueTimeoutMs: IVI_CHECK_DEFAULTS.timeoutMs * 3,
};

export function createContextFactory(deps: ContextDeps & { iviPool: IviCheckPool }) {
  const { callerShare, resilience } = deps.config;
  // Process-wide, like the clients they guard: each caller's share of each upstream's bulkhead and of the IVI pool.
  const upstreamShares = new PerCallerLimiter({ ...callerShare, queueTimeoutMs: resilience.deadlineMs });
  const ecocShares = new PerCallerLimiter({ ...callerShare, queueTimeoutMs: deps.ecocQueueTimeoutMs });
  const iviShares = new PerCallerLimiter(IVI_CHECKS_PER_CALLER);

  return async ({ req, res }: { req: Request; res: { locals: Record<string, unknown> } }): Promise<RequestContext> => {
    const caller = await deps.authenticate(req);
    const correlationId = String(res.locals.correlationId);
    const key = callerKey(caller);
    return {
      caller,
      correlationId,
      config: deps.config,
      fiks: new FiksDataSource({
        client: upstreamShares.requester(key, deps.fiksClient),
        config: deps.config.fiks,
        fiksOrgId: deps.fiksOrgIdFor(caller),
        metrics: deps.metrics,
      }),
      ecoc: new EcocDataSource(ecocShares.requester(key, deps.ecocClient)),
      ledger: deps.createLedgerSession(caller),
      ivi: {
        check: (input) =>
          iviShares.run(
            key,
            () =>
              deps.iviPool.check(input).catch((e: unknown) => {
                if (e instanceof IviPoolBusyError) throw tooManyRequests('The IVI check is busy; retry later');
                throw e;
              }),
            'IVI checks',
          ),
      },
    };
  };
}
