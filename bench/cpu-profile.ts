import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { vehicleBody, vehiclesBody } from './documents';
import { runLoad } from './load';
import {
  createCredentials,
  pinSelf,
  startEmulatorProcess,
  startBareProcess,
  startSubgraphProcess,
  tasksetAvailable,
  type BenchCredentials,
} from './processes';
import { PROFILES } from './profile';
import { distinctPlates } from './scenarios/batching';

/**
 * `npx tsx bench/cpu-profile.ts [--seconds=20] [--warmup=10] [--log-level=warn] [--connections=50] [--vehicles=1]
 * [--server=subgraph|bare|bareUpstream] [--keep=file]`: the overhead scenario's load (one `vehicle` query, emulator latency 0,
 * closed loop; with `--vehicles=100` the latency scenario's `vehicles` query instead) against a subgraph (or the
 * overhead scenario's bare server) started with `node --cpu-prof`, then the samples of the measured window only,
 * grouped by who owns them (`ownerOf`), as shares and as µs of CPU per request. `--keep` saves the profile with that
 * window for a closer look. Used for the tables in docs/performance.md.
 */

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

function arg(name: string, fallback: string): string {
  const prefix = `--${name}=`;
  return process.argv.find((a) => a.startsWith(prefix))?.slice(prefix.length) ?? fallback;
}

/** This project's product sources, as the profile names them (the benchmark runs them through tsx). */
const PROJECT_SRC = pathToFileURL(join(__dirname, '..', 'src')).href + '/';

/** Owner of a frame, or undefined for frames that say nothing on their own (Node's stream and event internals). */
function ownerOf(frame: ProfileNode['callFrame']): string | undefined {
  const { url, functionName } = frame;
  if (functionName === '(garbage collector)') return 'GC';
  if (functionName === '(program)') return '(program: V8 and native)';
  if (functionName === '(idle)') return '(idle)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pkg) {
    const name = pkg[1];
    if (name === '@apollo/server' || name === '@apollo/subgraph' || name === '@apollo/utils.keyvaluecache') {
      return 'Apollo Server';
    }
    if (
      /^(express|router|body-parser|raw-body|cors|iconv-lite|type-is|content-type|on-finished|finalhandler)$/.test(name)
    ) {
      return 'Express (+ body-parser, cors)';
    }
    if (name === 'graphql') return 'graphql-js';
    return name;
  }
  const src = url.startsWith(PROJECT_SRC) ? /^(.+)\.[jt]s$/.exec(url.slice(PROJECT_SRC.length)) : null;
  if (src) {
    const file = src[1];
    if (
      file === 'datasources/http' ||
      file === 'datasources/upstream-errors' ||
      file === 'datasources/http-transport'
    ) {
      return 'UpstreamClient (src/datasources/http*)';
    }
    if (file.startsWith('datasources/fiks')) return 'Fiks datasource, matching, mapping';
    if (file.startsWith('datasources/maskinporten')) return 'token provider';
    if (file.startsWith('security/')) return 'src/security (limits, scopes, masking)';
    if (file.startsWith('observability/')) return 'src/observability (request log, metrics)';
    return `src/${file}`;
  }
  if (/^node:_http_(client|agent)$/.test(url)) return "Node's http client";
  if (/^node:_http_(server|outgoing|incoming|common)$/.test(url)) return "Node's http server (and shared http)";
  if (url === 'node:internal/deps/undici/undici') return "Node's bundled undici";
  if (url.startsWith('node:internal/perf') || url === 'node:perf_hooks') return 'perf_hooks';
  if (url.startsWith('node:') || url === '') return undefined;
  return 'other';
}

/**
 * Self time of every sample in [fromUs, toUs] (profile clock, µs), each given to the nearest frame on its stack, leaf
 * first, that has an owner: Node's stream internals called by axios count as axios, and JSON.parse (a native frame
 * with no URL) counts for whoever called it.
 */
