import { randomUUID } from 'node:crypto';
import { SAMPLE_ECOC_INPUT, sampleDocument, uniqueVin } from '../fixtures/ivi';
import { startStack, type Stack } from '../helpers/stack';

const PRE_REGISTER = `mutation($input: PreRegisterInput!) {
  preRegister(input: $input) {
    status
    preRegistration { iviReferanse understellsnummer make receivedAt message }
    errors { field path cocItem code message source }
    warnings { field path code message source }
  }
}`;

/** SAMPLE_ECOC_INPUT as GraphQL variables: colour codes are strings there, power and consumption are Floats. */
const GQL_ECOC = {
  ...SAMPLE_ECOC_INPUT,
  primaryColourCode: '1',
  engine: { ...SAMPLE_ECOC_INPUT.engine, fuels: [{ fuelCode: '10', maximumNetPower: 110.5, maximumSpeed: 210 }] },
  wltp: { combinedCo2: 132, combinedFuelConsumption: 5.8 },
};

describe('preRegister over HTTP against the emulator', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack?.close());
  beforeEach(() => stack.reset());

  it('accepts a valid raw IVI document, and the vehicle can then be looked up by its VIN', async () => {
    const { xml, vin, ref } = sampleDocument();
    const res = await stack.gql(PRE_REGISTER, { input: { iviXml: xml } });
    expect(res.body.errors).toBeUndefined();
    const payload = res.body.data.preRegister;
    expect(payload).toMatchObject({ status: 'ACCEPTED', errors: [] });
    expect(payload.preRegistration).toMatchObject({ iviReferanse: ref, understellsnummer: vin, make: 'MOCKMOTORS' });
    expect(payload.preRegistration.receivedAt).toEqual(expect.any(String));
    expect((await stack.stats()).routes['ecoc/opprette'].requests).toBe(1);

    const lookup = await stack.gql(
      `query($v: String) { vehicle(understellsnummer: $v) { kuid understellsnummer technical { make } } }`,
      {
        v: vin,
      },
    );
    expect(lookup.body.data.vehicle).toMatchObject({ understellsnummer: vin, technical: { make: 'MOCKMOTORS' } });
  });

  it('accepts the same document sent as base64, and links the registered vehicle from the payload', async () => {
    const { xml, vin } = sampleDocument();
    const res = await stack.gql(
      `mutation($input: PreRegisterInput!) { preRegister(input: $input) { status preRegistration { understellsnummer vehicle { understellsnummer } } } }`,
      { input: { iviXml: Buffer.from(xml, 'utf8').toString('base64') } },
    );
    expect(res.body.data.preRegister).toEqual({
      status: 'ACCEPTED',
      preRegistration: { understellsnummer: vin, vehicle: { understellsnummer: vin } },
    });
  });

  it('builds the document from structured fields, with the same reference in the XML and the request', async () => {
    const vin = uniqueVin();
    const iviReferanse = randomUUID();
    const res = await stack.gql(PRE_REGISTER, {
      input: { ecoc: { ...GQL_ECOC, vin }, iviReferanse, taxClassification: { avgiftsKode: '101' } },
    });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.preRegister).toMatchObject({
      status: 'ACCEPTED',
      preRegistration: { iviReferanse, understellsnummer: vin },
    });
  });

  it('generates an iviReferanse (a UUID) for structured input when none is given', async () => {
    const res = await stack.gql(PRE_REGISTER, { input: { ecoc: { ...GQL_ECOC, vin: uniqueVin() }, dryRun: true } });
    expect(res.body.data.preRegister.status).toBe('VALID');
    expect(res.body.data.preRegister.preRegistration.iviReferanse).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('rejects a document missing VehicleIdentificationNumber and TechnPermMaxLadenMass with one error each, sending nothing', async () => {
    const { xml } = sampleDocument();
    const broken = xml
      .replace(/<VehicleIdentificationNumber>[^<]*<\/VehicleIdentificationNumber>/, '')
      .replace(/<TechnPermMaxLadenMass>[^<]*<\/TechnPermMaxLadenMass>/, '');
    const res = await stack.gql(PRE_REGISTER, { input: { iviXml: broken } });
    const payload = res.body.data.preRegister;
    expect(payload.status).toBe('REJECTED');
    const byField = (field: string) => payload.errors.filter((e: { field: string }) => e.field === field);
    expect(byField('VehicleIdentificationNumber')).toEqual([
      expect.objectContaining({
        code: 'IVI-E-REQ',
        path: '/InitialVehicleInformation/Body/CocDataGroup/VehicleIdentificationNumber',
        cocItem: '0.10',
        source: 'LOCAL',
        message: expect.stringContaining('VehicleIdentificationNumber'),
      }),
    ]);
    expect(byField('TechnPermMaxLadenMass')).toEqual([
      expect.objectContaining({
        code: 'IVI-E-REQ',
        path: '/InitialVehicleInformation/Body/CocDataGroup/TechnPermMaxLadenMass',
        cocItem: '16.1',
        source: 'LOCAL',
      }),
    ]);
    expect(payload.errors).toHaveLength(2);
    expect((await stack.stats()).routes['ecoc/opprette'].requests).toBe(0);
  });

  it('answers a dry run of a document lacking desired fields with VALID and warnings, and no upstream call', async () => {
    const { xml } = sampleDocument();
    const lacking = xml
      .replace(/<CommercialNameTable>.*<\/CommercialNameTable>/s, '')
      .replace(/<PrimaryColourCode>[^<]*<\/PrimaryColourCode>/, '');
    const res = await stack.gql(PRE_REGISTER, { input: { iviXml: lacking, dryRun: true } });
    const payload = res.body.data.preRegister;
    expect(payload.status).toBe('VALID');
    expect(payload.errors).toEqual([]);
    expect(payload.warnings.map((w: { field: string }) => w.field)).toEqual(
      expect.arrayContaining(['CommercialName', 'PrimaryColourCode']),
    );
    expect(payload.warnings.every((w: { code: string }) => w.code.startsWith('IVI-W-'))).toBe(true);
    const stats = await stack.stats();
    expect(stats.routes['ecoc/opprette'].requests).toBe(0);
  });

  it.each([
    ['a DOCTYPE', '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><InitialVehicleInformation/>', 'XML-DOCTYPE'],
    [
      'an external entity',
      '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><InitialVehicleInformation>&e;</InitialVehicleInformation>',
      'XML-DOCTYPE',
    ],
    ['malformed XML', '<InitialVehicleInformation><Header></InitialVehicleInformation>', 'XML-MALFORMED'],
    ['bad base64', 'not*base64!', 'XML-BASE64'],
    [
      '5,000-deep nesting',
      `<InitialVehicleInformation>${'<a>'.repeat(5000)}${'</a>'.repeat(5000)}</InitialVehicleInformation>`,
      'XML-TOO-COMPLEX',
    ],
  ])('refuses %s in the payload, sends nothing, and keeps serving', async (_name, iviXml, code) => {
    const res = await stack.gql(PRE_REGISTER, { input: { iviXml } });
    expect(res.status).toBe(200);
    expect(res.body.data.preRegister).toMatchObject({
      status: 'REJECTED',
      errors: [expect.objectContaining({ field: 'iviXml', code, source: 'LOCAL' })],
    });
    expect((await stack.stats()).routes['ecoc/opprette'].requests).toBe(0);
    const health = await fetch(stack.url.replace('/graphql', '/health/live'));
    expect(health.status).toBe(200);
  });

  it.each([
    ['a connection reset after the body was sent', { reset: 'after-body' }],
    ['an HTML 500 from a proxy', { status: 500, body: '<html><body><h1>500 Internal Server Error</h1></body></html>' }],
    ['an HTML 200 from a proxy', { status: 200, body: '<!DOCTYPE html><html><body>OK</body></html>' }],
    ["SVV's own 500 that names no errors", { status: 500 }],
  ])('%s is OUTCOME_UNKNOWN: the VIN stays held and a resend is refused without reaching SVV', async (_name, fault) => {
    const { xml, ref } = sampleDocument();
    await stack.fault({ route: 'ecoc/opprette', times: 1, ...fault });
    const res = await stack.gql(PRE_REGISTER, { input: { iviXml: xml } });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.preRegister).toMatchObject({
      status: 'OUTCOME_UNKNOWN',
      preRegistration: { iviReferanse: ref },
      errors: [expect.objectContaining({ code: 'ECOC-OUTCOME-UNKNOWN' })],
    });
    const again = await stack.gql(PRE_REGISTER, { input: { iviXml: xml } });
    expect(again.body.data.preRegister).toMatchObject({
      status: 'REJECTED',
      errors: [expect.objectContaining({ code: 'ECOC-OUTCOME-UNKNOWN', source: 'LOCAL' })],
    });
    expect((await stack.stats()).routes['ecoc/opprette'].requests).toBe(1);
  });

  it("SVV's 500 that names errors is its refusal: REJECTED with SVV's errors, and the VIN is free again", async () => {
    const { xml } = sampleDocument();
    await stack.fault({
      route: 'ecoc/opprette',
      times: 1,
      status: 500,
      body: {
        datoTid: '2026-01-05T10:00:00+01:00',
        melding: { meldingskode: 'ECOC-AVVIST', meldingstekst: 'Melding om preregistrering feilet' },
        feilmeldinger: [
          { kode: 'IVI-E-FORMAT', felt: 'Width', sti: '/InitialVehicleInformation', meldingstekst: 'Ugyldig' },
        ],
        varsler: [],
      },
    });
    const res = await stack.gql(PRE_REGISTER, { input: { iviXml: xml } });
    expect(res.body.data.preRegister).toMatchObject({
      status: 'REJECTED',
      errors: [expect.objectContaining({ code: 'IVI-E-FORMAT', field: 'Width', source: 'SVV' })],
    });
    expect((await stack.gql(PRE_REGISTER, { input: { iviXml: xml } })).body.data.preRegister.status).toBe('ACCEPTED');
    expect((await stack.stats()).routes['ecoc/opprette'].requests).toBe(2);
  });

  it('SVV judges by its own required fields: a document the local check lets through comes back REJECTED, source SVV', async () => {
    const { xml } = sampleDocument();
    // TypeApprovalTypeCode is mandatory in SVV's reading (docs/upstreams.md §12); the local pre-check does not ask for it.
    const lacking = xml.replace(/<TypeApprovalTypeCode>[^<]*<\/TypeApprovalTypeCode>/, '');
    const dry = await stack.gql(PRE_REGISTER, { input: { iviXml: lacking, dryRun: true } });
    expect(dry.body.data.preRegister).toMatchObject({ status: 'VALID', errors: [] });
    expect((await stack.stats()).routes['ecoc/opprette'].requests).toBe(0);

    const sent = await stack.gql(PRE_REGISTER, { input: { iviXml: lacking } });
    expect(sent.body.errors).toBeUndefined();
    expect(sent.body.data.preRegister.status).toBe('REJECTED');
    expect(sent.body.data.preRegister.errors).toEqual([
      expect.objectContaining({
        code: 'IVI-E-REQ',
        field: 'TypeApprovalTypeCode',
        path: '/InitialVehicleInformation/Body/CocDataGroup/TypeApprovalTypeCode',
        source: 'SVV',
      }),
    ]);
    expect((await stack.stats()).routes['ecoc/opprette'].requests).toBe(1);
  });

  it('refuses a second submission of a VIN the ledger holds, locally and without sending it', async () => {
    const { xml, vin } = sampleDocument();
    expect((await stack.gql(PRE_REGISTER, { input: { iviXml: xml } })).body.data.preRegister.status).toBe('ACCEPTED');
    const again = xml.replace(
      /<IVIReferenceId>[^<]*<\/IVIReferenceId>/,
      `<IVIReferenceId>${randomUUID()}</IVIReferenceId>`,
    );
    const res = await stack.gql(PRE_REGISTER, { input: { iviXml: again } });
    expect(res.body.data.preRegister.status).toBe('REJECTED');
    expect(res.body.data.preRegister.errors).toEqual([
      expect.objectContaining({ code: 'IVI-E-DUPLICATE', source: 'LOCAL', field: 'VehicleIdentificationNumber' }),
    ]);
    expect(res.body.data.preRegister.preRegistration.understellsnummer).toBe(vin);
    expect((await stack.stats()).routes['ecoc/opprette'].requests).toBe(1);
  });

  it("passes on SVV's own rejection of a VIN already in the register as an SVV error", async () => {
    const registered = (await stack.sample(1)).vehicles[0].understellsnummer;
    const { xml } = sampleDocument();
    const res = await stack.gql(PRE_REGISTER, {
      input: {
        iviXml: xml.replace(/<VehicleIdentificationNumber>[^<]*</, `<VehicleIdentificationNumber>${registered}<`),
      },
    });
    expect(res.body.data.preRegister.status).toBe('REJECTED');
    expect(res.body.data.preRegister.errors).toContainEqual(
      expect.objectContaining({ code: 'IVI-E-DUPLICATE', source: 'SVV', field: 'VehicleIdentificationNumber' }),
    );
    expect((await stack.stats()).routes['ecoc/opprette'].requests).toBe(1);
  });

  it('withdraws a pre-registration by iviReferanse and by VIN; the vehicle is gone afterwards', async () => {
    const first = sampleDocument();
    const second = sampleDocument();
    for (const doc of [first, second]) {
      expect((await stack.gql(PRE_REGISTER, { input: { iviXml: doc.xml } })).body.data.preRegister.status).toBe(
        'ACCEPTED',
      );
    }
    const withdraw = `mutation($ref: ID, $vin: String) { withdrawPreRegistration(iviReferanse: $ref, understellsnummer: $vin) { status iviReferanse understellsnummer errors { code } } }`;
    const byRef = await stack.gql(withdraw, { ref: first.ref });
    expect(byRef.body.data.withdrawPreRegistration).toMatchObject({ status: 'WITHDRAWN', errors: [] });
    const byVin = await stack.gql(withdraw, { vin: second.vin });
    expect(byVin.body.data.withdrawPreRegistration).toMatchObject({ status: 'WITHDRAWN' });
    // Withdrawn, it is no longer this sender's to withdraw: refused before SVV is asked.
    const again = await stack.gql(withdraw, { ref: first.ref });
    expect(again.body.errors).toEqual([
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'FORBIDDEN' }) }),
    ]);
    expect((await stack.stats()).routes['ecoc/slette'].requests).toBe(2);

    const lookup = await stack.gql(`query($v: String) { vehicle(understellsnummer: $v) { kuid } }`, { v: first.vin });
    expect(lookup.body.data.vehicle).toBeNull();
  });

  it('two preRegister fields in one mutation: a refused one is null with its error, the sent one keeps its answer', async () => {
    const { xml, vin, ref } = sampleDocument();
    const res = await stack.gql(
      `mutation($a: PreRegisterInput!, $b: PreRegisterInput!) {
        a: preRegister(input: $a) { status preRegistration { iviReferanse understellsnummer } }
        b: preRegister(input: $b) { status }
      }`,
      { a: { iviXml: xml }, b: { dryRun: true } },
    );
    expect(res.body.data).toEqual({
      a: { status: 'ACCEPTED', preRegistration: { iviReferanse: ref, understellsnummer: vin } },
      b: null,
    });
    expect(res.body.errors).toEqual([
      expect.objectContaining({ path: ['b'], extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) }),
    ]);
    expect((await stack.stats()).routes['ecoc/opprette'].requests).toBe(1);
  });

  it('rejects input that gives both or neither document form with BAD_USER_INPUT', async () => {
    const res = await stack.gql(PRE_REGISTER, { input: { dryRun: true } });
    expect(res.body.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'input' });
  });
});
