import { spawn, type ChildProcess } from 'node:child_process';

import http from 'node:http';
import { npmScriptArgv, ROOT } from '../helpers/npm-script';
import { startStack, type Stack } from '../helpers/stack';
import { until } from '../helpers/wait';
import { metricValue } from './federation-fixture';

/** A fresh TCP connection (no pooled keep-alive socket), so "refused" really means the listener is gone. */
function freshConnection(url: string): Promise<'connected' | string> {
  return new Promise((resolve) => {
    const req = http.get(new URL('/health/live', url), { agent: false }, (res) => {
      res.resume();
      resolve('connected');
    });
    req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

interface ReadyBody {
  status: string;
  ready: boolean;
  degraded?: boolean;
  checks: { token: Record<string, boolean>; breakers: Record<string, string> };
}

async function getJson<T = ReadyBody>(url: string): Promise<{ status: number; body: T }> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as T };
}

const VEHICLE = `query Vehicle($k: String!) { vehicle(kjennemerke: $k) { understellsnummer kjennemerke } }`;

describe('operations: health, readiness, metrics', () => {
  let stack: Stack;
  let base: string;
  beforeAll(async () => {
    // A breaker that opens after 2 failures and stays open, so readiness can be seen to drop.
    stack = await startStack({
      env: { UPSTREAM_MAX_RETRIES: '0', UPSTREAM_BREAKER_THRESHOLD: '2', UPSTREAM_BREAKER_HALF_OPEN_MS: '600000' },
    });
    base = new URL('/', stack.url).toString();
  });
  afterAll(() => stack?.close());

  it('/health/live answers 200 without touching any upstream', async () => {
    await stack.reset();
    const live = await getJson(`${base}health/live`);
    expect(live).toEqual({ status: 200, body: { status: 'ok' } });
    const stats = await stack.stats();
    expect(Object.values(stats.routes).every((r) => r.requests === 0)).toBe(true);
  });

  // Runs before anything has fetched a token (nothing warms the cache at start-up), so the grant really is attempted.
  it('/health/ready stays 200 while no upstream token can be obtained (degraded, with details), ok once it can', async () => {
    // Maskinporten trouble is shared by every replica: taking them all out of the Service would serve nobody.
    await stack.fault({ route: 'token', times: 20, status: 400, body: { error: 'invalid_client' } });
    const down = await getJson(`${base}health/ready`);
    expect(down.status).toBe(200);
    expect(down.body).toMatchObject({
      status: 'degraded',
      ready: true,
      degraded: true,
      checks: { token: { fiks: false, ecoc: false } },
    });
    await stack.reset();
    const up = await getJson(`${base}health/ready`);
    expect(up.status).toBe(200);
    expect(up.body).toMatchObject({
      status: 'ok',
      ready: true,
      degraded: false,
      checks: { token: { fiks: true, ecoc: true }, breakers: { fiks: 'closed', ecoc: 'closed' } },
    });
  });

  it('/metrics is Prometheus text with every documented metric', async () => {
    const [v] = (await stack.sample(1)).vehicles;
    expect((await stack.gql(VEHICLE, { k: v.kjennemerke })).body.errors).toBeUndefined();
    const res = await fetch(`${base}metrics`);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    for (const [name, type] of [
      ['graphql_requests_total', 'counter'],
      ['graphql_request_duration_seconds', 'histogram'],
      ['upstream_requests_total', 'counter'],
      ['upstream_request_duration_seconds', 'histogram'],
      ['upstream_errors_total', 'counter'],
      ['upstream_batch_size', 'histogram'],
      ['maskinporten_token_grants_total', 'counter'],
      ['upstream_circuit_state', 'gauge'],
    ]) {
      expect(text).toContain(`# TYPE ${name} ${type}`);
    }
    expect(metricValue(text, 'graphql_requests_total{operation="Vehicle",outcome="ok"}')).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(/upstream_requests_total\{upstream="fiks",route="bulk\/kjennemerke",code="200"\} [1-9]/);
    expect(text).toMatch(/maskinporten_token_grants_total\{[^}]*\} [1-9]/);
  });

  it('an open breaker is reported by /health/ready (still 200: degraded) and in upstream_circuit_state and upstream_errors_total', async () => {
    const [v] = (await stack.sample(1)).vehicles;
    await stack.fault({ route: 'bulk/kjennemerke', times: 10, status: 503 });
    for (let i = 0; i < 3; i++) await stack.gql(VEHICLE, { k: v.kjennemerke });
    const ready = await getJson(`${base}health/ready`);
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: 'degraded', ready: true, degraded: true });
    expect(ready.body.checks.breakers.fiks).toBe('open');
    const text = await (await fetch(`${base}metrics`)).text();
    expect(metricValue(text, 'upstream_circuit_state{upstream="fiks"}')).toBe(2);
    expect(text).toMatch(
      /upstream_errors_total\{upstream="fiks",route="bulk\/kjennemerke",code="UPSTREAM_UNAVAILABLE"\} [1-9]/,
    );
  });
});