export function groupProfile(profile: CpuProfile, fromUs: number, toUs: number): { group: string; pct: number }[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const ownerCache = new Map<number, string>();
  const owner = (id: number): string => {
    const cached = ownerCache.get(id);
    if (cached) return cached;
    let result = "Node's internals (event loop, streams, timers)";
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const found = ownerOf(byId.get(at)!.callFrame);
      if (found) {
        result = found;
        break;
      }
    }
    ownerCache.set(id, result);
    return result;
  };
  const counts = new Map<string, number>();
  let t = profile.startTime;
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i];
    if (t < fromUs || t > toUs) continue;
    const group = owner(profile.samples[i]);
    if (group === '(idle)') continue;
    counts.set(group, (counts.get(group) ?? 0) + 1);
    total++;
  }
  return [...counts.entries()].map(([group, n]) => ({ group, pct: (n / total) * 100 })).sort((a, b) => b.pct - a.pct);
}

/** CLOCK_MONOTONIC in µs, the clock V8's profiler stamps samples with on Linux. */
const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

async function main(): Promise<void> {
  const seconds = Number(arg('seconds', '20'));
  const warmup = Number(arg('warmup', '10'));
  const connections = Number(arg('connections', '50'));
  const logLevel = arg('log-level', 'warn');
  const vehicles = Number(arg('vehicles', '1'));
  const server = arg('server', 'subgraph');
  if (server !== 'subgraph' && server !== 'bare' && server !== 'bareUpstream') {
    throw new Error('--server is subgraph, bare or bareUpstream');
  }
  const pinned = cpus().length >= 2 && tasksetAvailable() && pinSelf(1);
  const cpu = pinned ? { server: 0, driver: 1 } : {};
  const dir = mkdtempSync(join(tmpdir(), 'kjoretoy-cpuprof-'));
  let credentials: BenchCredentials | undefined;
  try {
    credentials = await createCredentials();
    const emulator = await startEmulatorProcess(credentials, { latencyMs: 0, cpu: cpu.driver });
    const plates = await distinctPlates(emulator, vehicles);
    const profiled = ['--cpu-prof', `--cpu-prof-dir=${dir}`];
    const subgraph =
      server !== 'subgraph'
        ? await startBareProcess(plates[0], {
            cpu: cpu.server,
            nodeFlags: profiled,
            upstream:
              server === 'bareUpstream'
                ? { emulator, credentials, batchSize: PROFILES.full.batching.batchSize }
                : undefined,
          })
        : await startSubgraphProcess('subgraph (profiled)', emulator, credentials, {
            cpu: cpu.server,
            env: { LOG_LEVEL: logLevel },
            nodeFlags: profiled,
          });
    const bodies = [vehicles === 1 ? vehicleBody(plates[0]) : vehiclesBody(plates)];
    await runLoad({ url: subgraph.url, connections, duration: warmup, bodies });
    const cpuBefore = subgraph.handle.cpuSeconds();
    const from = monotonicUs();
    const result = await runLoad({ url: subgraph.url, connections, duration: seconds, bodies });
    const to = monotonicUs();
    const cpuSeconds = subgraph.handle.cpuSeconds() - cpuBefore;
    const cpuPct = (cpuSeconds / result.seconds) * 100;
    const usPerRequest = (cpuSeconds / Math.max(1, result.responses)) * 1e6;
    await subgraph.handle.stop();
    await emulator.handle.stop();
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error('no .cpuprofile written');
    const text = readFileSync(join(dir, file), 'utf8');
    const keep = arg('keep', '');
    if (keep) writeFileSync(keep, JSON.stringify({ ...(JSON.parse(text) as object), window: { from, to } }));
    const profile = JSON.parse(text) as CpuProfile;
    const groups = groupProfile(profile, from, to);
    process.stdout.write(
      `${server === 'subgraph' ? `subgraph at LOG_LEVEL=${logLevel}` : `${server} server`}, ${vehicles} vehicle(s) per request, ` +
        `${connections} connections, ${seconds} s after ${warmup} s warm-up${pinned ? ', pinned' : ''}: ` +
        `${(result.ok / result.seconds).toFixed(0)} req/s (under the profiler), server CPU ${cpuPct.toFixed(0)}%, ` +
        `${usPerRequest.toFixed(0)} µs CPU per request, ${result.failed} failed\n`,
    );
    for (const { group, pct } of groups) {
      const us = (pct / 100) * usPerRequest;
      process.stdout.write(`${pct.toFixed(1).padStart(5)}%  ${us.toFixed(0).padStart(5)} µs  ${group}\n`);
    }
  } finally {
    await credentials?.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`cpu-profile failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  });
}
