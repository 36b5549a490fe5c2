import { EMULATOR_FIKS_ORG_ID } from '../emulator';
import { tenantResolver } from '../src/app';
import { callerShareFromEnv, parseEnv, resilienceFromEnv, type Config } from '../src/config';
import type { UpstreamClient, UpstreamRequest, UpstreamResponse } from '../src/datasources/http';
import type { LedgerSession } from '../src/ledger/session';
import { createLogger } from '../src/observability/logger';
import { Metrics } from '../src/observability/metrics';
import { createAuthenticator } from '../src/security/auth';
import { operationLimits } from '../src/security/limits';
import { startServer } from '../src/server';

/**
 * One of the overhead scenario's servers, to split the gap between the subgraph and the bare server: the real
 * server (src/server.ts: the same middleware, plugins, operation limits, scope checks, per-request DataLoaders and
 * mapping) wired as src/app.ts wires it, except that the Fiks client answers from memory with a captured emulator
 * bulk answer (parsed afresh each call, as the HTTP client would). What it leaves out is the upstream HTTP path itself:
 * undici, sockets, the token lookup and the resilience policies.
 */
export async function startInMemoryUpstreamServer(options: { bulkAnswerText: string }): Promise<{
  url: string;
  close(): Promise<void>;
}> {
  const env = parseEnv({ NODE_ENV: 'development', LOG_LEVEL: 'warn' });
  const logger = createLogger({ level: env.LOG_LEVEL });
  const metrics = new Metrics({ defaultMetrics: true });
  const unused = 'http://127.0.0.1:9/unused';
  const config: Config = {
    env: env.NODE_ENV,
    port: 0,
    host: '127.0.0.1',
    logLevel: env.LOG_LEVEL,
    fiks: {
      baseUrl: unused,
      orgId: EMULATOR_FIKS_ORG_ID,
      integrationId: 'in-memory',
      integrationPassword: 'in-memory',
      bulkMaxBatch: env.FIKS_BULK_MAX_BATCH,
      vinConcurrency: env.FIKS_VIN_CONCURRENCY,
      searchPageMax: env.FIKS_SEARCH_PAGE_MAX,
      orgSearchEnabled: env.FIKS_ORG_SEARCH_ENABLED,
      scope: env.FIKS_SCOPE,
    },
    ecoc: { baseUrl: unused, scope: env.ECOC_SCOPE, timeoutMs: env.ECOC_TIMEOUT_MS },
    maskinporten: { tokenUrl: unused, audience: unused, clientId: 'in-memory', privateKeyPem: '' },
    resilience: resilienceFromEnv(env),
    callerShare: callerShareFromEnv(env),
    auth: undefined,
    corsOrigins: [],
    bodyLimit: env.BODY_LIMIT,
    maxIdentifiersPerOperation: env.MAX_IDENTIFIERS_PER_OPERATION,
    syntheticData: true,
  };

  const inMemoryClient = {
    async request<T>(_req: UpstreamRequest): Promise<UpstreamResponse<T>> {
      return { status: 200, data: JSON.parse(options.bulkAnswerText) as T, headers: {} };
    },
    breakerState: () => 'closed' as const,
    close: () => undefined,
  } as unknown as UpstreamClient;

  const limits = operationLimits(config);
  const server = await startServer({
    config,
    logger,
    metrics,
    fiksClient: inMemoryClient,
    ecocClient: inMemoryClient,
    ecocQueueTimeoutMs: config.resilience.deadlineMs,
    // No pre-registration here: the benchmark measures lookups only.
    createLedgerSession: () => ({}) as unknown as LedgerSession,
    authenticate: createAuthenticator(config.auth),
    fiksOrgIdFor: tenantResolver(config),
    readiness: async () => ({ ready: true, checks: {} }),
    validationRules: limits.validationRules,
    plugins: limits.plugins,
  });
  return { url: server.url, close: () => server.close() };
}
