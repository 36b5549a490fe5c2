import type { IviField, IviView, Valideringsmelding } from './ivi-document';

/**
 * SVV's judgement of a pre-registration, as the emulator plays it: required fields are errors (422), desired fields
 * warnings. Written from the published field lists (docs/upstreams.md §12), apart from the subgraph's own `src/ivi`
 * rules, so the subgraph's local check can be shown to differ from SVV's:
 * - every category: the fields EReg's IVI 2.0 lists as mandatory that IVI 1.x has too (VIN, make, type, variant,
 *   version, type-approval number and type, category, stage of completion), and for a 2.0 document also
 *   TypeApprovalIssueDate and ManufacturerName;
 * - O and R categories: MaximumSpeedNonPropulsion (RDW's ICM rule);
 * - M1/N1: the values Norway's registration tax needs (masses, fuel, power, WLTP CO2 unless pure electric).
 */

export interface EcocRuleContext {
  iviReferanse: string;
  avgiftsKode?: string;
  /** YYYY-MM-DD in Norway. */
  today: string;
}

export interface Judgement {
  feilmeldinger: Valideringsmelding[];
  varsler: Valideringsmelding[];
}

const ISO_VIN = /^[A-HJ-NPR-Z0-9]{17}$/;
const TYPE_APPROVAL_NUMBER = /^[eE]\d{1,2}\*\d{2,4}\/\d{1,4}(\*\d{2,4}\/\d{1,4})?\*\d{4,5}\*\d{2}$/;
const CATEGORY =
  /^(?:[MN][1-3]G?|O[1-4]|L[1-7]e(?:-[A-C][A-Z0-9]{0,2})?|T[1-5][ab]?|C[1-5][ab]?|R[1-4][ab]?|S[12][ab]?)$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Where a field goes when the document lacks it: its IVI 1.x element, rebased for a 2.0 document. */
const DEFAULT_PATHS: Partial<Record<IviField, string>> = {
  vin: 'VehicleIdentificationNumber',
  type: 'Type',
  variant: 'Variant',
  version: 'Version',
  typeApprovalNumber: 'TypeApprovalNumber',
  typeApprovalType: 'TypeApprovalTypeCode',
  typeApprovalIssueDate: 'TypeApprovalIssueDate',
  category: 'VehicleCategoryCode',
  stageOfCompletion: 'StageOfCompletionCode',
  dateOfManufacture: 'DateOfManufactureVeh',
  primaryColour: 'PrimaryColourCode',
  length: 'Length',
  width: 'Width',
  height: 'Height',
  wheelbase: 'Wheelbase',
  massInRunningOrder: 'MassOfTheVehicleInRunningOrder',
  technPermMaxLadenMass: 'TechnPermMaxLadenMass',
  maximumSpeedNonPropulsion: 'MaximumSpeedNonPropulsion',
  seats: 'NrOfSeatingPositions',
};

