import { parseIvi, decodeXmlText, type IviDocument } from '../../../src/ivi';
import { IVI_FIXTURE_REFS, loadIviFixture } from '../../fixtures/ivi';

function parsed(xml: string): IviDocument {
  const r = parseIvi(xml);
  if (!r.ok) throw new Error(JSON.stringify(r.issue));
  return r.value;
}
function issueOf(xml: string) {
  const r = parseIvi(xml);
  if (r.ok) throw new Error('expected an issue');
  return r.issue;
}
const wrap = (coc: string, header = '<IVIReferenceId>R</IVIReferenceId>'): string =>
  `<InitialVehicleInformation><Header>${header}</Header><Body><CocDataGroup>${coc}</CocDataGroup></Body></InitialVehicleInformation>`;

describe('parseIvi: IVI 1.x (sample-1x)', () => {
  const doc = parsed(loadIviFixture('sample-1x'));

  it('exposes the header and identity', () => {
    expect(doc).toMatchObject({
      layout: '1.x',
      cocPath: '/InitialVehicleInformation/Body/CocDataGroup',
      iviReferenceId: IVI_FIXTURE_REFS['sample-1x'],
      versionNumberXsd: '1.6',
      vin: 'YS3TESTM1R0000001',
      makes: ['MOCKMOTORS'],
      make: 'MOCKMOTORS',
      commercialNames: ['Mock One'],
      commercialName: 'Mock One',
      type: 'MX1',
      variant: 'A2B',
      version: 'C3D4E5',
      typeApprovalNumber: 'e4*2018/858*00123*02',
      typeApprovalType: 'EC',
      category: 'M1',
      stageOfCompletion: 'C',
      dateOfManufacture: '2025-02-14',
      primaryColourCode: '1',
    });
  });

  it('exposes masses, dimensions, axles, engine, fuel and WLTP as the original strings', () => {
    expect(doc).toMatchObject({
      numberOfAxles: '2',
      numberOfWheels: '4',
      length: '4350',
      width: '1800',
      height: '1480',
      wheelbase: '2640',
      massInRunningOrder: '1390',
      technPermMaxLadenMass: '1900',
      seats: '5',
      tyreSizes: ['205/55R16 91V', '205/55R16 91V'],
      pureElectric: false,
      wltp: { combinedCo2: '132', combinedFuelConsumption: '5.8' },
    });
    expect(doc.axles).toEqual([
      { number: '1', technicallyPermMass: '1050', tyres: [{ tyreSize: '205/55R16 91V' }] },
      { number: '2', technicallyPermMass: '1000', tyres: [{ tyreSize: '205/55R16 91V' }] },
    ]);
    expect(doc.engines).toHaveLength(1);
    expect(doc.engines[0]).toMatchObject({
      manufacturer: 'MOCKMOTORS',
      code: 'MM15T',
      numberOfCylinders: '4',
      capacity: '1498',
    });
    expect(doc.fuels).toEqual([
      expect.objectContaining({ fuelCode: '10', maximumNetPower: '110.0', maximumSpeed: '210', combinedCo2: '132' }),
    ]);
  });

  it('records where each value was found and keeps the raw tree', () => {
    expect(doc.paths.technPermMaxLadenMass).toBe('/InitialVehicleInformation/Body/CocDataGroup/TechnPermMaxLadenMass');
    expect(doc.paths.iviReferenceId).toBe('/InitialVehicleInformation/Header/IVIReferenceId');
    expect(doc.paths.secondaryColourCode).toBeUndefined();
    expect(doc.raw).toHaveProperty(['InitialVehicleInformation', 'Body', 'CocDataGroup', 'Type'], 'MX1');
  });
});

describe('parseIvi: IVI 2.0 aliases', () => {
  const doc = parsed(loadIviFixture('sample-2x'));
  it('reads the 2.0 header, namespace prefixes, CocDataGroup under the root and the renamed elements', () => {
    expect(doc).toMatchObject({
      layout: '2.0',
      cocPath: '/InitialVehicleInformation/CocDataGroup',
      iviReferenceId: IVI_FIXTURE_REFS['sample-2x'],
      versionNumberXsd: '2.0',
      category: 'N1',
      typeApprovalType: 'EU',
      stageOfCompletion: 'C',
      dateOfManufacture: '2025-10-01',
      typeApprovalIssueDate: '2025-06-30',
      massInRunningOrder: '2100',
      technPermMaxLadenMass: '3500',
      technPermMaxMassCombination: '6000',
      length: '5300',
      wheelbase: '3450',
      numberOfAxles: '2',
      manufacturerName: 'Mock Vans AG',
      wltp: { combinedCo2: '219' },
    });
  });
  it('keeps "007" as written and CDATA content verbatim', () => {
    expect(doc.version).toBe('007');
    expect(doc.commercialName).toBe('Cargo <L2> & "Pro"');
  });
  it('points paths at the alias actually used', () => {
    expect(doc.paths.category).toBe('/InitialVehicleInformation/CocDataGroup/VehicleCategory');
    expect(doc.paths.massInRunningOrder).toBe('/InitialVehicleInformation/CocDataGroup/MassGroup/MassInRunningOrder');
    expect(doc.paths.iviReferenceId).toBe('/InitialVehicleInformation/Header/IviReferenceId');
  });
});

