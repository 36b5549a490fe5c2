import { sampleDocument } from '../../fixtures/ivi';
import { describeWithPostgres, startTestPostgres, type TestDatabase } from '../../helpers/postgres';
import { startStack, type Stack } from '../../helpers/stack';
import { LIST, PRE_REGISTER } from './helpers';

/**
 * The ledger's database goes away under a running subgraph (a real server, stopped): pre-registrations answer a coded
 * error and send nothing, vehicle lookups go on, readiness says degraded, the process stays up.
 */
describeWithPostgres('ledger database outage', () => {
  let db: TestDatabase;
  let stack: Stack;

  beforeAll(async () => {
    db = await startTestPostgres();
    stack = await startStack({ env: { DATABASE_URL: db.url } });
  });
  afterAll(async () => {
    await stack?.close();
    await db?.close();
  });

  it('pre-registration answers UPSTREAM_UNAVAILABLE (ledger) and sends nothing; lookups and the process go on', async () => {
    expect((await stack.gql(LIST, {})).body.errors).toBeUndefined();
    await db.close();
    await stack.reset();

    const res = await stack.gql(PRE_REGISTER, { input: { iviXml: sampleDocument().xml } });
    expect(res.status).toBe(200);
    expect(res.body.errors).toEqual([
      expect.objectContaining({
        path: ['preRegister'],
        extensions: expect.objectContaining({ code: 'UPSTREAM_UNAVAILABLE', upstream: 'ledger' }),
      }),
    ]);
    expect((await stack.stats()).routes['ecoc/opprette'].requests).toBe(0);
    expect((await stack.gql(LIST, {})).body.errors![0].extensions!.code).toBe('UPSTREAM_UNAVAILABLE');

    const [vehicle] = (await stack.sample(1)).vehicles;
    const lookup = await stack.gql(`query($k: String) { vehicle(kjennemerke: $k) { kjennemerke } }`, {
      k: vehicle.kjennemerke,
    });
    expect(lookup.body).toEqual({ data: { vehicle: { kjennemerke: vehicle.kjennemerke } } });

    const ready = await fetch(new URL('/health/ready', stack.url));
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ready: true, degraded: true, checks: { database: 'unreachable' } });
  });
});
