import { readFileSync } from 'node:fs';
import bytes from 'bytes';
import { z } from 'zod';

/**
 * Environment → typed, validated configuration. Fails fast with a message that names the variable.
 * The upstreams come from here, or from the dev launcher (`dev/`), which passes the emulator's in code.
 */

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const url = z.url();
const uuid = z.uuid();
/**
 * A body size as express reads it ("3mb", "512kb", "1048576"): refused here when express could not read it, and
 * kept between 1 KiB (a GraphQL request at all) and 50 MiB.
 */
const byteSize = z.string().refine(
  (v) => {
    const n = bytes.parse(v);
    return typeof n === 'number' && Number.isFinite(n) && n >= 1024 && n <= 50 * 1024 * 1024;
  },
  { message: 'must be a size such as 3mb or 512kb, between 1kb and 50mb' },
);
const list = z.string().transform((s) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean),
);

const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: int(0, 65535).default(4001),
  HOST: z.string().default('0.0.0.0'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  FIKS_BASE_URL: url.optional(),
  FIKS_ORG_ID: uuid.optional(),
  FIKS_INTEGRATION_ID: z.string().min(1).optional(),
  FIKS_INTEGRATION_PASSWORD: z.string().min(1).optional(),
  // At most 500: vehicles are 10-12 KB each (docs/upstreams.md §3), and an answer must stay under the 10 MiB limit.
  FIKS_BULK_MAX_BATCH: int(1, 500).default(50),
  FIKS_VIN_CONCURRENCY: int(1, 64).default(4),
  FIKS_SEARCH_PAGE_MAX: int(1, 500).default(100),
  /** `sok/organisasjonsnummer` is in SVV's v2 spec, but whether Fiks exposes it is unconfirmed [I]. */
  FIKS_ORG_SEARCH_ENABLED: bool.default(true),
  /** Optional: take fiksOrgId from this claim of the verified caller token (value must be a UUID). */
  FIKS_ORG_ID_CLAIM: z.string().min(1).optional(),

  ECOC_BASE_URL: url.optional(),
  ECOC_SCOPE: z.string().default('svv:kjoretoy/ecoc'),
  ECOC_RESOURCE: z.string().optional(),

  MASKINPORTEN_TOKEN_URL: url.optional(),
  MASKINPORTEN_AUDIENCE: z.string().optional(),
  MASKINPORTEN_CLIENT_ID: z.string().optional(),
  MASKINPORTEN_KEY_FILE: z.string().optional(),
  MASKINPORTEN_P12_FILE: z.string().optional(),
  MASKINPORTEN_P12_PASSWORD: z.string().optional(),
  MASKINPORTEN_KID: z.string().optional(),
  /** PEM file with the certificate chain (leaf first); when set, grants carry `x5c` instead of `kid`. */
  MASKINPORTEN_CERT_CHAIN_FILE: z.string().optional(),
  FIKS_SCOPE: z.string().default('ks:fiks'),

  UPSTREAM_ATTEMPT_TIMEOUT_MS: int(50, 120000).default(5000),
  UPSTREAM_DEADLINE_MS: int(100, 300000).default(10000),
  UPSTREAM_MAX_RETRIES: int(0, 2).default(2),
  UPSTREAM_BULKHEAD_LIMIT: int(1, 1000).default(32),
  UPSTREAM_BULKHEAD_QUEUE: int(0, 10000).default(64),
  /** One caller's share of the bulkhead: calls in flight, and calls waiting for a slot (datasources/fairness). */
  UPSTREAM_CALLER_LIMIT: int(1, 1000).default(8),
  UPSTREAM_CALLER_QUEUE: int(0, 10000).default(32),
  UPSTREAM_BREAKER_THRESHOLD: int(1, 1000).default(10),
  UPSTREAM_BREAKER_HALF_OPEN_MS: int(100, 600000).default(10000),
  ECOC_TIMEOUT_MS: int(100, 300000).default(20000),

  AUTH_JWKS_URL: url.optional(),
  AUTH_JWKS_FILE: z.string().optional(),
  AUTH_ISSUER: z.string().optional(),
  AUTH_AUDIENCE: z.string().optional(),
  /**
   * Knowingly run without caller auth on real upstreams (every caller gets every scope on real data). Refused in
   * production; logged at error level at every start. Without it such a start is refused.
   */
  ALLOW_NO_CALLER_AUTH: bool.default(false),
  /** When set, every request must carry this value in the `router-authorization` header. */
  ROUTER_SECRET: z.string().min(16).optional(),
  CORS_ORIGINS: list.optional(),
  BODY_LIMIT: byteSize.default('3mb'),
  MAX_IDENTIFIERS_PER_OPERATION: int(1, 10000).default(200),
  /** The offline explorer (GraphiQL) at /explorer/: on by default in development, never in production. */
  EXPLORER_ENABLED: bool.optional(),

  /** The submission ledger's PostgreSQL server; `npm start` runs an embedded one when unset (dev/). */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// connection string')
    .optional(),
  DATABASE_POOL_MAX: int(1, 100).default(10),
  /** The caller-token claim naming the sender (e.g. the importer's organisation number); default client_id/azp/sub. */
  LEDGER_SENDER_CLAIM: z.string().min(1).max(200).optional(),
  /** How long a PENDING submission may wait for SVV's answer before it counts as OUTCOME_UNKNOWN. */
  LEDGER_PENDING_TIMEOUT_MS: int(100, 3_600_000).optional(),
  LEDGER_SWEEP_INTERVAL_MS: int(100, 3_600_000).default(30000),
  LEDGER_RETENTION_DAYS: int(1, 36500).default(400),
});

