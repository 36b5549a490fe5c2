import { cpus } from 'node:os';

/**
 * The results file (`bench/results.json`) and the printed table. Scenario figures are numbers only; goals come from
 * issue 7 and are kept here, next to the figures they judge, so the table and the README say the same thing.
 */

export type Figures = Record<string, number>;

export interface BenchResults {
  /** ISO-8601 time the run finished. */
  date: string;
  machine: {
    /** Count and model, e.g. `2 x AMD EPYC`. */
    cpus: string;
    /** `process.version`, e.g. `v20.20.2`. */
    node: string;
  };
  scenarios: Record<string, Figures>;
  /** Every figure that has a goal, keyed `scenario.figure`, with the goal and whether this run met it. */
  goals?: Record<string, GoalOutcome>;
}

export interface GoalOutcome {
  value: number;
  goal: string;
  met: boolean;
}

export type GoalOp = '>=' | '<=' | '<' | '==';

export interface Goal {
  op: GoalOp;
  value: number;
}

/** Fixed goals from the issue; `callsBatchedN<N>` goals (= ceil(N / B)) are derived from the batch size recorded. */
export const GOALS: Record<string, Record<string, Goal>> = {
  batching: { callRatioN100: { op: '>=', value: 50 } },
  // Issue 13: the ratios in steady state, judged only from a run where every server was the limit (`valid`).
  overhead: {
    throughputRatio: { op: '>=', value: 0.6 },
    throughputRatioInfo: { op: '>=', value: 0.55 },
    valid: { op: '==', value: 1 },
  },
  latency: { overheadP50Ms: { op: '<=', value: 10 }, subgraphOwnP50Ms: { op: '<=', value: 4 } },
  sustained: { errors: { op: '==', value: 0 }, rssDriftPct: { op: '<', value: 10 } },
  // Issue 11: no document stalls the event loop that answers the liveness probe.
  hostile: { liveP50Ms: { op: '<', value: 50 }, errors: { op: '==', value: 0 } },
  // The upper bounds the tests asserted until they stopped reading the wall clock (commit c8a6819), unchanged.
  bounds: {
    dataset100kMs: { op: '<', value: 5000 },
    iviRefusalMaxMs: { op: '<', value: 1000 },
    iviCharRefs300kMs: { op: '<', value: 2000 },
    iviCommentOpenersMs: { op: '<', value: 2000 },
    limitCountingMs: { op: '<', value: 200 },
    breakerOpenMs: { op: '<', value: 200 },
    retryAfterBeyondDeadlineMs: { op: '<', value: 1000 },
    // The deadline (UPSTREAM_DEADLINE_MS = 1500 in scenarios/bounds.ts) plus a 400 ms margin.
    hangingUpstreamMs: { op: '<', value: 1500 + 400 },
    slowBodyRetryMs: { op: '<', value: 3000 },
  },
};

export function goalFor(scenario: string, figure: string, figures: Figures): Goal | undefined {
  const fixed = GOALS[scenario]?.[figure];
  if (fixed) return fixed;
  const batched = scenario === 'batching' ? /^callsBatchedN(\d+)$/.exec(figure) : null;
  if (batched && Number.isFinite(figures.batchSize) && figures.batchSize > 0) {
    return { op: '==', value: Math.ceil(Number(batched[1]) / figures.batchSize) };
  }
  return undefined;
}

export function meets(value: number, goal: Goal): boolean {
  if (!Number.isFinite(value)) return false;
  switch (goal.op) {
    case '>=':
      return value >= goal.value;
    case '<=':
      return value <= goal.value;
    case '<':
      return value < goal.value;
    case '==':
      return value === goal.value;
  }
}

