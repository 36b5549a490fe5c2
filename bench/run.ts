import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import {
  createCredentials,
  pinSelf,
  startBareProcess,
  startEmulatorProcess,
  startSubgraphProcess,
  tasksetAvailable,
  type ChildHandle,
} from './processes';
import { PROFILES, type BenchContext } from './profile';
import {
  SCENARIOS,
  formatTable,
  goalOutcomes,
  machine,
  missedGoals,
  shapeProblems,
  type BenchResults,
  type Figures,
  type ScenarioName,
} from './results';
import { runBatching } from './scenarios/batching';
import { runBounds } from './scenarios/bounds';
import { runHostile } from './scenarios/hostile';
import { runIvi } from './scenarios/ivi';
import { runLatency } from './scenarios/latency';
import { runOverhead } from './scenarios/overhead';
import { runSearch } from './scenarios/search';
import { runSustained } from './scenarios/sustained';

/**
 * `npm run bench [-- --quick] [-- --only=batching,latency] [-- --no-pin]`: starts its own emulator and subgraph
 * processes on free 127.0.0.1 ports, drives them with autocannon and prints a table. See USAGE for what is written.
 */

const USAGE = `Usage: npm run bench [-- <options>]

Starts its own emulator, subgraph and bare-server processes on free 127.0.0.1 ports, measures each scenario and
prints a table with the goals.

Options:
  --quick          shorter runs (about 85 s); writes bench/results.quick.json (untracked), not bench/results.json
  --only=a,b       only these scenarios (${SCENARIOS.join(', ')}); prints, writes no file
  --no-pin         do not pin the subgraph and the load generator to separate CPUs
  -h, --help       this text

Only a full run (no --quick, no --only) refreshes the committed bench/results.json, with the date and the machine.
`;

class UsageError extends Error {}

const RUNNERS: Record<ScenarioName, (ctx: BenchContext) => Promise<Figures> | Figures> = {
  batching: runBatching,
  overhead: runOverhead,
  latency: runLatency,
  sustained: runSustained,
  ivi: runIvi,
  search: runSearch,
  hostile: runHostile,
  bounds: runBounds,
};

interface Args {
  quick: boolean;
  only?: ScenarioName[];
  pin: boolean;
  help: boolean;
}

export function parseArgs(argv: string[]): Args {
  const args: Args = { quick: false, pin: true, help: false };
  for (const arg of argv) {
    if (arg === '--help' || arg === '-h') args.help = true;
    else if (arg === '--quick') args.quick = true;
    else if (arg === '--no-pin') args.pin = false;
    else if (arg.startsWith('--only=')) {
      const names = arg.slice('--only='.length).split(',').filter(Boolean);
      const unknown = names.filter((n) => !(SCENARIOS as readonly string[]).includes(n));
      if (unknown.length) {
        throw new UsageError(`unknown scenario(s): ${unknown.join(', ')}; known: ${SCENARIOS.join(', ')}`);
      }
      args.only = names as ScenarioName[];
    } else throw new UsageError(`unknown argument: ${arg}`);
  }
  return args;
}

/** Where a run's results go: only a full run of every scenario refreshes the committed file. */
export function resultsFile(args: Pick<Args, 'quick' | 'only'>): string | undefined {
  if (args.only) return undefined;
  return join('bench', args.quick ? 'results.quick.json' : 'results.json');
}

/** The package root (bench/ lives next to package.json). */
function projectRoot(): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'kjoretoy-subgraph') {
      return dir;
    }
  }
  throw new Error('package root not found');
}

function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

