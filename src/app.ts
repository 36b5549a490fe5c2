import { randomBytes, randomUUID } from 'node:crypto';
import { GraphQLError } from 'graphql';
import {
  authFromEnv,
  callerShareFromEnv,
  checkProductionEnv,
  parseEnv,
  resilienceFromEnv,
  type Config,
  type Env,
  type MaskinportenConfig,
} from './config';
import { EcocDataSource } from './datasources/ecoc/ecoc-datasource';
import { UpstreamClient } from './datasources/http';
import { loadSigningKey } from './datasources/maskinporten/keys';
import { MaskinportenTokenProvider } from './datasources/maskinporten/token-provider';
import { generateDevClient, startEmulator, type EmulatorHandle, type EmulatorOptions } from './emulator';
import { createLogger, type Logger } from './observability/logger';
import { Metrics } from './observability/metrics';
import { createAuthenticator } from './security/auth';
import type { Caller } from './security/caller';
import { operationLimits } from './security/limits';
import { startServer, type Readiness, type RunningServer } from './server';

/** The Fiks organisation the embedded emulator answers for (synthetic). */
export const EMULATOR_FIKS_ORG_ID = '6f1c2a7e-0000-4000-8000-000000000001';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

export interface AppOptions {
  /** Environment to read (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Overrides PORT (0 = any free port). */
  port?: number;
  host?: string;
  logger?: Logger;
  /** Extra emulator options when the embedded emulator is started (tests: faults, wrapper, quota...). */
  emulator?: Partial<EmulatorOptions>;
  /** Overrides the embedded emulator's port (0 = any free port). */
  emulatorPort?: number;
}

export interface App {
  config: Config;
  server: RunningServer;
  emulator?: EmulatorHandle;
  metrics: Metrics;
  logger: Logger;
  close(): Promise<void>;
}

/**
 * The composition root: reads the environment, starts the embedded emulator when no upstream is configured, wires
 * the token provider, the upstream clients and the server, and listens. Used by `npm start`, tests and benchmarks.
 */
export async function startApp(options: AppOptions = {}): Promise<App> {
  const env = parseEnv(options.env ?? process.env);
  checkProductionEnv(env);
  const logger = options.logger ?? createLogger({ level: env.LOG_LEVEL });
  const metrics = new Metrics({ defaultMetrics: true });

  let emulator: EmulatorHandle | undefined;
  let upstreams: Pick<Config, 'fiks' | 'ecoc' | 'maskinporten'>;
  if (env.FIKS_BASE_URL) {
    upstreams = upstreamsFromEnv(env);
  } else {
    const started = await startEmbeddedEmulator(env, options, logger);
    emulator = started.emulator;
    upstreams = started.upstreams;
  }

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
    emulator: {
      port: env.EMULATOR_PORT,
      host: env.EMULATOR_HOST,
      seed: env.EMULATOR_SEED,
      vehicles: env.EMULATOR_VEHICLES,
      latencyMs: env.EMULATOR_LATENCY_MS,
    },
    usesEmulator: emulator !== undefined,
  };
  if (!config.auth) {
    logger.warn('DEV MODE: no caller auth configured (AUTH_JWKS_URL / AUTH_JWKS_FILE); every caller has every scope');
  }

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

  const readiness = async (): Promise<Readiness> => {
    const [fiksToken, ecocToken] = await Promise.all([
      tokens.canObtainToken(config.fiks.scope),
      tokens.canObtainToken(config.ecoc.scope),
    ]);
    const breakers = { fiks: fiksClient.breakerState(), ecoc: ecocClient.breakerState() };
    // An open breaker is reported, not made a reason to leave the load balancer: every replica shares the upstream,
    // so taking them all out would turn coded field errors into an unreachable subgraph.
    return {
      ready: fiksToken && ecocToken,
      degraded: breakers.fiks !== 'closed' || breakers.ecoc !== 'closed',
      checks: { token: { fiks: fiksToken, ecoc: ecocToken }, breakers },
    };
  };

  const limits = operationLimits(config);
  const server = await startServer({
    config,
    logger,
    metrics,
    fiksClient,
    createEcoc: () => new EcocDataSource(ecocClient),
    authenticate: createAuthenticator(config.auth),
    fiksOrgIdFor: tenantResolver(config),
    readiness,
    validationRules: limits.validationRules,
    plugins: limits.plugins,
  });
  logger.info({ url: server.url, synthetic: config.usesEmulator }, 'kjoretoy-subgraph listening');

  return {
    config,
    server,
    emulator,
    metrics,
    logger,
    close: async () => {
      await server.close();
      fiksClient.close();
      ecocClient.close();
      tokens.close();
      await emulator?.close();
    },
  };
}

async function startEmbeddedEmulator(env: Env, options: AppOptions, logger: Logger) {
  if (env.NODE_ENV === 'production') throw new Error('unreachable: production requires FIKS_BASE_URL');
  // Keys and the integration password are made fresh at every start; nothing secret is stored in the repository.
  const client = await generateDevClient();
  const integration = {
    id: env.FIKS_INTEGRATION_ID ?? randomUUID(),
    password: env.FIKS_INTEGRATION_PASSWORD ?? randomBytes(24).toString('base64url'),
  };
  const emulator = await startEmulator({
    port: options.emulatorPort ?? env.EMULATOR_PORT,
    host: env.EMULATOR_HOST,
    seed: env.EMULATOR_SEED,
    vehicles: env.EMULATOR_VEHICLES,
    latencyMs: env.EMULATOR_LATENCY_MS,
    clients: [{ clientId: client.clientId, publicKeyPem: client.publicKeyPem, kid: client.kid }],
    integrations: [integration],
    logger: logger.child({ component: 'emulator' }),
    ...options.emulator,
  });
  logger.warn(
    { emulator: emulator.url },
    'SYNTHETIC DATA: FIKS_BASE_URL is not set, so the embedded upstream emulator serves Fiks, eCoC and Maskinporten',
  );
  const maskinporten: MaskinportenConfig = {
    tokenUrl: emulator.tokenUrl,
    audience: emulator.issuer,
    clientId: client.clientId,
    privateKeyPem: client.privateKeyPem,
    kid: client.kid,
  };
  const upstreams: Pick<Config, 'fiks' | 'ecoc' | 'maskinporten'> = {
    fiks: {
      ...fiksCommon(env),
      baseUrl: emulator.fiksBaseUrl,
      orgId: env.FIKS_ORG_ID ?? EMULATOR_FIKS_ORG_ID,
      integrationId: integration.id,
      integrationPassword: integration.password,
    },
    ecoc: {
      baseUrl: env.ECOC_BASE_URL ?? emulator.ecocBaseUrl,
      scope: env.ECOC_SCOPE,
      resource: env.ECOC_RESOURCE,
      timeoutMs: env.ECOC_TIMEOUT_MS,
    },
    maskinporten,
  };
  return { emulator, upstreams };
}

function upstreamsFromEnv(env: Env): Pick<Config, 'fiks' | 'ecoc' | 'maskinporten'> {
  const need = (name: keyof Env): string => {
    const value = env[name];
    if (value === undefined || value === '') throw new Error(`${name} must be set when FIKS_BASE_URL is set`);
    return String(value);
  };
  const key = loadSigningKey(env);
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
    if (typeof value !== 'string' || !UUID.test(value)) {
      throw new GraphQLError(`The token's ${claim} claim is not a Fiks organisation id (UUID)`, {
        extensions: { code: 'FORBIDDEN', http: { status: 403 } },
      });
    }
    return value;
  };
}