describe('graceful shutdown (what SIGTERM calls: app.close())', () => {
  it('a slow in-flight request completes with data; new connections are refused from the moment closing starts', async () => {
    const stack = await startStack();
    try {
      const [v] = (await stack.sample(1)).vehicles;
      await stack.fault({ route: 'bulk/kjennemerke', times: 1, delayMs: 1500 });
      const slow = stack.gql<{ vehicle: { understellsnummer: string; kjennemerke: string } }>(VEHICLE, {
        k: v.kjennemerke,
      });
      await until(async () => (await stack.stats()).routes['bulk/kjennemerke'].inFlight === 1);

      const closing = stack.app.close();
      await until(async () => (await freshConnection(stack.url)) === 'ECONNREFUSED');

      // The request was in flight when closing started and still gets its data: close() let it finish.
      const res = await slow;
      expect(res.status).toBe(200);
      expect(res.body.errors).toBeUndefined();
      expect(res.body.data!.vehicle).toEqual({ understellsnummer: v.understellsnummer, kjennemerke: v.kjennemerke });
      await closing;
      expect(await freshConnection(stack.url)).toBe('ECONNREFUSED');
    } finally {
      await stack.app.close().catch(() => undefined);
    }
  });
});

// The real process, as `npm start` runs it (package.json's command line, without npm in between), and a real SIGTERM.
describe('graceful shutdown of the real process (npm start, then SIGTERM)', () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    // The whole process group (timeout and node): killing only `timeout` would orphan node.
    // Only while its leader lives: a finished group's number may already belong to someone else (a database backend).
    if (child?.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  });

  it('finishes the slow request, then exits 0; the port is closed afterwards', async () => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: 'development',
      PORT: '0',
      HOST: '127.0.0.1',
      EMULATOR_PORT: '0',
      LOG_LEVEL: 'info',
    };
    delete env.LOG_FILE; // log to stdout, where this test reads the URLs from
    for (const k of Object.keys(env)) if (/^(FIKS_BASE_URL|AUTH_|ROUTER_SECRET)/.test(k)) delete env[k];
    // Under coreutils `timeout` (which passes SIGTERM on to node and exits with node's status), so the child can
    // never outlive a killed test run by more than a few minutes.
    const [node, ...args] = npmScriptArgv('start');
    const proc = spawn('timeout', ['-s', 'KILL', '300', node, ...args], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group, so afterEach can kill timeout and node together
    });
    child = proc;
    const lines: Record<string, unknown>[] = [];
    let buffer = '';
    proc.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        try {
          lines.push(JSON.parse(line));
        } catch {
          // not a log line
        }
      }
    });
    const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
    const listening = new Promise<{ url: string; emulatorUrl: string }>((resolve, reject) => {
      const look = () => {
        const server = lines.find((l) => l.msg === 'kjoretoy-subgraph listening');
        const emulator = lines.find((l) => typeof l.emulator === 'string');
        if (server && emulator) resolve({ url: String(server.url), emulatorUrl: String(emulator.emulator) });
      };
      proc.stdout!.on('data', look);
      proc.on('exit', (code) => reject(new Error(`npm start exited (${code}) before listening`)));
    });
    const { url, emulatorUrl } = await listening;

    const sample = (await (await fetch(`${emulatorUrl}/__emulator/sample?count=1`)).json()) as {
      vehicles: { kjennemerke: string; understellsnummer: string }[];
    };
    const [v] = sample.vehicles;
    await fetch(`${emulatorUrl}/__emulator/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ route: 'bulk/kjennemerke', times: 1, delayMs: 3000 }),
    });
    const slow = fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: VEHICLE, variables: { k: v.kjennemerke } }),
    });
    await until(async () => {
      const stats = (await (await fetch(`${emulatorUrl}/__emulator/stats`)).json()) as {
        routes: Record<string, { inFlight: number }>;
      };
      return stats.routes['bulk/kjennemerke'].inFlight === 1;
    });

    proc.kill('SIGTERM');
    const res = await slow;
    expect(res.status).toBe(200);
    expect(
      ((await res.json()) as { data: { vehicle: { understellsnummer: string } } }).data.vehicle.understellsnummer,
    ).toBe(v.understellsnummer);
    // A process that does not exit fails through the test's timeout.
    expect(await exited).toBe(0);
    expect(lines.some((l) => /shutting down/.test(String(l.msg)))).toBe(true);
    expect(await freshConnection(url)).toBe('ECONNREFUSED');
  }, 180_000);
});
