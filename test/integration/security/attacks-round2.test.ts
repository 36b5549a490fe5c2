import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApp } from '../../../src/app';
import { ConfigError } from '../../../src/config';
import { isValidFodselsnummer } from '../../../src/domain/identifiers';
import { MAX_OPERATION_LABELS } from '../../../src/observability/operation-names';
import { VIN_LOOKUP_COST } from '../../../src/security/limits';
import { DEV_AUDIENCE, DEV_ISSUER, generateDevKey, jwksOf, mintToken, type DevKey } from '../../../dev/mint-token';
import { SAMPLE_ECOC_INPUT, sampleDocument } from '../../fixtures/ivi';
import { captureLogger, type LogEntry } from '../../helpers/log-scan';
import { startStack, type EmulatorSample, type Stack } from '../../helpers/stack';
import { until } from '../../helpers/wait';
import { PRODUCTION_UPSTREAMS } from '../../helpers/real-upstreams';

const ROOT = join(__dirname, '..', '..', '..');

/**
 * The second attack run (issue 11), one test group per weakness found, over the whole stack with caller auth as in
 * production. Every group asserts what a caller or an operator would notice: the answer and its code, the upstream
 * calls the emulator counted, the log lines, the metrics, the process's exit code.
 */

/** A synthetic fødselsnummer (month + 80) with valid check digits: the kind of value that must never be echoed. */
function syntheticFnr(): string {
  for (let n = 0; n < 1000; n++) {
    const candidate = `150190${String(n).padStart(3, '0')}`;
    for (let k = 0; k < 100; k++) {
      const fnr = `${candidate}${String(k).padStart(2, '0')}`;
      if (isValidFodselsnummer(fnr)) return fnr;
    }
  }
  throw new Error('no synthetic fødselsnummer found');
}
const FNR = syntheticFnr();

const ECOC_VARIABLES = {
  ...SAMPLE_ECOC_INPUT,
  primaryColourCode: '1',
  engine: { ...SAMPLE_ECOC_INPUT.engine, fuels: [{ fuelCode: '10', maximumNetPower: 110.5, maximumSpeed: 210 }] },
  wltp: { combinedCo2: 132 },
};

const PRE_REGISTER = `mutation($input: PreRegisterInput!) {
  preRegister(input: $input) { status preRegistration { iviReferanse } errors { field code message } }
}`;
const WITHDRAW = `mutation($ref: ID) { withdrawPreRegistration(iviReferanse: $ref) { status } }`;

const root = (inner: string) => `<InitialVehicleInformation>${inner}</InitialVehicleInformation>`;

