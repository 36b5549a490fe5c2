import { GraphQLError } from 'graphql';
import {
  authFromEnv,
  callerShareFromEnv,
  checkCallerAuthEnv,
  checkProductionEnv,
  ConfigError,
  namesList,
  REAL_UPSTREAM_VARIABLES,
  ecocQueueTimeoutMs,
  ledgerFromEnv,
  parseEnv,
  resilienceFromEnv,
  type Config,
  type Env,
  type LedgerConfig,
  type MaskinportenConfig,
} from './config';
import { outcomeUnknownIssue } from './datasources/ecoc/pre-register';
import { withdrawalUnknownIssue } from './datasources/ecoc/submissions';
import { isUuid } from './domain/identifiers';
import { UpstreamClient } from './datasources/http';
import { loadSigningKey } from './datasources/maskinporten/keys';
import { MaskinportenTokenProvider } from './datasources/maskinporten/token-provider';
import { startLedger, type RunningLedger } from './ledger';
import { LedgerSession } from './ledger/session';
import { createLogger, type Logger } from './observability/logger';
import { Metrics } from './observability/metrics';
import { createAuthenticator } from './security/auth';
import type { Caller } from './security/caller';
import { operationLimits } from './security/limits';
import { senderResolver } from './security/sender';
import { startServer, type Readiness, type RunningServer } from './server';

export interface AppOptions {
  /** Environment to read (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Overrides PORT (0 = any free port). */
  port?: number;
  host?: string;
  logger?: Logger;
  /**
   * Upstreams given in code rather than the environment: the dev launcher (`dev/`) passes the emulator it started.
   * Their data is synthetic, which is what allows running without caller auth.
   */
  syntheticUpstreams?: SyntheticUpstreams;
  /**
   * The ledger's database when DATABASE_URL is unset: the dev launcher passes the embedded PGlite it started. The
   * product itself never starts a database.
   */
  databaseUrl?: string;
}

/** Endpoints and credentials of upstreams that serve synthetic data only (the emulator). */
export interface SyntheticUpstreams {
  fiks: { baseUrl: string; orgId: string; integrationId: string; integrationPassword: string };
  ecocBaseUrl: string;
  maskinporten: MaskinportenConfig;
}

export interface App {
  config: Config;
  ledgerConfig: LedgerConfig;
  ledger: RunningLedger;
  server: RunningServer;
  metrics: Metrics;
  logger: Logger;
  close(): Promise<void>;
}

/**
 * The composition root: reads the environment (or takes synthetic upstreams from the dev launcher), wires the token
 * provider, the upstream clients and the server, and listens. Used by `src/index.ts`, the dev launcher, tests and
 * benchmarks.
 */
