import { expectClean, vehicleBody } from '../documents';
import { median, runLoad, type LoadResult } from '../load';
import { startBareProcess, startInMemoryUpstreamProcess, startSubgraphProcess } from '../processes';
import type { BenchContext } from '../profile';
import type { Figures } from '../results';
import { directFiks } from '../upstream-direct';
import { distinctPlates } from './batching';

type Server = 'subgraph' | 'subgraphInfo' | 'inMemoryUpstream' | 'bareUpstream' | 'bare';
const SERVERS: readonly Server[] = ['subgraph', 'subgraphInfo', 'inMemoryUpstream', 'bareUpstream', 'bare'];
/** The servers whose throughput makes the goal ratios and the ceiling: a round counts only when each was the limit. */
const JUDGED: readonly Server[] = ['subgraph', 'subgraphInfo', 'bareUpstream', 'bare'];
/** Below this CPU use during a measured run, something other than the server (a neighbour, the load generator, the
 *  emulator) held it back, and its throughput says nothing about its own cost. */
export const MIN_SERVER_CPU_PCT = 95;

/** One list per server, for what each of its measured runs gave. */
function perServer<T>(): Record<Server, T[]> {
  return Object.fromEntries(SERVERS.map((server) => [server, []])) as unknown as Record<Server, T[]>;
}

/**
 * 2. One `vehicle(kjennemerke:)` query, closed loop with keep-alive, emulator latency 0, against five servers pinned
 * to the same CPU and driven identically, in rotating order each round:
 * - `subgraph`: the real thing at `LOG_LEVEL=warn` (its own process, the emulator in another);
 * - `subgraphInfo`: the same at `LOG_LEVEL=info` (one log line per request, as production runs it);
 * - `bare`: a bare Apollo Server, same schema and HTTP stack, the same vehicle from memory (bench/bare-server.ts);
 *   `throughputRatio` = subgraph / bare is the issue's figure (goal >= 0.6), `throughputRatioInfo` the same at info
 *   (goal >= 0.55);
 * - `inMemoryUpstream`: the real server with a Fiks client answering from memory (bench/inmemory-server.ts), which
 *   splits that ratio into the upstream HTTP path (subgraph / inMemoryUpstream) and everything else the real
 *   server does per request (inMemoryUpstream / bare);
 * - `bareUpstream`: the bare server making one raw undici bulk call to the emulator per query and parsing its answer
 *   (bench/bare-upstream.ts): the floor of the upstream path. `upstreamFloorRatio` = bareUpstream / bare is the
 *   ceiling any subgraph that fetches the vehicle per request has here; `subgraphOverFloorRatio` = subgraph /
 *   bareUpstream is what the product adds to that call (policies, DataLoader, matching, mapping, checks, plugins).
 * Each server is first warmed up to steady state (`warmupSeconds`, 10 s in full runs), then briefly again before each
 * measured run; many short rounds, because this VM's speed drifts over seconds and a ratio taken within one round
 * cancels that drift. The CPU the server process used during each measured run is recorded; a round counts only when
 * every judged server was at >= 95% in it (otherwise the ratios are not the servers' own), figures are medians over
 * the counted rounds, and `valid` is 1 only when at least half the rounds counted (otherwise the run must be repeated
 * on a quieter machine). `cpuCostRatio` (bare's CPU time per request over the subgraph's, per round) estimates the
 * same ratio from CPU time, which a busy machine distorts less than throughput.
 */
