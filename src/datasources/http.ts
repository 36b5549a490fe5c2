import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import {
  BulkheadPolicy,
  CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  bulkhead,
  circuitBreaker,
  fullJitterGenerator,
  handleWhen,
  BrokenCircuitError,
  BulkheadRejectedError,
  IsolatedCircuitError,
  TaskCancelledError,
  retry,
  type IBackoff,
  type IBackoffFactory,
  type IRetryBackoffContext,
} from 'cockatiel';
import type { ResilienceConfig } from '../config';
import { UpstreamError, isUpstreamError, type Upstream } from '../errors';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import type { TokenSource } from './maskinporten/types';
import {
  AttemptFailure,
  classifyTransportError,
  errorFromFailure,
  errorFromStatus,
  isTransientStatus,
  parseRetryAfter,
  upstreamName,
} from './upstream-errors';

export type { TokenSource } from './maskinporten/types';

export interface UpstreamRequest {
  method: 'GET' | 'POST' | 'DELETE';
  /** Path relative to baseURL. */
  path: string;
  data?: unknown;
  params?: Record<string, string | number | boolean | undefined>;
  /** Metrics/error label, e.g. 'bulk/kjennemerke'. Never contains identifiers. */
  route: string;
  /** false: never retried once the body may have been sent. */
  idempotent: boolean;
  /** Statuses returned as data instead of thrown. */
  acceptStatus?: (status: number) => boolean;
  headers?: Record<string, string>;
}

export interface UpstreamResponse<T> {
  status: number;
  data: T;
  headers: Record<string, string | undefined>;
}

export interface UpstreamClientOptions {
  upstream: Upstream;
  baseURL: string;
  scope: string;
  tokens: TokenSource;
  resilience: ResilienceConfig;
  /** Sent on every call (Fiks: IntegrasjonId / IntegrasjonPassord). */
  headers?: Record<string, string>;
  /** Per-attempt timeout override (eCoC submissions are slow); the deadline is raised to at least this. */
  timeoutMs?: number;
  metrics: Metrics;
  logger: Logger;
}

export type BreakerStateName = 'closed' | 'half-open' | 'open' | 'isolated';

const MAX_RESPONSE_BYTES = 10 * 1024 * 1024;
const MAX_REQUEST_BYTES = 4 * 1024 * 1024;
/** Idle keep-alive sockets are closed before typical upstream keep-alive timeouts (5 s) to avoid reuse races. */
const FREE_SOCKET_TIMEOUT_MS = 4000;
/** Backoff: full jitter, rand(0, min(2 s, 100 ms · 2^n)) (AWS "Exponential Backoff and Jitter"). */
const BACKOFF_INITIAL_MS = 100;
const BACKOFF_MAX_MS = 2000;
/** A retry that cannot get at least this much time before the deadline is not worth starting. */
const MIN_ATTEMPT_MS = 50;

const BREAKER_GAUGE: Record<BreakerStateName, number> = { closed: 0, 'half-open': 1, open: 2, isolated: 3 };

/**
 * The shared HTTP client for one upstream (one instance per upstream per process: the breaker, the bulkhead and
 * the keep-alive sockets are shared by all requests). Adds the Maskinporten bearer token and static headers,
 * enforces a per-attempt timeout inside an overall deadline, retries idempotent calls on transient failures,
 * refreshes the token once on 401, and maps every failure to an UpstreamError.
 *
 * Pipeline per request: deadline race ⟶ bulkhead ⟶ (401 refresh loop) ⟶ retry ⟶ breaker ⟶ one axios attempt.
 */
export class UpstreamClient {
  private readonly upstream: Upstream;
  private readonly scope: string;
  private readonly tokens: TokenSource;
  private readonly resilience: ResilienceConfig;
  private readonly attemptTimeoutMs: number;
  private readonly deadlineMs: number;
  private readonly metrics: Metrics;
  private readonly logger: Logger;
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;
  private readonly http: AxiosInstance;
  private readonly breaker: CircuitBreakerPolicy;
  private readonly bulkhead: BulkheadPolicy;

