import { expectClean, vehicleBody } from '../documents';
import { median, runLoad, type LoadResult } from '../load';
import { startInMemoryUpstreamProcess } from '../processes';
import type { BenchContext } from '../profile';
import type { Figures } from '../results';
import { directFiks } from '../upstream-direct';
import { distinctPlates } from './batching';

type Server = 'subgraph' | 'inMemoryUpstream' | 'bare';
const SERVERS: readonly Server[] = ['subgraph', 'inMemoryUpstream', 'bare'];

/**
 * 2. One `vehicle(kjennemerke:)` query, closed loop with keep-alive, emulator latency 0, against three servers pinned
 * to the same CPU and driven identically, in rotating order each round:
 * - `subgraph`: the real thing (its own process, the emulator in another);
 * - `bare`: a bare Apollo Server, same schema and HTTP stack, the same vehicle from memory (bench/bare-server.ts);
 *   `throughputRatio` = subgraph / bare is the figure (goal >= 0.6);
 * - `inMemoryUpstream`: the real server with a Fiks client answering from memory (bench/inmemory-server.ts), which
 *   splits that ratio into the upstream HTTP path (subgraph / inMemoryUpstream) and everything else the real
 *   server does per request (inMemoryUpstream / bare).
 * Figures are medians over the rounds.
 */
export async function runOverhead(ctx: BenchContext): Promise<Figures> {
  const { connections, warmupSeconds, seconds, rounds } = ctx.profile.overhead;
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

  // The subgraph and the bare server are shared with later scenarios; the in-memory one is only needed here.
  const [subgraph, inMemory, bare] = await Promise.all([
    ctx.subgraph(0),
    startInMemoryUpstreamProcess(bulkAnswerText, { cpu: ctx.cpu.server }),
    ctx.bare(plate),
  ]);
  const url: Record<Server, string> = { subgraph: subgraph.url, inMemoryUpstream: inMemory.url, bare: bare.url };
  try {
    // All three must give the same answer; only `asOf` (the time of the request) may differ.
    const strip = (text: string) => text.replace(/"asOf":"[^"]*"/, '');
    const first = await expectClean(url.subgraph, requestBody, 'overhead: subgraph');
    const reference = strip(first.text);
    for (const server of SERVERS.slice(1)) {
      const text = strip((await expectClean(url[server], requestBody, `overhead: ${server}`)).text);
      if (text !== reference) throw new Error(`overhead: ${server} answers differently from the subgraph`);
    }

    const handles: Record<Server, { cpuSeconds(): number }> = {
      subgraph: subgraph.handle,
      inMemoryUpstream: inMemory.handle,
      bare: bare.handle,
    };
    const runs: Record<Server, LoadResult[]> = { subgraph: [], inMemoryUpstream: [], bare: [] };
    // CPU use of the server process during each measured run: near 100% means the server itself was the limit.
    const cpuPct: Record<Server, number[]> = { subgraph: [], inMemoryUpstream: [], bare: [] };
    for (let round = 0; round < rounds; round++) {
      // Rotate the order so no server always runs first (or right after the same neighbour).
      const order = SERVERS.map((_, i) => SERVERS[(i + round) % SERVERS.length]);
      for (const server of order) {
        ctx.progress(`overhead: round ${round + 1}/${rounds}, ${server}`);
        await runLoad({ url: url[server], connections, duration: warmupSeconds, bodies: [requestBody] });
        const cpuBefore = handles[server].cpuSeconds();
        const result = await runLoad({ url: url[server], connections, duration: seconds, bodies: [requestBody] });
        cpuPct[server].push(((handles[server].cpuSeconds() - cpuBefore) / result.seconds) * 100);
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
    const m = summary(runs.inMemoryUpstream);
    const b = summary(runs.bare);
    const perRound = Object.fromEntries(
      runs.subgraph.map((r, i) => [`throughputRatioRound${i + 1}`, rps(r) / rps(runs.bare[i])]),
    );
    return {
      subgraphRps: s.rps,
      subgraphP50Ms: s.p50,
      subgraphP99Ms: s.p99,
      bareRps: b.rps,
      bareP50Ms: b.p50,
      bareP99Ms: b.p99,
      throughputRatio: s.rps / b.rps,
      ...perRound,
      subgraphCpuPct: median(cpuPct.subgraph),
      bareCpuPct: median(cpuPct.bare),
      inMemoryUpstreamRps: m.rps,
      inMemoryUpstreamP50Ms: m.p50,
      upstreamPathRatio: s.rps / m.rps,
      serverExtrasRatio: m.rps / b.rps,
      errors: s.failed + m.failed + b.failed,
      responseBytes: Buffer.byteLength(first.text),
      connections,
      secondsPerRun: seconds,
      rounds,
    };
  } finally {
    await inMemory.handle.stop();
  }
}
