import { startStack, type EmulatorSample, type Stack } from '../helpers/stack';

const ENTITIES = `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Vehicle { kuid kjennemerke understellsnummer } } }`;

/** Bulk answers carry no kuid (docs/upstreams.md §3): a vehicle referenced by plate or VIN resolves with `kuid: null`. */
describe('federation entities (_entities) against the emulator', () => {
  let stack: Stack;
  let sample: EmulatorSample;

  beforeAll(async () => {
    stack = await startStack({ env: { FIKS_BULK_MAX_BATCH: '50' } });
    sample = await stack.sample(200);
  });
  afterAll(() => stack?.close());
  beforeEach(() => stack.reset());

  it.each(['kjennemerke', 'kuid', 'understellsnummer'] as const)(
    'resolves Vehicle by %s, with not-found as null plus NOT_FOUND at its index and the others unaffected',
    async (key) => {
      const [a, b] = sample.vehicles;
      const unknown = { kjennemerke: 'ZZ99997', kuid: '9999999999', understellsnummer: 'NOSUCHVIN00000000' }[key];
      const reps = [a[key], unknown, b[key]].map((value) => ({ __typename: 'Vehicle', [key]: value }));
      const res = await stack.gql(ENTITIES, { reps });
      expect(res.body.errors).toEqual([
        expect.objectContaining({ path: ['_entities', 1], extensions: expect.objectContaining({ code: 'NOT_FOUND' }) }),
      ]);
      // Only a reference by kuid makes the kuid known: SVV's bulk answers do not carry it.
      const kuidOf = (v: typeof a) => (key === 'kuid' ? v.kuid : null);
      expect(res.body.data._entities).toEqual([
        { kuid: kuidOf(a), kjennemerke: a.kjennemerke, understellsnummer: a.understellsnummer },
        null,
        { kuid: kuidOf(b), kjennemerke: b.kjennemerke, understellsnummer: b.understellsnummer },
      ]);
    },
  );

  it('sends 20 distinct plates, some also written differently, to the emulator as exactly one bulk call', async () => {
    const plates = sample.vehicles.slice(0, 20).map((v) => v.kjennemerke);
    const variants = plates.slice(0, 5).map((p) => `${p.slice(0, 2).toLowerCase()} ${p.slice(2)}`);
    const reps = [...plates, ...variants].map((kjennemerke) => ({ __typename: 'Vehicle', kjennemerke }));
    const res = await stack.gql(ENTITIES, { reps });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data._entities).toEqual(
      [...sample.vehicles.slice(0, 20), ...sample.vehicles.slice(0, 5)].map((v) => ({
        kuid: null,
        kjennemerke: v.kjennemerke,
        understellsnummer: v.understellsnummer,
      })),
    );
    const stats = await stack.stats();
    expect(stats.routes['bulk/kjennemerke'].requests).toBe(1);
    expect(stats.routes['bulk/kjennemerke'].idsRequested).toBe(20);
  });

  it('splits 120 representations into ceil(120 / 50) = 3 bulk calls, counted by the emulator', async () => {
    const reps = sample.vehicles.slice(0, 120).map((v) => ({ __typename: 'Vehicle', kuid: v.kuid }));
    const res = await stack.gql(ENTITIES, { reps });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data._entities.filter(Boolean)).toHaveLength(120);
    const stats = await stack.stats();
    expect(stats.routes['bulk/kuid'].requests).toBe(3);
    expect(stats.batchSizes['bulk/kuid'].slice().sort((x, y) => x - y)).toEqual([20, 50, 50]);
  });

  it('mixes keys in one request: plates and kuids each go to their own bulk endpoint once', async () => {
    const reps = [
      ...sample.vehicles.slice(0, 10).map((v) => ({ __typename: 'Vehicle', kjennemerke: v.kjennemerke })),
      ...sample.vehicles.slice(10, 20).map((v) => ({ __typename: 'Vehicle', kuid: v.kuid })),
    ];
    const res = await stack.gql(ENTITIES, { reps });
    expect(res.body.data._entities.filter(Boolean)).toHaveLength(20);
    const stats = await stack.stats();
    expect(stats.routes['bulk/kjennemerke'].requests).toBe(1);
    expect(stats.routes['bulk/kuid'].requests).toBe(1);
  });

  it('a malformed representation fails only its own index with BAD_USER_INPUT', async () => {
    const reps = [
      { __typename: 'Vehicle', kjennemerke: sample.vehicles[0].kjennemerke },
      { __typename: 'Vehicle', kjennemerke: '!!' },
    ];
    const res = await stack.gql(ENTITIES, { reps });
    expect(res.body.data._entities[0].understellsnummer).toBe(sample.vehicles[0].understellsnummer);
    expect(res.body.data._entities[1]).toBeNull();
    expect(res.body.errors).toEqual([
      expect.objectContaining({
        path: ['_entities', 1],
        extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }),
      }),
    ]);
  });

  it('a reference to a vehicle SVV withholds is null with VEHICLE_WITHHELD, not NOT_FOUND', async () => {
    const withheld = sample.withheld[0];
    const reps = [
      { __typename: 'Vehicle', kjennemerke: withheld.kjennemerke },
      { __typename: 'Vehicle', understellsnummer: sample.vehicles[0].understellsnummer },
    ];
    const res = await stack.gql(ENTITIES, { reps });
    expect(res.body.data._entities).toEqual([
      null,
      {
        kuid: null,
        kjennemerke: sample.vehicles[0].kjennemerke,
        understellsnummer: sample.vehicles[0].understellsnummer,
      },
    ]);
    expect(res.body.errors).toEqual([
      expect.objectContaining({ path: ['_entities', 0], extensions: { code: 'VEHICLE_WITHHELD', upstream: 'fiks' } }),
    ]);
  });

  it('resolves Organization by organisasjonsnummer and rejects a bad check digit', async () => {
    const org = sample.organisations[0].organisasjonsnummer;
    const bad = `${org.slice(0, 8)}${(Number(org[8]) + 1) % 10}`;
    const res = await stack.gql(
      `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Organization { organisasjonsnummer } } }`,
      {
        reps: [
          { __typename: 'Organization', organisasjonsnummer: org },
          { __typename: 'Organization', organisasjonsnummer: bad },
        ],
      },
    );
    expect(res.body.data._entities[0]).toEqual({ organisasjonsnummer: org });
    expect(res.body.data._entities[1]).toBeNull();
    expect(res.body.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
  });

  it('serves its SDL through _service with the three Vehicle keys and the Organization key', async () => {
    const res = await stack.gql(`{ _service { sdl } }`);
    const sdl: string = res.body.data._service.sdl;
    expect(sdl).toMatch(
      /type Vehicle\s+@key\(fields: "kuid"\)\s+@key\(fields: "kjennemerke"\)\s+@key\(fields: "understellsnummer"\)/,
    );
    expect(sdl).toMatch(/type Organization implements Owner\s+@key\(fields: "organisasjonsnummer"\)/);
    expect(sdl).toContain('@link(url: "https://specs.apollo.dev/federation/v2.7"');
    expect(sdl).toMatch(/owner: Owner\s+@requiresScopes/);
  });
});
