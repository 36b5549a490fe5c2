import diagnostics from 'node:diagnostics_channel';
import { getEventListeners } from 'node:events';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { UpstreamClient, type TokenSource, type UpstreamRequest } from '../../../src/datasources/http';
import { HttpTransport } from '../../../src/datasources/http-transport';
import { parseRetryAfter, extractUpstreamErrorId } from '../../../src/datasources/upstream-errors';
import type { ResilienceConfig } from '../../../src/config';
import { UpstreamError } from '../../../src/errors';
import { Metrics } from '../../../src/observability/metrics';
import { createLogger } from '../../../src/observability/logger';
import { moveWallClockForward } from '../../helpers/clock';
import { until } from '../../helpers/wait';

type Handler = (req: IncomingMessage, res: ServerResponse, call: number, body: string) => void;

/** A tiny scripted upstream: each test sets `handler`; the server counts calls and concurrency. */
class FakeUpstream {
  calls = 0;
  inFlight = 0;
  maxInFlight = 0;
  authHeaders: string[] = [];
  requests: { method?: string; url?: string; headers: http.IncomingHttpHeaders; body: string }[] = [];
  handler: Handler = (_req, res) => json(res, 200, { ok: true });
  private readonly server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const call = ++this.calls;
      this.inFlight++;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      const done = () => this.inFlight--;
      res.on('close', done);
      const body = Buffer.concat(chunks).toString('utf8');
      this.authHeaders.push(String(req.headers.authorization));
      this.requests.push({ method: req.method, url: req.url, headers: req.headers, body });
      this.handler(req, res, call, body);
    });
  });
  url = '';

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

class FakeTokens implements TokenSource {
  issued = 0;
  invalidated: string[] = [];
  current = 'token-1';
  fail?: Error;
  /** When set, getToken waits for it (holds a bulkhead slot without any network call). */
  gate?: Promise<unknown>;
  async getToken(): Promise<string> {
    if (this.gate) await this.gate;
    if (this.fail) throw this.fail;
    this.issued++;
    return this.current;
  }
  invalidate(_scope: string, token: string): void {
    this.invalidated.push(token);
    if (token === this.current) this.current = `token-${Number(this.current.split('-')[1]) + 1}`;
  }
}

// Generous: an answer a test expects must never time out on a busy machine. Tests about timeouts set their own.
const baseResilience: ResilienceConfig = {
  attemptTimeoutMs: 10_000,
  deadlineMs: 30_000,
  maxRetries: 2,
  bulkheadLimit: 8,
  bulkheadQueue: 8,
  breakerThreshold: 50,
  breakerHalfOpenMs: 300,
};

const logger = createLogger({ level: 'silent' });
const get: UpstreamRequest = { method: 'GET', path: '/items/1', route: 'test/get', idempotent: true };
const post: UpstreamRequest = {
  method: 'POST',
  path: '/submit',
  route: 'test/post',
  idempotent: false,
  data: { a: 1 },
};

async function caught(p: Promise<unknown>): Promise<UpstreamError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(UpstreamError);
    return e as UpstreamError;
  }
  throw new Error('expected the request to fail');
}

