import { expectClean, vehicleBody } from '../documents';
import { median, runLoad, type LoadResult } from '../load';
import { startInMemoryUpstreamProcess, startSubgraphProcess } from '../processes';
import type { BenchContext } from '../profile';
import type { Figures } from '../results';
import { directFiks } from '../upstream-direct';
import { distinctPlates } from './batching';

type Server = 'subgraph' | 'subgraphInfo' | 'inMemoryUpstream' | 'bare';
const SERVERS: readonly Server[] = ['subgraph', 'subgraphInfo', 'inMemoryUpstream', 'bare'];
/** The servers whose throughput makes the goal ratios: each must have been the limit in every run it had. */
const JUDGED: readonly Server[] = ['subgraph', 'subgraphInfo', 'bare'];
/** Below this CPU use during a measured run, something other than the server (a neighbour, the load generator, the
 *  emulator) held it back, and its throughput says nothing about its own cost. */
export const MIN_SERVER_CPU_PCT = 95;

/**
 * 2. One `vehicle(kjennemerke:)` query, closed loop with keep-alive, emulator latency 0, against four servers pinned
 * to the same CPU and driven identically, in rotating order each round:
 * - `subgraph`: the real thing at `LOG_LEVEL=warn` (its own process, the emulator in another);
 * - `subgraphInfo`: the same at `LOG_LEVEL=info` (one log line per request, as production runs it);
 * - `bare`: a bare Apollo Server, same schema and HTTP stack, the same vehicle from memory (bench/bare-server.ts);
 *   `throughputRatio` = subgraph / bare is the issue's figure (goal >= 0.6), `throughputRatioInfo` the same at info
 *   (goal >= 0.55);
 * - `inMemoryUpstream`: the real server with a Fiks client answering from memory (bench/inmemory-server.ts), which
 *   splits that ratio into the upstream HTTP path (subgraph / inMemoryUpstream) and everything else the real
 *   server does per request (inMemoryUpstream / bare).
 * Each server is first warmed up to steady state (`warmupSeconds`, 10 s in full runs), then briefly again before each
 * measured run. Figures are medians over the rounds. The CPU the server process used during each measured run is
 * recorded; `valid` is 1 only when every judged run kept its server at >= 95% (otherwise the ratios are not the
 * servers' own and the run must be repeated on a quieter machine). `cpuCostRatio` (bare's CPU time per request over
 * the subgraph's) estimates the same ratio from CPU time, which a busy machine distorts less than throughput.
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

  // The warn subgraph and the bare server are shared with later scenarios; the other two are only needed here.
  const [subgraph, subgraphInfo, inMemory, bare] = await Promise.all([
    ctx.subgraph(0),
    startSubgraphProcess('subgraph (LOG_LEVEL=info)', emulator, ctx.credentials, {
      env: { LOG_LEVEL: 'info' },
      cpu: ctx.cpu.server,
    }),
    startInMemoryUpstreamProcess(bulkAnswerText, { cpu: ctx.cpu.server }),
    ctx.bare(plate),
  ]);
  const started = { subgraph, subgraphInfo, inMemoryUpstream: inMemory, bare };
  try {
    // All four must give the same answer; only `asOf` (the time of the request) may differ.
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

    const runs: Record<Server, LoadResult[]> = { subgraph: [], subgraphInfo: [], inMemoryUpstream: [], bare: [] };
    // CPU use of the server process during each measured run: near 100% means the server itself was the limit.
    const cpuPct: Record<Server, number[]> = { subgraph: [], subgraphInfo: [], inMemoryUpstream: [], bare: [] };
    // CPU time per answered request, in µs: what a request costs the server even when a busy machine keeps it from
    // running flat out (contention still inflates it somewhat, so it is an estimate, not the goal figure).
    const cpuUs: Record<Server, number[]> = { subgraph: [], subgraphInfo: [], inMemoryUpstream: [], bare: [] };
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

    const rps = (r: LoadResult) => r.ok / r.seconds;
    const summary = (list: LoadResult[]) => ({
      rps: median(list.map(rps)),
      p50: median(list.map((r) => r.latency.percentile(50))),
      p99: median(list.map((r) => r.latency.percentile(99))),
      failed: list.reduce((sum, r) => sum + r.failed, 0),
    });
    const s = summary(runs.subgraph);
    const i = summary(runs.subgraphInfo);
    const m = summary(runs.inMemoryUpstream);
    const b = summary(runs.bare);
    const perRound = Object.fromEntries(
      runs.subgraph.map((r, k) => [`throughputRatioRound${k + 1}`, rps(r) / rps(runs.bare[k])]),
    );
    const judgedCpu = JUDGED.flatMap((server) => cpuPct[server]);
    const minServerCpuPct = Math.min(...judgedCpu);
    if (minServerCpuPct < MIN_SERVER_CPU_PCT) {
      ctx.progress(
        `overhead: INVALID: a server used ${minServerCpuPct.toFixed(0)}% CPU in a measured run (< ${MIN_SERVER_CPU_PCT}%)`,
      );
    }
    return {
      subgraphRps: s.rps,
      subgraphP50Ms: s.p50,
      subgraphP99Ms: s.p99,
      subgraphInfoRps: i.rps,
      bareRps: b.rps,
      bareP50Ms: b.p50,
      bareP99Ms: b.p99,
      throughputRatio: s.rps / b.rps,
      throughputRatioInfo: i.rps / b.rps,
      ...perRound,
      subgraphCpuPct: median(cpuPct.subgraph),
      subgraphInfoCpuPct: median(cpuPct.subgraphInfo),
      bareCpuPct: median(cpuPct.bare),
      inMemoryUpstreamCpuPct: median(cpuPct.inMemoryUpstream),
      subgraphCpuUsPerRequest: median(cpuUs.subgraph),
      subgraphInfoCpuUsPerRequest: median(cpuUs.subgraphInfo),
      bareCpuUsPerRequest: median(cpuUs.bare),
      inMemoryUpstreamCpuUsPerRequest: median(cpuUs.inMemoryUpstream),
      cpuCostRatio: median(cpuUs.bare) / median(cpuUs.subgraph),
      cpuCostRatioInfo: median(cpuUs.bare) / median(cpuUs.subgraphInfo),
      minServerCpuPct,
      valid: minServerCpuPct >= MIN_SERVER_CPU_PCT ? 1 : 0,
      inMemoryUpstreamRps: m.rps,
      inMemoryUpstreamP50Ms: m.p50,
      upstreamPathRatio: s.rps / m.rps,
      serverExtrasRatio: m.rps / b.rps,
      errors: s.failed + i.failed + m.failed + b.failed,
      responseBytes: Buffer.byteLength(first.text),
      connections,
      warmupSeconds,
      secondsPerRun: seconds,
      rounds,
    };
  } finally {
    await Promise.all([subgraphInfo.handle.stop(), inMemory.handle.stop()]);
  }
}
