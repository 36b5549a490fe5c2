import { buildIvi, parseIvi, validateIvi } from '../../src/ivi';
import { BENCH_ECOC_INPUT, BENCH_IVI_REFERANSE } from '../documents';
import type { BenchContext } from '../profile';
import type { Figures } from '../results';

/** A hard stop whatever the clock says, so the loop is bounded in count as well as in time. */
const MAX_ITERATIONS = 50_000_000;
const TODAY = '2026-01-15';

/**
 * 5. What preRegister does with structured input before anything is sent: build the IVI 1.x document, parse it back
 * (fast-xml-parser, safe settings) and run the local rule set. A plain loop in this process, on one core.
 */
export function runIvi(ctx: BenchContext): Figures {
  const { warmupIterations, seconds } = ctx.profile.ivi;
  const once = (): string => {
    const xml = buildIvi(BENCH_ECOC_INPUT, BENCH_IVI_REFERANSE);
    const parsed = parseIvi(xml);
    if (!parsed.ok) throw new Error(`ivi: the built document does not parse: ${parsed.issue.code}`);
    const checked = validateIvi(parsed.value, { iviReferanse: BENCH_IVI_REFERANSE, today: TODAY });
    if (checked.errors.length) throw new Error(`ivi: the built document has errors: ${checked.errors[0].code}`);
    return xml;
  };
  const docBytes = Buffer.byteLength(once());
  for (let i = 0; i < warmupIterations; i++) once();

  ctx.progress(`ivi: ${seconds} s loop`);
  const limitNs = BigInt(Math.round(seconds * 1e9));
  const started = process.hrtime.bigint();
  let iterations = 0;
  while (iterations < MAX_ITERATIONS) {
    once();
    iterations++;
    // Reading the clock every 32 documents keeps its cost out of the figure.
    if ((iterations & 31) === 0 && process.hrtime.bigint() - started >= limitNs) break;
  }
  const elapsedSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  return {
    docsPerSec: iterations / elapsedSeconds,
    usPerDoc: (elapsedSeconds * 1e6) / iterations,
    docBytes,
    iterations,
  };
}
