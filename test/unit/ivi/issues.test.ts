import { duplicateIssue, fromSvvIssue, mergeIssues, parseIvi, type IviIssue } from '../../../src/ivi';
import { loadIviFixture } from '../../fixtures/ivi';

const P = '/InitialVehicleInformation/Body/CocDataGroup';
const local = (field: string, code = 'IVI-E-REQ', extra: Partial<IviIssue> = {}): IviIssue => ({
  field,
  path: `${P}/${field}`,
  code,
  message: `Påkrevd felt ${field} mangler`,
  source: 'LOCAL',
  ...extra,
});

describe('fromSvvIssue', () => {
  it("reads SVV's Valideringsmelding, filling the CoC item from the rule table", () => {
    const issue = local('TechnPermMaxLadenMass', 'IVI-E-REQ', { cocItem: '16.1' });
    const svv = {
      kode: 'IVI-E-REQ',
      felt: 'TechnPermMaxLadenMass',
      sti: `${P}/TechnPermMaxLadenMass`,
      meldingstekst: 'Påkrevd felt TechnPermMaxLadenMass mangler',
    };
    expect(fromSvvIssue(svv)).toEqual({ ...issue, source: 'SVV' });
    expect(fromSvvIssue(svv, 'LOCAL')).toEqual(issue);
  });
  it('reads an unknown or partial SVV shape without throwing', () => {
    expect(fromSvvIssue({ kode: 'X-1', meldingstekst: 'm', ekstra: 1 })).toEqual({
      field: '',
      path: '',
      code: 'X-1',
      message: 'm',
      source: 'SVV',
    });
    expect(fromSvvIssue(null)).toEqual({ field: '', path: '', code: '', message: '', source: 'SVV' });
    expect(fromSvvIssue({ felt: 42, sti: ['x'] })).toMatchObject({ field: '', path: '' });
  });
});

describe('mergeIssues', () => {
  it("keeps one per code+field+path, SVV's copy winning (with the local cocItem), local order first", () => {
    const a = local('Make', 'IVI-E-REQ', { cocItem: '0.1' });
    const b = local('Type');
    const svvA: IviIssue = { ...a, cocItem: undefined, message: 'SVV-tekst', source: 'SVV' };
    delete svvA.cocItem;
    const svvOnly: IviIssue = { ...local('SecondaryColourCode', 'IVI-W-DESIRED'), source: 'SVV' };
    expect(mergeIssues([a, b], [svvOnly, svvA])).toEqual([{ ...svvA, cocItem: '0.1' }, b, svvOnly]);
  });
  it('treats a different code, field or path as a different issue', () => {
    const a = local('Make');
    const list = [a, { ...a, code: 'IVI-E-FORMAT' }, { ...a, field: 'Type' }, { ...a, path: '/x' }];
    expect(mergeIssues(list, [])).toHaveLength(4);
  });
  it('drops duplicates inside either list', () => {
    const a = local('Make');
    const s: IviIssue = { ...local('Type'), source: 'SVV' };
    expect(mergeIssues([a, a], [s, s])).toEqual([a, s]);
    expect(mergeIssues([], [])).toEqual([]);
  });
});

describe('duplicateIssue', () => {
  it('points at the VIN or reference where the document has it', () => {
    const r = parseIvi(loadIviFixture('sample-2x'));
    if (!r.ok) throw new Error('parse');
    expect(duplicateIssue('vin', r.value)).toMatchObject({
      code: 'IVI-E-DUPLICATE',
      field: 'VehicleIdentificationNumber',
      path: '/InitialVehicleInformation/CocDataGroup/VehicleIdentificationNumber',
      cocItem: '0.10',
    });
    expect(duplicateIssue('iviReferanse', r.value)).toMatchObject({
      code: 'IVI-E-DUPLICATE',
      field: 'IviReferenceId',
      path: '/InitialVehicleInformation/Header/IviReferenceId',
    });
    expect(duplicateIssue('iviReferanse')).toMatchObject({ path: '/InitialVehicleInformation/Header/IVIReferenceId' });
  });
});
