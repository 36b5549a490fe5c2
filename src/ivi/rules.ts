/**
 * The subgraph's local IVI rule set, in one table (docs/upstreams.md §12). A pre-check only: SVV judges the document
 * again and may refuse what passes here. Each entry yields at most one issue. Format rules pass when the value is
 * absent; the matching required/desired rule reports that. Messages never quote document content.
 */
import { ISO_VIN, isValidIsoDate } from '../domain/identifiers';
import { COC_PATH_1X, IVI_ISSUE_CODES, IVI_ROOT, type IviDocument, type IviIssueCode, type IviPathKey } from './types';

export interface IviRuleContext {
  iviReferanse: string;
  /** Trimmed; undefined when absent or empty. */
  avgiftsKode?: string;
  /** YYYY-MM-DD, Europe/Oslo. */
  today: string;
}

export interface IviRule {
  /** Stable id for tests and logs, e.g. "vin.format". */
  id: string;
  /** IVI element (1.x name) or request field. */
  field: string;
  /** Absolute 1.x path; rebased for 2.0 documents, or replaced by where `key` was actually found. */
  path: string;
  cocItem?: string;
  severity: 'error' | 'warning';
  code: IviIssueCode;
  message: string;
  /** Document value whose located path (1.x name or 2.0 alias) the issue should point at. */
  key?: IviPathKey;
  /** true = the document passes this rule. */
  check: (doc: IviDocument, ctx: IviRuleContext) => boolean;
}

const { REQUIRED, FORMAT, REFERENCE, DESIRED, FORMAT_WARNING } = IVI_ISSUE_CODES;

const coc = (rel: string): string => `${COC_PATH_1X}/${rel}`;
const HEADER_REF = `/${IVI_ROOT}/Header/IVIReferenceId`;
const MAKE = coc('MakeTable/MakeGroup/Make');
const COMMERCIAL_NAME = coc('CommercialNameTable/CommercialNameGroup/CommercialName');
const ENGINE = coc('EngineTable/EngineGroup');
const FUEL = `${ENGINE}/FuelTable/FuelGroup`;
const AXLE = coc('AxleTable/AxleGroup');
const AVGIFTSKODE_PATH = '/avgiftsklassifisering/avgiftsKode';

const required = (field: string): string => `Påkrevd felt ${field} mangler`;
const desired = (field: string): string => `Feltet ${field} bør ha innhold`;
const intRange = (field: string, min: number, max: number, unit: string): string =>
  `${field} må være et heltall fra ${min} til ${max}${unit ? ` (${unit})` : ''}`;
const co2Range = (field: string): string => `${field} må være et tall fra 0 til 999 (g/km)`;

/** e<n>*<base act>[*<amending act>]*<seq>*<ext> (docs/upstreams.md §12). */
export const TYPE_APPROVAL_NUMBER = /^[eE]\d{1,2}\*\d{2,4}\/\d{1,4}(\*\d{2,4}\/\d{1,4})?\*\d{4,5}\*\d{2}$/;
/** EU categories: M/N (optional G = off-road), O, L1e–L7e (optional sub-category), T/C/R/S (optional a/b). */
export const VEHICLE_CATEGORY =
  /^(?:[MN][1-3]G?|O[1-4]|L[1-7]e(?:-[A-C][A-Z0-9]{0,2})?|T[1-5][ab]?|C[1-5][ab]?|R[1-4][ab]?|S[12][ab]?)$/;

const has = (v: string | undefined): v is string => v !== undefined && v !== '';
const isNat = (d: IviDocument): boolean => d.typeApprovalType?.toUpperCase() === 'NAT';
/** M1/N1 (and their off-road G variants) carry the Norwegian tax-relevant required fields. */
const isM1N1 = (d: IviDocument): boolean => /^[MN]1G?$/.test(d.category ?? '');
const combustion = (d: IviDocument): boolean => !d.pureElectric;

