import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EMULATOR_FIKS_ORG_ID, generateDevClient, startEmulator, type EmulatorHandle } from '../../../emulator';
import { sampleDocument } from '../../fixtures/ivi';
import { describeEachBackend, type TestDatabase } from '../../helpers/postgres';
import { gqlTo, startSubgraphProcess, waitFor, type SubgraphProcess } from '../../helpers/subgraph-process';
import { LIST, PRE_REGISTER, RECONCILE, WITHDRAW, callers, expectOneWithdrawn, type Callers } from './helpers';

/**
 * Replicas: two subgraph processes (`src/index.ts`, as the container runs it) sharing one ledger database and one
 * upstream emulator, once on the embedded PGlite and once on a real PostgreSQL server.
 */
describeEachBackend('two subgraph processes sharing one ledger', (backend) => {
  let db: TestDatabase;
  let emulator: EmulatorHandle;
  let who: Callers;
  let dir: string;
  let env: Record<string, string>;
  const running: SubgraphProcess[] = [];
  const A = '910000001';
  const B = '920000002';

  const start = async (extra: Record<string, string> = {}) => {
    const proc = await startSubgraphProcess('src/index.ts', { ...env, ...extra });
    running.push(proc);
    return proc;
  };
  const stats = async () =>
    (await (await fetch(`${emulator.url}/__emulator/stats`)).json()) as {
      routes: Record<string, { requests: number; inFlight: number }>;
    };
  const fault = (body: unknown) =>
    fetch(`${emulator.url}/__emulator/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-replicas-'));
    const client = await generateDevClient();
    const integration = {
      id: randomUUID(),
      password: process.env.FIKS_INTEGRATION_PASSWORD ?? randomBytes(18).toString('base64url'),
    };
    const keyFile = join(dir, 'client-key.pem');
    writeFileSync(keyFile, client.privateKeyPem, { mode: 0o600 });
    [db, emulator, who] = await Promise.all([
      backend.start(),
      startEmulator({
        port: 0,
        vehicles: 500,
        clients: [{ clientId: client.clientId, publicKeyPem: client.publicKeyPem, kid: client.kid }],
        integrations: [integration],
      }),
      callers(),
    ]);
    env = {
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      PORT: '0',
      HOST: '127.0.0.1',
      FIKS_BASE_URL: emulator.fiksBaseUrl,
      FIKS_ORG_ID: EMULATOR_FIKS_ORG_ID,
      FIKS_INTEGRATION_ID: integration.id,
      FIKS_INTEGRATION_PASSWORD: integration.password,
      ECOC_BASE_URL: emulator.ecocBaseUrl,
      MASKINPORTEN_TOKEN_URL: emulator.tokenUrl,
      MASKINPORTEN_AUDIENCE: emulator.issuer,
      MASKINPORTEN_CLIENT_ID: client.clientId,
      MASKINPORTEN_KID: client.kid,
      MASKINPORTEN_KEY_FILE: keyFile,
      ...who.env,
      DATABASE_URL: db.url,
      // A hung submission is given up after 5 s, so a killed replica's PENDING row turns OUTCOME_UNKNOWN soon after.
      ECOC_TIMEOUT_MS: '5000',
      UPSTREAM_DEADLINE_MS: '5000',
      LEDGER_PENDING_TIMEOUT_MS: '5000',
      LEDGER_SWEEP_INTERVAL_MS: '200',
    };
  }, 60_000);
  afterAll(async () => {
    for (const proc of running) proc.kill('SIGKILL');
    await Promise.all(running.map((p) => p.exited));
    await emulator?.close();
    await db?.close();
    who?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`[${backend.name}] 20 concurrent submissions of one VIN, spread over both processes, reach SVV exactly once; the others get a coded answer`, async () => {
    // Both start at once on a database neither has migrated: the advisory lock lets one migrate, the other waits.
    const [one, two] = await Promise.all([start(), start()]);
    await fetch(`${emulator.url}/__emulator/reset`, { method: 'POST' });
    // The first to reach SVV is slow to answer, so the others arrive while it is in flight.
    await fault({ route: 'ecoc/opprette', times: 1, delayMs: 500 });
    const vin = sampleDocument().vin;
    const answers = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const doc = sampleDocument();
        const headers = await who.as(i % 4 < 2 ? A : B);
        const body = await gqlTo(
          i % 2 ? two.url : one.url,
          PRE_REGISTER,
          { input: { iviXml: doc.xml.replace(doc.vin, vin) } },
          headers,
        );
        return body.data.preRegister;
      }),
    );
    expect(answers.filter((a) => a.status === 'ACCEPTED')).toHaveLength(1);
    const refused = answers.filter((a) => a.status !== 'ACCEPTED');
    expect(refused).toHaveLength(19);
    for (const a of refused) {
      expect(a).toMatchObject({ status: 'REJECTED', preRegistration: { status: null } });
      expect(['ECOC-IN-PROGRESS', 'IVI-E-DUPLICATE']).toContain(a.errors[0].code);
    }
    expect((await stats()).routes['ecoc/opprette'].requests).toBe(1);
  }, 180_000);

  it(`[${backend.name}] a process killed (SIGKILL) while SVV hangs: after restart OUTCOME_UNKNOWN, never re-sent; reconcile settles it once SVV has created the vehicle`, async () => {
    const victim = await start();
    const other = running.find((p) => p !== victim && p.lines.length > 0 && p.url) ?? (await start());
    await fetch(`${emulator.url}/__emulator/reset`, { method: 'POST' });
    // The first submission is never handled (SVV never got it); the second is handled, and its answer is lost.
    await fault([
      { route: 'ecoc/opprette', times: 1, hang: true },
      { route: 'ecoc/opprette', times: 1, hang: 'after-handling' },
    ]);
    const neverArrived = sampleDocument();
    const lostAnswer = sampleDocument();
    const headers = await who.as(A);
    const inFlight = (n: number) => async () => (await stats()).routes['ecoc/opprette'].inFlight === n;
    const first = gqlTo(victim.url, PRE_REGISTER, { input: { iviXml: neverArrived.xml } }, headers).catch(
      (e: Error) => e,
    );
    await waitFor(inFlight(1), 'the first submission to hang at SVV');
    const second = gqlTo(victim.url, PRE_REGISTER, { input: { iviXml: lostAnswer.xml } }, headers).catch(
      (e: Error) => e,
    );
    await waitFor(inFlight(2), 'the second submission to hang at SVV');

    victim.kill('SIGKILL');
    expect(await victim.exited).toBeNull();
    // Killed before any answer: the callers got no response at all (fetch's TypeError, from Node's own realm).
    expect(await first).toMatchObject({ message: 'fetch failed' });
    expect(await second).toMatchObject({ message: 'fetch failed' });
    expect((await stats()).routes['ecoc/opprette'].requests).toBe(2);

    const restarted = await start();
    const unknown = async () => {
      const body = await gqlTo(restarted.url, LIST, { status: 'OUTCOME_UNKNOWN' }, headers);
      const refs = body.data.preRegistrations.edges.map((e: any) => e.node.iviReferanse);
      return refs.includes(neverArrived.ref) && refs.includes(lostAnswer.ref);
    };
    await waitFor(unknown, 'both submissions to be given up as OUTCOME_UNKNOWN');
    const listed = await gqlTo(other.url, LIST, { status: 'OUTCOME_UNKNOWN' }, headers);
    const lost = listed.data.preRegistrations.edges.find((e: any) => e.node.iviReferanse === lostAnswer.ref).node;
    expect(lost).toMatchObject({
      status: 'OUTCOME_UNKNOWN',
      errors: [{ code: 'ECOC-OUTCOME-UNKNOWN' }],
      statusHistory: [
        { status: 'PENDING', event: 'SUBMITTED' },
        { status: 'OUTCOME_UNKNOWN', event: 'SENDER_LOST' },
      ],
    });
    // Sending it again is refused while its outcome is unknown.
    const retry = await gqlTo(restarted.url, PRE_REGISTER, { input: { iviXml: lostAnswer.xml } }, headers);
    expect(retry.data.preRegister).toMatchObject({ status: 'REJECTED', errors: [{ code: 'ECOC-OUTCOME-UNKNOWN' }] });

    // SVV created the vehicle of the second one: reconcile finds it by VIN.
    const settled = await gqlTo(restarted.url, RECONCILE, { ref: lostAnswer.ref }, headers);
    expect(settled.data.reconcilePreRegistration).toMatchObject({
      status: 'ACCEPTED',
      foundInRegister: true,
      preRegistration: {
        status: 'ACCEPTED',
        statusHistory: [
          { status: 'PENDING', event: 'SUBMITTED' },
          { status: 'OUTCOME_UNKNOWN', event: 'SENDER_LOST' },
          { status: 'ACCEPTED', event: 'FOUND_IN_REGISTER' },
        ],
      },
    });
    // The first never arrived: it stays unknown, and may be withdrawn (SVV: not found) and sent again safely.
    const open = await gqlTo(other.url, RECONCILE, { vin: neverArrived.vin }, headers);
    expect(open.data.reconcilePreRegistration).toMatchObject({ status: 'OUTCOME_UNKNOWN', foundInRegister: false });
    const withdrawn = await gqlTo(other.url, WITHDRAW, { ref: neverArrived.ref }, headers);
    expect(withdrawn.data.withdrawPreRegistration.status).toBe('NOT_FOUND');
    expect((await stats()).routes['ecoc/opprette'].requests).toBe(2);
    const again = await gqlTo(restarted.url, PRE_REGISTER, { input: { iviXml: neverArrived.xml } }, headers);
    expect(again.data.preRegister.status).toBe('ACCEPTED');
    expect((await stats()).routes['ecoc/opprette'].requests).toBe(3);
  }, 240_000);

  it(`[${backend.name}] ten concurrent withdrawals of one submission, spread over both processes, send one DELETE; the others get ECOC-IN-PROGRESS`, async () => {
    // A minute for every eCoC call and lease: the held DELETE waits for the other nine, however slow the machine.
    const patient = { ECOC_TIMEOUT_MS: '60000', UPSTREAM_DEADLINE_MS: '60000', LEDGER_PENDING_TIMEOUT_MS: '60000' };
    const [one, two] = await Promise.all([start(patient), start(patient)]);
    await fetch(`${emulator.url}/__emulator/reset`, { method: 'POST' });
    const headers = await who.as(A);
    const doc = sampleDocument();
    const sent = await gqlTo(one.url, PRE_REGISTER, { input: { iviXml: doc.xml } }, headers);
    expect(sent.data.preRegister.status).toBe('ACCEPTED');
    // SVV holds the first DELETE until the others have their answers, so they all come while it holds the claim.
    await fault({ route: 'ecoc/slette', times: 1, hold: true });
    const first = gqlTo(one.url, WITHDRAW, { ref: doc.ref }, headers);
    let others;
    try {
      await waitFor(async () => (await stats()).routes['ecoc/slette'].inFlight === 1, 'the first DELETE at SVV');
      others = await Promise.all(
        Array.from({ length: 9 }, (_, i) => gqlTo(i % 2 ? one.url : two.url, WITHDRAW, { ref: doc.ref }, headers)),
      );
    } finally {
      await fetch(`${emulator.url}/__emulator/release`, { method: 'POST' });
    }
    expectOneWithdrawn([await first, ...others]);
    expect((await stats()).routes['ecoc/slette'].requests).toBe(1);
  }, 180_000);
});
