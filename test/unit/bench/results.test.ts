import {
  formatNumber,
  formatTable,
  goalFor,
  goalOutcomes,
  meets,
  missedGoals,
  shapeProblems,
  type BenchResults,
} from '../../../bench/results';
import { LatencyRecorder, isCleanGraphqlBody, median, percentileOfSorted } from '../../../bench/load';

const sample: BenchResults = {
  date: '2026-11-23T12:00:00.000Z',
  machine: { cpus: '2 x AMD EPYC', node: 'v20.20.2' },
  scenarios: {
    batching: { batchSize: 50, callsBatchedN100: 2, callsNaiveN100: 100, callRatioN100: 50, callsBatchedN1000: 21 },
    overhead: { subgraphRps: 676.4, bareRps: 2725, throughputRatio: 0.248 },
    latency: { p50Ms: 62.3, overheadP50Ms: 12.3 },
    sustained: { errors: 0, p99Ms: 48.2, rssDriftPct: 3.1 },
    ivi: { docsPerSec: 2986 },
    search: { rps: 226 },
  },
};

describe('bench results', () => {
  it('accepts the documented shape and reports what is wrong with others', () => {
    expect(shapeProblems(sample)).toEqual([]);
    expect(shapeProblems(JSON.parse(JSON.stringify(sample)))).toEqual([]);
    expect(shapeProblems({ ...sample, extra: 1 })).toEqual(['top-level keys are date,extra,machine,scenarios']);
    expect(shapeProblems({ ...sample, scenarios: { ivi: { docsPerSec: '12' } } })).toEqual([
      'scenarios.ivi.docsPerSec is not a number',
    ]);
    expect(shapeProblems({ ...sample, machine: { cpus: 2, node: 'v20', model: 'x' } })).toEqual([
      'machine keys are not cpus,node',
    ]);
  });

  it('judges the issue goals, including ceil(N / B) for the batched call counts', () => {
    expect(goalFor('batching', 'callsBatchedN100', sample.scenarios.batching)).toEqual({ op: '==', value: 2 });
    expect(goalFor('batching', 'callsNaiveN100', sample.scenarios.batching)).toBeUndefined();
    expect(goalFor('overhead', 'throughputRatio', sample.scenarios.overhead)).toEqual({ op: '>=', value: 0.6 });
    expect(meets(0, { op: '==', value: 0 })).toBe(true);
    expect(meets(10, { op: '<', value: 10 })).toBe(false);
    expect(meets(Number.NaN, { op: '>=', value: 0 })).toBe(false);
    expect(missedGoals(sample)).toEqual([
      'batching.callsBatchedN1000',
      'overhead.throughputRatio',
      'latency.overheadP50Ms',
    ]);
  });

  it('records each judged figure with its goal, and refuses a run flagged invalid', () => {
    const outcomes = goalOutcomes(sample);
    expect(outcomes['overhead.throughputRatio']).toEqual({ value: 0.248, goal: '>= 0.6', met: false });
    expect(outcomes['batching.callsBatchedN100']).toEqual({ value: 2, goal: '== 2', met: true });
    expect(outcomes['search.rps']).toBeUndefined();
    const invalid = { ...sample, scenarios: { overhead: { throughputRatio: 0.7, valid: 0 } } };
    expect(missedGoals(invalid)).toEqual(['overhead.valid']);
    expect(shapeProblems({ ...sample, goals: outcomes })).toEqual([]);
  });

  it('prints one row per figure with the goal and whether it was met', () => {
    const table = formatTable(sample);
    expect(table).toContain('2 x AMD EPYC');
    expect(table).toMatch(/throughputRatio\s+0\.25\s+>= 0\.60\s+NO/);
    expect(table).toMatch(/overheadP50Ms\s+12\.3\s+<= 10\s+NO/);
    expect(table).toMatch(/callsBatchedN100\s+2\s+== 2\s+yes/);
    expect(table.trimEnd().split('\n')).toHaveLength(3 + 15);
  });

  it('formats numbers for the table', () => {
    expect(formatNumber(2725)).toBe('2725');
    expect(formatNumber(676.4)).toBe('676');
    expect(formatNumber(12.34)).toBe('12.3');
    expect(formatNumber(0.248)).toBe('0.25');
    expect(formatNumber(Number.NaN)).toBe('n/a');
  });
});

describe('bench load helpers', () => {
  it('computes nearest-rank percentiles and medians', () => {
    const recorder = new LatencyRecorder(10);
    for (const v of [5, 1, 4, 2, 3]) recorder.record(v);
    expect(recorder.percentile(50)).toBe(3);
    expect(recorder.percentile(100)).toBe(5);
    expect(percentileOfSorted([1, 2, 3, 4], 99)).toBe(4);
    expect(median([3, 1, 2, 10])).toBe(2.5);
  });

  it('stops recording at its capacity', () => {
    const recorder = new LatencyRecorder(2);
    for (const v of [1, 2, 3]) recorder.record(v);
    expect(recorder.size).toBe(2);
  });

  it('treats GraphQL errors and missing data as failures', () => {
    expect(isCleanGraphqlBody('{"data":{"vehicle":null}}')).toBe(true);
    expect(isCleanGraphqlBody('{"data":{"preRegister":{"errors":[]}}}')).toBe(true);
    expect(isCleanGraphqlBody('{"errors":[{"message":"x"}],"data":{"vehicle":null}}')).toBe(false);
    expect(isCleanGraphqlBody('{"data":null}')).toBe(false);
    expect(isCleanGraphqlBody('<html>')).toBe(false);
  });
});