describe('hostile callers, round 2', () => {
  let stack: Stack;
  let sample: EmulatorSample;
  let key: DevKey;
  let dir: string;
  const log = captureLogger('info');
  const bearer = async (scope: string, subject = 'client-a') => ({
    authorization: `Bearer ${await mintToken(key, { scope, subject })}`,
  });
  const upstreamRequests = async (route?: string) => {
    const stats = await stack.stats();
    return Object.entries(stats.routes)
      .filter(([name]) => name !== 'token' && (route === undefined || name === route))
      .reduce((n, [, r]) => n + r.requests, 0);
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'attacks-round2-'));
    key = await generateDevKey();
    const jwksFile = join(dir, 'jwks.json');
    writeFileSync(jwksFile, JSON.stringify(jwksOf(key)));
    stack = await startStack({
      logger: log.logger,
      env: {
        AUTH_JWKS_FILE: jwksFile,
        AUTH_ISSUER: DEV_ISSUER,
        AUTH_AUDIENCE: DEV_AUDIENCE,
        // Small, so one caller could fill the shared bulkhead without its own share in front (group 4).
        UPSTREAM_BULKHEAD_LIMIT: '4',
        UPSTREAM_BULKHEAD_QUEUE: '2',
        UPSTREAM_CALLER_LIMIT: '2',
        UPSTREAM_CALLER_QUEUE: '100',
        UPSTREAM_MAX_RETRIES: '0',
        // An eCoC answer that never comes ends here (OUTCOME_UNKNOWN), so a held submission frees its share.
        ECOC_TIMEOUT_MS: '5000',
      },
    });
    sample = await stack.sample(40);
  });
  afterAll(async () => {
    await stack?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => stack.reset());

  describe('1. no IVI document stalls the process', () => {
    const hostile = [
      root(`<Header ${Array.from({ length: 235_000 }, (_, i) => `a${i.toString(36)}=""`).join(' ')}/>`),
      root(Array.from({ length: 255_000 }, (_, i) => `<e${i.toString(36)}/>`).join('')),
      root('<e/>'.repeat(400_000)),
      root(`${'<a>'.repeat(40_000)}${'</a>'.repeat(40_000)}`),
    ];

    it('four hostile documents at once are refused as XML-TOO-COMPLEX, and /health/live answers meanwhile', async () => {
      const headers = await bearer('preregistration:write');
      const attacks = hostile.map((iviXml) => stack.gql(PRE_REGISTER, { input: { dryRun: true, iviXml } }, headers));
      const live = await fetch(stack.url.replace('/graphql', '/health/live'));
      expect(live.status).toBe(200);
      for (const res of await Promise.all(attacks)) {
        expect(res.status).toBe(200);
        expect(res.body.errors).toBeUndefined();
        expect(res.body.data.preRegister).toMatchObject({
          status: 'REJECTED',
          errors: [expect.objectContaining({ field: 'iviXml', code: 'XML-TOO-COMPLEX' })],
        });
      }
      expect(await upstreamRequests()).toBe(0);
    });
  });

  describe('2. metric labels stay bounded', () => {
    const graphqlLines = async () =>
      (await (await fetch(stack.url.replace('/graphql', '/metrics'))).text())
        .split('\n')
        .filter((line) => line.startsWith('graphql_'));
    const sendNamed = async (from: number, to: number) => {
      for (let start = from; start < to; start += 50) {
        const batch = Array.from({ length: Math.min(50, to - start) }, (_, i) =>
          stack.gql(`query Attack${start + i} { __typename }`),
        );
        for (const res of await Promise.all(batch)) expect(res.status).toBe(200);
      }
    };

    // 5,000 names through the same plugin, in process: test/unit/observability/operation-labels.test.ts.
    it(`past ${MAX_OPERATION_LABELS} distinct operation names, new names add no series to /metrics`, async () => {
      await sendNamed(0, MAX_OPERATION_LABELS + 50);
      const before = await graphqlLines();
      await sendNamed(MAX_OPERATION_LABELS + 50, MAX_OPERATION_LABELS + 250);
      const after = await graphqlLines();
      const operations = new Set(after.flatMap((line) => /operation="([^"]*)"/.exec(line)?.[1] ?? []));
      expect(operations.size).toBeLessThanOrEqual(MAX_OPERATION_LABELS + 3);
      expect(operations).toContain('other');
      expect(after.length).toBe(before.length);
    }, 120_000);
  });

  describe('4. fair shares and the real cost of VIN lookups', () => {
    const ENTITIES = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Vehicle { kuid } } }';
    const vinReps = (n: number) =>
      Array.from({ length: n }, (_, i) => ({
        __typename: 'Vehicle',
        understellsnummer: `YS3TESTM1R${String(i).padStart(7, '0')}`,
      }));

    it('200 VIN references in one operation are refused before any upstream call', async () => {
      const res = await stack.gql(ENTITIES, { r: vinReps(200) }, await bearer('vehicles:read'));
      expect(res.body.data).toBeUndefined();
      expect(res.body.errors).toEqual([
        expect.objectContaining({
          message: expect.stringContaining(`${200 * VIN_LOOKUP_COST} vehicle identifiers`),
          extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }),
        }),
      ]);
      expect(await upstreamRequests()).toBe(0);
    });

    it(`${200 / VIN_LOOKUP_COST} VIN references cost what the cap allows: one GET each`, async () => {
      const res = await stack.gql(ENTITIES, { r: vinReps(200 / VIN_LOOKUP_COST) }, await bearer('vehicles:read'));
      expect(res.status).toBe(200);
      expect(await upstreamRequests('understellsnummer')).toBe(200 / VIN_LOOKUP_COST);
    });

    it("a second caller's lookups succeed while a first caller floods the subgraph", async () => {
      // Every VIN GET hangs until its attempt times out: the first caller's calls pile up.
      await stack.fault({ route: 'understellsnummer', hang: true, times: 1000 });
      const flooder = await bearer('vehicles:read', 'client-flood');
      const flood = Array.from({ length: 20 }, (_, i) =>
        stack.gql(
          'query($v: String) { vehicle(understellsnummer: $v) { kuid } }',
          { v: vinReps(20)[i].understellsnummer },
          flooder,
        ),
      );
      // Wait (on the emulator's own count, not on a clock) until the flooder holds its whole share.
      for (let polls = 0; (await stack.stats()).routes.understellsnummer.inFlight < 2; polls++) {
        if (polls > 500) throw new Error('the flood never reached the upstream');
        await new Promise((resolve) => setImmediate(resolve));
      }
      const other = await stack.gql(
        'query($k: String) { vehicle(kjennemerke: $k) { kjennemerke } }',
        { k: sample.vehicles[0].kjennemerke },
        await bearer('vehicles:read', 'client-other'),
      );
      expect(other.body.errors).toBeUndefined();
      expect(other.body.data.vehicle.kjennemerke).toBe(sample.vehicles[0].kjennemerke);
      // The flooder never had more than its share in flight at the upstream.
      expect((await stack.stats()).routes.understellsnummer.maxInFlight).toBeLessThanOrEqual(2);
      await stack.reset();
      const answers = await Promise.all(flood);
      for (const res of answers) expect(res.status).toBe(200);
    }, 60_000);

    it("a second importer reaches SVV while a first importer's submissions hang there and fill its share", async () => {
      const other = await bearer('preregistration:write', 'importer-other');
      const mine = sampleDocument();
      const sent = await stack.gql(PRE_REGISTER, { input: { iviXml: mine.xml } }, other);
      expect(sent.body.data.preRegister.status).toBe('ACCEPTED');

      // Every submission to SVV now hangs: the flooding importer's six would hold the whole eCoC bulkhead (4) and
      // its queue (2) without a share of its own.
      await stack.fault({ route: 'ecoc/opprette', hang: true, times: 1000 });
      const flooder = await bearer('preregistration:write', 'importer-flood');
      const flood = Array.from({ length: 6 }, () =>
        stack.gql(PRE_REGISTER, { input: { iviXml: sampleDocument().xml } }, flooder),
      );
      await until(async () => (await stack.stats()).routes['ecoc/opprette'].inFlight === 2);

      const withdrawn = await stack.gql(WITHDRAW, { ref: mine.ref }, other);
      expect(withdrawn.body.errors).toBeUndefined();
      expect(withdrawn.body.data.withdrawPreRegistration.status).toBe('WITHDRAWN');
      // The flooder never had more than its share (2) at SVV.
      expect((await stack.stats()).routes['ecoc/opprette'].maxInFlight).toBe(2);

      // The held two end as OUTCOME_UNKNOWN (never re-sent); the queued four are then sent and accepted.
      await stack.reset();
      const statuses = (await Promise.all(flood)).map((res) => res.body.data?.preRegister?.status).sort();
      expect(statuses).toEqual(['ACCEPTED', 'ACCEPTED', 'ACCEPTED', 'ACCEPTED', 'OUTCOME_UNKNOWN', 'OUTCOME_UNKNOWN']);
    });
  });

  describe('5. scopes before any lookup that could reveal data', () => {
    it('with only preregistration:write, a known and an unknown VIN answer alike, and Fiks is never asked', async () => {
      const known = sample.vehicles.map((v) => v.understellsnummer).find((vin) => /^[A-HJ-NPR-Z0-9]{17}$/.test(vin));
      expect(known).toBeDefined();
      const query = `mutation($input: PreRegisterInput!) {
        preRegister(input: $input) { status preRegistration { vehicle { kuid } } errors { code } }
      }`;
      const headers = await bearer('preregistration:write');
      const ask = async (vin: string) => {
        const res = await stack.gql(
          query,
          { input: { dryRun: true, iviReferanse: 'probe-1', ecoc: { ...ECOC_VARIABLES, vin } } },
          headers,
        );
        return { status: res.status, body: res.body };
      };
      const [a, b] = [await ask(known!), await ask('YS3TESTM1R9999999')];
      expect(a).toEqual(b);
      expect(a.body.data.preRegister.preRegistration).toEqual({ vehicle: null });
      expect(a.body.errors).toEqual([
        expect.objectContaining({ extensions: expect.objectContaining({ code: 'FORBIDDEN' }) }),
      ]);
      expect(await upstreamRequests()).toBe(0);
    });
  });

  describe('6. client mistakes are client errors, not internal ones', () => {
    const ENTITIES = 'query($r: [_Any!]!) { _entities(representations: $r) { __typename } }';

    it.each(['Query', 'PreRegistration', 'Mutation', 'NoSuchType'])(
      '_entities with __typename %s is BAD_USER_INPUT, once, with no upstream call',
      async (typename) => {
        const reps = Array.from({ length: 200 }, () => ({
          __typename: typename,
          understellsnummer: 'YS3TESTM1R0000001',
        }));
        const res = await stack.gql(ENTITIES, { r: reps }, await bearer('vehicles:read'));
        expect(res.body.errors).toHaveLength(1);
        expect(res.body.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
        expect(await upstreamRequests()).toBe(0);
      },
    );

    it('an APQ hash that does not match the query is a 400 with a client code', async () => {
      const res = await fetch(stack.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query: '{ __typename }',
          extensions: { persistedQuery: { version: 1, sha256Hash: '0'.repeat(64) } },
        }),
      });
      expect(res.status).toBe(400);
      const body = (await res.json()) as { errors: { extensions: { code: string } }[] };
      expect(body.errors[0].extensions.code).not.toBe('INTERNAL_SERVER_ERROR');
    });
  });

  describe('7. caller-chosen text in logs and metrics', () => {
    const requestLines = () => log.entries().filter((e: LogEntry) => e.msg === 'graphql request');

    it('an x-request-id that is not a UUID is replaced; a UUID is kept', async () => {
      const replaced = await stack.gql('{ __typename }', undefined, { 'x-request-id': FNR });
      const id = replaced.headers.get('x-request-id')!;
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(id).not.toContain(FNR);
      const uuid = '0b6c1f0e-4b9a-4c57-9d1e-3f2a1b0c9d8e';
      expect((await stack.gql('{ __typename }', undefined, { 'x-request-id': uuid })).headers.get('x-request-id')).toBe(
        uuid,
      );
      expect(log.text()).not.toContain(FNR);
    });

    it('an operation named after a fødselsnummer is neither logged nor labelled as written', async () => {
      const res = await stack.gql(`query Fnr${FNR} { __typename }`);
      expect(res.status).toBe(200);
      expect(requestLines().at(-1)).toMatchObject({ operation: 'redacted' });
      expect(log.text()).not.toContain(FNR);
      expect(await (await fetch(stack.url.replace('/graphql', '/metrics'))).text()).not.toContain(FNR);
    });
  });

  describe('8. no error message repeats the input', () => {
    const cases: Array<[string, string, Record<string, unknown> | undefined, string]> = [
      ['a Date variable', 'query($d: DateTime) { vehicle(kuid: "1", at: $d) { kuid } }', { d: FNR }, FNR],
      [
        'an Int variable',
        'mutation($a: Int) { preRegister(input: { dryRun: true, ecoc: { numberOfAxles: $a } }) { status } }',
        { a: 'Ola Nordmann' },
        'Ola Nordmann',
      ],
      [
        'an unknown input field named like the value',
        'mutation($e: EcocInput) { preRegister(input: { dryRun: true, ecoc: $e }) { status } }',
        { e: { [`f${FNR}`]: 'x' } },
        FNR,
      ],
      ['a String literal given a number', `{ vehicle(kjennemerke: ${FNR}) { kuid } }`, undefined, FNR],
      [
        'an Int literal given a string',
        '{ vehicles(kuids: 1, at: "Ola Nordmann") { kuid } }',
        undefined,
        'Ola Nordmann',
      ],
      ['a string token where a name belongs', `{ vehicle("${FNR}") { kuid } }`, undefined, FNR],
      ['an enum variable', 'query($s: PreRegistrationStatus) { __typename }', { s: FNR }, FNR],
    ];

    it.each(cases)(
      '%s: a coded client error that names the variable, not the value',
      async (_label, query, variables, value) => {
        const res = await stack.gql(query, variables, await bearer('vehicles:read preregistration:write'));
        expect(res.body.errors?.length).toBeGreaterThan(0);
        for (const error of res.body.errors!) {
          expect(error.extensions?.code).not.toBe('INTERNAL_SERVER_ERROR');
          expect(JSON.stringify(error)).not.toContain(value);
        }
        const variable = variables ? Object.keys(variables)[0] : undefined;
        if (variable) expect(res.body.errors![0].message).toContain(`"$${variable}"`);
      },
    );
  });

  describe('9. the local IVI check refuses what SVV would refuse, and sends nothing', () => {
    const doc = (header: string, coc: string) =>
      root(
        `<Header>${header}<VersionNumberXsd>1.6</VersionNumberXsd></Header><Body><CocDataGroup>${coc}</CocDataGroup></Body>`,
      );
    const ref = (value: string) => `<IVIReferenceId>${value}</IVIReferenceId>`;
    const vin = (value: string) => `<VehicleIdentificationNumber>${value}</VehicleIdentificationNumber>`;
    const cases: Array<[string, string, string]> = [
      [
        'a root in a foreign namespace',
        `<x:InitialVehicleInformation xmlns:x="urn:not-ivi"><x:Header>${ref('r-1')}</x:Header></x:InitialVehicleInformation>`,
        'XML-ROOT',
      ],
      ['two VIN elements', doc(ref('r-2'), vin('YS3TESTM1R0000001') + vin('YS3TESTM1R0000002')), 'IVI-E-FORMAT'],
      ['a NUL character reference', doc(ref('r-3'), vin('YS3TESTM1R&#0;00001')), 'XML-MALFORMED'],
      ['a 5,007-character IVIReferenceId', doc(ref('r'.repeat(5007)), vin('YS3TESTM1R0000001')), 'IVI-E-FORMAT'],
      ['an IVIReferenceId with a path', doc(ref('a/../b'), vin('YS3TESTM1R0000001')), 'IVI-E-FORMAT'],
      ['an IVIReferenceId with RTL characters', doc(ref('ref\u202Etxt'), vin('YS3TESTM1R0000001')), 'IVI-E-FORMAT'],
    ];

    it.each(cases)('%s is REJECTED locally and never sent', async (label, iviXml, code) => {
      const res = await stack.gql(PRE_REGISTER, { input: { iviXml } }, await bearer('preregistration:write'));
      expect(res.status).toBe(200);
      const answer = res.body.data.preRegister;
      expect(answer.status).toBe('REJECTED');
      expect(answer.errors.map((e: { code: string }) => e.code)).toContain(code);
      // A malformed reference is not handed back as if it named a pre-registration.
      if (label.includes('IVIReferenceId')) expect(answer.preRegistration).toBeNull();
      expect(await upstreamRequests('ecoc/opprette')).toBe(0);
    });
  });

  it('none of the above wrote an ERROR log line or answered INTERNAL_SERVER_ERROR', () => {
    const errors = log.entries().filter((e) => e.level >= 50);
    expect(errors).toEqual([]);
    expect(log.text()).not.toContain('INTERNAL_SERVER_ERROR');
  });
});