  constructor(opts: UpstreamClientOptions) {
    this.upstream = opts.upstream;
    this.scope = opts.scope;
    this.tokens = opts.tokens;
    this.resilience = opts.resilience;
    this.attemptTimeoutMs = opts.timeoutMs ?? opts.resilience.attemptTimeoutMs;
    // A per-client override (eCoC: slow submissions) must not be cut short by the lookup deadline.
    this.deadlineMs =
      opts.timeoutMs !== undefined ? Math.max(opts.resilience.deadlineMs, opts.timeoutMs) : opts.resilience.deadlineMs;
    this.metrics = opts.metrics;
    this.logger = opts.logger;

    // Sockets sized to the bulkhead, so a request admitted by the bulkhead never queues inside the agent.
    const agentOptions = {
      keepAlive: true,
      maxSockets: opts.resilience.bulkheadLimit,
      maxFreeSockets: opts.resilience.bulkheadLimit,
      timeout: FREE_SOCKET_TIMEOUT_MS,
    };
    this.httpAgent = new http.Agent(agentOptions);
    this.httpsAgent = new https.Agent(agentOptions);
    this.http = axios.create({
      baseURL: opts.baseURL,
      httpAgent: this.httpAgent,
      httpsAgent: this.httpsAgent,
      timeout: this.attemptTimeoutMs,
      maxContentLength: MAX_RESPONSE_BYTES,
      maxBodyLength: MAX_REQUEST_BYTES,
      // Redirects are not followed: they could carry the bearer token and integration password elsewhere.
      maxRedirects: 0,
      decompress: true,
      validateStatus: () => true,
      transitional: { clarifyTimeoutError: true, silentJSONParsing: true, forcedJSONParsing: true },
      headers: { Accept: 'application/json', ...opts.headers },
    });

    this.breaker = circuitBreaker(
      handleWhen((e) => e instanceof AttemptFailure && e.countsForBreaker),
      {
        halfOpenAfter: opts.resilience.breakerHalfOpenMs,
        breaker: new ConsecutiveBreaker(opts.resilience.breakerThreshold),
      },
    );
    this.metrics.breakerState.set({ upstream: this.upstream }, BREAKER_GAUGE.closed);
    this.breaker.onStateChange((state) => {
      const name = breakerStateName(state);
      this.metrics.breakerState.set({ upstream: this.upstream }, BREAKER_GAUGE[name]);
      this.logger.warn({ upstream: this.upstream, breaker: name }, 'upstream circuit breaker state changed');
    });

    this.bulkhead = bulkhead(opts.resilience.bulkheadLimit, opts.resilience.bulkheadQueue);
  }

  breakerState(): BreakerStateName {
    return breakerStateName(this.breaker.state);
  }

  /** Throws UpstreamError; returns 2xx answers and statuses accepted by `req.acceptStatus`. */
  async request<T>(req: UpstreamRequest): Promise<UpstreamResponse<T>> {
    const deadlineAt = performance.now() + this.deadlineMs;
    const deadline = AbortSignal.timeout(this.deadlineMs);
    const state: RequestState = { inFlight: false, reached: false, attempts: 0 };
    let response: AxiosResponse;
    try {
      response = await raceDeadline(
        this.bulkhead.execute(() => this.withTokenRefresh(req, state, deadline, deadlineAt), deadline),
        deadline,
      );
    } catch (err) {
      throw this.fail(req, this.toUpstreamError(req, err, state));
    }
    return this.toResult<T>(req, response);
  }

  /** Destroys the keep-alive sockets. */
  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  /** 401 → drop the token, fetch a fresh one and go again, at most once per request (the gateway answered
   *  before processing, so this is safe even for POST). */
  private async withTokenRefresh(
    req: UpstreamRequest,
    state: RequestState,
    deadline: AbortSignal,
    deadlineAt: number,
  ): Promise<AxiosResponse> {
    let refreshed = false;
    for (;;) {
      const token = await this.getToken();
      const response = await this.withRetries(req, token, state, deadline, deadlineAt);
      if (response.status === 401 && !refreshed && !req.acceptStatus?.(401) && !deadline.aborted) {
        this.tokens.invalidate(this.scope, token);
        refreshed = true;
        this.logger.debug({ upstream: this.upstream, route: req.route }, 'upstream returned 401, refreshing token');
        continue;
      }
      return response;
    }
  }

  private async getToken(): Promise<string> {
    try {
      return await this.tokens.getToken(this.scope);
    } catch (err) {
      // Nothing was sent to the upstream; keep Maskinporten's classification but say so.
      if (isUpstreamError(err)) {
        throw new UpstreamError(err.code, err.message, { ...err.details, mayHaveReachedUpstream: false });
      }
      throw new UpstreamError('UPSTREAM_UNAVAILABLE', 'Could not obtain an access token', {
        upstream: 'maskinporten',
        mayHaveReachedUpstream: false,
      });
    }
  }

