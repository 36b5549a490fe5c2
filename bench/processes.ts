import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EMULATOR_FIKS_ORG_ID } from '../emulator';
import { generateDevClient, type DevClient } from '../emulator';
import { startEmbeddedDatabase } from '../dev/embedded-database';
import type { BareUpstreamTarget } from './bare-upstream';
import type { ChildMessage, ChildSpec, ParentMessage } from './child';
import { assertLocal } from './load';
import type { BulkRequest } from './upstream-direct';

/** Starting and stopping the benchmark's own processes (emulator, subgraph, bare server), optionally CPU-pinned. */

// Children run from the TypeScript sources through tsx's CommonJS hook, like every development command (package.json).
const CHILD_SCRIPT = join(__dirname, 'child.ts');
const CHILD_LOADER = ['--require', 'tsx/cjs'];
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;
const LOG_TAIL_LINES = 40;

export interface ChildHandle {
  name: string;
  pid: number;
  info: Record<string, string>;
  /** Resident set size in MiB: /proc/<pid>/status VmRSS, or the child's own report where /proc is missing. */
  rssMb(): Promise<number>;
  /** V8 heap in use in MiB, after a full GC when the process runs with --expose-gc (else NaN). */
  heapAfterGcMb(): Promise<number>;
  /** CPU time (user + system, all threads) used so far, in seconds; NaN where /proc is missing. */
  cpuSeconds(): number;
  /** The last lines the process wrote (for error messages). */
  logTail(): string;
  stop(): Promise<void>;
}

export function tasksetAvailable(): boolean {
  if (process.platform !== 'linux') return false;
  return spawnSync('taskset', ['-V'], { stdio: 'ignore' }).status === 0;
}

/** Pins this process (all its threads) to one CPU. */
export function pinSelf(cpu: number): boolean {
  return spawnSync('taskset', ['-a', '-cp', String(cpu), String(process.pid)], { stdio: 'ignore' }).status === 0;
}

