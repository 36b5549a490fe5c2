import {
  IVI_RULES,
  buildIvi,
  duplicateIssue,
  osloToday,
  parseIvi,
  validateIvi,
  type EcocInput,
  type IviDocument,
  type IviRule,
  type ValidateIviContext,
} from '../../../src/ivi';
import { IVI_FIXTURE_REFS, IVI_FIXTURE_TODAY, SAMPLE_ECOC_INPUT, loadIviFixture } from '../../fixtures/ivi';

const REF = 'ref-0001';
const BASE_CTX: ValidateIviContext = { iviReferanse: REF, avgiftsKode: '101', today: IVI_FIXTURE_TODAY };
const ENGINE = SAMPLE_ECOC_INPUT.engine!;

/** A variation of the (valid) sample-1x document: overrides of the structured input, of the context, or of the XML. */
interface Case {
  input?: Partial<EcocInput>;
  ref?: string;
  ctx?: Partial<ValidateIviContext>;
  xml?: (xml: string) => string;
}

function run(c: Case = {}) {
  let xml = buildIvi({ ...SAMPLE_ECOC_INPUT, ...c.input }, c.ref ?? REF);
  if (c.xml) xml = c.xml(xml);
  const parsed = parseIvi(xml);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issue));
  return validateIvi(parsed.value, { ...BASE_CTX, ...c.ctx });
}

