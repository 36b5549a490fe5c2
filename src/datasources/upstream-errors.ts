import { UpstreamError, type Upstream, type UpstreamErrorDetails } from '../errors';
import { UNREADABLE_BODY } from './http-transport';

/**
 * Helpers for UpstreamClient: Retry-After parsing, transport-error classification, error-id extraction and the
 * mapping to UpstreamError. Kept apart from http.ts so the client stays about control flow.
 */

/** Error classes used as the `code` label of `upstream_requests_total` when no HTTP status arrived. */
export type TransportErrorKind = 'connect' | 'reset' | 'timeout' | 'deadline' | 'too_large' | 'network';

/** Statuses that say "try again later" and are retried for idempotent requests. */
const RETRYABLE_STATUSES = new Set([429, 502, 503, 504]);

/** `Retry-After` (delay-seconds or HTTP-date, RFC 9110 §10.2.3) → milliseconds from now; undefined if absent/invalid. */
export function parseRetryAfter(value: string | undefined, nowMs: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

/** Milliseconds → whole seconds for `extensions.retryAfter` (rounded up so callers never retry too early). */
export function retryAfterSeconds(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : Math.ceil(ms / 1000);
}

/**
 * One failed attempt, thrown inside the cockatiel pipeline so the retry and breaker filters can look at it.
 * Never leaves UpstreamClient: it is mapped to an UpstreamError at the end.
 */
export class AttemptFailure extends Error {
  constructor(
    readonly kind: TransportErrorKind | 'status',
    readonly info: {
      status?: number;
      body?: unknown;
      retryAfterMs?: number;
      /** False only when we know no byte of the request reached the upstream (e.g. ECONNREFUSED). */
      mayHaveReachedUpstream: boolean;
    },
  ) {
    super(kind === 'status' ? `upstream answered HTTP ${info.status}` : `upstream attempt failed: ${kind}`);
    this.name = 'AttemptFailure';
  }

  /** Set by the client when this failure is to be retried: the longest wait that still leaves time for an attempt. */
  retryWaitLimitMs?: number;

  /** Counts toward the circuit breaker: the upstream looks unhealthy (5xx, no answer). 4xx answers never count. */
  get countsForBreaker(): boolean {
    if (this.kind === 'status') return (this.info.status ?? 0) >= 500;
    if (this.kind === 'deadline') return this.info.mayHaveReachedUpstream;
    return this.kind !== 'too_large';
  }

  /** Worth another attempt, if the request may be repeated at all. */
  get retryable(): boolean {
    if (this.kind === 'status') return RETRYABLE_STATUSES.has(this.info.status ?? 0);
    return this.kind === 'connect' || this.kind === 'reset' || this.kind === 'timeout';
  }
}

export function isTransientStatus(status: number): boolean {
  return status >= 500 || status === 429;
}

/** Nothing was sent: the connection was never made. */
const CONNECT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
]);
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ERR_STREAM_PREMATURE_CLOSE', 'UND_ERR_SOCKET']);
/** undici's per-attempt timeouts: no headers in time, or the body stalled. */
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);
/** The answer came but could not be taken: over the size limit, or a compressed body that does not decode. */
const UNREADABLE_CODES = new Set(['UND_ERR_RES_EXCEEDED_MAX_SIZE', UNREADABLE_BODY]);

/**
 * Classifies a transport error of one attempt (undici's or Node's error codes). An abort can only come from the
 * call's deadline, which is final; undici's own headers/body timeouts are per attempt and retryable.
 */