export type Env = z.infer<typeof EnvSchema>;

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export interface FiksConfig {
  baseUrl: string;
  orgId: string;
  integrationId: string;
  integrationPassword: string;
  bulkMaxBatch: number;
  vinConcurrency: number;
  searchPageMax: number;
  orgSearchEnabled: boolean;
  orgIdClaim?: string;
  scope: string;
}

export interface EcocConfig {
  baseUrl: string;
  scope: string;
  resource?: string;
  timeoutMs: number;
}

export interface MaskinportenConfig {
  tokenUrl: string;
  audience: string;
  clientId: string;
  /** PKCS#8 or PKCS#1 PEM of the signing key (read from MASKINPORTEN_KEY_FILE, a P12 file, or generated by the dev launcher). */
  privateKeyPem: string;
  kid?: string;
  /** base64 DER certificates, leaf first. */
  x5c?: string[];
}

export interface ResilienceConfig {
  attemptTimeoutMs: number;
  deadlineMs: number;
  maxRetries: number;
  bulkheadLimit: number;
  bulkheadQueue: number;
  breakerThreshold: number;
  breakerHalfOpenMs: number;
}

/** One caller's share of each upstream, in front of the shared bulkhead (datasources/fairness). */
export interface CallerShareConfig {
  /** Upstream calls one caller may have in flight. */
  limit: number;
  /** Upstream calls one caller may have waiting for a slot. */
  queue: number;
}

export interface AuthConfig {
  jwksUrl?: string;
  jwksFile?: string;
  issuer: string;
  audience: string;
}

export interface LedgerConfig {
  databaseUrl: string;
  poolMax: number;
  /** Claim of the verified caller token that names the sender; unset = the token's client id. */
  senderClaim?: string;
  /** A PENDING row older than this becomes OUTCOME_UNKNOWN (at least the eCoC deadline, so a live send is never swept). */
  pendingTimeoutMs: number;
  sweepIntervalMs: number;
  retentionDays: number;
}

