import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuthConfig, Config } from '../../../src/config';
import type { UpstreamClient, UpstreamRequest, UpstreamResponse } from '../../../src/datasources/http';
import type { LedgerSession } from '../../../src/ledger/session';
import { Metrics } from '../../../src/observability/metrics';
import { createAuthenticator } from '../../../src/security/auth';
import { operationLimits } from '../../../src/security/limits';
import { startServer, type RunningServer } from '../../../src/server';
import { DEV_AUDIENCE, DEV_ISSUER, generateDevKey, jwksOf, type DevKey } from '../../../dev/mint-token';
import { captureLogger, type CapturedLog, type LogEntry } from '../../helpers/log-scan';

/**
 * The real HTTP server (`startServer`: express, CORS, router secret, body limit, Apollo with masking, limits and the
 * real schema) over real sockets, but with a scripted Fiks client instead of the emulator. For what needs a
 * production-mode server (startApp refuses production without real upstreams) or a resolver error of our choosing.
 */
export interface BareServer {
  server: RunningServer;
  url: string;
  log: CapturedLog;
  /** Routes of the upstream calls the server attempted. */
  upstreamCalls: string[];
  /** Signs caller tokens the server accepts (when `auth` is on). */
  key?: DevKey;
  post(
    body: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: LogEntry; text: string; headers: Headers }>;
  close(): Promise<void>;
}

export interface BareServerOptions {
  env: Config['env'];
  /** Verify caller tokens against a fresh dev key (else dev mode). */
  auth?: boolean;
  routerSecret?: string;
  corsOrigins?: string[];
  bodyLimit?: string;
  maxIdentifiersPerOperation?: number;
  /** Answers (or throws for) every Fiks call. Default: an empty bulk answer. */
  fiks?: (req: UpstreamRequest) => Promise<UpstreamResponse<unknown>>;
}

export async function startBareServer(options: BareServerOptions): Promise<BareServer> {
  const log = captureLogger('info');
  const upstreamCalls: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'bare-server-'));
  let key: DevKey | undefined;
  let auth: AuthConfig | undefined;
  if (options.auth) {
    key = await generateDevKey();
    const jwksFile = join(dir, 'jwks.json');
    writeFileSync(jwksFile, JSON.stringify(jwksOf(key)));
    auth = { jwksFile, issuer: DEV_ISSUER, audience: DEV_AUDIENCE };
  }
  const config: Config = {
    env: options.env,
    port: 0,
    host: '127.0.0.1',
    logLevel: 'info',
    fiks: {
      baseUrl: 'http://127.0.0.1:9/kjoretoyregister/api',
      orgId: '6f1c2a7e-0000-4000-8000-000000000001',
      integrationId: 'bare-server',
      integrationPassword: 'not-used-by-a-scripted-client',
      bulkMaxBatch: 50,
      vinConcurrency: 4,
      searchPageMax: 100,
      orgSearchEnabled: true,
      scope: 'ks:fiks',
    },
    ecoc: { baseUrl: 'http://127.0.0.1:9/ecoc', scope: 'svv:kjoretoy/ecoc', timeoutMs: 1000 },
    maskinporten: { tokenUrl: 'http://127.0.0.1:9/token', audience: 'x', clientId: 'x', privateKeyPem: '' },
    resilience: {
      attemptTimeoutMs: 1000,
      deadlineMs: 2000,
      maxRetries: 0,
      bulkheadLimit: 8,
      bulkheadQueue: 8,
      breakerThreshold: 100,
      breakerHalfOpenMs: 1000,
    },
    callerShare: { limit: 8, queue: 8 },
    auth,
    routerSecret: options.routerSecret,
    corsOrigins: options.corsOrigins ?? [],
    bodyLimit: options.bodyLimit ?? '3mb',
    maxIdentifiersPerOperation: options.maxIdentifiersPerOperation ?? 200,
    syntheticData: false,
    // Asked for everywhere: the server itself must refuse it in production.
    explorer: true,
  };
  const fiks = options.fiks ?? (async () => ({ status: 200, data: [], headers: {} }));
  const fiksClient = {
    async request<T>(req: UpstreamRequest): Promise<UpstreamResponse<T>> {
      upstreamCalls.push(req.route);
      return (await fiks(req)) as UpstreamResponse<T>;
    },
    breakerState: () => 'closed' as const,
    close: () => undefined,
  } as unknown as UpstreamClient;
  const limits = operationLimits(config);
  const authenticate = createAuthenticator(auth);
  const server = await startServer({
    config,
    logger: log.logger,
    metrics: new Metrics(),
    fiksClient,
    // No eCoC behind this server: a call reaching it is a test failure.
    ecocClient: {
      request: () => Promise.reject(new Error('this test server has no eCoC upstream')),
    },
    ecocQueueTimeoutMs: 1000,
    createLedgerSession: () => ({}) as unknown as LedgerSession,
    // `x-test-break-context: <text>` makes building the context fail with an unexpected error holding <text>.
    authenticate: async (req) => {
      const breaker = req.header('x-test-break-context');
      if (breaker) throw new Error(`tenant lookup failed: ${breaker}`);
      return authenticate(req);
    },
    fiksOrgIdFor: () => config.fiks.orgId,
    readiness: async () => ({ ready: true, checks: {} }),
    validationRules: limits.validationRules,
    plugins: limits.plugins,
  });
  return {
    server,
    url: server.url,
    log,
    upstreamCalls,
    key,
    async post(body, headers = {}) {
      const res = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: LogEntry = {};
      try {
        parsed = JSON.parse(text) as LogEntry;
      } catch {
        // not JSON: the tests look at `text`
      }
      return { status: res.status, body: parsed, text, headers: res.headers };
    },
    async close() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
