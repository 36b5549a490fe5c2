import { randomUUID } from 'node:crypto';
import { startTestEmulator, type TestEmulator } from './helpers';

/**
 * SVV eCoC pre-registration routes: status mapping (docs/upstreams.md §11), SVV's own required fields (§12) and the
 * effect on the register.
 */

let t: TestEmulator;
beforeAll(async () => {
  t = await startTestEmulator({ vehicles: 200 });
});
afterAll(() => t.close());

let serial = 0;
/** A unique ISO VIN (no I/O/Q) per call. */
function newVin(): string {
  serial++;
  return `YS3TESTM1R${String(Date.now() % 1_000_000).padStart(6, '0')}${serial % 10}`.slice(0, 17);
}

function ivi(ref: string, vin: string, extra = ''): string {
  return `<?xml version="1.0" encoding="utf-8"?>
<InitialVehicleInformation xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">
  <Header><IVIReferenceId>${ref}</IVIReferenceId><VersionNumberXsd>1.6</VersionNumberXsd></Header>
  <Body>
    <CocDataGroup>
      <VehicleIdentificationNumber>${vin}</VehicleIdentificationNumber>
      <StageOfCompletionCode>C</StageOfCompletionCode>
      <TypeApprovalTypeCode>EC</TypeApprovalTypeCode>
      <Type>MX1</Type><Variant>A2B</Variant><Version>C3D4E5</Version>
      <VehicleCategoryCode>M1</VehicleCategoryCode>
      <TypeApprovalNumber>e4*2018/858*00123*02</TypeApprovalNumber>
      <DateOfManufactureVeh>2025-02-14</DateOfManufactureVeh>
      <PrimaryColourCode>1</PrimaryColourCode>
      <MakeTable><MakeGroup><Make>MOCKMOTORS</Make></MakeGroup></MakeTable>
      <CommercialNameTable><CommercialNameGroup><CommercialName>Mock One</CommercialName></CommercialNameGroup></CommercialNameTable>
      <NumberOfAxles>2</NumberOfAxles><NumberOfWheels>4</NumberOfWheels>
      <AxleTable>
        <AxleGroup><AxleNumber>1</AxleNumber><TechnicallyPermMassAxle>1050</TechnicallyPermMassAxle>
          <TyreAxleTable><TyreAxleGroup><TyreSize>205/55R16 91V</TyreSize></TyreAxleGroup></TyreAxleTable></AxleGroup>
        <AxleGroup><AxleNumber>2</AxleNumber><TechnicallyPermMassAxle>1000</TechnicallyPermMassAxle>
          <TyreAxleTable><TyreAxleGroup><TyreSize>205/55R16 91V</TyreSize></TyreAxleGroup></TyreAxleTable></AxleGroup>
      </AxleTable>
      <Length>4350</Length><Width>1800</Width><Height>1480</Height><Wheelbase>2640</Wheelbase>
      ${extra.includes('<MassOfTheVehicleInRunningOrder>') ? '' : '<MassOfTheVehicleInRunningOrder>1390</MassOfTheVehicleInRunningOrder>'}
      ${extra.includes('NO_LADEN_MASS') ? '' : '<TechnPermMaxLadenMass>1900</TechnPermMaxLadenMass>'}
      <NrOfSeatingPositions>5</NrOfSeatingPositions>
      <EngineTable><EngineGroup>
        <ManufacturerOfTheEngine>MOCKMOTORS</ManufacturerOfTheEngine>
        <EngineCodeAsMarkedOnTheEngine>MM15T</EngineCodeAsMarkedOnTheEngine>
        <NumberOfCylinders>4</NumberOfCylinders>
        <EngineCapacity>1498</EngineCapacity>
        <FuelTable><FuelGroup>
          <FuelCode>10</FuelCode><MaximumNetPower>110.0</MaximumNetPower><MaximumSpeed>210</MaximumSpeed>
          <WLTPCombinedCO2>132</WLTPCombinedCO2><WLTPCombinedFuelCons>5.8</WLTPCombinedFuelCons>
        </FuelGroup></FuelTable>
      </EngineGroup></EngineTable>
    </CocDataGroup>
  </Body>
</InitialVehicleInformation>`;
}