export function classifyTransportError(err: unknown, deadline: AbortSignal): AttemptFailure {
  const code = (err as { code?: unknown } | undefined)?.code;
  const causeCode = (err as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  const has = (codes: Set<string>) =>
    (typeof code === 'string' && codes.has(code)) || (typeof causeCode === 'string' && codes.has(causeCode));

  if (has(CONNECT_CODES)) return new AttemptFailure('connect', { mayHaveReachedUpstream: false });
  // Whether the aborted exchange had left the pool is not known, so assume it may have.
  if (deadline.aborted) return new AttemptFailure('deadline', { mayHaveReachedUpstream: true });
  if (has(TIMEOUT_CODES)) return new AttemptFailure('timeout', { mayHaveReachedUpstream: true });
  if (has(RESET_CODES)) return new AttemptFailure('reset', { mayHaveReachedUpstream: true });
  // The request was processed; its answer is refused.
  if (has(UNREADABLE_CODES)) return new AttemptFailure('too_large', { mayHaveReachedUpstream: true });
  return new AttemptFailure('network', { mayHaveReachedUpstream: true });
}

/**
 * Fiks `errorId` or SVV `svvguid`, at the top level or nested (Fiks wraps SVV errors in `errorJson`). Looks a few
 * levels deep only, and accepts only short id-like strings, so nothing else from the body is ever surfaced.
 */
export function extractUpstreamErrorId(body: unknown): string | undefined {
  const parsed = typeof body === 'string' ? tryParseJson(body) : body;
  return findId(parsed, 0);
}

function findId(value: unknown, depth: number): string | undefined {
  if (depth > 4 || value === null || typeof value !== 'object') return undefined;
  if (Array.isArray(value)) {
    for (const item of value.slice(0, 20)) {
      const id = findId(item, depth + 1);
      if (id) return id;
    }
    return undefined;
  }
  const record = value as Record<string, unknown>;
  for (const key of ['errorId', 'svvguid', 'svvGuid']) {
    const candidate = record[key];
    if (typeof candidate === 'string' && /^[A-Za-z0-9._:-]{1,100}$/.test(candidate)) return candidate;
  }
  for (const nested of Object.values(record)) {
    const id =
      typeof nested === 'string' && depth < 2 ? findId(tryParseJson(nested), depth + 1) : findId(nested, depth + 1);
    if (id) return id;
  }
  return undefined;
}

function tryParseJson(text: string): unknown {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return undefined;
  try {
    return JSON.parse(trimmed) as unknown;
  } catch {
    return undefined;
  }
}

const UPSTREAM_NAMES: Record<Upstream, string> = {
  fiks: 'Fiks Kjøretøyregister',
  ecoc: 'SVV eCoC',
  maskinporten: 'Maskinporten',
};

export function upstreamName(upstream: Upstream): string {
  return UPSTREAM_NAMES[upstream];
}

/**
 * Maps a final HTTP answer that is an error to an UpstreamError. The message is ours and names only the route
 * label and status; the body contributes nothing but the error id.
 */
export function errorFromStatus(
  upstream: Upstream,
  route: string,
  status: number,
  body: unknown,
  retryAfterMs: number | undefined,
): UpstreamError {
  const name = upstreamName(upstream);
  const details: UpstreamErrorDetails = {
    upstream,
    status,
    upstreamErrorId: extractUpstreamErrorId(body),
    // An HTTP answer means the upstream saw the request; whether it acted on it is the caller's concern.
    mayHaveReachedUpstream: true,
  };
  if (status === 422 && retryAfterMs !== undefined) {
    return new UpstreamError('UPSTREAM_QUOTA_EXCEEDED', `${name} quota exceeded (${route})`, {
      ...details,
      retryAfter: retryAfterSeconds(retryAfterMs),
    });
  }
  if (isTransientStatus(status)) {
    return new UpstreamError('UPSTREAM_UNAVAILABLE', `${name} is unavailable (${route}: HTTP ${status})`, {
      ...details,
      retryAfter: retryAfterSeconds(retryAfterMs),
    });
  }
  if (status >= 400) {
    return new UpstreamError('UPSTREAM_REJECTED', `${name} rejected the request (${route}: HTTP ${status})`, details);
  }
  // 1xx/3xx (redirects are not followed: they could carry the bearer token elsewhere), or a 2xx whose body is not the
  // documented answer.
  return new UpstreamError(
    'UPSTREAM_UNAVAILABLE',
    `${name} gave an unexpected answer (${route}: HTTP ${status})`,
    details,
  );
}

const TRANSPORT_MESSAGES: Record<TransportErrorKind, string> = {
  connect: 'could not be reached',
  reset: 'closed the connection',
  timeout: 'did not answer in time',
  deadline: 'did not answer before the deadline',
  too_large: 'sent a response that was too large or unreadable',
  network: 'failed at the network level',
};

/** `reachedBefore`: an earlier attempt of the same request may already have reached the upstream. */
export function errorFromFailure(
  upstream: Upstream,
  route: string,
  failure: AttemptFailure,
  reachedBefore = false,
): UpstreamError {
  if (failure.kind === 'status') {
    return errorFromStatus(upstream, route, failure.info.status ?? 0, failure.info.body, failure.info.retryAfterMs);
  }
  return new UpstreamError(
    'UPSTREAM_UNAVAILABLE',
    `${upstreamName(upstream)} ${TRANSPORT_MESSAGES[failure.kind]} (${route})`,
    {
      upstream,
      mayHaveReachedUpstream: reachedBefore || failure.info.mayHaveReachedUpstream,
    },
  );
}