describe('parseIvi: text handling', () => {
  it('decodes the predefined entities and character references exactly once', () => {
    const doc = parsed(wrap('<Type>a &lt;b&gt; &amp;amp; &quot;c&quot; &apos;d&apos; &#230;&#xF8;&#x1F697;</Type>'));
    expect(doc.type).toBe('a <b> &amp; "c" \'d\' æø🚗');
  });
  it('leaves references to characters XML forbids as written (no crash on out-of-range values)', () => {
    expect(decodeXmlText('&#0; &#x110000; &#9999999; &#xD800;')).toBe('&#0; &#x110000; &#9999999; &#xD800;');
  });
  it('does not decode inside CDATA, and "&" in CDATA, comments and PIs is plain text', () => {
    expect(parsed(wrap('<Type><![CDATA[&amp; <x>]]></Type>')).type).toBe('&amp; <x>');
    expect(parsed(wrap('<!-- A & B --><?pi & ?><Type><![CDATA[&nbsp; & ]]></Type>')).type).toBe('&nbsp; &');
  });
  it('keeps values as strings: no number parsing', () => {
    const doc = parsed(wrap('<Version>1.10</Version><Variant>007</Variant><Type>1e3</Type><Length>0x10</Length>'));
    expect([doc.version, doc.variant, doc.type, doc.length]).toEqual(['1.10', '007', '1e3', '0x10']);
  });
  it('reads leaves with attributes, and empty or nil elements as absent', () => {
    const doc = parsed(
      wrap('<Length unit="mm"> 4350 </Length><Type/><Variant></Variant><Version xsi:nil="true" xmlns:xsi="x"/>'),
    );
    expect(doc.length).toBe('4350');
    expect([doc.type, doc.variant, doc.version]).toEqual([undefined, undefined, undefined]);
  });
  it('reads every make and commercial name; repeated scalars read as the first', () => {
    const doc = parsed(
      wrap(
        '<MakeTable><MakeGroup><Make>A</Make></MakeGroup><MakeGroup><Make>B</Make></MakeGroup></MakeTable>' +
          '<Type>first</Type><Type>second</Type>',
      ),
    );
    expect(doc.makes).toEqual(['A', 'B']);
    expect(doc.type).toBe('first');
  });
  it('ignores comments and processing instructions', () => {
    const doc = parsed(wrap('<!-- <Type>hidden</Type> --><?pi data?><Type>shown</Type>'));
    expect(doc.type).toBe('shown');
  });
  it('a root with nothing in it parses to an empty document (the rules report what is missing)', () => {
    const doc = parsed('<InitialVehicleInformation/>');
    expect(doc).toMatchObject({ layout: '1.x', makes: [], engines: [], axles: [], fuels: [], wltp: {} });
    expect(doc.vin).toBeUndefined();
  });
  it('finds WLTP values directly under CocDataGroup and PureElectricVehIndicator in the engine', () => {
    const doc = parsed(loadIviFixture('sample-electric'));
    expect(doc.pureElectric).toBe(true);
    expect(doc.make).toBe('MOCK&VOLT');
    expect(doc.commercialName).toBe('Volt Ærlig økt');
    expect(doc.versionNumberXsd).toBe('1.10');
    expect(doc.axles[0].tyres[0]).toEqual({ tyreSize: '235/45R19 99W', rimSize: '8Jx19 ET45' });
  });
});

describe('parseIvi: refusals', () => {
  it('wrong root → XML-ROOT', () => {
    expect(issueOf('<Vehicle><Type>x</Type></Vehicle>')).toMatchObject({
      code: 'XML-ROOT',
      field: 'iviXml',
      path: '/iviXml',
    });
  });
  it('two root elements → XML-MALFORMED', () => {
    expect(issueOf('<InitialVehicleInformation/><InitialVehicleInformation/>').code).toBe('XML-MALFORMED');
    expect(issueOf('<InitialVehicleInformation/><Other/>').code).toBe('XML-MALFORMED');
  });
  it('malformed XML → XML-MALFORMED with line and column', () => {
    const issue = issueOf('<InitialVehicleInformation>\n  <Header>\n</InitialVehicleInformation>');
    expect(issue.code).toBe('XML-MALFORMED');
    expect(issue.message).toMatch(/linje 3, kolonne \d+/);
  });
  it.each([
    ['text outside the root', '<InitialVehicleInformation></InitialVehicleInformation>trailing'],
    ['unknown entity in an attribute', '<InitialVehicleInformation a="&x;"/>'],
    ['unescaped ampersand', wrap('<Type>A & B</Type>')],
    ['unknown entity', wrap('<Type>&nbsp;</Type>')],
    ['no element at all', 'just text'],
    ['empty', ''],
    ['control character', wrap('<Type>a\u0001b</Type>')],
  ])('%s → XML-MALFORMED', (_label, xml) => {
    expect(issueOf(xml).code).toBe('XML-MALFORMED');
  });
  it('DOCTYPE is refused here too, so parseIvi is safe without decodeIviDocument', () => {
    expect(issueOf('<!DOCTYPE InitialVehicleInformation><InitialVehicleInformation/>').code).toBe('XML-DOCTYPE');
  });
  it('a size cap applies here too', () => {
    const r = parseIvi(wrap('<Type>x</Type>'), { maxBytes: 50 });
    expect(r.ok || r.issue.code).toBe('XML-TOO-LARGE');
  });
  it('a non-string never throws', () => {
    expect(parseIvi(null as unknown as string)).toMatchObject({ ok: false, issue: { code: 'XML-MALFORMED' } });
  });
});
