import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { closePool } from '../../../src/ledger/database';
import { sampleDocument } from '../../fixtures/ivi';
import { describeEachBackend, type TestDatabase } from '../../helpers/postgres';
import { startStack, type Stack } from '../../helpers/stack';
import { until } from '../../helpers/wait';
import { metricValue } from '../../supergraph/federation-fixture';
import { LIST, PRE_REGISTER, RECONCILE, WITHDRAW, callers, expectOneWithdrawn, type Callers } from './helpers';

/**
 * The submission ledger through the whole stack (subgraph + emulator over real sockets, caller tokens verified as in
 * production), once on the embedded PGlite and once on a real PostgreSQL server.
 */
describeEachBackend('submission ledger', (backend) => {
  let db: TestDatabase;
  let stack: Stack;
  let who: Callers;
  let sql: Pool;
  // Organisation numbers of two importers (synthetic; 9 digits).
  const A = '910000001';
  const B = '920000002';

  beforeAll(async () => {
    db = await backend.start();
    who = await callers();
    stack = await startStack({ env: { ...who.env, DATABASE_URL: db.url } });
    sql = new Pool({ connectionString: db.url, max: 2 });
  });
  afterAll(async () => {
    await stack?.close();
    if (sql) await closePool(sql);
    await db?.close();
    who?.cleanup();
  });
  beforeEach(() => stack.reset());

  const submit = async (org: string, input: Record<string, unknown>) =>
    (await stack.gql(PRE_REGISTER, { input }, await who.as(org))).body;
  const requests = async (route: 'ecoc/opprette' | 'ecoc/slette' | 'understellsnummer') =>
    (await stack.stats()).routes[route].requests;
  const attempts = async (requested: string) =>
    (
      await sql.query(
        'SELECT sender, by_kind, outcome, svv_status FROM withdrawal_attempt WHERE requested = $1 ORDER BY id',
        [requested],
      )
    ).rows;

  it(`[${backend.name}] importer B can withdraw importer A's pre-registration neither by reference nor by VIN: FORBIDDEN, no delete sent, refusals recorded`, async () => {
    const doc = sampleDocument();
    expect((await submit(A, { iviXml: doc.xml })).data.preRegister.status).toBe('ACCEPTED');

    for (const variables of [{ ref: doc.ref }, { vin: doc.vin }]) {
      const res = await stack.gql(WITHDRAW, variables, await who.as(B));
      expect(res.body.data).toEqual({ withdrawPreRegistration: null });
      expect(res.body.errors).toEqual([
        expect.objectContaining({
          path: ['withdrawPreRegistration'],
          extensions: expect.objectContaining({ code: 'FORBIDDEN' }),
        }),
      ]);
      // The message never echoes the reference or the VIN asked for.
      expect(res.body.errors![0].message).not.toContain(doc.ref);
      expect(res.body.errors![0].message).not.toContain(doc.vin);
    }
    expect(await requests('ecoc/slette')).toBe(0);
    expect(await attempts(doc.ref)).toEqual([
      { sender: B, by_kind: 'iviReferanse', outcome: 'REFUSED', svv_status: null },
    ]);
    expect(await attempts(doc.vin)).toEqual([
      { sender: B, by_kind: 'understellsnummer', outcome: 'REFUSED', svv_status: null },
    ]);

    // A's submission is untouched, and A can withdraw it (by VIN: SVV is asked by A's own reference).
    const mine = await stack.gql(LIST, { status: 'ACCEPTED' }, await who.as(A));
    expect(mine.body.data.preRegistrations.edges.map((e: any) => e.node.iviReferanse)).toContain(doc.ref);
    const ok = await stack.gql(WITHDRAW, { vin: doc.vin }, await who.as(A));
    expect(ok.body.data.withdrawPreRegistration).toMatchObject({
      status: 'WITHDRAWN',
      iviReferanse: doc.ref,
      understellsnummer: doc.vin,
      preRegistration: {
        status: 'WITHDRAWN',
        statusHistory: [
          { status: 'PENDING', event: 'SUBMITTED' },
          { status: 'ACCEPTED', event: 'ANSWERED' },
          { status: 'WITHDRAWING', event: 'WITHDRAWAL_STARTED' },
          { status: 'WITHDRAWN', event: 'WITHDRAWN' },
        ],
      },
    });
    expect(await requests('ecoc/slette')).toBe(1);
    expect(await attempts(doc.vin)).toEqual([
      { sender: B, by_kind: 'understellsnummer', outcome: 'REFUSED', svv_status: null },
      { sender: A, by_kind: 'understellsnummer', outcome: 'WITHDRAWN', svv_status: 200 },
    ]);
    const metrics = await (await fetch(new URL('/metrics', stack.url))).text();
    expect(metricValue(metrics, 'preregistration_withdrawals_total{outcome="REFUSED"}')).toBeGreaterThanOrEqual(2);
  });

  it(`[${backend.name}] preRegistrations lists only the caller's own submissions, newest first, by status and in pages`, async () => {
    const mineDocs = [sampleDocument(), sampleDocument(), sampleDocument()];
    const org = `93${String(Date.now()).slice(-7)}`;
    for (const doc of mineDocs)
      expect((await submit(org, { iviXml: doc.xml })).data.preRegister.status).toBe('ACCEPTED');
    const theirs = sampleDocument();
    expect((await submit(B, { iviXml: theirs.xml })).data.preRegister.status).toBe('ACCEPTED');

    const first = await stack.gql(LIST, { first: 2 }, await who.as(org));
    expect(first.body.errors).toBeUndefined();
    const page1 = first.body.data.preRegistrations;
    expect(page1.totalCount).toBe(3);
    expect(page1.edges.map((e: any) => e.node.iviReferanse)).toEqual([mineDocs[2].ref, mineDocs[1].ref]);
    expect(page1.pageInfo.hasNextPage).toBe(true);
    const second = await stack.gql(LIST, { first: 2, after: page1.pageInfo.endCursor }, await who.as(org));
    const page2 = second.body.data.preRegistrations;
    expect(page2.edges.map((e: any) => e.node.iviReferanse)).toEqual([mineDocs[0].ref]);
    expect(page2.pageInfo.hasNextPage).toBe(false);
    expect(page2.edges[0].node.statusHistory).toEqual([
      { status: 'PENDING', event: 'SUBMITTED' },
      { status: 'ACCEPTED', event: 'ANSWERED' },
    ]);
    const refs = [...page1.edges, ...page2.edges].map((e: any) => e.node.iviReferanse);
    expect(refs).not.toContain(theirs.ref);

    expect((await stack.gql(LIST, { status: 'REJECTED' }, await who.as(org))).body.data.preRegistrations).toMatchObject(
      {
        totalCount: 0,
        edges: [],
      },
    );
    const bad = await stack.gql(LIST, { after: 'not-a-cursor' }, await who.as(org));
    expect(bad.body.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'after' });
    // A read-only token may list, but not send.
    const reader = await who.as(org, 'preregistration:read');
    expect((await stack.gql(LIST, {}, reader)).body.data.preRegistrations.totalCount).toBe(3);
    const denied = await stack.gql(PRE_REGISTER, { input: { iviXml: sampleDocument().xml } }, reader);
    expect(denied.body.errors![0].extensions!.code).toBe('FORBIDDEN');
  });

  it(`[${backend.name}] the same idempotencyKey twice reaches SVV once and returns the same outcome twice`, async () => {
    const doc = sampleDocument();
    const idempotencyKey = randomUUID();
    const first = await submit(A, { iviXml: doc.xml, idempotencyKey });
    const again = await submit(A, { iviXml: doc.xml, idempotencyKey });
    expect(first.data.preRegister).toMatchObject({ status: 'ACCEPTED', replayed: false });
    expect(again.data.preRegister).toEqual({ ...first.data.preRegister, replayed: true });
    expect(await requests('ecoc/opprette')).toBe(1);

    // The same key with another document is a client bug: refused, nothing sent.
    const other = await submit(A, { iviXml: sampleDocument().xml, idempotencyKey });
    expect(other.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'input.idempotencyKey' });
    // Keys are per sender: B's key of the same text is B's own.
    expect((await submit(B, { iviXml: sampleDocument().xml, idempotencyKey })).data.preRegister.status).toBe(
      'ACCEPTED',
    );
    expect(await requests('ecoc/opprette')).toBe(2);
  });

  it(`[${backend.name}] concurrent submissions of one VIN in one process: sent once, the others refused with a code`, async () => {
    const vin = sampleDocument().vin;
    await stack.fault({ route: 'ecoc/opprette', times: 1, delayMs: 300 });
    const docs = Array.from({ length: 8 }, () => {
      const d = sampleDocument();
      return d.xml.replace(d.vin, vin);
    });
    const answers = await Promise.all(docs.map((iviXml, i) => submit(i % 2 ? A : B, { iviXml })));
    const statuses = answers.map((a) => a.data.preRegister.status);
    expect(statuses.filter((s) => s === 'ACCEPTED')).toHaveLength(1);
    for (const a of answers.filter((x) => x.data.preRegister.status !== 'ACCEPTED')) {
      expect(a.data.preRegister.status).toBe('REJECTED');
      expect(['ECOC-IN-PROGRESS', 'IVI-E-DUPLICATE']).toContain(a.data.preRegister.errors[0].code);
    }
    expect(await requests('ecoc/opprette')).toBe(1);
  });

  it(`[${backend.name}] a lost answer is OUTCOME_UNKNOWN: the VIN stays held, reconcile finds nothing, withdraw frees it, and it can be sent again`, async () => {
    const doc = sampleDocument();
    await stack.fault({ route: 'ecoc/opprette', times: 1, reset: 'after-body' });
    const lost = await submit(A, { iviXml: doc.xml });
    expect(lost.data.preRegister).toMatchObject({
      status: 'OUTCOME_UNKNOWN',
      preRegistration: { status: 'OUTCOME_UNKNOWN' },
    });
    // Held: a second try is refused locally, never re-sent.
    const retry = await submit(A, { iviXml: doc.xml });
    expect(retry.data.preRegister).toMatchObject({ status: 'REJECTED', errors: [{ code: 'ECOC-OUTCOME-UNKNOWN' }] });
    expect(await requests('ecoc/opprette')).toBe(1);

    // The emulator never created the vehicle (the connection broke before it handled the request).
    const reconciled = await stack.gql(RECONCILE, { ref: doc.ref }, await who.as(A));
    expect(reconciled.body.data.reconcilePreRegistration).toMatchObject({
      status: 'OUTCOME_UNKNOWN',
      foundInRegister: false,
    });
    expect((await stack.gql(RECONCILE, { ref: doc.ref }, await who.as(B))).body.errors![0].extensions!.code).toBe(
      'FORBIDDEN',
    );

    const withdrawn = await stack.gql(WITHDRAW, { ref: doc.ref }, await who.as(A));
    expect(withdrawn.body.data.withdrawPreRegistration).toMatchObject({
      status: 'NOT_FOUND',
      preRegistration: {
        status: 'WITHDRAWN',
        statusHistory: [
          { status: 'PENDING', event: 'SUBMITTED' },
          { status: 'OUTCOME_UNKNOWN', event: 'NO_ANSWER' },
          { status: 'OUTCOME_UNKNOWN', event: 'NOT_FOUND_IN_REGISTER' },
          { status: 'WITHDRAWING', event: 'WITHDRAWAL_STARTED' },
          { status: 'WITHDRAWN', event: 'NOT_FOUND_AT_SVV' },
        ],
      },
    });
    expect((await submit(A, { iviXml: doc.xml })).data.preRegister.status).toBe('ACCEPTED');
    expect(await requests('ecoc/opprette')).toBe(2);
  });

  it(`[${backend.name}] five concurrent withdrawals of one submission: one DELETE reaches SVV, one is WITHDRAWN, the others get ECOC-IN-PROGRESS`, async () => {
    const doc = sampleDocument();
    expect((await submit(A, { iviXml: doc.xml })).data.preRegister.status).toBe('ACCEPTED');
    // SVV holds the first DELETE until the others have their answers, so they all come while it holds the claim.
    await stack.fault({ route: 'ecoc/slette', times: 1, hold: true });
    const headers = await who.as(A);
    const first = stack.gql(WITHDRAW, { vin: doc.vin }, headers);
    let others;
    try {
      await until(async () => (await stack.stats()).routes['ecoc/slette'].inFlight === 1);
      others = await Promise.all(Array.from({ length: 4 }, () => stack.gql(WITHDRAW, { vin: doc.vin }, headers)));
    } finally {
      await stack.release();
    }
    expectOneWithdrawn([await first, ...others].map((a) => a.body));
    expect(await requests('ecoc/slette')).toBe(1);
    const outcomes = (await attempts(doc.vin)).map((a) => a.outcome).sort();
    expect(outcomes).toEqual(['IN_PROGRESS', 'IN_PROGRESS', 'IN_PROGRESS', 'IN_PROGRESS', 'WITHDRAWN']);
  });

  it(`[${backend.name}] while a withdrawal waits for SVV the reference stays held: a second withdrawal and a resubmission are refused, and the later resubmission stays at SVV`, async () => {
    const doc = sampleDocument();
    expect((await submit(A, { iviXml: doc.xml })).data.preRegister.status).toBe('ACCEPTED');
    await stack.fault({ route: 'ecoc/slette', times: 1, hold: true });
    const headers = await who.as(A);
    const slow = stack.gql(WITHDRAW, { ref: doc.ref }, headers);
    try {
      await until(async () => (await stack.stats()).routes['ecoc/slette'].inFlight === 1);
      const second = await stack.gql(WITHDRAW, { ref: doc.ref }, headers);
      expect(second.body.data.withdrawPreRegistration).toMatchObject({
        status: 'REJECTED',
        errors: [{ code: 'ECOC-IN-PROGRESS' }],
        preRegistration: { status: 'WITHDRAWING' },
      });
      // The same reference sent again while the DELETE is under way: refused, so the DELETE cannot hit it.
      const early = await submit(A, { iviXml: doc.xml });
      expect(early.data.preRegister).toMatchObject({ status: 'REJECTED', errors: [{ code: 'ECOC-IN-PROGRESS' }] });
    } finally {
      await stack.release();
    }
    expect((await slow).body.data.withdrawPreRegistration.status).toBe('WITHDRAWN');
    expect((await submit(A, { iviXml: doc.xml })).data.preRegister.status).toBe('ACCEPTED');
    expect(await requests('ecoc/slette')).toBe(1);
    expect(await requests('ecoc/opprette')).toBe(2);
    const lookup = await stack.gql(
      `query($v: String) { vehicle(understellsnummer: $v) { understellsnummer } }`,
      { v: doc.vin },
      headers,
    );
    expect(lookup.body.data.vehicle).toEqual({ understellsnummer: doc.vin });
  });

  it(`[${backend.name}] a withdrawal whose answer is lost is OUTCOME_UNKNOWN: the reference stays held and no second DELETE goes while the first may still land`, async () => {
    const doc = sampleDocument();
    expect((await submit(A, { iviXml: doc.xml })).data.preRegister.status).toBe('ACCEPTED');
    // SVV deletes it, and the answer is lost.
    await stack.fault({ route: 'ecoc/slette', times: 1, reset: 'after-handling' });
    const headers = await who.as(A);
    const lost = await stack.gql(WITHDRAW, { ref: doc.ref }, headers);
    expect(lost.body.errors).toBeUndefined();
    expect(lost.body.data.withdrawPreRegistration).toMatchObject({
      status: 'OUTCOME_UNKNOWN',
      errors: [{ code: 'ECOC-OUTCOME-UNKNOWN' }],
      preRegistration: {
        status: 'OUTCOME_UNKNOWN',
        statusHistory: [
          { status: 'PENDING', event: 'SUBMITTED' },
          { status: 'ACCEPTED', event: 'ANSWERED' },
          { status: 'WITHDRAWING', event: 'WITHDRAWAL_STARTED' },
          { status: 'OUTCOME_UNKNOWN', event: 'NO_ANSWER' },
        ],
      },
    });
    const resend = await submit(A, { iviXml: doc.xml });
    expect(resend.data.preRegister).toMatchObject({ status: 'REJECTED', errors: [{ code: 'ECOC-OUTCOME-UNKNOWN' }] });
    // The register cannot tell yet (the DELETE may still land): reconcile leaves it as it is and asks nothing.
    const early = await stack.gql(RECONCILE, { ref: doc.ref }, headers);
    expect(early.body.data.reconcilePreRegistration).toMatchObject({
      status: 'OUTCOME_UNKNOWN',
      foundInRegister: null,
    });
    expect(await requests('understellsnummer')).toBe(0);
    const again = await stack.gql(WITHDRAW, { ref: doc.ref }, headers);
    expect(again.body.data.withdrawPreRegistration).toMatchObject({
      status: 'REJECTED',
      errors: [{ code: 'ECOC-IN-PROGRESS' }],
    });
    expect(await requests('ecoc/slette')).toBe(1);
    expect(await requests('ecoc/opprette')).toBe(1);

    // Past the hold (aged here: the test cannot wait LEDGER_PENDING_TIMEOUT_MS) a second DELETE is safe.
    await sql.query(
      `UPDATE pre_registration SET withdrawal_until = now() - interval '1 second' WHERE ivi_referanse = $1`,
      [doc.ref],
    );
    const retry = await stack.gql(WITHDRAW, { ref: doc.ref }, headers);
    expect(retry.body.data.withdrawPreRegistration).toMatchObject({
      status: 'NOT_FOUND',
      preRegistration: { status: 'WITHDRAWN' },
    });
    expect((await submit(A, { iviXml: doc.xml })).data.preRegister.status).toBe('ACCEPTED');
    expect(await requests('ecoc/slette')).toBe(2);
    expect(await requests('ecoc/opprette')).toBe(2);
  });

  it(`[${backend.name}] a withdrawal whose process died is swept to OUTCOME_UNKNOWN, counted as a withdrawal, and held for a new lease`, async () => {
    const doc = sampleDocument();
    expect((await submit(A, { iviXml: doc.xml })).data.preRegister.status).toBe('ACCEPTED');
    // What a replica killed mid-withdrawal leaves: the row claimed, its lease over.
    await sql.query(
      `UPDATE pre_registration SET status = 'WITHDRAWING', withdrawing_from = 'ACCEPTED', withdrawal_id = gen_random_uuid(),
         withdrawal_until = now() - interval '1 second' WHERE ivi_referanse = $1`,
      [doc.ref],
    );
    const metric = async () =>
      metricValue(
        await (await fetch(new URL('/metrics', stack.url))).text(),
        'preregistration_withdrawals_total{outcome="OUTCOME_UNKNOWN"}',
      ) ?? 0;
    const before = await metric();
    const headers = await who.as(A);
    // Any ledger call sweeps first; this withdrawal then finds the row held (its DELETE may still be acted on).
    const res = await stack.gql(WITHDRAW, { ref: doc.ref }, headers);
    expect(res.body.data.withdrawPreRegistration).toMatchObject({
      status: 'REJECTED',
      errors: [{ code: 'ECOC-IN-PROGRESS' }],
      preRegistration: { status: 'OUTCOME_UNKNOWN' },
    });
    const row = (await sql.query('SELECT errors FROM pre_registration WHERE ivi_referanse = $1', [doc.ref])).rows[0];
    expect(row.errors).toEqual([
      expect.objectContaining({ code: 'ECOC-OUTCOME-UNKNOWN', message: expect.stringMatching(/tilbaketrekkingen/) }),
    ]);
    expect(await metric()).toBe(before + 1);
    expect(await requests('ecoc/slette')).toBe(0);
  });

  it(`[${backend.name}] rows past the retention period are purged; readiness reports the database; metrics count outcomes`, async () => {
    const doc = sampleDocument();
    expect((await submit(A, { iviXml: doc.xml })).data.preRegister.status).toBe('ACCEPTED');
    // Age the row past the retention period (the test cannot wait 400 days).
    await sql.query(`UPDATE pre_registration SET updated_at = now() - interval '401 days' WHERE ivi_referanse = $1`, [
      doc.ref,
    ]);
    await stack.app.ledger.purge();
    const left = await sql.query('SELECT count(*)::int AS n FROM pre_registration WHERE ivi_referanse = $1', [doc.ref]);
    expect(left.rows[0].n).toBe(0);

    const ready = await fetch(new URL('/health/ready', stack.url));
    expect(await ready.json()).toMatchObject({ ready: true, checks: { database: 'ok' } });
    const metrics = await (await fetch(new URL('/metrics', stack.url))).text();
    expect(metrics).toContain('# TYPE preregistration_submissions_total counter');
    expect(metricValue(metrics, 'preregistration_submissions_total{outcome="ACCEPTED"}')).toBeGreaterThanOrEqual(1);
  });
});