export function judgeIvi(doc: IviView, ctx: EcocRuleContext): Judgement {
  const feilmeldinger: Valideringsmelding[] = [];
  const varsler: Valideringsmelding[] = [];
  const at = (rel: string) => `${doc.cocPath}/${rel}`;
  const element = (field: IviField) => {
    const path = doc.fields[field]?.path ?? at(DEFAULT_PATHS[field] ?? field);
    return { felt: path.slice(path.lastIndexOf('/') + 1), sti: path };
  };
  const error = (kode: string, where: { felt: string; sti: string }, meldingstekst: string) =>
    feilmeldinger.push({ kode, ...where, meldingstekst });
  const warning = (kode: string, where: { felt: string; sti: string }, meldingstekst: string) =>
    varsler.push({ kode, ...where, meldingstekst });
  const value = (field: IviField) => doc.fields[field]?.value;
  const requireField = (field: IviField) => {
    if (value(field) === undefined) {
      const where = element(field);
      error('IVI-E-REQ', where, `Påkrevd felt ${where.felt} mangler`);
    }
  };
  const desire = (field: IviField) => {
    if (value(field) === undefined) {
      const where = element(field);
      warning('IVI-W-DESIRED', where, `Feltet ${where.felt} bør ha innhold`);
    }
  };

  // --- reference --------------------------------------------------------------------------------------------------
  const refWhere = doc.reference
    ? { felt: doc.reference.path.slice(doc.reference.path.lastIndexOf('/') + 1), sti: doc.reference.path }
    : { felt: 'IVIReferenceId', sti: `/InitialVehicleInformation/Header/IVIReferenceId` };
  if (!doc.reference) error('IVI-E-REQ', refWhere, `Påkrevd felt ${refWhere.felt} mangler`);
  else if (doc.reference.value !== ctx.iviReferanse.trim()) {
    error('IVI-E-REF', refWhere, 'IVIReferenceId i dokumentet er ulik iviReferanse i forespørselen');
  }

  // --- mandatory for every category -----------------------------------------------------------------------------
  requireField('vin');
  const vin = value('vin');
  if (vin !== undefined && !ISO_VIN.test(vin.toUpperCase())) {
    error('IVI-E-FORMAT', element('vin'), 'Understellsnummer må være 17 tegn (A-Z uten I, O, Q, og 0-9)');
  }
  if (doc.makes.length === 0) {
    const where = { felt: 'Make', sti: at('MakeTable/MakeGroup/Make') };
    error('IVI-E-REQ', where, 'Påkrevd felt Make mangler');
  }
  for (const field of ['type', 'variant', 'version', 'typeApprovalNumber', 'typeApprovalType'] as const) {
    requireField(field);
  }
  const national = value('typeApprovalType')?.toUpperCase() === 'NAT';
  const approval = value('typeApprovalNumber');
  if (approval !== undefined && !national && !TYPE_APPROVAL_NUMBER.test(approval)) {
    error('IVI-E-FORMAT', element('typeApprovalNumber'), 'TypeApprovalNumber har ugyldig format');
  }
  requireField('category');
  const category = value('category');
  if (category !== undefined && !CATEGORY.test(category)) {
    error('IVI-E-FORMAT', element('category'), 'Kjøretøykategorien er ukjent');
  }
  requireField('stageOfCompletion');
  if (doc.layout === '2.0') {
    requireField('typeApprovalIssueDate');
    if (doc.manufacturerNames.length === 0) {
      const where = { felt: 'ManufacturerName', sti: at('ManufacturerTable/ManufacturerGroup/ManufacturerName') };
      error('IVI-E-REQ', where, 'Påkrevd felt ManufacturerName mangler');
    }
  }
  if (category !== undefined && /^[OR]/.test(category)) requireField('maximumSpeedNonPropulsion');

  // --- dates ------------------------------------------------------------------------------------------------------
  for (const field of ['dateOfManufacture', 'typeApprovalIssueDate'] as const) {
    const date = value(field);
    if (date !== undefined && (!DATE.test(date) || Number.isNaN(Date.parse(date)))) {
      error('IVI-E-FORMAT', element(field), `${element(field).felt} må være en dato på formen ÅÅÅÅ-MM-DD`);
    }
  }
  const made = value('dateOfManufacture');
  if (made !== undefined && DATE.test(made) && made > ctx.today) {
    error('IVI-E-FORMAT', element('dateOfManufacture'), 'Produksjonsdatoen kan ikke være fram i tid');
  }

  // --- M1/N1: what the registration tax needs ---------------------------------------------------------------------
  if (category !== undefined && /^[MN]1G?$/.test(category)) {
    requireField('massInRunningOrder');
    requireField('technPermMaxLadenMass');
    const fuel = { sti: at('EngineTable/EngineGroup/FuelTable/FuelGroup') };
    if (!doc.fuels.some((f) => f.fuelCode !== undefined)) {
      error('IVI-E-REQ', { felt: 'FuelCode', sti: `${fuel.sti}/FuelCode` }, 'Påkrevd felt FuelCode mangler');
    }
    if (!doc.fuels.some((f) => f.maximumNetPower !== undefined)) {
      const where = { felt: 'MaximumNetPower', sti: `${fuel.sti}/MaximumNetPower` };
      error('IVI-E-REQ', where, 'Påkrevd felt MaximumNetPower mangler');
    }
    if (!doc.pureElectric && doc.wltp.combinedCo2 === undefined && doc.wltp.weightedCombinedCo2 === undefined) {
      const where = { felt: 'WLTPCombinedCO2', sti: `${fuel.sti}/WLTPCombinedCO2` };
      error('IVI-E-REQ', where, 'Påkrevd felt WLTPCombinedCO2 mangler');
    }
  }
  for (const field of ['massInRunningOrder', 'technPermMaxLadenMass', 'technPermMaxMassCombination'] as const) {
    const mass = value(field);
    if (mass !== undefined && !(/^\d{1,5}$/.test(mass) && Number(mass) >= 1 && Number(mass) <= 60000)) {
      error('IVI-E-FORMAT', element(field), `${element(field).felt} må være et heltall fra 1 til 60000 (kg)`);
    }
  }
  const co2 = doc.wltp.combinedCo2 ?? doc.wltp.weightedCombinedCo2;
  if (co2 !== undefined && !(/^\d{1,3}(?:\.\d+)?$/.test(co2) && Number(co2) <= 999)) {
    const where = { felt: 'WLTPCombinedCO2', sti: at('EngineTable/EngineGroup/FuelTable/FuelGroup/WLTPCombinedCO2') };
    error('IVI-E-FORMAT', where, 'WLTPCombinedCO2 må være et tall fra 0 til 999 (g/km)');
  }
  if (ctx.avgiftsKode !== undefined && !/^\d+$/.test(ctx.avgiftsKode)) {
    error(
      'IVI-E-FORMAT',
      { felt: 'avgiftsKode', sti: '/avgiftsklassifisering/avgiftsKode' },
      'avgiftsKode kan bare inneholde sifre',
    );
  }

  // --- desired (warnings) -----------------------------------------------------------------------------------------
  if (doc.commercialNames.length === 0) {
    const where = { felt: 'CommercialName', sti: at('CommercialNameTable/CommercialNameGroup/CommercialName') };
    warning('IVI-W-DESIRED', where, 'Feltet CommercialName bør ha innhold');
  }
  for (const field of ['dateOfManufacture', 'primaryColour', 'length', 'width', 'height', 'wheelbase'] as const) {
    desire(field);
  }
  if (!doc.pureElectric && doc.engine.capacity === undefined) {
    const where = { felt: 'EngineCapacity', sti: at('EngineTable/EngineGroup/EngineCapacity') };
    warning('IVI-W-DESIRED', where, 'Feltet EngineCapacity bør ha innhold');
  }
  desire('seats');
  if (doc.tyreSizes.length === 0) {
    const where = { felt: 'TyreSize', sti: at('AxleTable/AxleGroup/TyreAxleTable/TyreAxleGroup/TyreSize') };
    warning('IVI-W-DESIRED', where, 'Feltet TyreSize bør ha innhold');
  }
  if (national && ctx.avgiftsKode === undefined) {
    warning(
      'IVI-W-DESIRED',
      { felt: 'avgiftsKode', sti: '/avgiftsklassifisering/avgiftsKode' },
      'Feltet avgiftsKode bør ha innhold ved nasjonal typegodkjenning (NAT)',
    );
  }
  return { feilmeldinger, varsler };
}

/** IVI-E-DUPLICATE: the VIN or the IVI reference is already pre-registered (only SVV can know). */
export function duplicate(kind: 'vin' | 'iviReferanse', doc: IviView): Valideringsmelding {
  if (kind === 'vin') {
    const sti = doc.fields.vin?.path ?? `${doc.cocPath}/VehicleIdentificationNumber`;
    return {
      kode: 'IVI-E-DUPLICATE',
      felt: 'VehicleIdentificationNumber',
      sti,
      meldingstekst: 'Det finnes allerede en preregistrering med dette understellsnummeret',
    };
  }
  const sti = doc.reference?.path ?? '/InitialVehicleInformation/Header/IVIReferenceId';
  return {
    kode: 'IVI-E-DUPLICATE',
    felt: sti.slice(sti.lastIndexOf('/') + 1),
    sti,
    meldingstekst: 'Det finnes allerede en preregistrering med denne IVI-referansen',
  };
}