const b64 = (xml: string) => Buffer.from(xml, 'utf8').toString('base64');
function request(ref: string, document: string) {
  return {
    ivi: { iviDokument: document, iviReferanse: ref },
    avgiftsklassifisering: { avgiftsKode: '101', sitteplasserNorskGodkjenning: '5' },
  };
}

const statusResponse = {
  datoTid: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0[12]:00$/),
  melding: { meldingskode: expect.any(String), meldingstekst: expect.any(String) },
  feilmeldinger: expect.any(Array),
  varsler: expect.any(Array),
};

describe('auth', () => {
  it('401 without a token, 403 with a token lacking svv:kjoretoy/ecoc', async () => {
    const body = request(randomUUID(), b64(ivi(randomUUID(), newVin())));
    const none = await t.ecoc('opprette', { body, token: null });
    expect(none.status).toBe(401);
    const forbidden = await t.ecoc('opprette', { body, token: await t.token('ks:fiks') });
    expect(forbidden.status).toBe(403);
    expect((await forbidden.json()) as any).toMatchObject({
      status: 403,
      errorId: expect.any(String),
      svvguid: expect.any(String),
    });
  });
});

describe('POST opprette', () => {
  it('accepts a valid base64 document and creates the vehicle, found afterwards by VIN and kuid', async () => {
    const ref = randomUUID();
    const vin = newVin();
    const res = await t.ecoc('opprette', { body: request(ref, b64(ivi(ref, vin))) });
    const json = (await res.json()) as any;
    expect(res.status).toBe(200);
    expect(json).toEqual({
      ...statusResponse,
      iviIdentifikator: { iviReferanse: ref, understellsnummerMerke: { understellsnummer: vin, merke: 'MOCKMOTORS' } },
      melding: { meldingskode: 'ECOC-OK', meldingstekst: expect.stringMatching(/mottatt/) },
      feilmeldinger: [],
      kuid: expect.stringMatching(/^\d{10}$/),
    });

    const byVin = (await (await t.fiks(`bulk/understellsnummer/${vin}`)).json()) as any;
    const vehicle = byVin.responser[0].kjoretoydataListe[0].kjoretoydata;
    expect(vehicle.kjoretoyId).toEqual({ understellsnummer: vin });
    expect(vehicle.registrering.registreringsstatus.kodeVerdi).toBe('UREGISTRERT');
    expect(vehicle.kjennemerke).toBeUndefined();
    expect(vehicle.eierskap).toBeUndefined();
    const data = vehicle.godkjenning.tekniskGodkjenning.tekniskeData;
    expect(data.generelt).toMatchObject({
      merke: [{ merke: 'MOCKMOTORS' }],
      handelsbetegnelse: ['Mock One'],
      typebetegnelse: 'MX1',
    });
    expect(data.motorOgDrivverk.motor[0]).toMatchObject({
      slagvolum: 1498,
      drivstoff: [{ maksNettoEffekt: 110, drivstoffKode: { kodeNavn: 'Bensin' } }],
    });
    expect(data.vekter).toMatchObject({ egenvekt: 1390, tillattTotalvekt: 1900 });
    expect(data.miljodata.miljoOgdrivstoffGruppe[0].forbrukOgUtslipp[0].wltpKjoretoyspesifikk.co2Kombinert).toBe(132);
    expect(vehicle.godkjenning.tekniskGodkjenning.kjoretoyklassifisering.tekniskKode.kodeVerdi).toBe('M1');

    const byKuid = (await (await t.fiks('bulk/kuid', { body: [{ kuid: json.kuid }] })).json()) as any;
    expect(byKuid.responser[0].kjoretoydata.kjoretoyId.understellsnummer).toBe(vin);
  });

  it('accepts a raw XML string and a one-element array body', async () => {
    const ref = randomUUID();
    const res = await t.ecoc('opprette', { body: [request(ref, ivi(ref, newVin()))] });
    expect(res.status).toBe(200);
  });

  it('422 with feilmeldinger for rule errors, with warnings kept', async () => {
    const ref = randomUUID();
    const res = await t.ecoc('opprette', { body: request(ref, b64(ivi(ref, newVin(), 'NO_LADEN_MASS'))) });
    expect(res.status).toBe(422);
    const json = (await res.json()) as any;
    expect(json.melding.meldingskode).toBe('ECOC-AVVIST');
    expect(json.iviIdentifikator).toEqual({ iviReferanse: ref });
    expect(json.feilmeldinger).toContainEqual({
      kode: 'IVI-E-REQ',
      felt: 'TechnPermMaxLadenMass',
      sti: '/InitialVehicleInformation/Body/CocDataGroup/TechnPermMaxLadenMass',
      meldingstekst: expect.any(String),
    });
  });

  it.each([
    [
      'TypeApprovalTypeCode (mandatory in every category)',
      (xml: string) => xml.replace(/<TypeApprovalTypeCode>[^<]*<\/TypeApprovalTypeCode>/, ''),
      { felt: 'TypeApprovalTypeCode', sti: '/InitialVehicleInformation/Body/CocDataGroup/TypeApprovalTypeCode' },
    ],
    [
      'MaximumSpeedNonPropulsion for a trailer (O category)',
      (xml: string) =>
        xml.replace('<VehicleCategoryCode>M1</VehicleCategoryCode>', '<VehicleCategoryCode>O2</VehicleCategoryCode>'),
      {
        felt: 'MaximumSpeedNonPropulsion',
        sti: '/InitialVehicleInformation/Body/CocDataGroup/MaximumSpeedNonPropulsion',
      },
    ],
  ])("422 by SVV's own required fields: %s", async (_name, edit, where) => {
    const ref = randomUUID();
    const res = await t.ecoc('opprette', { body: request(ref, b64(edit(ivi(ref, newVin())))) });
    expect(res.status).toBe(422);
    expect(((await res.json()) as any).feilmeldinger).toEqual([
      { kode: 'IVI-E-REQ', ...where, meldingstekst: expect.stringContaining(where.felt) },
    ]);
  });

  it('a trailer with MaximumSpeedNonPropulsion is accepted', async () => {
    const ref = randomUUID();
    const trailer = ivi(ref, newVin()).replace(
      '<VehicleCategoryCode>M1</VehicleCategoryCode>',
      '<VehicleCategoryCode>O2</VehicleCategoryCode><MaximumSpeedNonPropulsion>100</MaximumSpeedNonPropulsion>',
    );
    expect((await t.ecoc('opprette', { body: request(ref, b64(trailer)) })).status).toBe(200);
  });

  it('422 when iviReferanse differs from the document header', async () => {
    const res = await t.ecoc('opprette', { body: request(randomUUID(), b64(ivi(randomUUID(), newVin()))) });
    expect(res.status).toBe(422);
    expect(((await res.json()) as any).feilmeldinger.map((f: any) => f.kode)).toContain('IVI-E-REF');
  });

  it('422 for a duplicate VIN and a duplicate IVI reference', async () => {
    const ref = randomUUID();
    const vin = newVin();
    expect((await t.ecoc('opprette', { body: request(ref, b64(ivi(ref, vin))) })).status).toBe(200);
    const ref2 = randomUUID();
    const sameVin = await t.ecoc('opprette', { body: request(ref2, b64(ivi(ref2, vin))) });
    expect(sameVin.status).toBe(422);
    expect(((await sameVin.json()) as any).feilmeldinger).toContainEqual(
      expect.objectContaining({ kode: 'IVI-E-DUPLICATE', felt: 'VehicleIdentificationNumber' }),
    );
    const sameRef = await t.ecoc('opprette', { body: request(ref, b64(ivi(ref, newVin()))) });
    expect(sameRef.status).toBe(422);
    expect(((await sameRef.json()) as any).feilmeldinger.map((f: any) => f.kode)).toContain('IVI-E-DUPLICATE');
  });

  it('422 for the VIN of a vehicle already in the register', async () => {
    const existing = [...t.emulator.dataset.all()].find((r) => /^[A-HJ-NPR-Z0-9]{17}$/.test(r.vin))!;
    const ref = randomUUID();
    const res = await t.ecoc('opprette', { body: request(ref, b64(ivi(ref, existing.vin))) });
    expect(res.status).toBe(422);
  });

  it.each([
    ['malformed JSON', '{"ivi": ', 'JSON-MALFORMED'],
    ['missing ivi', { avgiftsklassifisering: {} }, 'IVI-E-REQ'],
    ['missing iviReferanse', { ivi: { iviDokument: b64('<a/>') } }, 'IVI-E-REQ'],
    ['bad base64', request('r', '%%%not base64%%%'), 'XML-BASE64'],
    ['not XML', request('r', b64('just text')), 'XML-MALFORMED'],
    [
      'a DOCTYPE',
      request('r', b64('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><InitialVehicleInformation/>')),
      'XML-DOCTYPE',
    ],
    ['two-element array', [request('a', '<a/>'), request('b', '<b/>')], 'REQ-FORMAT'],
  ])('400 for %s', async (_name, body, kode) => {
    const res = await t.ecoc('opprette', { body });
    expect(res.status).toBe(400);
    const json = (await res.json()) as any;
    expect(json).toEqual({
      ...statusResponse,
      melding: { meldingskode: 'ECOC-UGYLDIG', meldingstekst: expect.any(String) },
    });
    expect(json.feilmeldinger[0].kode).toBe(kode);
  });

  it('400 for a body that is too large', async () => {
    const res = await t.ecoc('opprette', { body: request('r', 'A'.repeat(5 * 1024 * 1024)) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).feilmeldinger[0].kode).toBe('XML-TOO-LARGE');
  });
});