export async function startApp(options: AppOptions = {}): Promise<App> {
  const env = parseEnv(options.env ?? process.env);
  checkProductionEnv(env);
  const logger = options.logger ?? createLogger({ level: env.LOG_LEVEL });
  const metrics = new Metrics({ defaultMetrics: true });

  const synthetic = options.syntheticUpstreams;
  if (!synthetic && !env.FIKS_BASE_URL) {
    throw new ConfigError(
      'FIKS_BASE_URL must be set (for synthetic data without credentials, `npm start` runs the subgraph on the emulator)',
    );
  }
  checkCallerAuthEnv(env, synthetic !== undefined);
  const upstreams = synthetic ? syntheticUpstreamsConfig(env, synthetic) : upstreamsFromEnv(env);

  const config: Config = {
    env: env.NODE_ENV,
    port: options.port ?? env.PORT,
    host: options.host ?? env.HOST,
    logLevel: env.LOG_LEVEL,
    ...upstreams,
    resilience: resilienceFromEnv(env),
    callerShare: callerShareFromEnv(env),
    auth: authFromEnv(env),
    routerSecret: env.ROUTER_SECRET,
    corsOrigins: env.CORS_ORIGINS ?? [],
    bodyLimit: env.BODY_LIMIT,
    maxIdentifiersPerOperation: env.MAX_IDENTIFIERS_PER_OPERATION,
    syntheticData: synthetic !== undefined,
    explorer: env.NODE_ENV !== 'production' && (env.EXPLORER_ENABLED ?? true),
  };
  const ledgerConfig = ledgerFromEnv(env, options.databaseUrl);
  if (!config.auth && config.syntheticData) {
    logger.warn('DEV MODE: no caller auth configured (AUTH_JWKS_URL / AUTH_JWKS_FILE); every caller has every scope');
  } else if (!config.auth) {
    logger.error(
      { variable: 'ALLOW_NO_CALLER_AUTH' },
      'NO CALLER AUTH ON REAL UPSTREAMS: ALLOW_NO_CALLER_AUTH=true, so every caller has every scope on real vehicle and owner data',
    );
  }

  // Migrations run here, before the server listens: a replica serves only once the ledger's schema is in place.
  const ledger = await startLedger({
    config: ledgerConfig,
    logger,
    metrics,
    unknownOutcomeIssues: { submission: outcomeUnknownIssue(), withdrawal: withdrawalUnknownIssue('iviReferanse') },
  });
  const senderOf = senderResolver(ledgerConfig.senderClaim);

  const tokens = new MaskinportenTokenProvider(config.maskinporten, {
    metrics,
    logger,
    resources: config.ecoc.resource ? { [config.ecoc.scope]: config.ecoc.resource } : {},
  });
  const fiksClient = new UpstreamClient({
    upstream: 'fiks',
    baseURL: config.fiks.baseUrl,
    scope: config.fiks.scope,
    tokens,
    resilience: config.resilience,
    headers: { IntegrasjonId: config.fiks.integrationId, IntegrasjonPassord: config.fiks.integrationPassword },
    metrics,
    logger,
  });
  const ecocClient = new UpstreamClient({
    upstream: 'ecoc',
    baseURL: config.ecoc.baseUrl,
    scope: config.ecoc.scope,
    tokens,
    resilience: config.resilience,
    timeoutMs: config.ecoc.timeoutMs,
    metrics,
    logger,
  });

  let closing = false;
  const readiness = async (): Promise<Readiness> => {
    const [fiksToken, ecocToken, database] = await Promise.all([
      tokens.canObtainToken(config.fiks.scope),
      tokens.canObtainToken(config.ecoc.scope),
      ledger.ledger.ping(),
    ]);
    const breakers = { fiks: fiksClient.breakerState(), ecoc: ecocClient.breakerState() };
    // Ready = this process serves requests. Upstream trouble (no Maskinporten token, an open breaker, an unreachable
    // ledger database) is shared by every replica, so it is reported as degraded, never a reason to leave the load
    // balancer: taking them all out would turn coded field errors (and the lookups that still work) into an
    // unreachable subgraph.
    return {
      ready: !closing,
      degraded: !fiksToken || !ecocToken || breakers.fiks !== 'closed' || breakers.ecoc !== 'closed' || !database,
      checks: { token: { fiks: fiksToken, ecoc: ecocToken }, breakers, database: database ? 'ok' : 'unreachable' },
    };
  };

  const limits = operationLimits(config);
  let server: RunningServer;
  try {
    server = await startServer({
      config,
      logger,
      metrics,
      fiksClient,
      ecocClient,
      ecocQueueTimeoutMs: ecocQueueTimeoutMs(ecocClient.deadlineMs, ledgerConfig.pendingTimeoutMs),
      createLedgerSession: (caller) =>
        new LedgerSession(ledger.ledger, () => senderOf(caller), ledger.sweep, ledgerConfig.pendingTimeoutMs, metrics),
      authenticate: createAuthenticator(config.auth),
      fiksOrgIdFor: tenantResolver(config),
      readiness,
      validationRules: limits.validationRules,
      plugins: limits.plugins,
    });
  } catch (error) {
    await ledger.close().catch(() => undefined);
    throw error;
  }
  logger.info({ url: server.url, synthetic: config.syntheticData }, 'kjoretoy-subgraph listening');

  return {
    config,
    ledgerConfig,
    ledger,
    server,
    metrics,
    logger,
    close: async () => {
      closing = true;
      await server.close();
      fiksClient.close();
      ecocClient.close();
      tokens.close();
      // After the requests in flight: their answers are recorded before the pool closes.
      await ledger.close();
    },
  };
}