/** At least one real failing input per rule id. */
const FAILING: Record<string, Case[]> = {
  'ref.required': [{ ref: '' }],
  'ref.match': [{ ctx: { iviReferanse: 'another-ref' } }, { ref: `${REF}x` }],
  'vin.required': [{ input: { vin: null } }, { input: { vin: '  ' } }],
  'vin.format': [
    { input: { vin: 'YS3TESTM1R000000I' } },
    { input: { vin: 'YS3TESTM1R000001' } },
    { input: { vin: 'YS3TESTM1R00000012' } },
    { input: { vin: 'YS3-TESTM1R00001' } },
  ],
  'make.required': [{ input: { make: '' } }],
  'type.required': [{ input: { type: null } }],
  'variant.required': [{ input: { variant: null } }],
  'version.required': [{ input: { version: '' } }],
  'typeApprovalNumber.required': [{ input: { typeApprovalNumber: null } }],
  'typeApprovalNumber.format': [
    { input: { typeApprovalNumber: 'e4*2018/858*123*02' } },
    { input: { typeApprovalNumber: 'E4-2018/858-00123-02' } },
    { input: { typeApprovalNumber: 'NO-12345', typeApprovalType: 'EC' } },
  ],
  'category.required': [{ input: { category: null } }],
  'category.format': [{ input: { category: 'M4' } }, { input: { category: 'm1' } }, { input: { category: 'L8e' } }],
  'stageOfCompletion.required': [{ input: { stageOfCompletion: null } }],
  'dateOfManufacture.format': [
    { input: { dateOfManufacture: '2025-02-30' } },
    { input: { dateOfManufacture: '14.02.2025' } },
    { input: { dateOfManufacture: '2025-02-14T00:00:00Z' } },
  ],
  'dateOfManufacture.future': [{ ctx: { today: '2025-02-13' } }, { input: { dateOfManufacture: '2999-01-01' } }],
  'typeApprovalIssueDate.format': [
    {
      xml: (x) =>
        x.replace(
          '<TypeApprovalNumber>',
          '<TypeApprovalIssueDate>2025-13-01</TypeApprovalIssueDate><TypeApprovalNumber>',
        ),
    },
  ],
  'massInRunningOrder.required': [{ input: { massInRunningOrder: null } }],
  'technPermMaxLadenMass.required': [
    { input: { technPermMaxLadenMass: null } },
    { input: { category: 'N1G', technPermMaxLadenMass: null } },
  ],
  'fuelCode.required': [{ input: { engine: { ...ENGINE, fuels: [{ maximumNetPower: '110.0' }] } } }],
  'maximumNetPower.required': [{ input: { engine: { ...ENGINE, fuels: [{ fuelCode: '10' }] } } }],
  'wltpCo2.required': [{ input: { wltp: null } }, { input: { wltp: { combinedFuelConsumption: 5.8 } } }],
  'massInRunningOrder.format': [
    { input: { massInRunningOrder: 0 } },
    { input: { massInRunningOrder: 60001 } },
    { input: { massInRunningOrder: '1390.5' } },
    { input: { massInRunningOrder: '-5' } },
  ],
  'technPermMaxLadenMass.format': [{ input: { technPermMaxLadenMass: '1 900' } }],
  'technPermMaxMassCombination.format': [{ input: { technPermMaxMassCombination: 'abc' } }],
  'axleMass.format': [
    {
      input: {
        axles: [
          { number: 1, technicallyPermMass: 1050, tyreSize: 'T' },
          { number: 2, technicallyPermMass: 0 },
        ],
      },
    },
  ],
  'length.format': [{ input: { length: 99 } }, { input: { length: 30001 } }],
  'width.format': [{ input: { width: '1800mm' } }],
  'height.format': [{ input: { height: 14.8 } }],
  'wheelbase.format': [{ input: { wheelbase: 0 } }],
  'engineCapacity.format': [
    { input: { engine: { ...ENGINE, capacity: 0 } } },
    { input: { engine: { ...ENGINE, capacity: '1498.5' } } },
  ],
  'maximumNetPower.format': [
    { input: { engine: { ...ENGINE, fuels: [{ fuelCode: '10', maximumNetPower: '110.25' }] } } },
    { input: { engine: { ...ENGINE, fuels: [{ fuelCode: '10', maximumNetPower: 0 }] } } },
    { input: { engine: { ...ENGINE, fuels: [{ fuelCode: '10', maximumNetPower: '110,5' }] } } },
  ],
  'wltpCo2.format': [{ input: { wltp: { combinedCo2: 1000 } } }, { input: { wltp: { combinedCo2: '-1' } } }],
  'wltpWeightedCo2.format': [{ input: { wltp: { combinedCo2: 132, weightedCombinedCo2: 'n/a' } } }],
  'seats.format': [{ input: { seats: 0 } }, { input: { seats: 100 } }, { input: { seats: '5.5' } }],
  'avgiftsKode.format': [{ ctx: { avgiftsKode: '10A' } }, { ctx: { avgiftsKode: '-101' } }],
  'commercialName.desired': [{ input: { commercialName: null } }],
  'dateOfManufacture.desired': [{ input: { dateOfManufacture: null } }],
  'primaryColourCode.desired': [{ input: { primaryColourCode: null } }],
  'primaryColourCode.format': [
    { input: { primaryColourCode: 11 } },
    { input: { primaryColourCode: 0 } },
    { input: { primaryColourCode: 'W' } },
  ],
  'secondaryColourCode.format': [{ input: { secondaryColourCode: 12 } }],
  'length.desired': [{ input: { length: null } }],
  'width.desired': [{ input: { width: null } }],
  'height.desired': [{ input: { height: null } }],
  'wheelbase.desired': [{ input: { wheelbase: null } }],
  'engineCapacity.desired': [{ input: { engine: { ...ENGINE, capacity: null } } }],
  'seats.desired': [{ input: { seats: null } }],
  'tyreSize.desired': [{ input: { axles: [{ number: 1, technicallyPermMass: 1050 }] } }],
  'avgiftsKode.desired': [
    { input: { typeApprovalType: 'NAT' }, ctx: { avgiftsKode: undefined } },
    { input: { typeApprovalType: 'nat' }, ctx: { avgiftsKode: '  ' } },
  ],
};

const matches = (rule: IviRule) =>
  expect.objectContaining({
    code: rule.code,
    field: rule.field,
    path: rule.path,
    message: rule.message,
    source: 'LOCAL',
  });