export interface Config {
  env: Env['NODE_ENV'];
  port: number;
  host: string;
  logLevel: Env['LOG_LEVEL'];
  fiks: FiksConfig;
  ecoc: EcocConfig;
  maskinporten: MaskinportenConfig;
  resilience: ResilienceConfig;
  callerShare: CallerShareConfig;
  /** Undefined = dev mode, no caller auth (refused in production). */
  auth?: AuthConfig;
  routerSecret?: string;
  corsOrigins: string[];
  bodyLimit: string;
  maxIdentifiersPerOperation: number;
  /** True when the upstreams are the emulator the dev launcher started: synthetic data only. */
  syntheticData: boolean;
  /** Serve the offline explorer at /explorer/ (development only). */
  explorer?: boolean;
}

/** What real upstreams need besides the signing key (FIKS_BASE_URL set, or production). */
export const REAL_UPSTREAM_VARIABLES = [
  'FIKS_BASE_URL',
  'FIKS_ORG_ID',
  'FIKS_INTEGRATION_ID',
  'FIKS_INTEGRATION_PASSWORD',
  'ECOC_BASE_URL',
  'MASKINPORTEN_TOKEN_URL',
  'MASKINPORTEN_AUDIENCE',
  'MASKINPORTEN_CLIENT_ID',
] as const satisfies readonly (keyof Env)[];

/** `A`, `A and B`, `A, B and C`: variable names in a refusal that names them all at once. */
export function namesList(names: readonly string[]): string {
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

export function parseEnv(env: NodeJS.ProcessEnv = process.env): Env {
  const result = EnvSchema.safeParse(env);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new ConfigError(`Invalid configuration: ${String(issue.path[0])}: ${issue.message}`);
  }
  return result.data;
}

/** Fills the parts that have no default from the environment, and refuses what production must not run with. */
export function checkProductionEnv(env: Env): void {
  if (env.NODE_ENV !== 'production') return;
  const required: (keyof Env)[] = [...REAL_UPSTREAM_VARIABLES, 'AUTH_ISSUER', 'AUTH_AUDIENCE', 'DATABASE_URL'];
  const missing = required.filter((name) => env[name] === undefined);
  if (missing.length > 0) throw new ConfigError(`NODE_ENV=production requires ${namesList(missing)} to be set`);
  if (env.EXPLORER_ENABLED) {
    throw new ConfigError('EXPLORER_ENABLED is for development only: production serves no explorer or landing page');
  }
  if (!env.AUTH_JWKS_URL && !env.AUTH_JWKS_FILE) {
    throw new ConfigError('NODE_ENV=production requires AUTH_JWKS_URL or AUTH_JWKS_FILE to be set');
  }
  if (!env.MASKINPORTEN_KEY_FILE && !env.MASKINPORTEN_P12_FILE) {
    throw new ConfigError('NODE_ENV=production requires MASKINPORTEN_KEY_FILE or MASKINPORTEN_P12_FILE to be set');
  }
}

/**
 * No caller auth means every caller has every scope. That is dev mode, and only synthetic upstreams (the emulator,
 * passed in code by the dev launcher) make it safe; NODE_ENV says nothing about where the data comes from. Real
 * upstreams without caller auth are refused unless ALLOW_NO_CALLER_AUTH=true (never in production).
 */
export function checkCallerAuthEnv(env: Env, syntheticUpstreams: boolean): void {
  if (syntheticUpstreams || env.AUTH_JWKS_URL || env.AUTH_JWKS_FILE) return;
  if (env.ALLOW_NO_CALLER_AUTH && env.NODE_ENV !== 'production') return;
  throw new ConfigError(
    'Real upstreams (FIKS_BASE_URL) need caller auth: set AUTH_JWKS_URL or AUTH_JWKS_FILE, AUTH_ISSUER and ' +
      'AUTH_AUDIENCE (or, outside production and knowingly, ALLOW_NO_CALLER_AUTH=true)',
  );
}

