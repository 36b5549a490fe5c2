import { createPrivateKey, randomUUID, type KeyObject } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { ExponentialBackoff, fullJitterGenerator, handleWhen, retry } from 'cockatiel';
import { SignJWT, type JWTHeaderParameters } from 'jose';
import { ConfigError, type MaskinportenConfig } from '../../config';
import { UpstreamError, isUpstreamError } from '../../errors';
import type { Logger } from '../../observability/logger';
import type { Metrics } from '../../observability/metrics';
import { HttpTransport, type HttpTransportResponse } from '../http-transport';
import type { TokenSource } from './types';

export interface MaskinportenProviderOptions {
  metrics: Metrics;
  logger: Logger;
  /** `resource` claim (audience restriction) per scope, only for APIs that ask for it (e.g. eCoC). */
  resources?: Record<string, string>;
  /** Timeout of one POST to the token endpoint. Default 5000 ms. */
  timeoutMs?: number;
  /** Extra attempts on 5xx/network errors (0–2). Default 1. */
  maxRetries?: number;
  /** Grant lifetime, exp − iat, in seconds. Default 60; Maskinporten refuses more than 120. */
  grantLifetimeSeconds?: number;
  /** Monotonic milliseconds, for token expiry (tests inject a fake). Default performance.now. */
  monotonicNow?: () => number;
}

interface CachedToken {
  token: string;
  /** Monotonic ms after which we fetch a new one. */
  refreshAt: number;
  /** Monotonic ms at which Maskinporten considers it expired. */
  expiresAt: number;
}

/** Defaults of one token request and of its retries; the readiness probe in deploy/ is sized by them. */
export const TOKEN_REQUEST_DEFAULTS = { timeoutMs: 5000, maxRetries: 1, maxBackoffMs: 500 } as const;

const GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const MAX_GRANT_LIFETIME_S = 120;
/** A token this close to its real expiry is not handed out even as a fallback. */
const FALLBACK_SAFETY_MS = 2000;
const MAX_DESCRIPTION_CHARS = 300;
const MAX_TOKEN_RESPONSE_BYTES = 256 * 1024;

/**
 * Maskinporten JWT-grant client (docs.digdir.no "JWT grant"): signs a fresh RS256 grant per request (new `jti`,
 * short `exp`), exchanges it at the token endpoint, and caches one access token per scope until shortly before
 * `expires_in`. Concurrent callers share one in-flight grant. The assertion, tokens and key never reach logs or errors.
 */
export class MaskinportenTokenProvider implements TokenSource {
  private readonly key: KeyObject;
  private readonly header: JWTHeaderParameters;
  /** The same HTTP stack as the upstream clients, with its own few sockets to the token endpoint. */
  private readonly http: HttpTransport;
  private readonly tokenPath: string;
  private readonly timeoutMs: number;
  private readonly cache = new Map<string, CachedToken>();
  private readonly inFlight = new Map<string, Promise<CachedToken>>();
  private readonly resources: Record<string, string>;
  private readonly maxRetries: number;
  private readonly grantLifetimeS: number;
  private readonly now: () => number;
  private readonly metrics: Metrics;
  private readonly logger: Logger;

  constructor(
    private readonly cfg: MaskinportenConfig,
    opts: MaskinportenProviderOptions,
  ) {
    this.key = parseSigningKey(cfg.privateKeyPem);
    // x5c (business certificate) wins over kid (pre-registered key): Maskinporten takes one or the other.
    this.header = cfg.x5c?.length
      ? { alg: 'RS256', x5c: cfg.x5c }
      : cfg.kid
        ? { alg: 'RS256', kid: cfg.kid }
        : { alg: 'RS256' };
    this.resources = opts.resources ?? {};
    this.maxRetries = Math.min(2, Math.max(0, opts.maxRetries ?? TOKEN_REQUEST_DEFAULTS.maxRetries));
    this.grantLifetimeS = Math.min(MAX_GRANT_LIFETIME_S, Math.max(1, opts.grantLifetimeSeconds ?? 60));
    this.now = opts.monotonicNow ?? (() => performance.now());
    this.metrics = opts.metrics;
    this.logger = opts.logger;
    this.timeoutMs = opts.timeoutMs ?? TOKEN_REQUEST_DEFAULTS.timeoutMs;
    const tokenUrl = new URL(cfg.tokenUrl);
    this.tokenPath = `${tokenUrl.pathname}${tokenUrl.search}`;
    this.http = new HttpTransport({
      baseURL: tokenUrl.origin,
      connections: 4,
      attemptTimeoutMs: this.timeoutMs,
      maxResponseBytes: MAX_TOKEN_RESPONSE_BYTES,
    });
  }

