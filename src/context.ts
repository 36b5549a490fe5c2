import type { Request } from 'express';
import type { Config } from './config';
import type { EcocDataSource } from './datasources/ecoc/ecoc-datasource';
import { FiksDataSource } from './datasources/fiks/fiks-datasource';
import type { UpstreamClient } from './datasources/http';
import type { LedgerSession } from './ledger/session';
import type { Logger } from './observability/logger';
import type { Metrics } from './observability/metrics';
import type { Caller } from './security/caller';

/** Everything a resolver may use. Built once per GraphQL request. */
export interface RequestContext {
  caller: Caller;
  correlationId: string;
  config: Config;
  logger: Logger;
  /** Per request: its DataLoaders never outlive the request or leak between callers. */
  fiks: FiksDataSource;
  ecoc: EcocDataSource;
  /** The submission ledger, bound to this caller's sender. */
  ledger: LedgerSession;
}

export interface ContextDeps {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  fiksClient: UpstreamClient;
  /** Builds the per-request eCoC datasource. */
  createEcoc: (caller: Caller, correlationId: string) => EcocDataSource;
  /** Binds the submission ledger to the caller (its sender is resolved when a ledger field needs it). */
  createLedgerSession: (caller: Caller) => LedgerSession;
  /** Verifies the caller's bearer token (throws UNAUTHENTICATED on a bad one). */
  authenticate: (req: Request) => Promise<Caller>;
  /** Resolves the Fiks organisation the request acts for. */
  fiksOrgIdFor: (caller: Caller) => string;
}

export function createContextFactory(deps: ContextDeps) {
  return async ({ req, res }: { req: Request; res: { locals: Record<string, unknown> } }): Promise<RequestContext> => {
    const caller = await deps.authenticate(req);
    const correlationId = String(res.locals.correlationId);
    let logger: Logger | undefined;
    return {
      caller,
      correlationId,
      config: deps.config,
      // Made on first use: most requests never log from a resolver, and a pino child costs a bindings serialisation.
      get logger() {
        return (logger ??= deps.logger.child({ correlationId }));
      },
      fiks: new FiksDataSource({
        client: deps.fiksClient,
        config: deps.config.fiks,
        fiksOrgId: deps.fiksOrgIdFor(caller),
        metrics: deps.metrics,
      }),
      ecoc: deps.createEcoc(caller, correlationId),
      ledger: deps.createLedgerSession(caller),
    };
  };
}