  private withRetries(
    req: UpstreamRequest,
    token: string,
    state: RequestState,
    deadline: AbortSignal,
    deadlineAt: number,
  ): Promise<AxiosResponse> {
    const remaining = () => deadlineAt - performance.now();
    const policy = retry(
      handleWhen((e) => {
        if (!(e instanceof AttemptFailure) || !e.retryable) return false;
        // Non-idempotent requests are retried only when nothing can have been sent (connection refused).
        if (!req.idempotent && e.info.mayHaveReachedUpstream) return false;
        // Honour Retry-After only if waiting still leaves time for an attempt; otherwise fail now.
        const wait = e.info.retryAfterMs ?? 0;
        return remaining() - wait >= MIN_ATTEMPT_MS;
      }),
      { maxAttempts: Math.min(2, Math.max(0, this.resilience.maxRetries)), backoff: deadlineAwareBackoff(remaining) },
    );
    return policy.execute(
      () => this.breaker.execute(() => this.attempt(req, token, state, deadline, deadlineAt)),
      deadline,
    );
  }

  /** One HTTP exchange. Throws AttemptFailure for transient outcomes; returns every other answer. */
  private async attempt(
    req: UpstreamRequest,
    token: string,
    state: RequestState,
    deadline: AbortSignal,
    deadlineAt: number,
  ): Promise<AxiosResponse> {
    const attemptNo = ++state.attempts;
    const attemptMs = Math.max(1, Math.min(this.attemptTimeoutMs, Math.floor(deadlineAt - performance.now())));
    const attemptSignal = AbortSignal.timeout(attemptMs);
    const started = performance.now();
    const labels = { upstream: this.upstream, route: req.route };
    // Nothing sent, nothing to count: the deadline ran out while waiting (backoff, token).
    if (deadline.aborted) throw new AttemptFailure('deadline', { mayHaveReachedUpstream: false });
    let response: AxiosResponse;
    state.inFlight = true;
    try {
      response = await this.http.request({
        method: req.method,
        url: req.path,
        data: req.data,
        params: req.params,
        headers: { ...req.headers, Authorization: `Bearer ${token}` },
        timeout: attemptMs,
        signal: AbortSignal.any([deadline, attemptSignal]),
      });
    } catch (err) {
      const failure = classifyTransportError(err, { attempt: attemptSignal, deadline });
      state.inFlight = false;
      state.reached ||= failure.info.mayHaveReachedUpstream;
      this.recordAttempt(labels, failure.kind, started, attemptNo);
      throw failure;
    }
    state.inFlight = false;
    state.reached = true;
    this.recordAttempt(labels, String(response.status), started, attemptNo);

    if (isTransientStatus(response.status) && !req.acceptStatus?.(response.status)) {
      throw new AttemptFailure('status', {
        status: response.status,
        body: response.data,
        retryAfterMs: parseRetryAfter(headerValue(response, 'retry-after')),
        mayHaveReachedUpstream: true,
      });
    }
    return response;
  }

  /** `code` is the HTTP status or the error class ('timeout', 'reset', 'connect', ...). */
  private recordAttempt(
    labels: { upstream: string; route: string },
    code: string,
    started: number,
    attempt: number,
  ): void {
    const ms = performance.now() - started;
    this.metrics.upstreamCalls.inc({ ...labels, code });
    this.metrics.upstreamDuration.observe(labels, ms / 1000);
    const status = /^\d{3}$/.test(code) ? Number(code) : undefined;
    this.logger.debug({ ...labels, status, code, ms: Math.round(ms), attempt }, 'upstream attempt');
  }

  private toResult<T>(req: UpstreamRequest, response: AxiosResponse): UpstreamResponse<T> {
    const { status } = response;
    const ok = (status >= 200 && status < 300) || req.acceptStatus?.(status) === true;
    if (!ok) {
      const retryAfterMs = parseRetryAfter(headerValue(response, 'retry-after'));
      throw this.fail(req, errorFromStatus(this.upstream, req.route, status, response.data, retryAfterMs));
    }
    return {
      status,
      data: (status === 204 ? undefined : response.data) as T,
      headers: plainHeaders(response),
    };
  }

