import { readFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * Environment → typed, validated configuration. Fails fast with a message that names the variable.
 * Upstream settings left unset mean "use the embedded emulator" (see index.ts); in production that is refused.
 */

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const url = z.url();
const uuid = z.uuid();
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
  FIKS_BULK_MAX_BATCH: int(1, 1000).default(50),
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
  /** When set, every request must carry this value in the `router-authorization` header. */
  ROUTER_SECRET: z.string().min(16).optional(),
  CORS_ORIGINS: list.optional(),
  BODY_LIMIT: z.string().default('3mb'),
  MAX_IDENTIFIERS_PER_OPERATION: int(1, 10000).default(200),

  EMULATOR_PORT: int(0, 65535).default(4010),
  EMULATOR_HOST: z.string().default('127.0.0.1'),
  EMULATOR_SEED: int(0, 2 ** 31 - 1).default(20261123),
  EMULATOR_VEHICLES: int(10, 1_000_000).default(3000),
  EMULATOR_LATENCY_MS: int(0, 60000).default(0),
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
  /** PKCS#8 or PKCS#1 PEM of the signing key (read from MASKINPORTEN_KEY_FILE, a P12 file, or generated for the emulator). */
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
  emulator: { port: number; host: string; seed: number; vehicles: number; latencyMs: number };
  /** True when the upstreams are the embedded emulator (synthetic data). */
  usesEmulator: boolean;
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
  const required: (keyof Env)[] = [
    'FIKS_BASE_URL',
    'FIKS_ORG_ID',
    'FIKS_INTEGRATION_ID',
    'FIKS_INTEGRATION_PASSWORD',
    'ECOC_BASE_URL',
    'MASKINPORTEN_TOKEN_URL',
    'MASKINPORTEN_AUDIENCE',
    'MASKINPORTEN_CLIENT_ID',
    'AUTH_ISSUER',
    'AUTH_AUDIENCE',
  ];
  for (const name of required) {
    if (env[name] === undefined) throw new ConfigError(`NODE_ENV=production requires ${name} to be set`);
  }
  if (!env.AUTH_JWKS_URL && !env.AUTH_JWKS_FILE) {
    throw new ConfigError('NODE_ENV=production requires AUTH_JWKS_URL or AUTH_JWKS_FILE to be set');
  }
  if (!env.MASKINPORTEN_KEY_FILE && !env.MASKINPORTEN_P12_FILE) {
    throw new ConfigError('NODE_ENV=production requires MASKINPORTEN_KEY_FILE or MASKINPORTEN_P12_FILE to be set');
  }
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
