import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { promisify } from 'node:util';
import { buildIvi } from '../../../src/ivi';
import { IviCheckPool } from '../../../src/ivi/pool';
import { SAMPLE_ECOC_INPUT } from '../../fixtures/ivi';

/**
 * The worker pool runs checkIvi in worker threads, from TypeScript sources here (tsx in the worker) and from dist/
 * when built. A check over its budget comes back as XML-TOO-COMPLEX and the pool goes on working.
 */
const REF = 'pool-ref-0001';
/** Within the structure limits but heavy: the most elements allowed, each with text. */
const HEAVY = `<InitialVehicleInformation>${'<Note>text</Note>'.repeat(4900)}</InitialVehicleInformation>`;

describe('IviCheckPool', () => {
  let pool: IviCheckPool;
  beforeAll(() => {
    pool = new IviCheckPool({ threads: 1 });
  });
  afterAll(() => pool.close());

  it('checks a document in a worker thread: same answer as the rules give', async () => {
    const result = await pool.check({
      ecoc: SAMPLE_ECOC_INPUT,
      iviReferanse: REF,
      avgiftsKode: '101',
      today: '2026-01-15',
    });
    expect(result).toMatchObject({ ok: true, iviReferanse: REF, errors: [], warnings: [] });
    expect(result.ok && result.xml).toBe(buildIvi(SAMPLE_ECOC_INPUT, REF));
  });

  it('the event loop keeps turning while a heavy document is checked', async () => {
    let settled = false;
    const check = pool.check({ iviXml: HEAVY }).finally(() => (settled = true));
    await nextTurn();
    expect(settled).toBe(false);
    expect(await check).toMatchObject({ ok: true });
  });

  it('a check over its budget is XML-TOO-COMPLEX, and the pool still answers afterwards', async () => {
    const strict = new IviCheckPool({ threads: 1, timeoutMs: 1 });
    try {
      expect(await strict.check({ iviXml: HEAVY })).toEqual({
        ok: false,
        issue: expect.objectContaining({ code: 'XML-TOO-COMPLEX', field: 'iviXml', source: 'LOCAL' }),
      });
    } finally {
      await strict.close();
    }
    expect(await pool.check({ iviXml: '<InitialVehicleInformation/>' })).toMatchObject({ ok: true });
  });

  it('a document over the structure limits is refused in the worker too', async () => {
    const many = `<InitialVehicleInformation>${Array.from({ length: 255_000 }, (_, i) => `<e${i.toString(36)}/>`).join('')}</InitialVehicleInformation>`;
    expect(await pool.check({ iviXml: many })).toMatchObject({ ok: false, issue: { code: 'XML-TOO-COMPLEX' } });
  });

  it('a full queue refuses new checks (IviPoolBusyError) instead of queueing without bound', async () => {
    const tiny = new IviCheckPool({ threads: 1, maxQueue: 1 });
    try {
      const results = await Promise.allSettled([1, 2, 3, 4].map(() => tiny.check({ iviXml: HEAVY })));
      const refused = results.filter((r) => r.status === 'rejected');
      expect(refused.length).toBeGreaterThan(0);
      for (const r of refused) expect((r as PromiseRejectedResult).reason).toMatchObject({ name: 'IviPoolBusyError' });
    } finally {
      await tiny.close();
    }
  });
});

describe('IviCheckPool when the operator gives the service a larger young generation (NODE_OPTIONS)', () => {
  const FIXTURE = join(__dirname, '..', '..', 'fixtures', 'runtime', 'worker-young-generation.ts');
  const LARGER = '--max-semi-space-size=32';
  /** Young-generation sizes (MiB) after allocation: a worker's with the pool's limits, then the main thread's. */
  const measure = async (nodeOptions: string, buildPool: boolean) => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--require', require.resolve('tsx/cjs'), FIXTURE], {
      env: { PATH: process.env.PATH, NODE_OPTIONS: nodeOptions, BUILD_POOL: buildPool ? '1' : '0' },
      timeout: 60_000,
    });
    return JSON.parse(stdout) as { workerNewSpaceMb: number; mainNewSpaceMb: number };
  };

  it('its workers size their heaps from their own limits, as without the option; the main thread keeps the larger one', async () => {
    const plain = await measure('', true);
    const largerNoPool = await measure(LARGER, false);
    const larger = await measure(LARGER, true);
    // Without the pool's reset, V8 gives a worker the main thread's young generation (what the reset is for).
    expect(largerNoPool.workerNewSpaceMb).toBeGreaterThan(plain.workerNewSpaceMb);
    expect(larger.workerNewSpaceMb).toBe(plain.workerNewSpaceMb);
    expect(larger.mainNewSpaceMb).toBeGreaterThan(plain.mainNewSpaceMb);
  }, 120_000);
});