  private toUpstreamError(req: UpstreamRequest, err: unknown, state: RequestState): UpstreamError {
    const name = upstreamName(this.upstream);
    if (isUpstreamError(err)) return err;
    if (err instanceof AttemptFailure) return errorFromFailure(this.upstream, req.route, err, state.reached);
    // instanceof, not cockatiel's is*Error helpers: in 3.2.1 isIsolatedCircuitError/isTaskCancelledError test the
    // bulkhead's marker property and so misclassify bulkhead rejections.
    if (err instanceof BrokenCircuitError || err instanceof IsolatedCircuitError) {
      return new UpstreamError('UPSTREAM_UNAVAILABLE', `${name} is unavailable (circuit open)`, {
        upstream: this.upstream,
        // An earlier attempt of this request may have got through before the breaker opened.
        mayHaveReachedUpstream: state.reached,
      });
    }
    if (err instanceof BulkheadRejectedError) {
      return new UpstreamError('UPSTREAM_UNAVAILABLE', `${name} is busy (too many concurrent requests)`, {
        upstream: this.upstream,
        mayHaveReachedUpstream: false,
      });
    }
    if (err instanceof DeadlineExceeded || err instanceof TaskCancelledError) {
      return new UpstreamError('UPSTREAM_UNAVAILABLE', `${name} did not answer before the deadline (${req.route})`, {
        upstream: this.upstream,
        mayHaveReachedUpstream: state.reached || state.inFlight,
      });
    }
    return new UpstreamError('UPSTREAM_UNAVAILABLE', `${name} request failed (${req.route})`, {
      upstream: this.upstream,
      mayHaveReachedUpstream: state.reached || state.inFlight,
    });
  }

  /** Final-failure bookkeeping: one metric and one warn line (route and code only). */
  private fail(req: UpstreamRequest, error: UpstreamError): UpstreamError {
    this.metrics.upstreamErrors.inc({ upstream: this.upstream, route: req.route, code: error.code });
    this.logger.warn(
      {
        upstream: this.upstream,
        route: req.route,
        code: error.code,
        status: error.details.status,
        via: error.details.upstream,
        upstreamErrorId: error.details.upstreamErrorId,
      },
      'upstream request failed',
    );
    return error;
  }
}

interface RequestState {
  /** An HTTP attempt is under way (its body may be on the wire). */
  inFlight: boolean;
  /** Some attempt may have reached the upstream (any answer, or a failure after connecting). */
  reached: boolean;
  attempts: number;
}

class DeadlineExceeded extends Error {
  constructor() {
    super('deadline exceeded');
    this.name = 'DeadlineExceeded';
  }
}

/** Rejects when the deadline fires even if the work (e.g. a bulkhead queue slot) is still pending. */
function raceDeadline<T>(work: Promise<T>, deadline: AbortSignal): Promise<T> {
  if (deadline.aborted) {
    work.catch(() => undefined);
    return Promise.reject(new DeadlineExceeded());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new DeadlineExceeded());
    deadline.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        deadline.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        deadline.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

/**
 * Full-jitter exponential backoff (cockatiel), raised to the upstream's Retry-After when it sent one, and capped
 * so the wait never eats the time the next attempt needs (the retry filter already refused impossible waits).
 */
function deadlineAwareBackoff(remaining: () => number): IBackoffFactory<IRetryBackoffContext<unknown>> {
  const base = new ExponentialBackoff({
    generator: fullJitterGenerator,
    initialDelay: BACKOFF_INITIAL_MS,
    maxDelay: BACKOFF_MAX_MS,
  });
  const wrap = (
    inner: IBackoff<unknown>,
    ctx: IRetryBackoffContext<unknown>,
  ): IBackoff<IRetryBackoffContext<unknown>> => {
    const failure = 'error' in ctx.result ? ctx.result.error : undefined;
    const retryAfterMs = failure instanceof AttemptFailure ? (failure.info.retryAfterMs ?? 0) : 0;
    const wanted = Math.max(inner.duration, retryAfterMs);
    const duration = Math.max(0, Math.min(wanted, remaining() - MIN_ATTEMPT_MS));
    return { duration, next: (next) => wrap(inner.next(next), next) };
  };
  return { next: (ctx) => wrap(base.next(), ctx) };
}

function breakerStateName(state: CircuitState): BreakerStateName {
  switch (state) {
    case CircuitState.Open:
      return 'open';
    case CircuitState.HalfOpen:
      return 'half-open';
    case CircuitState.Isolated:
      return 'isolated';
    default:
      return 'closed';
  }
}

function headerValue(response: AxiosResponse, name: string): string | undefined {
  const value: unknown = (response.headers as Record<string, unknown>)[name];
  if (Array.isArray(value)) return value.map(String).join(', ');
  return value === undefined || value === null ? undefined : String(value);
}

function plainHeaders(response: AxiosResponse): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const key of Object.keys(response.headers as object)) out[key.toLowerCase()] = headerValue(response, key);
  return out;
}
