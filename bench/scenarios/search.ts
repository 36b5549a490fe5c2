import { expectClean, searchBody } from '../documents';
import { runLoad } from '../load';
import type { BenchContext } from '../profile';
import type { Figures } from '../results';

/** 6. An owner-name search page of 20 (a name the emulator's sample says has more hits than that), closed loop. */
export async function runSearch(ctx: BenchContext): Promise<Figures> {
  const { connections, warmupSeconds, seconds, pageSize } = ctx.profile.search;
  const emulator = await ctx.emulator(0);
  const { ownerSearch } = await emulator.sample(20);
  const candidates = [...ownerSearch].sort((a, b) => b.hits - a.hits);
  const target = candidates.find((s) => s.hits >= pageSize) ?? candidates[0];
  if (!target) throw new Error('search: the emulator sample has no owner names');
  const requestBody = searchBody(target.name, pageSize);

  const subgraph = await ctx.subgraph(0);
  const reply = await expectClean(subgraph.url, requestBody, 'search');
  const page = reply.json.data?.vehiclesByOwnerName as { totalCount: number; edges: unknown[] } | undefined;
  const edges = page?.edges.length ?? 0;
  if (edges !== Math.min(pageSize, target.hits)) throw new Error(`search: page has ${edges} vehicles`);

  ctx.progress(`search: ${seconds} s, ${connections} connections`);
  await runLoad({ url: subgraph.url, connections, duration: warmupSeconds, bodies: [requestBody] });
  const result = await runLoad({ url: subgraph.url, connections, duration: seconds, bodies: [requestBody] });
  return {
    rps: result.ok / result.seconds,
    p50Ms: result.latency.percentile(50),
    p99Ms: result.latency.percentile(99),
    errors: result.failed,
    pageSize: edges,
    totalHits: page?.totalCount ?? Number.NaN,
    connections,
    seconds,
  };
}