  async getToken(scope: string): Promise<string> {
    const cached = this.cache.get(scope);
    const now = this.now();
    if (cached && now < cached.refreshAt) return cached.token;
    try {
      return (await this.refresh(scope)).token;
    } catch (err) {
      // Refresh failed but the old token is still valid: keep serving it rather than failing requests.
      if (cached && this.now() < cached.expiresAt - FALLBACK_SAFETY_MS && this.cache.get(scope) === cached) {
        this.logger.warn({ scope }, 'Maskinporten token refresh failed; using the still-valid cached token');
        return cached.token;
      }
      throw err;
    }
  }

  invalidate(scope: string, token: string): void {
    // Only if it is still the same token: a concurrent request may already have fetched a fresh one.
    if (this.cache.get(scope)?.token === token) this.cache.delete(scope);
  }

  /** For readiness: can a token for `scope` be had now (from cache or a grant)? Never throws. */
  async canObtainToken(scope: string): Promise<boolean> {
    try {
      await this.getToken(scope);
      return true;
    } catch {
      return false;
    }
  }

  /** Destroys the token endpoint's keep-alive sockets. */
  close(): void {
    this.http.close();
  }

  /** Single flight: every caller that needs a new token for `scope` awaits the same grant. */
  private refresh(scope: string): Promise<CachedToken> {
    const pending = this.inFlight.get(scope);
    if (pending) return pending;
    const grant = this.grantWithRetries(scope)
      .then((entry) => {
        this.cache.set(scope, entry);
        return entry;
      })
      .finally(() => this.inFlight.delete(scope));
    this.inFlight.set(scope, grant);
    return grant;
  }

  private grantWithRetries(scope: string): Promise<CachedToken> {
    const policy = retry(
      handleWhen((e) => isUpstreamError(e) && e.code === 'UPSTREAM_UNAVAILABLE'),
      {
        maxAttempts: this.maxRetries,
        backoff: new ExponentialBackoff({
          generator: fullJitterGenerator,
          initialDelay: 100,
          maxDelay: TOKEN_REQUEST_DEFAULTS.maxBackoffMs,
        }),
      },
    );
    // Each attempt signs a new grant: a grant (its jti) cannot be reused, even after a failed exchange.
    return policy.execute(() => this.grantOnce(scope));
  }