function syntheticUpstreamsConfig(
  env: Env,
  synthetic: SyntheticUpstreams,
): Pick<Config, 'fiks' | 'ecoc' | 'maskinporten'> {
  return {
    fiks: { ...fiksCommon(env), ...synthetic.fiks },
    ecoc: {
      baseUrl: env.ECOC_BASE_URL ?? synthetic.ecocBaseUrl,
      scope: env.ECOC_SCOPE,
      resource: env.ECOC_RESOURCE,
      timeoutMs: env.ECOC_TIMEOUT_MS,
    },
    maskinporten: synthetic.maskinporten,
  };
}

function upstreamsFromEnv(env: Env): Pick<Config, 'fiks' | 'ecoc' | 'maskinporten'> {
  // Every missing one named at once.
  const missing = REAL_UPSTREAM_VARIABLES.filter((name) => env[name] === undefined || env[name] === '');
  if (missing.length > 0) throw new ConfigError(`${namesList(missing)} must be set when FIKS_BASE_URL is set`);
  const need = (name: (typeof REAL_UPSTREAM_VARIABLES)[number]): string => String(env[name]);
  const key = loadSigningKey(env);
  if (!key.kid && !key.x5c) {
    // Maskinporten identifies the key by one or the other (docs/upstreams.md §9).
    throw new ConfigError(
      'MASKINPORTEN_KID (a key registered on the Maskinporten client) or a certificate chain ' +
        '(MASKINPORTEN_CERT_CHAIN_FILE, or MASKINPORTEN_P12_FILE) must be set when FIKS_BASE_URL is set',
    );
  }
  return {
    fiks: {
      ...fiksCommon(env),
      baseUrl: need('FIKS_BASE_URL'),
      orgId: need('FIKS_ORG_ID'),
      integrationId: need('FIKS_INTEGRATION_ID'),
      integrationPassword: need('FIKS_INTEGRATION_PASSWORD'),
    },
    ecoc: {
      baseUrl: need('ECOC_BASE_URL'),
      scope: env.ECOC_SCOPE,
      resource: env.ECOC_RESOURCE,
      timeoutMs: env.ECOC_TIMEOUT_MS,
    },
    maskinporten: {
      tokenUrl: need('MASKINPORTEN_TOKEN_URL'),
      audience: need('MASKINPORTEN_AUDIENCE'),
      clientId: need('MASKINPORTEN_CLIENT_ID'),
      ...key,
    },
  };
}

function fiksCommon(env: Env) {
  return {
    bulkMaxBatch: env.FIKS_BULK_MAX_BATCH,
    vinConcurrency: env.FIKS_VIN_CONCURRENCY,
    searchPageMax: env.FIKS_SEARCH_PAGE_MAX,
    orgSearchEnabled: env.FIKS_ORG_SEARCH_ENABLED,
    orgIdClaim: env.FIKS_ORG_ID_CLAIM,
    scope: env.FIKS_SCOPE,
  };
}

/** fiksOrgId from configuration, or (optionally) from a claim of the verified caller token, checked to be a UUID. */
export function tenantResolver(config: Config): (caller: Caller) => string {
  const claim = config.fiks.orgIdClaim;
  return (caller) => {
    if (!claim) return config.fiks.orgId;
    const value = caller.claims?.[claim];
    if (value === undefined) return config.fiks.orgId;
    if (typeof value !== 'string' || !isUuid(value)) {
      throw new GraphQLError(`The token's ${claim} claim is not a Fiks organisation id (UUID)`, {
        extensions: { code: 'FORBIDDEN', http: { status: 403 } },
      });
    }
    return value;
  };
}