describe('the rule table', () => {
  it('has unique ids, absolute paths, Norwegian messages and a failing case for every rule', () => {
    const ids = IVI_RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(Object.keys(FAILING).sort()).toEqual([...ids].sort());
    for (const rule of IVI_RULES) {
      expect(rule.path).toMatch(/^\/[A-Za-z]/);
      expect(rule.message.length).toBeGreaterThan(10);
      expect(rule.code).toMatch(rule.severity === 'error' ? /^IVI-E-/ : /^IVI-W-/);
    }
  });

  it('the sample-1x document (as structured input) passes every rule: no errors, no warnings', () => {
    expect(run()).toEqual({ errors: [], warnings: [] });
  });

  it.each(['sample-1x', 'sample-2x', 'sample-electric'] as const)('fixture %s passes every rule', (name) => {
    const parsed = parseIvi(loadIviFixture(name));
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issue));
    expect(
      validateIvi(parsed.value, { iviReferanse: IVI_FIXTURE_REFS[name], avgiftsKode: '101', today: IVI_FIXTURE_TODAY }),
    ).toEqual({
      errors: [],
      warnings: [],
    });
  });
});

describe.each(IVI_RULES.map((rule) => [rule.id, rule] as const))('rule %s', (_id, rule) => {
  it('passes on the valid sample', () => {
    const { errors, warnings } = run();
    expect([...errors, ...warnings]).not.toContainEqual(matches(rule));
  });
  it.each(FAILING[rule.id].map((c, i) => [i + 1, c] as const))('fails on variation %i', (_n, c) => {
    const { errors, warnings } = run(c);
    const [hit, other] = rule.severity === 'error' ? [errors, warnings] : [warnings, errors];
    expect(hit).toContainEqual(matches(rule));
    expect(other).not.toContainEqual(matches(rule));
    const issue = hit.find((i) => i.message === rule.message && i.path === rule.path)!;
    expect(issue.cocItem).toBe(rule.cocItem);
  });
});

describe('conditions and leniency', () => {
  const codes = (r: ReturnType<typeof run>) => r.errors.map((e) => `${e.code} ${e.field}`);

  it('M1/N1-only requirements do not apply to other categories', () => {
    const r = run({
      input: { category: 'O2', massInRunningOrder: null, technPermMaxLadenMass: null, engine: null, wltp: null },
    });
    expect(r.errors).toEqual([]);
  });
  it('a pure electric M1 needs no WLTP CO2 and no engine capacity', () => {
    const r = run({ input: { engine: { ...ENGINE, capacity: null, pureElectric: true }, wltp: null } });
    expect(r).toEqual({ errors: [], warnings: [] });
  });
  it('weighted combined CO2 (plug-in hybrid) satisfies the CO2 requirement', () => {
    expect(run({ input: { wltp: { weightedCombinedCo2: 28 } } }).errors).toEqual([]);
  });
  it('a national approval (NAT) has national numbering: no format check on TypeApprovalNumber', () => {
    expect(run({ input: { typeApprovalType: 'NAT', typeApprovalNumber: 'NO-12345' } })).toEqual({
      errors: [],
      warnings: [],
    });
  });
  it('the VIN is upper-cased before the ISO check', () => {
    expect(run({ input: { vin: 'ys3testm1r0000001' } }).errors).toEqual([]);
  });
  it.each(['M1G', 'N1', 'N3G', 'O4', 'L3e', 'L3e-A2', 'L7e-CU', 'T1b', 'T5', 'C2a', 'R3b', 'S2a'])(
    'category %s is valid',
    (category) => {
      expect(codes(run({ input: { category } }))).not.toContain('IVI-E-FORMAT VehicleCategoryCode');
    },
  );
  it('a manufacture date of today is not in the future; avgiftsKode is trimmed', () => {
    expect(run({ ctx: { today: '2025-02-14', avgiftsKode: ' 101 ' } })).toEqual({ errors: [], warnings: [] });
  });
  it('without `today`, "the future" means after today in Norway', () => {
    const doc = parseIvi(buildIvi({ ...SAMPLE_ECOC_INPUT, dateOfManufacture: '2999-12-31' }, REF));
    if (!doc.ok) throw new Error('parse');
    expect(validateIvi(doc.value, { iviReferanse: REF }).errors.map((e) => e.message)).toContain(
      'DateOfManufactureVeh kan ikke være fram i tid',
    );
    expect(osloToday(new Date('2025-12-31T23:30:00Z'))).toBe('2026-01-01');
    expect(osloToday(new Date('2025-06-30T22:30:00Z'))).toBe('2025-07-01');
  });
  it('reports one issue per rule even when several values are wrong', () => {
    const r = run({
      input: {
        axles: [
          { number: 1, technicallyPermMass: 0, tyreSize: 'T' },
          { number: 2, technicallyPermMass: 0 },
        ],
      },
    });
    expect(r.errors.filter((e) => e.field === 'TechnicallyPermMassAxle')).toHaveLength(1);
  });
  it('a missing element is not also reported as badly formatted', () => {
    expect(codes(run({ input: { vin: null } }))).toEqual(['IVI-E-REQ VehicleIdentificationNumber']);
  });
  it('an empty document gets every required-field error and no crash', () => {
    const doc = parseIvi('<InitialVehicleInformation/>');
    if (!doc.ok) throw new Error('parse');
    const r = validateIvi(doc.value, { iviReferanse: REF, today: IVI_FIXTURE_TODAY });
    expect(codes(r)).toEqual([
      'IVI-E-REQ IVIReferenceId',
      'IVI-E-REQ VehicleIdentificationNumber',
      'IVI-E-REQ Make',
      'IVI-E-REQ Type',
      'IVI-E-REQ Variant',
      'IVI-E-REQ Version',
      'IVI-E-REQ TypeApprovalNumber',
      'IVI-E-REQ VehicleCategoryCode',
      'IVI-E-REQ StageOfCompletionCode',
    ]);
  });
});