function int(v: string, min: number, max: number): boolean {
  return /^\d{1,9}$/.test(v) && Number(v) >= min && Number(v) <= max;
}
function decimal(v: string, min: number, max: number): boolean {
  return /^\d{1,9}(?:\.\d{1,6})?$/.test(v) && Number(v) >= min && Number(v) <= max;
}
/** Passes when every present value satisfies the predicate. */
function each(values: ReadonlyArray<string | undefined>, ok: (v: string) => boolean): boolean {
  return values.every((v) => v === undefined || ok(v));
}
const optional = (v: string | undefined, ok: (v: string) => boolean): boolean => v === undefined || ok(v);
const mass = (v: string): boolean => int(v, 1, 60000);
const dimension = (v: string): boolean => int(v, 100, 30000);
const co2 = (v: string): boolean => decimal(v, 0, 999);
const co2Values = (d: IviDocument, key: 'combinedCo2' | 'weightedCombinedCo2'): Array<string | undefined> => [
  d.wltp[key],
  ...d.fuels.map((f) => f[key]),
];

export const IVI_RULES: readonly IviRule[] = [
  // --- header ------------------------------------------------------------------------------------------------------
  {
    id: 'ref.required',
    field: 'IVIReferenceId',
    path: HEADER_REF,
    severity: 'error',
    code: REQUIRED,
    message: required('IVIReferenceId'),
    key: 'iviReferenceId',
    check: (d) => has(d.iviReferenceId),
  },
  {
    id: 'ref.match',
    field: 'IVIReferenceId',
    path: HEADER_REF,
    severity: 'error',
    code: REFERENCE,
    message: 'IVIReferenceId i dokumentet er ulik iviReferanse i forespørselen',
    key: 'iviReferenceId',
    check: (d, c) => d.iviReferenceId === undefined || d.iviReferenceId === c.iviReferanse.trim(),
  },
  // --- identity and approval -----------------------------------------------------------------------------------------
  {
    id: 'vin.required',
    field: 'VehicleIdentificationNumber',
    path: coc('VehicleIdentificationNumber'),
    cocItem: '0.10',
    severity: 'error',
    code: REQUIRED,
    message: required('VehicleIdentificationNumber'),
    key: 'vin',
    check: (d) => has(d.vin),
  },
  {
    id: 'vin.format',
    field: 'VehicleIdentificationNumber',
    path: coc('VehicleIdentificationNumber'),
    cocItem: '0.10',
    severity: 'error',
    code: FORMAT,
    message: 'Understellsnummer må være 17 tegn (A-Z uten I, O, Q, og 0-9)',
    key: 'vin',
    check: (d) => optional(d.vin, (v) => ISO_VIN.test(v.toUpperCase())),
  },
  {
    id: 'make.required',
    field: 'Make',
    path: MAKE,
    cocItem: '0.1',
    severity: 'error',
    code: REQUIRED,
    message: required('Make'),
    check: (d) => d.makes.length > 0,
  },
  {
    id: 'type.required',
    field: 'Type',
    path: coc('Type'),
    cocItem: '0.2',
    severity: 'error',
    code: REQUIRED,
    message: required('Type'),
    key: 'type',
    check: (d) => has(d.type),
  },
  {
    id: 'variant.required',
    field: 'Variant',
    path: coc('Variant'),
    cocItem: '0.2',
    severity: 'error',
    code: REQUIRED,
    message: required('Variant'),
    key: 'variant',
    check: (d) => has(d.variant),
  },
  {
    id: 'version.required',
    field: 'Version',
    path: coc('Version'),
    cocItem: '0.2',
    severity: 'error',
    code: REQUIRED,
    message: required('Version'),
    key: 'version',
    check: (d) => has(d.version),
  },
  {
    id: 'typeApprovalNumber.required',
    field: 'TypeApprovalNumber',
    path: coc('TypeApprovalNumber'),
    cocItem: '0.2',
    severity: 'error',
    code: REQUIRED,
    message: required('TypeApprovalNumber'),
    key: 'typeApprovalNumber',
    check: (d) => has(d.typeApprovalNumber),
  },
  {
    id: 'typeApprovalNumber.format',
    field: 'TypeApprovalNumber',
    path: coc('TypeApprovalNumber'),
    cocItem: '0.2',
    severity: 'error',
    code: FORMAT,
    message: 'TypeApprovalNumber har ugyldig format (forventet f.eks. e4*2018/858*00123*02)',
    key: 'typeApprovalNumber',
    // National approvals (NAT) have national numbering.
    check: (d) => isNat(d) || optional(d.typeApprovalNumber, (v) => TYPE_APPROVAL_NUMBER.test(v)),
  },
  {
    id: 'category.required',
    field: 'VehicleCategoryCode',
    path: coc('VehicleCategoryCode'),
    cocItem: '0.4',
    severity: 'error',
    code: REQUIRED,
    message: required('VehicleCategoryCode'),
    key: 'category',
    check: (d) => has(d.category),
  },
  {
    id: 'category.format',
    field: 'VehicleCategoryCode',
    path: coc('VehicleCategoryCode'),
    cocItem: '0.4',
    severity: 'error',
    code: FORMAT,
    message: 'VehicleCategoryCode er ikke en gyldig EU-kjøretøykategori (f.eks. M1, N1, O2, L3e, T1b)',
    key: 'category',
    check: (d) => optional(d.category, (v) => VEHICLE_CATEGORY.test(v)),
  },
  {
    id: 'stageOfCompletion.required',
    field: 'StageOfCompletionCode',
    path: coc('StageOfCompletionCode'),
    severity: 'error',
    code: REQUIRED,
    message: required('StageOfCompletionCode'),
    key: 'stageOfCompletion',
    check: (d) => has(d.stageOfCompletion),
  },
  // --- dates ---------------------------------------------------------------------------------------------------------
  {
    id: 'dateOfManufacture.format',
    field: 'DateOfManufactureVeh',
    path: coc('DateOfManufactureVeh'),
    cocItem: '0.11',
    severity: 'error',
    code: FORMAT,
    message: 'DateOfManufactureVeh må være en gyldig dato på formen ÅÅÅÅ-MM-DD',
    key: 'dateOfManufacture',
    check: (d) => optional(d.dateOfManufacture, isValidIsoDate),
  },
  {
    id: 'dateOfManufacture.future',
    field: 'DateOfManufactureVeh',
    path: coc('DateOfManufactureVeh'),
    cocItem: '0.11',
    severity: 'error',
    code: FORMAT,
    message: 'DateOfManufactureVeh kan ikke være fram i tid',
    key: 'dateOfManufacture',
    check: (d, c) => optional(d.dateOfManufacture, (v) => !isValidIsoDate(v) || v <= c.today),
  },
  {
    id: 'typeApprovalIssueDate.format',
    field: 'TypeApprovalIssueDate',
    path: coc('TypeApprovalIssueDate'),
    severity: 'error',
    code: FORMAT,
    message: 'TypeApprovalIssueDate må være en gyldig dato på formen ÅÅÅÅ-MM-DD',
    key: 'typeApprovalIssueDate',
    check: (d) => optional(d.typeApprovalIssueDate, isValidIsoDate),
  },
  // --- M1/N1: values the Norwegian registration tax needs --------------------------------------------------------------
  {
    id: 'massInRunningOrder.required',
    field: 'MassOfTheVehicleInRunningOrder',
    path: coc('MassOfTheVehicleInRunningOrder'),
    cocItem: '13',
    severity: 'error',
    code: REQUIRED,
    message: required('MassOfTheVehicleInRunningOrder'),
    key: 'massInRunningOrder',
    check: (d) => !isM1N1(d) || has(d.massInRunningOrder),
  },
  {
    id: 'technPermMaxLadenMass.required',
    field: 'TechnPermMaxLadenMass',
    path: coc('TechnPermMaxLadenMass'),
    cocItem: '16.1',
    severity: 'error',
    code: REQUIRED,
    message: required('TechnPermMaxLadenMass'),
    key: 'technPermMaxLadenMass',
    check: (d) => !isM1N1(d) || has(d.technPermMaxLadenMass),
  },
  {
    id: 'fuelCode.required',
    field: 'FuelCode',
    path: `${FUEL}/FuelCode`,
    cocItem: '26',
    severity: 'error',
    code: REQUIRED,
    message: required('FuelCode'),
    check: (d) => !isM1N1(d) || d.fuels.some((f) => has(f.fuelCode)),
  },
  {
    id: 'maximumNetPower.required',
    field: 'MaximumNetPower',
    path: `${FUEL}/MaximumNetPower`,
    cocItem: '27.1',
    severity: 'error',
    code: REQUIRED,
    message: required('MaximumNetPower'),
    check: (d) => !isM1N1(d) || d.fuels.some((f) => has(f.maximumNetPower)),
  },
  {
    id: 'wltpCo2.required',
    field: 'WLTPCombinedCO2',
    path: `${FUEL}/WLTPCombinedCO2`,
    cocItem: '49',
    severity: 'error',
    code: REQUIRED,
    message: required('WLTPCombinedCO2'),
    // Weighted combined CO2 (plug-in hybrids) also satisfies it.
    check: (d) => !isM1N1(d) || !combustion(d) || has(d.wltp.combinedCo2) || has(d.wltp.weightedCombinedCo2),
  },
  // --- numeric formats (errors even on desired fields: present means it must be right) -----------------------------
  {
    id: 'massInRunningOrder.format',
    field: 'MassOfTheVehicleInRunningOrder',
    path: coc('MassOfTheVehicleInRunningOrder'),
    cocItem: '13',
    severity: 'error',
    code: FORMAT,
    message: intRange('MassOfTheVehicleInRunningOrder', 1, 60000, 'kg'),
    key: 'massInRunningOrder',
    check: (d) => optional(d.massInRunningOrder, mass),
  },
  {
    id: 'technPermMaxLadenMass.format',
    field: 'TechnPermMaxLadenMass',
    path: coc('TechnPermMaxLadenMass'),
    cocItem: '16.1',
    severity: 'error',
    code: FORMAT,
    message: intRange('TechnPermMaxLadenMass', 1, 60000, 'kg'),
    key: 'technPermMaxLadenMass',
    check: (d) => optional(d.technPermMaxLadenMass, mass),
  },
  {
    id: 'technPermMaxMassCombination.format',
    field: 'TechnPermMaxMassCombination',
    path: coc('TechnPermMaxMassCombination'),
    cocItem: '16.4',
    severity: 'error',
    code: FORMAT,
    message: intRange('TechnPermMaxMassCombination', 1, 60000, 'kg'),
    key: 'technPermMaxMassCombination',
    check: (d) => optional(d.technPermMaxMassCombination, mass),
  },
  {
    id: 'axleMass.format',
    field: 'TechnicallyPermMassAxle',
    path: `${AXLE}/TechnicallyPermMassAxle`,
    cocItem: '16.2',
    severity: 'error',
    code: FORMAT,
    message: intRange('TechnicallyPermMassAxle', 1, 60000, 'kg'),
    check: (d) =>
      each(
        d.axles.map((a) => a.technicallyPermMass),
        mass,
      ),
  },
  {
    id: 'length.format',
    field: 'Length',
    path: coc('Length'),
    cocItem: '5',
    severity: 'error',
    code: FORMAT,
    message: intRange('Length', 100, 30000, 'mm'),
    key: 'length',
    check: (d) => optional(d.length, dimension),
  },
  {
    id: 'width.format',
    field: 'Width',
    path: coc('Width'),
    cocItem: '6',
    severity: 'error',
    code: FORMAT,
    message: intRange('Width', 100, 30000, 'mm'),
    key: 'width',
    check: (d) => optional(d.width, dimension),
  },
  {
    id: 'height.format',
    field: 'Height',
    path: coc('Height'),
    cocItem: '7',
    severity: 'error',
    code: FORMAT,
    message: intRange('Height', 100, 30000, 'mm'),
    key: 'height',
    check: (d) => optional(d.height, dimension),
  },
  {
    id: 'wheelbase.format',
    field: 'Wheelbase',
    path: coc('Wheelbase'),
    cocItem: '3',
    severity: 'error',
    code: FORMAT,
    message: intRange('Wheelbase', 100, 30000, 'mm'),
    key: 'wheelbase',
    check: (d) => optional(d.wheelbase, dimension),
  },
  {
    id: 'engineCapacity.format',
    field: 'EngineCapacity',
    path: `${ENGINE}/EngineCapacity`,
    cocItem: '25',
    severity: 'error',
    code: FORMAT,
    message: 'EngineCapacity må være et positivt heltall (cm³)',
    check: (d) =>
      each(
        d.engines.map((e) => e.capacity),
        (v) => int(v, 1, 999_999_999),
      ),
  },
  {
    id: 'maximumNetPower.format',
    field: 'MaximumNetPower',
    path: `${FUEL}/MaximumNetPower`,
    cocItem: '27.1',
    severity: 'error',
    code: FORMAT,
    message: 'MaximumNetPower må være større enn 0 med høyst én desimal (kW)',
    check: (d) =>
      each(
        d.fuels.map((f) => f.maximumNetPower),
        (v) => /^\d{1,6}(?:\.\d)?$/.test(v) && Number(v) > 0,
      ),
  },
  {
    id: 'wltpCo2.format',
    field: 'WLTPCombinedCO2',
    path: `${FUEL}/WLTPCombinedCO2`,
    cocItem: '49',
    severity: 'error',
    code: FORMAT,
    message: co2Range('WLTPCombinedCO2'),
    check: (d) => each(co2Values(d, 'combinedCo2'), co2),
  },
  {
    id: 'wltpWeightedCo2.format',
    field: 'WLTPWeightedCombinedCO2',
    path: `${FUEL}/WLTPWeightedCombinedCO2`,
    cocItem: '49',
    severity: 'error',
    code: FORMAT,
    message: co2Range('WLTPWeightedCombinedCO2'),
    check: (d) => each(co2Values(d, 'weightedCombinedCo2'), co2),
  },
  {
    id: 'seats.format',
    field: 'NrOfSeatingPositions',
    path: coc('NrOfSeatingPositions'),
    cocItem: '42',
    severity: 'error',
    code: FORMAT,
    message: intRange('NrOfSeatingPositions', 1, 99, ''),
    key: 'seats',
    check: (d) => optional(d.seats, (v) => int(v, 1, 99)),
  },
  {
    id: 'avgiftsKode.format',
    field: 'avgiftsKode',
    path: AVGIFTSKODE_PATH,
    severity: 'error',
    code: FORMAT,
    message: 'avgiftsKode kan bare inneholde sifre',
    check: (_d, c) => optional(c.avgiftsKode, (v) => /^\d+$/.test(v)),
  },
  // --- warnings: desired fields ------------------------------------------------------------------------------------
  {
    id: 'commercialName.desired',
    field: 'CommercialName',
    path: COMMERCIAL_NAME,
    cocItem: '0.2.1',
    severity: 'warning',
    code: DESIRED,
    message: desired('CommercialName'),
    check: (d) => d.commercialNames.length > 0,
  },
  {
    id: 'dateOfManufacture.desired',
    field: 'DateOfManufactureVeh',
    path: coc('DateOfManufactureVeh'),
    cocItem: '0.11',
    severity: 'warning',
    code: DESIRED,
    message: desired('DateOfManufactureVeh'),
    key: 'dateOfManufacture',
    check: (d) => has(d.dateOfManufacture),
  },
  {
    id: 'primaryColourCode.desired',
    field: 'PrimaryColourCode',
    path: coc('PrimaryColourCode'),
    cocItem: '40',
    severity: 'warning',
    code: DESIRED,
    message: desired('PrimaryColourCode'),
    key: 'primaryColourCode',
    check: (d) => has(d.primaryColourCode),
  },
  {
    id: 'primaryColourCode.format',
    field: 'PrimaryColourCode',
    path: coc('PrimaryColourCode'),
    cocItem: '40',
    severity: 'warning',
    code: FORMAT_WARNING,
    message: 'PrimaryColourCode bør være en fargekode fra 1 til 10',
    key: 'primaryColourCode',
    check: (d) => optional(d.primaryColourCode, (v) => int(v, 1, 10)),
  },
  {
    id: 'secondaryColourCode.format',
    field: 'SecondaryColourCode',
    path: coc('SecondaryColourCode'),
    cocItem: '40',
    severity: 'warning',
    code: FORMAT_WARNING,
    message: 'SecondaryColourCode bør være en fargekode fra 1 til 10',
    key: 'secondaryColourCode',
    check: (d) => optional(d.secondaryColourCode, (v) => int(v, 1, 10)),
  },
  {
    id: 'length.desired',
    field: 'Length',
    path: coc('Length'),
    cocItem: '5',
    severity: 'warning',
    code: DESIRED,
    message: desired('Length'),
    key: 'length',
    check: (d) => has(d.length),
  },
  {
    id: 'width.desired',
    field: 'Width',
    path: coc('Width'),
    cocItem: '6',
    severity: 'warning',
    code: DESIRED,
    message: desired('Width'),
    key: 'width',
    check: (d) => has(d.width),
  },
  {
    id: 'height.desired',
    field: 'Height',
    path: coc('Height'),
    cocItem: '7',
    severity: 'warning',
    code: DESIRED,
    message: desired('Height'),
    key: 'height',
    check: (d) => has(d.height),
  },
  {
    id: 'wheelbase.desired',
    field: 'Wheelbase',
    path: coc('Wheelbase'),
    cocItem: '3',
    severity: 'warning',
    code: DESIRED,
    message: desired('Wheelbase'),
    key: 'wheelbase',
    check: (d) => has(d.wheelbase),
  },
  {
    id: 'engineCapacity.desired',
    field: 'EngineCapacity',
    path: `${ENGINE}/EngineCapacity`,
    cocItem: '25',
    severity: 'warning',
    code: DESIRED,
    message: desired('EngineCapacity'),
    // A pure electric vehicle has no cylinder capacity.
    check: (d) => !combustion(d) || d.engines.some((e) => has(e.capacity)),
  },
  {
    id: 'seats.desired',
    field: 'NrOfSeatingPositions',
    path: coc('NrOfSeatingPositions'),
    cocItem: '42',
    severity: 'warning',
    code: DESIRED,
    message: desired('NrOfSeatingPositions'),
    key: 'seats',
    check: (d) => has(d.seats),
  },
  {
    id: 'tyreSize.desired',
    field: 'TyreSize',
    path: `${AXLE}/TyreAxleTable/TyreAxleGroup/TyreSize`,
    cocItem: '35',
    severity: 'warning',
    code: DESIRED,
    message: desired('TyreSize'),
    check: (d) => d.tyreSizes.length > 0,
  },
  {
    id: 'avgiftsKode.desired',
    field: 'avgiftsKode',
    path: AVGIFTSKODE_PATH,
    severity: 'warning',
    code: DESIRED,
    message: 'Feltet avgiftsKode bør ha innhold ved nasjonal typegodkjenning (NAT)',
    check: (d, c) => !isNat(d) || c.avgiftsKode !== undefined,
  },
];