describe('DELETE slette', () => {
  async function create(): Promise<{ ref: string; vin: string }> {
    const ref = randomUUID();
    const vin = newVin();
    const res = await t.ecoc('opprette', { body: request(ref, b64(ivi(ref, vin))) });
    expect(res.status).toBe(200);
    return { ref, vin };
  }

  it('withdraws by IVI reference; the vehicle is gone afterwards', async () => {
    const { ref, vin } = await create();
    const res = await t.ecoc(`slette/ivireferanse/${ref}`, { method: 'DELETE' });
    expect(res.status).toBe(200);
    expect((await res.json()) as any).toMatchObject({
      iviIdentifikator: { iviReferanse: ref, understellsnummerMerke: { understellsnummer: vin } },
      feilmeldinger: [],
    });
    const lookup = (await (await t.fiks(`bulk/understellsnummer/${vin}`)).json()) as any;
    expect(lookup.responser[0].feilmelding).toBe('UNDERSTELLSNUMMER_UKJENT');
    // The same VIN may be pre-registered again.
    const again = await t.ecoc('opprette', { body: request(ref, b64(ivi(ref, vin))) });
    expect(again.status).toBe(200);
  });

  it('withdraws by VIN', async () => {
    const { vin } = await create();
    expect((await t.ecoc(`slette/understellsnummer/${vin}`, { method: 'DELETE' })).status).toBe(200);
    expect((await t.ecoc(`slette/understellsnummer/${vin}`, { method: 'DELETE' })).status).toBe(404);
  });

  it('404 in the EcocStatusResponse shape for unknown references', async () => {
    const res = await t.ecoc(`slette/ivireferanse/${randomUUID()}`, { method: 'DELETE' });
    expect(res.status).toBe(404);
    expect((await res.json()) as any).toEqual({
      ...statusResponse,
      melding: { meldingskode: 'ECOC-IKKE-FUNNET', meldingstekst: expect.any(String) },
    });
  });

  it('counts both deletes under ecoc/slette', async () => {
    await t.admin('reset', { method: 'POST' });
    await t.ecoc(`slette/ivireferanse/${randomUUID()}`, { method: 'DELETE' });
    await t.ecoc('slette/understellsnummer/ABC', { method: 'DELETE' });
    const stats = await t.admin('stats');
    expect(stats.routes['ecoc/slette']).toMatchObject({ requests: 2, statuses: { '404': 2 } });
  });
});
