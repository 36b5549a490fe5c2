import { XMLValidator } from 'fast-xml-parser';
import { buildIvi, parseIvi, type EcocInput, type IviDocument } from '../../../src/ivi';
import { IVI_FIXTURE_REFS, SAMPLE_ECOC_INPUT, loadIviFixture } from '../../fixtures/ivi';

function parsed(xml: string): IviDocument {
  const r = parseIvi(xml);
  if (!r.ok) throw new Error(JSON.stringify(r.issue));
  return r.value;
}
/** Everything but the raw tree (comments, whitespace and element order may differ). */
function typed(doc: IviDocument): Omit<IviDocument, 'raw'> {
  const { raw: _raw, ...rest } = doc;
  return JSON.parse(JSON.stringify(rest)) as Omit<IviDocument, 'raw'>;
}

describe('buildIvi', () => {
  const REF = IVI_FIXTURE_REFS['sample-1x'];

  it('writes an IVI 1.x document with the declaration, namespaces and header', () => {
    const xml = buildIvi(SAMPLE_ECOC_INPUT, REF);
    expect(xml.startsWith('<?xml version="1.0" encoding="utf-8"?>\n<InitialVehicleInformation xmlns:xsi=')).toBe(true);
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml).toContain(`<IVIReferenceId>${REF}</IVIReferenceId>`);
    expect(xml).toContain('<VersionNumberXsd>1.6</VersionNumberXsd>');
  });

  it('the sample-1x document as structured input parses to exactly what its XML parses to', () => {
    const built = parsed(buildIvi(SAMPLE_ECOC_INPUT, REF));
    expect(typed(built)).toEqual(typed(parsed(loadIviFixture('sample-1x'))));
  });

  it('writes numbers as given: "110.0", "007" and 5.8 stay as written', () => {
    const doc = parsed(
      buildIvi(
        {
          ...SAMPLE_ECOC_INPUT,
          version: '007',
          seats: '05',
          engine: { fuels: [{ fuelCode: '10', maximumNetPower: '110.0' }] },
          wltp: { combinedCo2: 0, combinedFuelConsumption: 5.8 },
        },
        REF,
      ),
    );
    expect(doc.version).toBe('007');
    expect(doc.seats).toBe('05');
    expect(doc.fuels[0]).toMatchObject({ maximumNetPower: '110.0', combinedCo2: '0', combinedFuelConsumption: '5.8' });
  });

  const tricky = `<Mock & "One"> 'x' ]]> æøå ÆØÅ 🚗 &amp; &#65; <![CDATA[y]]> </InitialVehicleInformation>`;
  it('escapes markup in text so the document stays well-formed, and round-trips the values', () => {
    const input: EcocInput = {
      ...SAMPLE_ECOC_INPUT,
      make: tricky,
      commercialName: tricky,
      type: '<Type>',
      variant: '"quoted"',
      version: "'single'",
      engine: { manufacturer: tricky, code: 'a&b', fuels: [{ fuelCode: '10', maximumNetPower: 110 }] },
      axles: [{ number: 1, tyreSize: tricky, rimSize: '7Jx17 "ET" 45' }],
    };
    const xml = buildIvi(input, 'ref <&>');
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml).not.toContain('<Mock');
    expect(xml).not.toContain(']]>');
    const doc = parsed(xml);
    expect(doc.iviReferenceId).toBe('ref <&>');
    expect(doc.make).toBe(tricky.trim());
    expect(doc.commercialName).toBe(tricky.trim());
    expect([doc.type, doc.variant, doc.version]).toEqual(['<Type>', '"quoted"', "'single'"]);
    expect(doc.engines[0]).toMatchObject({ manufacturer: tricky.trim(), code: 'a&b' });
    expect(doc.axles[0].tyres[0]).toEqual({ tyreSize: tricky.trim(), rimSize: '7Jx17 "ET" 45' });
  });

  it('strips characters XML 1.0 forbids and keeps tabs, newlines and astral characters', () => {
    const doc = parsed(
      buildIvi(
        { ...SAMPLE_ECOC_INPUT, make: 'A\u0000B\u0001C\u001FD\uFFFEE\uD800F', commercialName: 'x\ty\nz 😀' },
        REF,
      ),
    );
    expect(doc.make).toBe('ABCDEF');
    expect(doc.commercialName).toBe('x\ty\nz 😀');
  });

  it('element names never come from input: extra keys, odd values and injection attempts write nothing', () => {
    const hostile = {
      ...SAMPLE_ECOC_INPUT,
      Injected: 'x',
      '@_xmlns': 'urn:evil',
      '?xml-stylesheet': 'href="x"',
      'evil><Injected': 'x',
      make: { toString: () => 'object' },
      commercialName: ['array'],
      type: true,
      variant: Number.NaN,
      version: Infinity,
      vin: '</VehicleIdentificationNumber><Injected>1</Injected><VehicleIdentificationNumber>',
      axles: [{ number: 1, Injected: 'x' }, null, 'string'],
      engine: { fuels: 'not an array', Injected: 'x' },
      wltp: null,
    } as unknown as EcocInput;
    const xml = buildIvi(hostile, REF);
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml).not.toMatch(/<Injected|evil|stylesheet|object|array|NaN|Infinity/);
    const doc = parsed(xml);
    expect(doc.vin).toBe('</VehicleIdentificationNumber><Injected>1</Injected><VehicleIdentificationNumber>');
    expect(doc.makes).toEqual([]);
    expect(doc.commercialNames).toEqual([]);
    expect([doc.type, doc.variant, doc.version]).toEqual([undefined, undefined, undefined]);
    expect(doc.axles).toEqual([{ number: '1', technicallyPermMass: undefined, tyres: [] }]);
    expect(doc.engines).toEqual([]);
  });

  it('omits absent, null and blank values; an empty input still gives a well-formed document', () => {
    const xml = buildIvi({ vin: null, make: '   ', axles: [], engine: null, wltp: null }, REF);
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml).not.toMatch(/VehicleIdentificationNumber|MakeTable|AxleTable|EngineTable/);
    expect(parsed(xml)).toMatchObject({ iviReferenceId: REF, makes: [], engines: [] });
  });

  it('writes pureElectric as Y/N and WLTP values without fuels into a FuelGroup of their own', () => {
    const electric = parsed(buildIvi({ engine: { pureElectric: true } }, REF));
    expect(electric.engines[0].pureElectric).toBe('Y');
    expect(electric.pureElectric).toBe(true);
    const combustion = parsed(buildIvi({ engine: { pureElectric: false }, wltp: { combinedCo2: '99' } }, REF));
    expect(combustion.engines[0]).toMatchObject({ pureElectric: 'N', fuels: [{ combinedCo2: '99' }] });
    expect(combustion.wltp.combinedCo2).toBe('99');
    expect(combustion.pureElectric).toBe(false);
  });

  it('writes several fuels, WLTP in the first; and several axles in order', () => {
    const doc = parsed(
      buildIvi(
        {
          engine: {
            fuels: [
              { fuelCode: '10', maximumNetPower: 100 },
              { fuelCode: '40', maximumNetPower: 90 },
            ],
          },
          wltp: { weightedCombinedCo2: 25 },
          axles: [{ number: 1 }, { number: 2 }, { number: 3 }],
        },
        REF,
      ),
    );
    expect(doc.fuels.map((f) => [f.fuelCode, f.weightedCombinedCo2])).toEqual([
      ['10', '25'],
      ['40', undefined],
    ]);
    expect(doc.axles.map((a) => a.number)).toEqual(['1', '2', '3']);
  });
});