describe('3. no caller auth only on synthetic upstreams, whatever NODE_ENV says', () => {
  /** Real upstreams (unreachable: nothing is called at start-up) with a real signing key file. */
  let dir: string;
  let realUpstreams: Record<string, string>;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'startup-auth-'));
    const keyFile = join(dir, 'maskinporten.pem');
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    realUpstreams = { ...PRODUCTION_UPSTREAMS, MASKINPORTEN_KEY_FILE: keyFile, MASKINPORTEN_KID: 'kid-1' };
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(['development', 'test'])(
    'NODE_ENV=%s with FIKS_BASE_URL and no caller auth refuses to start, naming the variables',
    async (nodeEnv) => {
      const error: unknown = await startApp({
        env: { ...realUpstreams, NODE_ENV: nodeEnv },
        port: 0,
        host: '127.0.0.1',
      }).catch((e) => e);
      expect(error).toBeInstanceOf(ConfigError);
      for (const variable of [
        'AUTH_JWKS_URL',
        'AUTH_JWKS_FILE',
        'AUTH_ISSUER',
        'AUTH_AUDIENCE',
        'ALLOW_NO_CALLER_AUTH',
      ]) {
        expect((error as Error).message).toContain(variable);
      }
    },
  );

  it('NODE_ENV=production refuses even with ALLOW_NO_CALLER_AUTH=true', async () => {
    const error: unknown = await startApp({
      env: { ...realUpstreams, ALLOW_NO_CALLER_AUTH: 'true' },
      port: 0,
      host: '127.0.0.1',
    }).catch((e) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/AUTH_/);
  });

  it('ALLOW_NO_CALLER_AUTH=true starts, and says so at error level', async () => {
    const log = captureLogger('info');
    const app = await startApp({
      env: { ...realUpstreams, NODE_ENV: 'test', ALLOW_NO_CALLER_AUTH: 'true', DATABASE_URL: process.env.DATABASE_URL },
      port: 0,
      host: '127.0.0.1',
      logger: log.logger,
    });
    try {
      expect(log.entries()).toContainEqual(
        expect.objectContaining({ level: 50, msg: expect.stringMatching(/^NO CALLER AUTH ON REAL UPSTREAMS/) }),
      );
      expect(log.entries().map((e) => e.msg)).not.toContainEqual(expect.stringMatching(/^DEV MODE/));
    } finally {
      await app.close();
    }
  });
});

