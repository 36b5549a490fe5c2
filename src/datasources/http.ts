import { performance } from 'node:perf_hooks';
import {
  BulkheadPolicy,
  CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  RetryPolicy,
  TimeoutPolicy,
  TimeoutStrategy,
  bulkhead,
  circuitBreaker,
  fullJitterGenerator,
  handleWhen,
  BrokenCircuitError,
  BulkheadRejectedError,
  IsolatedCircuitError,
  TaskCancelledError,
  retry,
  timeout,
  type IBackoff,
  type IBackoffFactory,
  type IRetryBackoffContext,
} from 'cockatiel';
import type { ResilienceConfig } from '../config';
import { UpstreamError, isUpstreamError, type Upstream } from '../errors';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import { HttpTransport, queryString, type HttpTransportResponse } from './http-transport';
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
 * Pipeline per request: deadline (cockatiel timeout, the call's one AbortSignal) ⟶ bulkhead ⟶ (401 refresh loop)
 * ⟶ retry ⟶ breaker ⟶ one HTTP exchange (undici, per-attempt timeout as its headers/body timeouts).
 * Every policy is built once per client; per request there is one signal, one timer and the policies' own promises.
 */
export class UpstreamClient {
  private readonly upstream: Upstream;
  private readonly scope: string;
  private readonly tokens: TokenSource;
  /** The whole call's deadline, retries and waits included. */
  readonly deadlineMs: number;
  private readonly metrics: Metrics;
  private readonly logger: Logger;
  private readonly transport: HttpTransport;
  private readonly deadline: TimeoutPolicy;
  private readonly bulkhead: BulkheadPolicy;
  private readonly retry: RetryPolicy;
  private readonly breaker: CircuitBreakerPolicy;

  constructor(opts: UpstreamClientOptions) {
    this.upstream = opts.upstream;
    this.scope = opts.scope;
    this.tokens = opts.tokens;
    const attemptTimeoutMs = opts.timeoutMs ?? opts.resilience.attemptTimeoutMs;
    // A per-client override (eCoC: slow submissions) must not be cut short by the lookup deadline.
    this.deadlineMs =
      opts.timeoutMs !== undefined ? Math.max(opts.resilience.deadlineMs, opts.timeoutMs) : opts.resilience.deadlineMs;
    this.metrics = opts.metrics;
    this.logger = opts.logger;

    // Sockets sized to the bulkhead, so a request admitted by the bulkhead never queues inside the pool.
    this.transport = new HttpTransport({
      baseURL: opts.baseURL,
      connections: opts.resilience.bulkheadLimit,
      attemptTimeoutMs,
      maxResponseBytes: MAX_RESPONSE_BYTES,
      headers: opts.headers,
    });

    // Aggressive: the caller gets its answer at the deadline even while a bulkhead slot or a token is awaited.
    this.deadline = timeout(this.deadlineMs, { strategy: TimeoutStrategy.Aggressive, abortOnReturn: false });
    this.bulkhead = bulkhead(opts.resilience.bulkheadLimit, opts.resilience.bulkheadQueue);
    // Whether and how long to wait is decided where the failure is known (see `attempt`) and carried on it.
    this.retry = retry(
      handleWhen((e) => e instanceof AttemptFailure && e.retryWaitLimitMs !== undefined),
      { maxAttempts: Math.min(2, Math.max(0, opts.resilience.maxRetries)), backoff: deadlineAwareBackoff() },
    );
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
  }

  breakerState(): BreakerStateName {
    return breakerStateName(this.breaker.state);
  }

  /** Throws UpstreamError; returns 2xx answers and statuses accepted by `req.acceptStatus`. */
  async request<T>(req: UpstreamRequest): Promise<UpstreamResponse<T>> {
    const state: RequestState = {
      deadlineAt: performance.now() + this.deadlineMs,
      path: req.path + queryString(req.params),
      // Serialised once, not per attempt.
      body: req.data === undefined ? undefined : JSON.stringify(req.data),
      inFlight: false,
      reached: false,
      attempts: 0,
    };
    if (state.body !== undefined && Buffer.byteLength(state.body) > MAX_REQUEST_BYTES) {
      throw this.fail(
        req,
        new UpstreamError(
          'UPSTREAM_REJECTED',
          `${upstreamName(this.upstream)} request too large to send (${req.route})`,
          {
            upstream: this.upstream,
            mayHaveReachedUpstream: false,
          },
        ),
      );
    }
    let response: HttpTransportResponse;
    try {
      response = await this.deadline.execute(({ signal }) =>
        this.bulkhead.execute(() => this.withTokenRefresh(req, state, signal), signal),
      );
    } catch (err) {
      throw this.fail(req, this.toUpstreamError(req, err, state));
    }
    return this.toResult<T>(req, response);
  }

  /** Destroys the keep-alive sockets. */
  close(): void {
    this.transport.close();
  }

  /** 401 → drop the token, fetch a fresh one and go again, at most once per request (the gateway answered
   *  before processing, so this is safe even for POST). */
  private async withTokenRefresh(
    req: UpstreamRequest,
    state: RequestState,
    deadline: AbortSignal,
  ): Promise<HttpTransportResponse> {
    let refreshed = false;
    for (;;) {
      const token = await this.getToken();
      const response = await this.retry.execute(
        () => this.breaker.execute(() => this.attempt(req, token, state, deadline)),
        deadline,
      );
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

  /** One HTTP exchange. Throws AttemptFailure for transient outcomes; returns every other answer. */
  private async attempt(
    req: UpstreamRequest,
    token: string,
    state: RequestState,
    deadline: AbortSignal,
  ): Promise<HttpTransportResponse> {
    const attemptNo = ++state.attempts;
    const started = performance.now();
    // Nothing sent, nothing to count: the deadline ran out while waiting (backoff, token).
    if (deadline.aborted) throw new AttemptFailure('deadline', { mayHaveReachedUpstream: false });
    let response: HttpTransportResponse;
    state.inFlight = true;
    try {
      response = await this.transport.send({
        method: req.method,
        path: state.path,
        headers: req.headers
          ? ['authorization', `Bearer ${token}`, ...Object.entries(req.headers).flat()]
          : ['authorization', `Bearer ${token}`],
        body: state.body,
        signal: deadline,
      });
    } catch (err) {
      const failure = classifyTransportError(err, deadline);
      state.inFlight = false;
      state.reached ||= failure.info.mayHaveReachedUpstream;
      this.recordAttempt(req.route, failure.kind, undefined, started, attemptNo);
      throw this.withRetryDecision(req, failure, state);
    }
    state.inFlight = false;
    state.reached = true;
    this.recordAttempt(req.route, String(response.status), response.status, started, attemptNo);

    if (isTransientStatus(response.status) && !req.acceptStatus?.(response.status)) {
      const failure = new AttemptFailure('status', {
        status: response.status,
        body: response.data,
        retryAfterMs: parseRetryAfter(headerValue(response, 'retry-after')),
        mayHaveReachedUpstream: true,
      });
      throw this.withRetryDecision(req, failure, state);
    }
    return response;
  }

  /**
   * Marks a failure as worth retrying, with the longest wait that still leaves time for an attempt: only transient
   * failures, never a non-idempotent request that may have been sent, and never when Retry-After does not fit.
   */
  private withRetryDecision(req: UpstreamRequest, failure: AttemptFailure, state: RequestState): AttemptFailure {
    if (!failure.retryable) return failure;
    // Non-idempotent requests are retried only when nothing can have been sent (connection refused).
    if (!req.idempotent && failure.info.mayHaveReachedUpstream) return failure;
    const waitLimit = state.deadlineAt - performance.now() - MIN_ATTEMPT_MS;
    if (waitLimit - (failure.info.retryAfterMs ?? 0) < 0) return failure;
    failure.retryWaitLimitMs = waitLimit;
    return failure;
  }

  /** `code` is the HTTP status or the error class ('timeout', 'reset', 'connect', ...). */
  private recordAttempt(
    route: string,
    code: string,
    status: number | undefined,
    started: number,
    attempt: number,
  ): void {
    const ms = performance.now() - started;
    this.metrics.upstreamCalls.inc({ upstream: this.upstream, route, code });
    this.metrics.upstreamDuration.observe({ upstream: this.upstream, route }, ms / 1000);
    if (this.logger.isLevelEnabled('debug')) {
      this.logger.debug(
        { upstream: this.upstream, route, status, code, ms: Math.round(ms), attempt },
        'upstream attempt',
      );
    }
  }

  private toResult<T>(req: UpstreamRequest, response: HttpTransportResponse): UpstreamResponse<T> {
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
    if (err instanceof TaskCancelledError) {
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
  /** performance.now() at which the deadline fires. */
  deadlineAt: number;
  /** Path with query string, and the serialised body: the same for every attempt. */
  path: string;
  body: string | undefined;
  /** An HTTP attempt is under way (its body may be on the wire). */
  inFlight: boolean;
  /** Some attempt may have reached the upstream (any answer, or a failure after connecting). */
  reached: boolean;
  attempts: number;
}

/**
 * Full-jitter exponential backoff (cockatiel), raised to the upstream's Retry-After when it sent one, and capped
 * so the wait never eats the time the next attempt needs (the retry decision already refused impossible waits).
 */
function deadlineAwareBackoff(): IBackoffFactory<IRetryBackoffContext<unknown>> {
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
    const limit = failure instanceof AttemptFailure ? (failure.retryWaitLimitMs ?? 0) : 0;
    const duration = Math.max(0, Math.min(Math.max(inner.duration, retryAfterMs), limit));
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

function headerValue(response: HttpTransportResponse, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

function plainHeaders(response: HttpTransportResponse): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const key of Object.keys(response.headers)) out[key] = headerValue(response, key);
  return out;
}