describe('UpstreamClient', () => {
  const upstream = new FakeUpstream();
  let tokens: FakeTokens;
  let metrics: Metrics;
  const clients: UpstreamClient[] = [];

  function client(
    resilience: Partial<ResilienceConfig> = {},
    extra: { headers?: Record<string, string>; baseURL?: string; timeoutMs?: number } = {},
  ) {
    const c = new UpstreamClient({
      upstream: 'fiks',
      baseURL: extra.baseURL ?? upstream.url,
      scope: 'ks:fiks',
      tokens,
      resilience: { ...baseResilience, ...resilience },
      headers: extra.headers,
      timeoutMs: extra.timeoutMs,
      metrics,
      logger,
    });
    clients.push(c);
    return c;
  }

  beforeAll(() => upstream.start());
  afterAll(() => upstream.stop());
  beforeEach(() => {
    upstream.calls = 0;
    upstream.maxInFlight = 0;
    upstream.authHeaders = [];
    upstream.requests = [];
    tokens = new FakeTokens();
    metrics = new Metrics();
  });
  afterEach(() => {
    while (clients.length) clients.pop()?.close();
  });

  it('sends the bearer token, static headers and params, and returns the data', async () => {
    upstream.handler = (req, res) => json(res, 200, { url: req.url });
    const c = client({}, { headers: { IntegrasjonId: 'int-id', IntegrasjonPassord: 'secret-pw' } });
    const res = await c.request<{ url: string }>({ ...get, params: { a: 'x y', b: undefined } });
    expect(res.status).toBe(200);
    expect(res.data.url).toBe('/items/1?a=x+y');
    expect(res.headers['content-type']).toContain('application/json');
    const seen = upstream.requests[0].headers;
    expect(seen.authorization).toBe('Bearer token-1');
    expect(seen.integrasjonid).toBe('int-id');
    expect(seen.integrasjonpassord).toBe('secret-pw');
    expect(seen.connection).toBe('keep-alive');
  });

  it('reads a large answer (300 KB) and a compressed one as JSON', async () => {
    const items = Array.from({ length: 1000 }, (_, i) => ({ i, text: `kjøretøy ${'x'.repeat(250)}` }));
    upstream.handler = (_req, res, call) => {
      if (call === 1) return json(res, 200, { responser: items });
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(gzipSync(JSON.stringify({ responser: items.slice(0, 3) })));
    };
    const c = client();
    expect((await c.request<{ responser: unknown[] }>(get)).data).toEqual({ responser: items });
    expect((await c.request<{ responser: unknown[] }>(get)).data).toEqual({ responser: items.slice(0, 3) });
    expect(upstream.requests[1].headers['accept-encoding']).toContain('gzip');
  });

  it('refuses an answer over 10 MiB, compressed or not, without retrying', async () => {
    const huge = Buffer.alloc(11 * 1024 * 1024, 0x20);
    upstream.handler = (_req, res, call) => {
      if (call === 1) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(huge);
      } else {
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
        res.end(gzipSync(huge));
      }
    };
    const c = client();
    for (const expected of [1, 2]) {
      const err = await caught(c.request(get));
      expect(err.code).toBe('UPSTREAM_UNAVAILABLE');
      expect(err.message).toContain('too large or unreadable');
      expect(upstream.calls).toBe(expected);
    }
  });

  it('returns data undefined for 204', async () => {
    upstream.handler = (_req, res) => {
      res.writeHead(204);
      res.end();
    };
    const res = await client().request(get);
    expect(res.status).toBe(204);
    expect(res.data).toBeUndefined();
  });

  it('retries 503, 503 then succeeds with 3 calls', async () => {
    upstream.handler = (_req, res, call) => (call < 3 ? json(res, 503, {}) : json(res, 200, { ok: true }));
    const res = await client().request(get);
    expect(res.data).toEqual({ ok: true });
    expect(upstream.calls).toBe(3);
    const calls = await metrics.upstreamCalls.get();
    const byCode = Object.fromEntries(calls.values.map((v) => [v.labels.code, v.value]));
    expect(byCode).toEqual({ '503': 2, '200': 1 });
  });

  it('gives up after maxRetries with UPSTREAM_UNAVAILABLE', async () => {
    upstream.handler = (_req, res) => json(res, 502, {});
    const err = await caught(client().request(get));
    expect(err.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(err.details.status).toBe(502);
    expect(upstream.calls).toBe(3);
    const errors = await metrics.upstreamErrors.get();
    expect(errors.values[0]).toMatchObject({
      value: 1,
      labels: { upstream: 'fiks', route: 'test/get', code: 'UPSTREAM_UNAVAILABLE' },
    });
  });

  it('honours Retry-After: 1 (the retry comes after a 900 ms timer started with the 503)', async () => {
    // No clock is read: Node fires timers in order of their due time, so a marker timer started as the 503 leaves
    // has fired before the client's own wait of 1 s (started later) ends, however busy the machine.
    let markerFired = false;
    let markerFiredBeforeRetry: boolean | undefined;
    upstream.handler = (_req, res, call) => {
      if (call === 1) {
        setTimeout(() => (markerFired = true), 900);
        json(res, 503, {}, { 'Retry-After': '1' });
      } else {
        markerFiredBeforeRetry = markerFired;
        json(res, 200, {});
      }
    };
    await client().request(get);
    expect(upstream.calls).toBe(2);
    expect(markerFiredBeforeRetry).toBe(true);
  });

  // Waiting 120 s would exceed the test's timeout; one call shows it gave up without retrying.
  it('fails fast when Retry-After does not fit the deadline', async () => {
    upstream.handler = (_req, res) => json(res, 429, {}, { 'Retry-After': '120' });
    const err = await caught(client().request(get));
    expect(err.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(err.details.retryAfter).toBe(120);
    expect(upstream.calls).toBe(1);
  });

  it.each([400, 403, 404])('never retries %i and maps it to UPSTREAM_REJECTED', async (status) => {
    upstream.handler = (_req, res) => json(res, status, { errorId: 'e-1' });
    const err = await caught(client().request(get));
    expect(err.code).toBe('UPSTREAM_REJECTED');
    expect(err.details.status).toBe(status);
    expect(upstream.calls).toBe(1);
  });

  it('returns statuses accepted by acceptStatus as data', async () => {
    upstream.handler = (_req, res) => json(res, 404, { none: true });
    const res = await client().request({ ...get, acceptStatus: (s) => s === 404 });
    expect(res).toMatchObject({ status: 404, data: { none: true } });
  });

  it('maps 422 + Retry-After to UPSTREAM_QUOTA_EXCEEDED without retrying', async () => {
    upstream.handler = (_req, res) => {
      res.writeHead(422, { 'content-type': 'text/plain', 'Retry-After': '3600' });
      res.end('Kvote overskredet');
    };
    const err = await caught(client().request(get));
    expect(err.code).toBe('UPSTREAM_QUOTA_EXCEEDED');
    expect(err.details.retryAfter).toBe(3600);
    expect(err.extensions.retryAfter).toBe(3600);
    expect(err.message).not.toContain('Kvote');
    expect(upstream.calls).toBe(1);
  });

  it('surfaces the Fiks errorId and a nested SVV svvguid', async () => {
    upstream.handler = (_req, res, call) =>
      call === 1
        ? json(res, 400, {
            status: 400,
            error: 'Bad Request',
            errorId: 'f1e2d3',
            message: 'kjennemerke AB12345 ugyldig',
          })
        : json(res, 403, { errorJson: { svvguid: 'svv-guid-42', melding: 'nei' } });
    const c = client();
    const first = await caught(c.request(get));
    expect(first.details.upstreamErrorId).toBe('f1e2d3');
    expect(first.extensions.upstreamErrorId).toBe('f1e2d3');
    expect(first.message).not.toContain('AB12345');
    const second = await caught(c.request(get));
    expect(second.details.upstreamErrorId).toBe('svv-guid-42');
  });

  it('times out a hanging upstream per attempt and retries: three attempts, then UPSTREAM_UNAVAILABLE', async () => {
    upstream.handler = () => undefined; // never answers
    // The deadline leaves room for all three 200 ms attempts even on a slow machine.
    const err = await caught(client({ attemptTimeoutMs: 200, deadlineMs: 20_000 }).request(get));
    expect(err.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(err.message).toContain('did not answer in time');
    expect(err.details.mayHaveReachedUpstream).toBe(true);
    expect(upstream.calls).toBe(3);
  });

  it('stops at the overall deadline even if attempts could continue', async () => {
    upstream.handler = () => undefined;
    // Three attempts of 400 ms do not fit in 500 ms: the deadline ends the request before the third can start.
    const err = await caught(client({ attemptTimeoutMs: 400, deadlineMs: 500 }).request(get));
    expect(err.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(upstream.calls).toBeLessThanOrEqual(2);
  });

  it('retries a reset connection for idempotent requests', async () => {
    upstream.handler = (req, res, call) => (call === 1 ? req.socket.destroy() : json(res, 200, { ok: true }));
    const res = await client().request(get);
    expect(res.data).toEqual({ ok: true });
    expect(upstream.calls).toBe(2);
  });

  it('never retries a non-idempotent POST after a reset; outcome is unknown', async () => {
    upstream.handler = (req) => req.socket.destroy();
    const err = await caught(client().request(post));
    expect(err.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(err.details.mayHaveReachedUpstream).toBe(true);
    expect(upstream.calls).toBe(1);
    expect(upstream.requests[0].body).toBe('{"a":1}');
  });

  it('never retries a non-idempotent POST on 503', async () => {
    upstream.handler = (_req, res) => json(res, 503, {});
    const err = await caught(client().request(post));
    expect(err.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(upstream.calls).toBe(1);
  });

  it('a hanging POST times out once with mayHaveReachedUpstream: true', async () => {
    upstream.handler = () => undefined;
    const err = await caught(client({ attemptTimeoutMs: 200 }).request(post));
    expect(err.details.mayHaveReachedUpstream).toBe(true);
    expect(upstream.calls).toBe(1);
  });

  it('ECONNREFUSED → UPSTREAM_UNAVAILABLE with mayHaveReachedUpstream: false', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const c = client({}, { baseURL: `http://127.0.0.1:${port}` });
    const err = await caught(c.request(post));
    expect(err.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(err.details.mayHaveReachedUpstream).toBe(false);
    const calls = await metrics.upstreamCalls.get();
    expect(calls.values.every((v) => v.labels.code === 'connect')).toBe(true);
  });

  it('401 → invalidates the token once, retries once with a fresh token (also for POST)', async () => {
    upstream.handler = (req, res) =>
      req.headers.authorization === 'Bearer token-1'
        ? json(res, 401, { error: 'expired' })
        : json(res, 200, { ok: true });
    const res = await client().request(post);
    expect(res.data).toEqual({ ok: true });
    expect(tokens.invalidated).toEqual(['token-1']);
    expect(upstream.authHeaders).toEqual(['Bearer token-1', 'Bearer token-2']);
  });

  it('a second 401 is final: UPSTREAM_REJECTED after exactly one refresh', async () => {
    upstream.handler = (_req, res) => json(res, 401, { errorId: 'abc' });
    const err = await caught(client().request(get));
    expect(err.code).toBe('UPSTREAM_REJECTED');
    expect(err.details.status).toBe(401);
    expect(tokens.invalidated).toHaveLength(1);
    expect(upstream.calls).toBe(2);
  });

  it('token failure → no upstream call, mayHaveReachedUpstream: false', async () => {
    tokens.fail = new UpstreamError('UPSTREAM_UNAVAILABLE', 'Maskinporten is unavailable', {
      upstream: 'maskinporten',
    });
    const err = await caught(client().request(post));
    expect(err.details).toMatchObject({ upstream: 'maskinporten', mayHaveReachedUpstream: false });
    expect(upstream.calls).toBe(0);
  });

  it('circuit breaker: opens after N failures, fails fast, half-open probe closes it', async () => {
    upstream.handler = (_req, res) => json(res, 500, {});
    // Half-open after a minute, so it is surely still open below; then the wall clock moves instead of waiting.
    const c = client({ breakerThreshold: 3, breakerHalfOpenMs: 60_000, maxRetries: 0 });
    for (let i = 0; i < 3; i++) await caught(c.request(get));
    expect(c.breakerState()).toBe('open');
    expect((await metrics.breakerState.get()).values[0].value).toBe(2);
    const hits = upstream.calls;
    const fast = await caught(c.request(get));
    expect(fast.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(fast.details.mayHaveReachedUpstream).toBe(false);
    expect(upstream.calls).toBe(hits);

    try {
      moveWallClockForward(61_000);
      upstream.handler = (_req, res) => json(res, 200, { ok: true });
      await c.request(get);
    } finally {
      jest.useRealTimers();
    }
    expect(c.breakerState()).toBe('closed');
    expect((await metrics.breakerState.get()).values[0].value).toBe(0);
    expect(upstream.calls).toBe(hits + 1);
  });

  it('circuit breaker ignores 4xx answers', async () => {
    upstream.handler = (_req, res) => json(res, 404, {});
    const c = client({ breakerThreshold: 2 });
    for (let i = 0; i < 4; i++) await caught(c.request(get));
    expect(c.breakerState()).toBe('closed');
  });

  it('bulkhead: at most `limit` in flight at the server, overflow rejected while they are held', async () => {
    // The upstream holds every answer until the test lets go, so the bulkhead is full for as long as needed.
    const held: ServerResponse[] = [];
    upstream.handler = (_req, res) => void held.push(res);
    const c = client({ bulkheadLimit: 3, bulkheadQueue: 2 });
    const settled = Array.from({ length: 10 }, () => c.request(get)).map((p) =>
      p.then(
        () => ({ ok: true as const }),
        (e: unknown) => ({ ok: false as const, error: e as UpstreamError }),
      ),
    );
    // The last five are refused while nothing has been answered yet (a refusal that waited would never come).
    const rejected = (await Promise.all(settled.slice(5))).map((r) => (r.ok ? undefined : r.error));
    for (const error of rejected) {
      expect(error?.code).toBe('UPSTREAM_UNAVAILABLE');
      expect(error?.message).toContain('busy');
      expect(error?.details.mayHaveReachedUpstream).toBe(false);
    }
    await until(() => held.length === 3);
    const release = () => held.splice(0).forEach((res) => json(res, 200, {}));
    release();
    await until(() => held.length === 2);
    release();
    expect((await Promise.all(settled.slice(0, 5))).every((r) => r.ok)).toBe(true);
    expect(upstream.maxInFlight).toBe(3);
    expect(upstream.calls).toBe(5);
  });

  it('500 is UPSTREAM_UNAVAILABLE and not retried (only 502/503/504/429 are)', async () => {
    upstream.handler = (_req, res) => json(res, 500, { svvguid: 'svv-500' });
    const err = await caught(client().request(get));
    expect(err.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(err.details.upstreamErrorId).toBe('svv-500');
    expect(upstream.calls).toBe(1);
  });

  it('a request queued in the bulkhead gives up at the deadline without a network call', async () => {
    // The first request holds the only slot (its token never comes) until the queued one has given up.
    let openGate!: () => void;
    tokens.gate = new Promise<void>((r) => (openGate = r));
    const c = client({ bulkheadLimit: 1, bulkheadQueue: 1, deadlineMs: 200 });
    const first = c.request(get).catch((e: unknown) => e);
    const queued = await caught(c.request(post));
    expect(queued.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(queued.details.mayHaveReachedUpstream).toBe(false);
    openGate();
    await first;
    // A request sent after the slot is free runs after anything still queued, so once it is answered a queued
    // POST would have reached the upstream.
    tokens.gate = undefined;
    await c.request(get).catch(() => undefined);
    expect(upstream.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
  });

  it('logs one debug line per attempt and a warn on final failure, without secrets, bodies, params or paths', async () => {
    const lines: string[] = [];
    const capture = createLogger({ level: 'debug' }, { write: (line: string) => void lines.push(line) });
    upstream.handler = (_req, res, call) =>
      call === 1
        ? json(res, 503, { message: 'Ola Nordmann' })
        : json(res, 403, { errorId: 'e-9', message: 'Ola Nordmann' });
    const c = new UpstreamClient({
      upstream: 'fiks',
      baseURL: upstream.url,
      scope: 'ks:fiks',
      tokens,
      resilience: baseResilience,
      headers: { IntegrasjonId: 'int-id', IntegrasjonPassord: 'secret-pw' },
      metrics,
      logger: capture,
    });
    clients.push(c);
    await caught(
      c.request({ ...get, path: '/kjennemerke/AB12345', params: { navn: 'Nordmann' }, data: { fnr: '01010112345' } }),
    );
    const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const attempts = entries.filter((e) => e.msg === 'upstream attempt');
    expect(attempts.map((e) => [e.route, e.status, e.attempt])).toEqual([
      ['test/get', 503, 1],
      ['test/get', 403, 2],
    ]);
    expect(attempts.every((e) => typeof e.ms === 'number')).toBe(true);
    const warn = entries.filter((e) => e.msg === 'upstream request failed');
    expect(warn).toHaveLength(1);
    expect(warn[0]).toMatchObject({ route: 'test/get', code: 'UPSTREAM_REJECTED', status: 403 });
    const all = lines.join('\n');
    for (const secret of ['token-1', 'secret-pw', 'int-id', 'AB12345', 'Nordmann', '01010112345', '127.0.0.1']) {
      expect(all).not.toContain(secret);
    }
  });

  it('error messages carry no token, password or identifier from the path', async () => {
    upstream.handler = (_req, res) => json(res, 403, { message: 'denied for token-1 / secret-pw' });
    const c = client({}, { headers: { IntegrasjonPassord: 'secret-pw' } });
    const err = await caught(c.request({ ...get, path: '/kjennemerke/AB12345' }));
    const text = JSON.stringify({ message: err.message, extensions: err.extensions, details: err.details });
    expect(text).not.toContain('token-1');
    expect(text).not.toContain('secret-pw');
    expect(text).not.toContain('AB12345');
    expect(text).not.toContain('127.0.0.1');
  });
});

describe("HttpTransport: the caller's signal", () => {
  const upstream = new FakeUpstream();
  let transport: HttpTransport;
  beforeAll(() => upstream.start());
  afterAll(() => upstream.stop());
  beforeEach(() => {
    upstream.calls = 0;
    upstream.handler = (_req, res) => json(res, 200, { ok: true });
    transport = new HttpTransport({
      baseURL: upstream.url,
      connections: 1,
      attemptTimeoutMs: 10_000,
      maxResponseBytes: 1024 * 1024,
    });
  });
  afterEach(() => transport.close());

  const abortListeners = (signal: AbortSignal) => getEventListeners(signal, 'abort').length;
  /** Resolves when undici has received the response headers of the next exchange (its diagnostics channel). */
  const nextResponseHeaders = () =>
    new Promise<void>((resolve) => {
      const channel = diagnostics.channel('undici:request:headers');
      const onHeaders = () => {
        channel.unsubscribe(onHeaders);
        resolve();
      };
      channel.subscribe(onHeaders);
    });

  it('an already aborted signal sends nothing and rejects with its reason', async () => {
    const reason = new Error('deadline passed');
    await expect(transport.send({ method: 'GET', path: '/x', signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    await expect(transport.send({ method: 'GET', path: '/y' })).resolves.toMatchObject({ data: { ok: true } });
    expect(upstream.calls).toBe(1); // only /y reached the upstream
  });

  it('aborting mid-body abandons the exchange, leaves no listener, and the next call gets an answer', async () => {
    upstream.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"items":[1,2,'); // and never the rest
    };
    const controller = new AbortController();
    const headersIn = nextResponseHeaders();
    const pending = transport.send({ method: 'GET', path: '/slow', signal: controller.signal });
    await headersIn;
    expect(abortListeners(controller.signal)).toBe(1);
    controller.abort(new Error('deadline passed'));
    await expect(pending).rejects.toThrow('deadline passed');
    expect(abortListeners(controller.signal)).toBe(0);
    upstream.handler = (_req, res) => json(res, 200, { ok: true });
    await expect(transport.send({ method: 'GET', path: '/next' })).resolves.toMatchObject({
      status: 200,
      data: { ok: true },
    });
  });

  it("a call waiting for the pool's one socket is dropped when its signal aborts, and never sent", async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    upstream.handler = (_req, res) => void released.then(() => json(res, 200, { ok: true }));
    const first = transport.send({ method: 'GET', path: '/held' });
    await until(() => upstream.calls === 1);
    const controller = new AbortController();
    const queued = transport.send({ method: 'GET', path: '/queued', signal: controller.signal });
    controller.abort(new Error('deadline passed'));
    release();
    await expect(first).resolves.toMatchObject({ status: 200 });
    await expect(queued).rejects.toThrow('deadline passed');
    await expect(transport.send({ method: 'GET', path: '/after' })).resolves.toMatchObject({ status: 200 });
    expect(upstream.requests.slice(-2).map((r) => r.url)).toEqual(['/held', '/after']);
  });

  it('a header undici refuses rejects the call without sending it', async () => {
    const sent = upstream.calls;
    await expect(transport.send({ method: 'GET', path: '/x', headers: ['x-bad', 'line\r\nbreak'] })).rejects.toThrow();
    expect(upstream.calls).toBe(sent);
  });

  it('after an answer or a failure the signal keeps no listener, and a late abort changes nothing', async () => {
    const controller = new AbortController();
    const answer = await transport.send({ method: 'GET', path: '/x', signal: controller.signal });
    expect(abortListeners(controller.signal)).toBe(0);
    upstream.handler = (req) => req.socket.destroy();
    await expect(transport.send({ method: 'GET', path: '/reset', signal: controller.signal })).rejects.toThrow();
    expect(abortListeners(controller.signal)).toBe(0);
    controller.abort(new Error('late'));
    expect(answer).toMatchObject({ status: 200, data: { ok: true } });
  });
});

describe('upstream-errors helpers', () => {
  it('parses Retry-After seconds and HTTP-date', () => {
    expect(parseRetryAfter('5')).toBe(5000);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });

  it('finds errorId / svvguid in objects and JSON strings, ignoring odd values', () => {
    expect(extractUpstreamErrorId({ errorId: 'x-1' })).toBe('x-1');
    expect(extractUpstreamErrorId('{"a":{"svvguid":"g-2"}}')).toBe('g-2');
    expect(extractUpstreamErrorId({ errorJson: '{"svvguid":"g-3"}' })).toBe('g-3');
    expect(extractUpstreamErrorId({ errorId: 'has spaces and <b>' })).toBeUndefined();
    expect(extractUpstreamErrorId('plain text')).toBeUndefined();
  });
});
