import type { EventEmitter } from 'node:events';

/**
 * A thin, typed wrapper over autocannon's programmatic API (autocannon ships no types). Latencies are recorded from
 * autocannon's own per-response timing (`response` event, float milliseconds) rather than its HDR histogram, which
 * rounds to whole milliseconds and, for rate-limited runs, "corrects" coordinated omission with a 1 ms expected
 * interval (autocannon 9 divides 1 by a per-second rate), which would flood the histogram with synthetic samples.
 */

interface AutocannonRequest {
  method?: 'POST' | 'GET';
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  onResponse?: (status: number, body: string) => void;
}

interface AutocannonOptions {
  url: string;
  connections: number;
  pipelining?: number;
  duration?: number;
  amount?: number;
  overallRate?: number;
  timeout?: number;
  method?: 'POST' | 'GET';
  headers?: Record<string, string>;
  body?: string;
  requests?: AutocannonRequest[];
  ignoreCoordinatedOmission?: boolean;
}

interface AutocannonResult {
  duration: number;
  errors: number;
  timeouts: number;
  mismatches: number;
  non2xx: number;
  '2xx': number;
  requests: { total: number; average: number };
}

interface AutocannonInstance extends EventEmitter {
  stop(): void;
}

type Autocannon = (
  opts: AutocannonOptions,
  done: (err: Error | null, result: AutocannonResult) => void,
) => AutocannonInstance;

// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as Autocannon;

/** Keeps at most `max` samples (every response up to the cap), so a long run cannot grow memory without bound. */
export class LatencyRecorder {
  private readonly samples: Float64Array;
  private count = 0;

  constructor(max = 500_000) {
    this.samples = new Float64Array(max);
  }

  record(ms: number): void {
    if (this.count < this.samples.length) this.samples[this.count++] = ms;
  }

  get size(): number {
    return this.count;
  }

  /** Nearest-rank percentile in ms; NaN when empty. */
  percentile(p: number): number {
    if (this.count === 0) return Number.NaN;
    const sorted = this.samples.slice(0, this.count).sort();
    return percentileOfSorted(sorted, p);
  }

  merge(other: LatencyRecorder): void {
    for (let i = 0; i < other.count; i++) this.record(other.samples[i]);
  }
}

export function percentileOfSorted(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** A GraphQL response counts as failed when it is not JSON or has top-level `errors` or no `data`. */
export function isCleanGraphqlBody(body: string): boolean {
  try {
    const parsed = JSON.parse(body) as { data?: unknown; errors?: unknown };
    return parsed.errors === undefined && parsed.data != null;
  } catch {
    return false;
  }
}

export interface LoadSpec {
  /** Only 127.0.0.1 URLs of processes this bench started. */
  url: string;
  connections: number;
  /** Seconds (closed loop) unless `amount` is given. */
  duration?: number;
  amount?: number;
  /** Requests per second for this instance (fixed rate); must be a multiple of `connections`. */
  overallRate?: number;
  /** One body, or a cycle of bodies each connection goes through in order. */
  bodies: string[];
  /** Extra safety: the run is stopped this many seconds after it should have ended. */
  graceSeconds?: number;
}

export interface LoadResult {
  /** Responses received (any status). */
  responses: number;
  /** 2xx responses whose body was a clean GraphQL result. */
  ok: number;
  non2xx: number;
  /** Connection errors and timeouts. */
  socketErrors: number;
  /** 2xx responses with GraphQL errors (or no data). */
  graphqlErrors: number;
  /** non2xx + socketErrors + graphqlErrors: every request that did not get a clean answer. */
  failed: number;
  /** Wall time of the run in seconds. */
  seconds: number;
  latency: LatencyRecorder;
}

const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json' };

/** Runs one autocannon instance to completion (bounded by duration/amount plus a grace period). */
export function runLoad(spec: LoadSpec, latency = new LatencyRecorder()): Promise<LoadResult> {
  assertLocal(spec.url);
  if (spec.duration !== undefined && !Number.isInteger(spec.duration)) {
    throw new Error(`duration ${spec.duration}: autocannon runs whole seconds`);
  }
  if (spec.overallRate !== undefined && (spec.overallRate < spec.connections || spec.overallRate % spec.connections)) {
    // autocannon gives each connection floor(rate / connections); a connection with 0 would run unthrottled.
    throw new Error(`overallRate ${spec.overallRate} must be a positive multiple of connections ${spec.connections}`);
  }
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    let responses = 0;
    let ok = 0;
    let graphqlErrors = 0;
    // Each response is classified by status and body (autocannon's verifyBody sees only the body).
    const onResponse = (status: number, responseBody: string) => {
      if (status < 200 || status >= 300) return;
      if (isCleanGraphqlBody(responseBody)) ok++;
      else graphqlErrors++;
    };
    // autocannon reports option errors synchronously, before the watchdog below exists.
    const guard: { watchdog?: NodeJS.Timeout } = {};
    let finished = false;
    const options: AutocannonOptions = {
      url: spec.url,
      connections: spec.connections,
      pipelining: 1,
      // Our own latency samples need no coordinated-omission correction from autocannon (see the file comment).
      ignoreCoordinatedOmission: spec.overallRate !== undefined,
      timeout: 30,
      method: 'POST',
      headers: JSON_HEADERS,
      requests: spec.bodies.map((body) => ({
        method: 'POST',
        path: new URL(spec.url).pathname,
        headers: JSON_HEADERS,
        body,
        onResponse,
      })),
    };
    // Only the options that are set: autocannon spreads them over its defaults, so `duration: undefined` would stick.
    if (spec.amount !== undefined) options.amount = spec.amount;
    else options.duration = spec.duration;
    if (spec.overallRate !== undefined) options.overallRate = spec.overallRate;
    const instance = autocannon(options, (err, result) => {
      finished = true;
      clearTimeout(guard.watchdog);
      if (err) return reject(err);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      resolve({
        responses,
        ok,
        non2xx: result.non2xx,
        socketErrors: result.errors,
        graphqlErrors,
        failed: result.non2xx + result.errors + graphqlErrors,
        seconds,
        latency,
      });
    });
    if (finished || typeof instance?.on !== 'function') return;
    instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => {
      responses++;
      latency.record(responseTime);
    });
    const limitSeconds = (spec.duration ?? 60) + (spec.graceSeconds ?? 30);
    guard.watchdog = setTimeout(() => instance.stop(), limitSeconds * 1000);
  });
}

export function assertLocal(url: string): void {
  if (new URL(url).hostname !== '127.0.0.1') throw new Error(`refusing to load anything but 127.0.0.1: ${url}`);
}