describe('10. start-up failures and readiness', () => {
  it.each(['abc', '0', '10gb', '-5mb'])('BODY_LIMIT=%s is refused, naming the variable', async (value) => {
    const error: unknown = await startApp({ env: { ...PRODUCTION_UPSTREAMS, BODY_LIMIT: value } }).catch((e) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/^Invalid configuration: BODY_LIMIT/);
  });

  it('`npm start` (dev launcher) with BODY_LIMIT=abc exits 1, leaving nothing running', async () => {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      NODE_ENV: 'development',
      PORT: '0',
      EMULATOR_PORT: '0',
      EMULATOR_VEHICLES: '50',
      DATABASE_URL: process.env.DATABASE_URL,
      BODY_LIMIT: 'abc',
    };
    const child = spawn(process.execPath, ['--import', 'tsx', 'dev/start.ts'], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stdout += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    const lines = stdout
      .trim()
      .split('\n')
      .flatMap((l) => (l.startsWith('{') ? [JSON.parse(l) as { level: number; msg: string }] : []));
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 60, msg: expect.stringMatching(/^Invalid configuration: BODY_LIMIT/) }),
    );
  }, 180_000);

  it('readiness reflects the process, not its upstreams: eCoC token trouble is reported as degraded, lookups go on', async () => {
    // A scope the emulator's Maskinporten does not grant: every eCoC token grant fails, Fiks tokens work.
    const stack = await startStack({ env: { ECOC_SCOPE: 'svv:kjoretoy/not-granted' } });
    try {
      const ready = await fetch(stack.url.replace('/graphql', '/health/ready'));
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({
        status: 'degraded',
        ready: true,
        degraded: true,
        checks: { token: { fiks: true, ecoc: false } },
      });
      const [v] = (await stack.sample(1)).vehicles;
      const lookup = await stack.gql('query($k: String) { vehicle(kjennemerke: $k) { kjennemerke } }', {
        k: v.kjennemerke,
      });
      expect(lookup.body.data.vehicle.kjennemerke).toBe(v.kjennemerke);
    } finally {
      await stack.close();
    }
  });
});