async function main(): Promise<void> {
  let args: Args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`bench: ${e.message}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (args.help) {
    process.stdout.write(USAGE);
    return;
  }
  const profile = PROFILES[args.quick ? 'quick' : 'full'];
  const names = args.only ?? [...SCENARIOS];

  // Subgraph (or bare server) alone on CPU 0; this process (autocannon, the IVI loop) and the emulator on CPU 1.
  const cpu: BenchContext['cpu'] = {};
  if (args.pin && cpus().length >= 2 && tasksetAvailable() && pinSelf(1)) {
    cpu.server = 0;
    cpu.driver = 1;
    progress('pinned: subgraph on CPU 0, load generator and emulator on CPU 1');
  } else {
    progress('not pinned (no taskset, fewer than 2 CPUs, or --no-pin): processes share all CPUs');
  }

  const credentials = await createCredentials();
  // Processes shared between scenarios, started on first use and stopped at the end (each start costs ~1 s of CPU).
  const shared = new Map<string, Promise<{ handle: ChildHandle }>>();
  const once = <T extends { handle: ChildHandle }>(key: string, start: () => Promise<T>): Promise<T> => {
    let started = shared.get(key) as Promise<T> | undefined;
    if (!started) {
      started = start();
      shared.set(key, started);
    }
    return started;
  };
  const ctx: BenchContext = {
    profile,
    credentials,
    cpu,
    progress,
    emulator: (latencyMs) =>
      once(`emulator:${latencyMs}`, () => startEmulatorProcess(credentials, { latencyMs, cpu: cpu.driver })),
    subgraph: (latencyMs) =>
      once(`subgraph:${latencyMs}`, async () =>
        startSubgraphProcess(`subgraph (latency ${latencyMs} ms)`, await ctx.emulator(latencyMs), credentials, {
          cpu: cpu.server,
        }),
      ),
    bare: (kjennemerke) => once(`bare:${kjennemerke}`, () => startBareProcess(kjennemerke, { cpu: cpu.server })),
  };

  const scenarios: Record<string, Figures> = {};
  const failures: string[] = [];
  const began = Date.now();
  try {
    for (const name of names) {
      progress(`${name}: start (${profile.name})`);
      const t0 = Date.now();
      try {
        const figures = await RUNNERS[name](ctx);
        // JSON has no NaN; a figure that could not be measured is left out rather than written as null.
        scenarios[name] = Object.fromEntries(
          Object.entries(figures)
            .filter(([, v]) => Number.isFinite(v))
            .map(([k, v]) => [k, roundFigure(v)]),
        );
        const dropped = Object.keys(figures).filter((k) => !Number.isFinite(figures[k]));
        if (dropped.length) failures.push(`${name}: not measured: ${dropped.join(', ')}`);
      } catch (e) {
        failures.push(`${name}: ${e instanceof Error ? e.message : String(e)}`);
        progress(`${name}: FAILED: ${e instanceof Error ? e.message : String(e)}`);
      }
      progress(`${name}: done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
  } finally {
    // Subgraphs and bare servers before the emulators they call.
    const keys = [...shared.keys()].sort((a, b) => Number(a.startsWith('emulator')) - Number(b.startsWith('emulator')));
    for (const key of keys) {
      const started = await Promise.allSettled([shared.get(key)]);
      if (started[0].status === 'fulfilled') await started[0].value?.handle.stop();
    }
    await credentials.dispose();
  }

  const results: BenchResults = { date: new Date().toISOString(), machine: machine(), scenarios };
  results.goals = goalOutcomes(results);
  const problems = shapeProblems(results);
  if (problems.length) failures.push(`results shape: ${problems.join('; ')}`);

  process.stdout.write(`\n${formatTable(results)}`);
  process.stdout.write(`(${profile.name} run, ${((Date.now() - began) / 1000).toFixed(0)} s; ${pinNote(cpu)})\n`);
  const missed = missedGoals(results);
  if (missed.length) process.stdout.write(`goals not met: ${missed.join(', ')}\n`);

  const target = resultsFile(args);
  if (target) {
    const file = resolve(projectRoot(), target);
    writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
    process.stdout.write(`wrote ${file}\n`);
  } else {
    process.stdout.write('--only: no results file written (a partial file would drop scenarios)\n');
  }
  if (failures.length) {
    process.stdout.write(`\nFAILED:\n${failures.map((f) => `  ${f}`).join('\n')}\n`);
    process.exitCode = 1;
  }
}

/** Microsecond precision for milliseconds, and no more digits than the noise deserves for the rest. */
function roundFigure(value: number): number {
  return Number.isInteger(value) ? value : Math.round(value * 1000) / 1000;
}

function pinNote(cpu: BenchContext['cpu']): string {
  return cpu.server === undefined
    ? 'not pinned'
    : `subgraph pinned to CPU ${cpu.server}, load generator + emulator to CPU ${cpu.driver}`;
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  });
}
