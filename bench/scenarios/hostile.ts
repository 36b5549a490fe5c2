import { performance } from 'node:perf_hooks';
import { median, percentileOfSorted } from '../load';
import type { BenchContext } from '../profile';
import type { Figures } from '../results';

/**
 * 7. Hostile IVI documents (issue 11): four callers keep sending `preRegister` dry runs with documents built to be
 * expensive to parse (hundreds of thousands of distinct names, under the 2 MiB cap), one after another, while this
 * process probes `/health/live` back to back. Goal: the probe's median latency stays under 50 ms, i.e. no document
 * stalls the event loop that answers Kubernetes' liveness probe. The baseline is the same probe with no attack.
 */

const root = (inner: string) => `<InitialVehicleInformation>${inner}</InitialVehicleInformation>`;
const name = (i: number) => `n${i.toString(36)}`;

/** The four documents of the attack run, each about 1.5–2.5 MB. */
export function hostileDocuments(): Record<string, string> {
  return {
    distinctAttributes: root(`<Header ${Array.from({ length: 235_000 }, (_, i) => `${name(i)}=""`).join(' ')}/>`),
    distinctElements: root(Array.from({ length: 255_000 }, (_, i) => `<${name(i)}/>`).join('')),
    manyElements: root('<e/>'.repeat(450_000)),
    // The heaviest document inside the structure limits: it is parsed and validated in full.
    heaviestAllowed: root(
      Array.from({ length: 4_990 }, (_, i) => `<${name(i % 990)}>${'x'.repeat(350)}</${name(i % 990)}>`).join(''),
    ),
  };
}

const PRE_REGISTER = `mutation BenchHostile($input: PreRegisterInput!) {
  preRegister(input: $input) { status errors { code } }
}`;

export async function runHostile(ctx: BenchContext): Promise<Figures> {
  const { seconds, probes } = ctx.profile.hostile;
  const subgraph = await ctx.subgraph(0);
  const live = subgraph.url.replace('/graphql', '/health/live');
  // Encoded once: fetch would otherwise re-encode 2.4 MB strings in this process, between probes it times.
  const bodies = Object.values(hostileDocuments()).map(
    (iviXml) =>
      new Uint8Array(
        Buffer.from(JSON.stringify({ query: PRE_REGISTER, variables: { input: { dryRun: true, iviXml } } })),
      ),
  );

  const probe = async (): Promise<number> => {
    const started = performance.now();
    const res = await fetch(live, { signal: AbortSignal.timeout(30_000) });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`hostile: /health/live answered ${res.status}`);
    return performance.now() - started;
  };

  const send = async (body: Uint8Array<ArrayBuffer>): Promise<{ status: number; preRegister?: { status: string } }> => {
    const res = await fetch(subgraph.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      signal: AbortSignal.timeout(60_000),
    });
    const json = (await res.json()) as { data?: { preRegister?: { status: string } } };
    return { status: res.status, preRegister: json.data?.preRegister };
  };
  // Warm-up: each document once (this also starts the IVI worker thread, which is not what is measured).
  for (const body of bodies) await send(body);
  // Baseline: the probe alone.
  for (let i = 0; i < 20; i++) await probe();
  const baseline: number[] = [];
  for (let i = 0; i < probes; i++) baseline.push(await probe());

  ctx.progress(`hostile: ${seconds} s of 4 attackers, /health/live probed back to back`);
  const until = performance.now() + seconds * 1000;
  let requests = 0;
  let refused = 0;
  let errors = 0;
  const answerMs: number[] = [];
  const attacker = async (body: Uint8Array<ArrayBuffer>) => {
    while (performance.now() < until) {
      const started = performance.now();
      try {
        const answer = await send(body);
        requests++;
        if (answer.preRegister?.status === 'REJECTED') refused++;
        else errors++;
      } catch {
        errors++;
      }
      answerMs.push(performance.now() - started);
    }
  };
  const attack = Promise.all(bodies.map(attacker));
  const underAttack: number[] = [];
  while (performance.now() < until) underAttack.push(await probe());
  await attack;

  const sorted = [...underAttack].sort((a, b) => a - b);
  return {
    liveP50Ms: median(underAttack),
    liveP99Ms: percentileOfSorted(sorted, 99),
    liveMaxMs: sorted[sorted.length - 1] ?? Number.NaN,
    liveProbes: underAttack.length,
    baselineLiveP50Ms: median(baseline),
    attackers: bodies.length,
    documentMb: Math.max(...bodies.map((b) => b.length)) / 1024 / 1024,
    hostileRequests: requests,
    hostileRejected: refused,
    hostileP50Ms: median(answerMs),
    errors,
    seconds,
  };
}