describe('issue locations in IVI 2.0 documents', () => {
  const doc2 = (edit: (xml: string) => string): IviDocument => {
    const r = parseIvi(edit(loadIviFixture('sample-2x')));
    if (!r.ok) throw new Error(JSON.stringify(r.issue));
    return r.value;
  };
  const ctx = { iviReferanse: IVI_FIXTURE_REFS['sample-2x'], avgiftsKode: '101', today: IVI_FIXTURE_TODAY };

  it('points at the alias the document uses', () => {
    const r = validateIvi(
      doc2((x) => x.replace('>N1<', '>N9<').replace('>2100<', '>0<')),
      ctx,
    );
    expect(r.errors).toEqual([
      expect.objectContaining({
        code: 'IVI-E-FORMAT',
        field: 'VehicleCategory',
        path: '/InitialVehicleInformation/CocDataGroup/VehicleCategory',
        cocItem: '0.4',
      }),
      expect.objectContaining({
        code: 'IVI-E-FORMAT',
        field: 'MassInRunningOrder',
        path: '/InitialVehicleInformation/CocDataGroup/MassGroup/MassInRunningOrder',
      }),
    ]);
  });
  it('rebases canonical paths onto the 2.0 CocDataGroup for missing elements, and the header reference', () => {
    const r = validateIvi(
      doc2((x) => x.replace(/<ivi:Type>.*<\/ivi:Type>/, '')),
      { ...ctx, iviReferanse: 'other' },
    );
    expect(r.errors).toEqual([
      expect.objectContaining({
        code: 'IVI-E-REF',
        field: 'IviReferenceId',
        path: '/InitialVehicleInformation/Header/IviReferenceId',
      }),
      expect.objectContaining({
        code: 'IVI-E-REQ',
        field: 'Type',
        path: '/InitialVehicleInformation/CocDataGroup/Type',
      }),
    ]);
  });
});

describe('extra issues', () => {
  it('are sorted by code and marked LOCAL unless they say otherwise', () => {
    const parsed = parseIvi(buildIvi(SAMPLE_ECOC_INPUT, REF));
    if (!parsed.ok) throw new Error('parse');
    const dup = duplicateIssue('vin', parsed.value);
    const { source: _s, ...sourceless } = dup;
    const r = validateIvi(parsed.value, {
      ...BASE_CTX,
      extraIssues: [sourceless, { field: 'X', path: '/X', code: 'IVI-W-DESIRED', message: 'm', source: 'SVV' }],
    });
    expect(r.errors).toEqual([{ ...dup, source: 'LOCAL' }]);
    expect(r.warnings).toEqual([{ field: 'X', path: '/X', code: 'IVI-W-DESIRED', message: 'm', source: 'SVV' }]);
  });
});