  private async grantOnce(scope: string): Promise<CachedToken> {
    const assertion = await this.signGrant(scope);
    const started = this.now();
    let response: HttpTransportResponse;
    try {
      response = await this.http.send({
        method: 'POST',
        path: this.tokenPath,
        body: new URLSearchParams({ grant_type: GRANT_TYPE, assertion }).toString(),
        contentType: 'application/x-www-form-urlencoded',
        // A whole exchange, not only headers and body silences, must fit in the timeout (one grant per token).
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      // undici's codes (UND_ERR_…), Node's (ECONNREFUSED) or the abort's name (TimeoutError): never a message.
      const { code: errorCode, name } = err as { code?: unknown; name?: unknown };
      const code = typeof errorCode === 'string' ? errorCode : typeof name === 'string' ? name : 'network';
      throw this.failure(
        scope,
        'unavailable',
        started,
        { code },
        new UpstreamError('UPSTREAM_UNAVAILABLE', 'Maskinporten could not be reached', {
          upstream: 'maskinporten',
          mayHaveReachedUpstream: false,
        }),
      );
    }

    const { status } = response;
    const body = asRecord(response.data);
    if (status === 200 && typeof body?.access_token === 'string' && body.access_token !== '') {
      const expiresInS = Number(body.expires_in);
      if (Number.isFinite(expiresInS) && expiresInS > 0) {
        this.metrics.tokenGrants.inc({ scope, outcome: 'success' });
        this.logger.debug(
          { scope, expiresIn: expiresInS, ms: Math.round(this.now() - started) },
          'Maskinporten token granted',
        );
        return cacheEntry(body.access_token, expiresInS, started);
      }
    }
    if (status >= 400 && status < 500) {
      const error = cleanText(body?.error, [assertion]);
      const errorDescription = cleanText(body?.error_description, [assertion]);
      throw this.failure(
        scope,
        'rejected',
        started,
        { status, error },
        new UpstreamError(
          'UPSTREAM_REJECTED',
          `Maskinporten rejected the token request (HTTP ${status}${error ? `: ${error}` : ''})`,
          { upstream: 'maskinporten', status, error, errorDescription, mayHaveReachedUpstream: false },
        ),
      );
    }
    throw this.failure(
      scope,
      'unavailable',
      started,
      { status },
      new UpstreamError(
        'UPSTREAM_UNAVAILABLE',
        status === 200
          ? 'Maskinporten returned an unusable token response'
          : `Maskinporten is unavailable (HTTP ${status})`,
        { upstream: 'maskinporten', status, mayHaveReachedUpstream: false },
      ),
    );
  }

  private failure(
    scope: string,
    outcome: 'rejected' | 'unavailable',
    started: number,
    fields: Record<string, unknown>,
    error: UpstreamError,
  ): UpstreamError {
    this.metrics.tokenGrants.inc({ scope, outcome });
    this.logger.warn(
      { scope, outcome, ms: Math.round(this.now() - started), ...fields },
      'Maskinporten token request failed',
    );
    return error;
  }

  /** The grant: exactly iss, aud, scope, iat, exp, jti (+ resource when configured). Any other claim → 400. */
  private signGrant(scope: string): Promise<string> {
    const iat = Math.floor(Date.now() / 1000);
    const resource = this.resources[scope];
    return new SignJWT(resource ? { scope, resource } : { scope })
      .setProtectedHeader(this.header)
      .setIssuer(this.cfg.clientId)
      .setAudience(this.cfg.audience)
      .setIssuedAt(iat)
      .setExpirationTime(iat + this.grantLifetimeS)
      .setJti(randomUUID())
      .sign(this.key);
  }
}

/** Refresh before expiry by max(10 s, 10% of the lifetime); very short lifetimes keep at least half of it. */
function cacheEntry(token: string, expiresInS: number, receivedAt: number): CachedToken {
  const lifetimeMs = expiresInS * 1000;
  const marginMs = Math.max(10_000, lifetimeMs * 0.1);
  const usableMs = lifetimeMs - marginMs > 0 ? lifetimeMs - marginMs : lifetimeMs / 2;
  // Measured from when the request was sent: the token cannot live longer than that.
  return { token, refreshAt: receivedAt + usableMs, expiresAt: receivedAt + lifetimeMs };
}

function parseSigningKey(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw new ConfigError('Maskinporten signing key: not a readable private key (PKCS#8 or PKCS#1 PEM expected)');
  }
  if (key.asymmetricKeyType !== 'rsa') {
    throw new ConfigError('Maskinporten signing key: an RSA key is required (RS256)');
  }
  return key;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value) as unknown;
    } catch {
      return undefined;
    }
  }
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/**
 * Maskinporten's error/error_description are short and useful for operators. Still: cap them, and strip anything
 * that looks like a JWT or equals a secret we sent, in case a proxy or emulator echoes the request.
 */
function cleanText(value: unknown, secrets: string[]): string | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  let text = value;
  for (const secret of secrets) text = text.split(secret).join('[redacted]');
  text = text.replace(/[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, '[redacted]');
  return text.length > MAX_DESCRIPTION_CHARS ? `${text.slice(0, MAX_DESCRIPTION_CHARS)}…` : text;
}