export async function runOverhead(ctx: BenchContext): Promise<Figures> {
  const { connections, warmupSeconds, rewarmSeconds, seconds, rounds } = ctx.profile.overhead;
  const emulator = await ctx.emulator(0);
  const [plate] = await distinctPlates(emulator, 1);
  const requestBody = vehicleBody(plate);

  const fiks = directFiks(emulator, ctx.credentials);
  let bulkAnswerText: string;
  try {
    bulkAnswerText = (await fiks.bulk([plate])).text;
  } finally {
    fiks.close();
  }

  // The warn subgraph and the bare server are shared with later scenarios; the others are only needed here.
  const [subgraph, subgraphInfo, inMemory, bareUpstream, bare] = await Promise.all([
    ctx.subgraph(0),
    startSubgraphProcess('subgraph (LOG_LEVEL=info)', emulator, ctx.credentials, {
      env: { LOG_LEVEL: 'info' },
      cpu: ctx.cpu.server,
    }),
    startInMemoryUpstreamProcess(bulkAnswerText, { cpu: ctx.cpu.server }),
    startBareProcess(plate, {
      cpu: ctx.cpu.server,
      upstream: { emulator, credentials: ctx.credentials, batchSize: ctx.profile.batching.batchSize },
    }),
    ctx.bare(plate),
  ]);
  const started = { subgraph, subgraphInfo, inMemoryUpstream: inMemory, bareUpstream, bare };
  try {
    // All five must give the same answer; only `asOf` (the time of the request) may differ.
    const strip = (text: string) => text.replace(/"asOf":"[^"]*"/, '');
    const first = await expectClean(subgraph.url, requestBody, 'overhead: subgraph');
    const reference = strip(first.text);
    for (const server of SERVERS.slice(1)) {
      const text = strip((await expectClean(started[server].url, requestBody, `overhead: ${server}`)).text);
      if (text !== reference) throw new Error(`overhead: ${server} answers differently from the subgraph`);
    }

    const load = (server: Server, duration: number) =>
      runLoad({ url: started[server].url, connections, duration, bodies: [requestBody] });
    for (const server of SERVERS) {
      ctx.progress(`overhead: warm-up ${warmupSeconds} s, ${server}`);
      await load(server, warmupSeconds);
    }

    const runs = perServer<LoadResult>();
    // CPU use of the server process during each measured run: near 100% means the server itself was the limit.
    const cpuPct = perServer<number>();
    // CPU time per answered request, in µs: what a request costs the server even when a busy machine keeps it from
    // running flat out (contention still inflates it somewhat, so it is an estimate, not the goal figure).
    const cpuUs = perServer<number>();
    for (let round = 0; round < rounds; round++) {
      // Rotate the order so no server always runs first (or right after the same neighbour).
      const order = SERVERS.map((_, i) => SERVERS[(i + round) % SERVERS.length]);
      for (const server of order) {
        ctx.progress(`overhead: round ${round + 1}/${rounds}, ${server}`);
        await load(server, rewarmSeconds);
        const cpuBefore = started[server].handle.cpuSeconds();
        const result = await load(server, seconds);
        const cpuSeconds = started[server].handle.cpuSeconds() - cpuBefore;
        cpuPct[server].push((cpuSeconds / result.seconds) * 100);
        cpuUs[server].push((cpuSeconds / Math.max(1, result.responses)) * 1e6);
        runs[server].push(result);
      }
    }

    // A round counts only when every judged server was the limit in it; the figures are medians over those rounds,
    // each ratio taken within its round (the VM's speed drifts from one minute to the next, ratios much less).
    const counted = [...Array(rounds).keys()].filter((k) =>
      JUDGED.every((server) => cpuPct[server][k] >= MIN_SERVER_CPU_PCT),
    );
    const valid = counted.length >= Math.max(2, Math.ceil(rounds / 2));
    if (!valid) {
      ctx.progress(
        `overhead: INVALID: only ${counted.length} of ${rounds} rounds had every judged server at >= ${MIN_SERVER_CPU_PCT}% CPU`,
      );
    }
    const rps = (server: Server, k: number) => runs[server][k].ok / runs[server][k].seconds;
    const over = (values: (k: number) => number) => counted.map(values);
    const summary = (server: Server) => ({
      rps: median(over((k) => rps(server, k))),
      p50: median(over((k) => runs[server][k].latency.percentile(50))),
      p99: median(over((k) => runs[server][k].latency.percentile(99))),
      cpuPct: median(over((k) => cpuPct[server][k])),
      cpuUs: median(over((k) => cpuUs[server][k])),
    });
    const ratio = (a: Server, b: Server) => over((k) => rps(a, k) / rps(b, k));
    const cpuCost = (a: Server) => over((k) => cpuUs.bare[k] / cpuUs[a][k]);
    const s = summary('subgraph');
    const i = summary('subgraphInfo');
    const m = summary('inMemoryUpstream');
    const f = summary('bareUpstream');
    const b = summary('bare');
    const warnRatios = ratio('subgraph', 'bare');
    return {
      subgraphRps: s.rps,
      subgraphP50Ms: s.p50,
      subgraphP99Ms: s.p99,
      subgraphInfoRps: i.rps,
      bareRps: b.rps,
      bareP50Ms: b.p50,
      bareP99Ms: b.p99,
      throughputRatio: median(warnRatios),
      throughputRatioInfo: median(ratio('subgraphInfo', 'bare')),
      throughputRatioMin: Math.min(...warnRatios),
      throughputRatioMax: Math.max(...warnRatios),
      subgraphCpuPct: s.cpuPct,
      subgraphInfoCpuPct: i.cpuPct,
      bareCpuPct: b.cpuPct,
      inMemoryUpstreamCpuPct: m.cpuPct,
      subgraphCpuUsPerRequest: s.cpuUs,
      subgraphInfoCpuUsPerRequest: i.cpuUs,
      bareCpuUsPerRequest: b.cpuUs,
      inMemoryUpstreamCpuUsPerRequest: m.cpuUs,
      cpuCostRatio: median(cpuCost('subgraph')),
      cpuCostRatioInfo: median(cpuCost('subgraphInfo')),
      minServerCpuPct: Math.min(...JUDGED.flatMap((server) => cpuPct[server])),
      roundsCounted: counted.length,
      valid: valid ? 1 : 0,
      inMemoryUpstreamRps: m.rps,
      inMemoryUpstreamP50Ms: m.p50,
      upstreamPathRatio: median(ratio('subgraph', 'inMemoryUpstream')),
      serverExtrasRatio: median(ratio('inMemoryUpstream', 'bare')),
      bareUpstreamRps: f.rps,
      bareUpstreamCpuPct: f.cpuPct,
      bareUpstreamCpuUsPerRequest: f.cpuUs,
      upstreamFloorRatio: median(ratio('bareUpstream', 'bare')),
      upstreamFloorCpuCostRatio: median(cpuCost('bareUpstream')),
      subgraphOverFloorRatio: median(ratio('subgraph', 'bareUpstream')),
      errors: SERVERS.reduce((sum, server) => sum + runs[server].reduce((n, r) => n + r.failed, 0), 0),
      responseBytes: Buffer.byteLength(first.text),
      connections,
      warmupSeconds,
      secondsPerRun: seconds,
      rounds,
    };
  } finally {
    await Promise.all([subgraphInfo.handle.stop(), inMemory.handle.stop(), bareUpstream.handle.stop()]);
  }
}