export async function startChild(
  name: string,
  spec: ChildSpec,
  cpu?: number,
  nodeFlags: string[] = [],
): Promise<ChildHandle> {
  // A clean environment: nothing from the developer's shell (upstream URLs, LOG_FILE...) reaches the children.
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', NODE_ENV: 'development' };
  // For diagnosis only: extra node flags, e.g. BENCH_CHILD_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof".
  const nodeArgs = (process.env.BENCH_CHILD_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const command = cpu === undefined ? process.execPath : 'taskset';
  const nodeCommand = [...CHILD_LOADER, ...nodeFlags, ...nodeArgs, CHILD_SCRIPT];
  const args = cpu === undefined ? nodeCommand : ['-c', String(cpu), process.execPath, ...nodeCommand];
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  const tail: string[] = [];
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line) continue;
      tail.push(line.length > 500 ? `${line.slice(0, 500)}…` : line);
      if (tail.length > LOG_TAIL_LINES) tail.shift();
    }
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);

  const info = await new Promise<Record<string, string>>((resolve, reject) => {
    const timer = setTimeout(
      () => fail(new Error(`${name}: not ready after ${START_TIMEOUT_MS} ms`)),
      START_TIMEOUT_MS,
    );
    const fail = (e: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${e.message}\n${tail.join('\n')}`));
    };
    child.once('error', fail);
    child.once('exit', (code) => fail(new Error(`${name}: exited with ${code} before it was ready`)));
    child.on('message', (message: ChildMessage) => {
      if (message.type === 'ready') {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve(message.info);
      } else if (message.type === 'failed') {
        fail(new Error(`${name}: ${message.message}`));
      }
    });
    sendTo(child, { type: 'start', spec });
  });
  for (const url of Object.values(info)) if (/^https?:/.test(url)) assertLocal(url);

  const pid = child.pid ?? -1;
  return {
    name,
    pid,
    info,
    rssMb: () => rssOf(child),
    heapAfterGcMb: () => heapOf(child),
    cpuSeconds: () => cpuSecondsOf(pid),
    logTail: () => tail.join('\n'),
    stop: () => stopChild(child),
  };
}

function sendTo(child: ChildProcess, message: ParentMessage): void {
  if (child.connected) child.send(message);
}

async function rssOf(child: ChildProcess): Promise<number> {
  try {
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    if (match) return Number(match[1]) / 1024;
  } catch {
    // not Linux: ask the child
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(Number.NaN), 2000);
    const onMessage = (message: ChildMessage) => {
      if (message.type !== 'rss') return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve(message.bytes / 1024 / 1024);
    };
    child.on('message', onMessage);
    sendTo(child, { type: 'rss' });
  });
}

function heapOf(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(Number.NaN), 10_000);
    const onMessage = (message: ChildMessage) => {
      if (message.type !== 'heap') return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve(message.collected ? message.bytes / 1024 / 1024 : Number.NaN);
    };
    child.on('message', onMessage);
    sendTo(child, { type: 'heap' });
  });
}

/** Linux clock ticks per second (`getconf CLK_TCK`), 100 on every mainstream kernel configuration. */
const CLOCK_TICKS = 100;

function cpuSecondsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces, hence the last ')'): utime and stime are 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    sendTo(child, { type: 'stop' });
  });
}

/**
 * A throwaway Maskinporten client and Fiks integration for this run (the key file lives in a private temp dir), and
 * the submission ledger's database the subgraph needs to start: an in-memory PGlite in this process (the scenarios
 * make no submissions, so it stays idle).
 */
export interface BenchCredentials {
  client: DevClient;
  integration: { id: string; password: string };
  keyFile: string;
  databaseUrl: string;
  dispose(): Promise<void>;
}

export async function createCredentials(): Promise<BenchCredentials> {
  const client = await generateDevClient();
  const dir = mkdtempSync(join(tmpdir(), 'kjoretoy-bench-'));
  const keyFile = join(dir, 'client-key.pem');
  writeFileSync(keyFile, client.privateKeyPem, { mode: 0o600 });
  const database = await startEmbeddedDatabase({ dataDir: 'memory://' });
  return {
    client,
    integration: { id: randomUUID(), password: randomBytes(24).toString('base64url') },
    keyFile,
    databaseUrl: database.url,
    dispose: async () => {
      rmSync(dir, { recursive: true, force: true });
      await database.close();
    },
  };
}

export interface EmulatorProcess {
  handle: ChildHandle;
  url: string;
  stats(): Promise<EmulatorStats>;
  reset(): Promise<void>;
  sample(count: number): Promise<EmulatorSample>;
}

export interface EmulatorStats {
  routes: Record<
    string,
    { requests: number; idsRequested: number; maxInFlight: number; statuses: Record<string, number> }
  >;
}

export interface EmulatorSample {
  vehicles: { kjennemerke: string; kuid: string; understellsnummer: string }[];
  ownerSearch: { name: string; hits: number }[];
}

export const BENCH_SEED = 20261123;
/** The emulator's default dataset: sample(1000) then yields 1000 distinct plates (needed for N = 1000). */
export const BENCH_VEHICLES = 3000;

export async function startEmulatorProcess(
  credentials: BenchCredentials,
  options: { latencyMs: number; cpu?: number },
): Promise<EmulatorProcess> {
  const handle = await startChild(
    `emulator (latency ${options.latencyMs} ms)`,
    {
      kind: 'emulator',
      seed: BENCH_SEED,
      vehicles: BENCH_VEHICLES,
      latencyMs: options.latencyMs,
      client: {
        clientId: credentials.client.clientId,
        publicKeyPem: credentials.client.publicKeyPem,
        kid: credentials.client.kid,
      },
      integration: credentials.integration,
    },
    options.cpu,
  );
  const url = handle.info.url;
  const admin = async <T>(path: string, method: 'GET' | 'POST' = 'GET'): Promise<T> => {
    const res = await fetch(`${url}/__emulator/${path}`, { method, signal: AbortSignal.timeout(10_000) });
    if (!res.ok) throw new Error(`emulator admin ${path}: HTTP ${res.status}`);
    return (await res.json()) as T;
  };
  return {
    handle,
    url,
    stats: () => admin<EmulatorStats>('stats'),
    reset: async () => {
      await admin('reset', 'POST');
    },
    sample: (count) => admin<EmulatorSample>(`sample?count=${count}`),
  };
}

/**
 * The subgraph as `npm start` runs it against an upstream it does not embed (the `FIKS_BASE_URL` branch of
 * startApp, the same wiring `npm run emulator` + `npm start` use), in its own process.
 */
export async function startSubgraphProcess(
  name: string,
  emulator: EmulatorProcess,
  credentials: BenchCredentials,
  options: { env?: Record<string, string>; cpu?: number; nodeFlags?: string[] } = {},
): Promise<{ handle: ChildHandle; url: string }> {
  const info = emulator.handle.info;
  const env: Record<string, string> = {
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    FIKS_BASE_URL: info.fiksBaseUrl,
    FIKS_ORG_ID: EMULATOR_FIKS_ORG_ID,
    FIKS_INTEGRATION_ID: credentials.integration.id,
    FIKS_INTEGRATION_PASSWORD: credentials.integration.password,
    ECOC_BASE_URL: info.ecocBaseUrl,
    MASKINPORTEN_TOKEN_URL: info.tokenUrl,
    MASKINPORTEN_AUDIENCE: info.issuer,
    MASKINPORTEN_CLIENT_ID: credentials.client.clientId,
    MASKINPORTEN_KID: credentials.client.kid,
    MASKINPORTEN_KEY_FILE: credentials.keyFile,
    DATABASE_URL: credentials.databaseUrl,
    // The upstream is the benchmark's own emulator (synthetic data), reached as real upstreams are, without caller
    // auth; the subgraph refuses that unless told so (and logs it at error level).
    ALLOW_NO_CALLER_AUTH: 'true',
    ...options.env,
  };
  const handle = await startChild(name, { kind: 'subgraph', env }, options.cpu, options.nodeFlags);
  return { handle, url: handle.info.url };
}

export async function startBareProcess(
  kjennemerke: string,
  options: {
    cpu?: number;
    nodeFlags?: string[];
    /** Fetch the plates asked for from the emulator first, in bulk calls of `batchSize` (the `bareUpstream` server). */
    upstream?: { emulator: EmulatorProcess; credentials: BenchCredentials; batchSize: number };
  } = {},
): Promise<{ handle: ChildHandle; url: string }> {
  const upstream = options.upstream && {
    ...bareUpstreamTarget(options.upstream.emulator, options.upstream.credentials),
    batchSize: options.upstream.batchSize,
  };
  const handle = await startChild(
    upstream ? 'bare Apollo Server with raw upstream calls' : 'bare Apollo Server',
    { kind: 'bare', seed: BENCH_SEED, vehicles: BENCH_VEHICLES, kjennemerke, bodyLimit: '3mb', upstream },
    options.cpu,
    options.nodeFlags,
  );
  return { handle, url: handle.info.url };
}

function bareUpstreamTarget(emulator: EmulatorProcess, credentials: BenchCredentials): BareUpstreamTarget {
  const { fiksBaseUrl, tokenUrl, issuer } = emulator.handle.info;
  return {
    fiksBaseUrl,
    tokenUrl,
    issuer,
    clientId: credentials.client.clientId,
    kid: credentials.client.kid,
    keyFile: credentials.keyFile,
    integrationId: credentials.integration.id,
    integrationPassword: credentials.integration.password,
  };
}

/** The real server with an in-memory Fiks client that always gives `bulkAnswerText` (bench/inmemory-server.ts). */
export async function startInMemoryUpstreamProcess(
  bulkAnswerText: string,
  options: { cpu?: number } = {},
): Promise<{ handle: ChildHandle; url: string }> {
  const handle = await startChild(
    'subgraph with in-memory upstream',
    { kind: 'inmemory', bulkAnswerText },
    options.cpu,
  );
  return { handle, url: handle.info.url };
}

/**
 * The upstream alone, timed from the given CPU (the subgraph's): `requests` sets of `calls`, each set's calls sent
 * in parallel as the subgraph sends them, after `warmup` sets. Returns each set's time in ms.
 */
export async function timeBulkCallsInProcess(
  calls: BulkRequest[],
  options: { warmup: number; requests: number; cpu?: number },
): Promise<number[]> {
  const handle = await startChild(
    'direct bulk calls',
    { kind: 'bulk-client', calls, warmup: options.warmup, requests: options.requests },
    options.cpu,
  );
  await handle.stop();
  return JSON.parse(handle.info.msPerSet) as number[];
}