/** Three significant digits for small values, whole numbers for large ones; NaN (not measured) as `n/a`. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  if (Number.isInteger(value)) return String(value);
  const abs = Math.abs(value);
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

export interface TableRow {
  scenario: string;
  figure: string;
  value: string;
  goal: string;
  met: string;
}

export function tableRows(results: BenchResults): TableRow[] {
  const rows: TableRow[] = [];
  for (const [scenario, figures] of Object.entries(results.scenarios)) {
    for (const [figure, value] of Object.entries(figures)) {
      const goal = goalFor(scenario, figure, figures);
      rows.push({
        scenario,
        figure,
        value: formatNumber(value),
        goal: goal ? `${goal.op} ${formatNumber(goal.value)}` : '',
        met: goal ? (meets(value, goal) ? 'yes' : 'NO') : '',
      });
    }
  }
  return rows;
}

export function formatTable(results: BenchResults): string {
  const header: TableRow = { scenario: 'scenario', figure: 'figure', value: 'value', goal: 'goal', met: 'met' };
  const rows = [header, ...tableRows(results)];
  const keys = ['scenario', 'figure', 'value', 'goal', 'met'] as const;
  const width = Object.fromEntries(keys.map((k) => [k, Math.max(...rows.map((r) => r[k].length))])) as Record<
    (typeof keys)[number],
    number
  >;
  const line = (r: TableRow) =>
    keys
      .map((k) => (k === 'value' ? r[k].padStart(width[k]) : r[k].padEnd(width[k])))
      .join('  ')
      .trimEnd();
  const rule = keys.map((k) => '-'.repeat(width[k])).join('  ');
  const out = [
    `kjoretoy-subgraph benchmarks, ${results.date}, ${results.machine.cpus}, node ${results.machine.node}`,
    line(header),
    rule,
  ];
  let previous = '';
  for (const row of rows.slice(1)) {
    out.push(line(row.scenario === previous ? { ...row, scenario: '' } : row));
    previous = row.scenario;
  }
  return `${out.join('\n')}\n`;
}

/** The goals of `results.goals`: each judged figure with its goal (`>= 0.6`) and whether it was met. */
export function goalOutcomes(results: BenchResults): Record<string, GoalOutcome> {
  const out: Record<string, GoalOutcome> = {};
  for (const [scenario, figures] of Object.entries(results.scenarios)) {
    for (const [figure, value] of Object.entries(figures)) {
      const goal = goalFor(scenario, figure, figures);
      if (goal) out[`${scenario}.${figure}`] = { value, goal: `${goal.op} ${goal.value}`, met: meets(value, goal) };
    }
  }
  return out;
}

/** Goals not met, as `scenario.figure` strings. */
export function missedGoals(results: BenchResults): string[] {
  return tableRows(results)
    .filter((r) => r.met === 'NO')
    .map((r) => `${r.scenario}.${r.figure}`);
}

/** Checks the documented shape; returns the problems found (empty when valid). */
export function shapeProblems(value: unknown): string[] {
  const problems: string[] = [];
  const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(value)) return ['results is not an object'];
  const keys = Object.keys(value).sort().join(',');
  if (keys !== 'date,machine,scenarios' && keys !== 'date,goals,machine,scenarios') {
    problems.push(`top-level keys are ${keys}`);
  }
  if ('goals' in value && !isObject(value.goals)) problems.push('goals is not an object');
  if (typeof value.date !== 'string' || Number.isNaN(Date.parse(value.date))) problems.push('date is not an ISO date');
  if (!isObject(value.machine)) problems.push('machine is not an object');
  else {
    if (Object.keys(value.machine).sort().join(',') !== 'cpus,node') problems.push('machine keys are not cpus,node');
    if (typeof value.machine.node !== 'string') problems.push('machine.node is not a string');
    if (typeof value.machine.cpus !== 'string' && typeof value.machine.cpus !== 'number') problems.push('machine.cpus');
  }
  if (!isObject(value.scenarios)) problems.push('scenarios is not an object');
  else {
    for (const [name, figures] of Object.entries(value.scenarios)) {
      if (!isObject(figures)) {
        problems.push(`scenarios.${name} is not an object`);
        continue;
      }
      for (const [figure, v] of Object.entries(figures)) {
        // JSON has no NaN: a figure that could not be measured is written as null by JSON.stringify.
        if (typeof v !== 'number') problems.push(`scenarios.${name}.${figure} is not a number`);
      }
    }
  }
  return problems;
}

export const SCENARIOS = [
  'batching',
  'overhead',
  'latency',
  'sustained',
  'ivi',
  'search',
  'hostile',
  'bounds',
] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

/** This machine, for the results file: CPU count and model, Node version. */
export function machine(): BenchResults['machine'] {
  const list = cpus();
  const models = [...new Set(list.map((c) => c.model.trim()))].join(' / ');
  return { cpus: `${list.length} x ${models || 'unknown CPU'}`, node: process.version };
}