export function resilienceFromEnv(env: Env): ResilienceConfig {
  return {
    attemptTimeoutMs: env.UPSTREAM_ATTEMPT_TIMEOUT_MS,
    deadlineMs: env.UPSTREAM_DEADLINE_MS,
    maxRetries: env.UPSTREAM_MAX_RETRIES,
    bulkheadLimit: env.UPSTREAM_BULKHEAD_LIMIT,
    bulkheadQueue: env.UPSTREAM_BULKHEAD_QUEUE,
    breakerThreshold: env.UPSTREAM_BREAKER_THRESHOLD,
    breakerHalfOpenMs: env.UPSTREAM_BREAKER_HALF_OPEN_MS,
  };
}

/** Margin beyond the eCoC deadline before a PENDING row is given up: token fetch, bulkhead queue, clock skew. */
const PENDING_MARGIN_MS = 30000;

/**
 * How long an eCoC call may wait for the caller's share: the lease's margin over the deadline, at most the deadline.
 * Every eCoC call then ends (wait + deadline) within the lease of the ledger row it was made for, so the sweeper never
 * gives up on a row whose call can still reach SVV.
 */
export function ecocQueueTimeoutMs(ecocDeadlineMs: number, pendingTimeoutMs: number): number {
  return Math.max(0, Math.min(ecocDeadlineMs, pendingTimeoutMs - ecocDeadlineMs));
}

/**
 * The ledger's settings. `databaseUrl` comes from DATABASE_URL or from the dev launcher's embedded database; the
 * product never starts one itself (the embedded database is a development dependency, see dev/).
 */
export function ledgerFromEnv(env: Env, databaseUrl: string | undefined): LedgerConfig {
  const url = env.DATABASE_URL ?? databaseUrl;
  if (!url) {
    throw new ConfigError(
      'DATABASE_URL must be set (the submission ledger needs PostgreSQL; `npm start` runs an embedded one for local use)',
    );
  }
  // The longest an eCoC submission can take in a live process (UpstreamClient raises the deadline to the timeout).
  const ecocDeadlineMs = Math.max(env.UPSTREAM_DEADLINE_MS, env.ECOC_TIMEOUT_MS);
  const pendingTimeoutMs = env.LEDGER_PENDING_TIMEOUT_MS ?? ecocDeadlineMs + PENDING_MARGIN_MS;
  if (pendingTimeoutMs < ecocDeadlineMs) {
    throw new ConfigError(
      'Invalid configuration: LEDGER_PENDING_TIMEOUT_MS must be at least the eCoC deadline (max of ECOC_TIMEOUT_MS and UPSTREAM_DEADLINE_MS)',
    );
  }
  return {
    databaseUrl: url,
    poolMax: env.DATABASE_POOL_MAX,
    senderClaim: env.LEDGER_SENDER_CLAIM,
    pendingTimeoutMs,
    sweepIntervalMs: env.LEDGER_SWEEP_INTERVAL_MS,
    retentionDays: env.LEDGER_RETENTION_DAYS,
  };
}

export function callerShareFromEnv(env: Env): CallerShareConfig {
  return { limit: env.UPSTREAM_CALLER_LIMIT, queue: env.UPSTREAM_CALLER_QUEUE };
}

export function authFromEnv(env: Env): AuthConfig | undefined {
  if (!env.AUTH_JWKS_URL && !env.AUTH_JWKS_FILE) return undefined;
  if (!env.AUTH_ISSUER) throw new ConfigError('AUTH_ISSUER must be set when AUTH_JWKS_URL or AUTH_JWKS_FILE is set');
  if (!env.AUTH_AUDIENCE)
    throw new ConfigError('AUTH_AUDIENCE must be set when AUTH_JWKS_URL or AUTH_JWKS_FILE is set');
  return {
    jwksUrl: env.AUTH_JWKS_URL,
    jwksFile: env.AUTH_JWKS_FILE,
    issuer: env.AUTH_ISSUER,
    audience: env.AUTH_AUDIENCE,
  };
}

export function readFileOrFail(variable: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    throw new ConfigError(`${variable}: cannot read file ${path}`);
  }
}
