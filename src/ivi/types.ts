/**
 * Shared types of the IVI module (IVI = "Initial Vehicle Information", the eCoC as XML).
 * Facts: docs/upstreams.md §12–§13. Contract: docs/CONTRACTS.md "IVI XML".
 */

/** Every issue code the module emits (SVV may send others; IviIssue.code stays a plain string). */
export const IVI_ISSUE_CODES = {
  /** A required field is missing or empty. */
  REQUIRED: 'IVI-E-REQ',
  /** A field has content in the wrong format or range. */
  FORMAT: 'IVI-E-FORMAT',
  /** Header/IVIReferenceId differs from the request's iviReferanse. */
  REFERENCE: 'IVI-E-REF',
  /** VIN or IVI reference already pre-registered. Only the server knows, so no local rule emits it. */
  DUPLICATE: 'IVI-E-DUPLICATE',
  /** A desired field is missing (warning). */
  DESIRED: 'IVI-W-DESIRED',
  /** A desired field has an unexpected value (warning). */
  FORMAT_WARNING: 'IVI-W-FORMAT',
  XML_DOCTYPE: 'XML-DOCTYPE',
  XML_MALFORMED: 'XML-MALFORMED',
  XML_TOO_LARGE: 'XML-TOO-LARGE',
  XML_ENCODING: 'XML-ENCODING',
  XML_ROOT: 'XML-ROOT',
  XML_BASE64: 'XML-BASE64',
} as const;
export type IviIssueCode = (typeof IVI_ISSUE_CODES)[keyof typeof IVI_ISSUE_CODES];

export type IviIssueSource = 'LOCAL' | 'SVV';

export interface IviIssue {
  /** IVI element name (e.g. "TechnPermMaxLadenMass") or input field ("iviXml", "avgiftsKode"). */
  field: string;
  /** Absolute path, e.g. "/InitialVehicleInformation/Body/CocDataGroup/TechnPermMaxLadenMass". */
  path: string;
  /** CoC item number, e.g. "16.1", when known. */
  cocItem?: string;
  code: string;
  /** Norwegian text, in SVV's style. Never echoes document content. */
  message: string;
  source: IviIssueSource;
}

/** An issue before anyone has said where it came from; validateIvi marks such issues LOCAL. */
export type IviIssueInput = Omit<IviIssue, 'source'> & { source?: IviIssueSource };

export type IviResult<T> = { ok: true; value: T } | { ok: false; issue: IviIssue };

/** SVV's validation message (docs/upstreams.md §11; its item shape is unconfirmed). */
export interface SvvValideringsmelding {
  kode: string;
  felt: string;
  sti: string;
  meldingstekst: string;
}

/** Where document-level issues (decode/parse) point: the GraphQL input field holding the XML. */
export const IVI_XML_FIELD = 'iviXml';
export const IVI_XML_PATH = '/iviXml';

export const IVI_ROOT = 'InitialVehicleInformation';
/** Canonical (IVI 1.x) location of CocDataGroup; rule paths are written against it. */
export const COC_PATH_1X = `/${IVI_ROOT}/Body/CocDataGroup`;
/** IVI 2.0: CocDataGroup directly under the root. */
export const COC_PATH_2X = `/${IVI_ROOT}/CocDataGroup`;

/** 2 MiB of decoded bytes (docs/upstreams.md §12). */
export const DEFAULT_MAX_IVI_BYTES = 2 * 1024 * 1024;

/** Options shared by decodeIviDocument and parseIvi. */
export interface IviDocumentOptions {
  /** Cap on the decoded document (default DEFAULT_MAX_IVI_BYTES). */
  maxBytes?: number;
}

// ---------------------------------------------------------------------------------------------------------------
// Parsed document
// ---------------------------------------------------------------------------------------------------------------

/** The raw tree from fast-xml-parser (values are strings: parseTagValue is off). */
export type XmlNode = string | XmlObject | XmlNode[];
export interface XmlObject {
  [name: string]: XmlNode;
}

/** Single-valued elements under CocDataGroup; each value is the element's text exactly as written (trimmed). */
export const IVI_SCALAR_KEYS = [
  'vin',
  'type',
  'variant',
  'version',
  'typeApprovalNumber',
  'typeApprovalType',
  'typeApprovalIssueDate',
  'category',
  'stageOfCompletion',
  'dateOfManufacture',
  'primaryColourCode',
  'secondaryColourCode',
  'numberOfAxles',
  'numberOfWheels',
  'length',
  'width',
  'height',
  'wheelbase',
  'massInRunningOrder',
  'technPermMaxLadenMass',
  'technPermMaxMassCombination',
  'seats',
] as const;
export type IviScalarKey = (typeof IVI_SCALAR_KEYS)[number];

/** Keys whose actual location in the document is recorded (1.x names and 2.0 aliases live at different paths). */
export type IviPathKey = IviScalarKey | 'iviReferenceId';

export interface IviWltp {
  combinedCo2?: string;
  combinedFuelConsumption?: string;
  weightedCombinedCo2?: string;
}

export interface IviFuel extends IviWltp {
  fuelCode?: string;
  maximumNetPower?: string;
  maximumSpeed?: string;
}

export interface IviEngine {
  manufacturer?: string;
  code?: string;
  workingPrinciple?: string;
  numberOfCylinders?: string;
  capacity?: string;
  pureElectric?: string;
  hybridCategory?: string;
  fuels: IviFuel[];
}

export interface IviTyre {
  tyreSize?: string;
  rimSize?: string;
}

export interface IviAxle {
  number?: string;
  technicallyPermMass?: string;
  tyres: IviTyre[];
}

/**
 * A parsed IVI document, tolerant of IVI 1.x names and the 2.0 aliases. Empty elements read as undefined; every
 * other value is the original string ("007" and "1.10" stay as written).
 */
export interface IviDocument extends Readonly<Partial<Record<IviScalarKey, string>>> {
  /** '1.x': Header/IVIReferenceId + Body/CocDataGroup. '2.0': IviReferenceId and/or CocDataGroup under the root. */
  readonly layout: '1.x' | '2.0';
  /** Absolute path of the CocDataGroup this document uses. */
  readonly cocPath: string;
  readonly iviReferenceId?: string;
  readonly versionNumberXsd?: string;
  readonly makes: readonly string[];
  /** First make. */
  readonly make?: string;
  readonly commercialNames: readonly string[];
  /** First commercial name. */
  readonly commercialName?: string;
  readonly manufacturerName?: string;
  readonly axles: readonly IviAxle[];
  /** Every TyreSize of every axle, in document order. */
  readonly tyreSizes: readonly string[];
  readonly engines: readonly IviEngine[];
  /** Every FuelGroup of every engine, in document order. */
  readonly fuels: readonly IviFuel[];
  /** First WLTP values found: directly under CocDataGroup, else in the engine/fuel groups. */
  readonly wltp: IviWltp;
  /** True when any PureElectricVehIndicator says yes (Y/J/1/true). */
  readonly pureElectric: boolean;
  /** Absolute path where each located value was found (only for values present). */
  readonly paths: Readonly<Partial<Record<IviPathKey, string>>>;
  /** The whole parsed tree ({ InitialVehicleInformation: ... }). */
  readonly raw: XmlObject;
}

// ---------------------------------------------------------------------------------------------------------------
// Structured input (builder)
// ---------------------------------------------------------------------------------------------------------------

/** Numbers may arrive as numbers or strings; either is written exactly as given. null = absent (GraphQL inputs). */
export type IviNumber = number | string;
type Opt<T> = T | null | undefined;

export interface EcocFuelInput {
  /** FuelCode (26), e.g. "10" petrol, "20" diesel. */
  fuelCode?: Opt<IviNumber>;
  /** MaximumNetPower (27.1), kW. */
  maximumNetPower?: Opt<IviNumber>;
  /** MaximumSpeed (29), km/h. */
  maximumSpeed?: Opt<IviNumber>;
}

export interface EcocEngineInput {
  manufacturer?: Opt<string>;
  code?: Opt<string>;
  workingPrinciple?: Opt<string>;
  numberOfCylinders?: Opt<IviNumber>;
  /** EngineCapacity (25), cm3. */
  capacity?: Opt<IviNumber>;
  /** PureElectricVehIndicator (23): true/false become Y/N; a string is written as given. */
  pureElectric?: Opt<boolean | string>;
  /** ClassOfHybridVehicleCode (23.1). */
  hybridCategory?: Opt<string>;
  fuels?: Opt<readonly EcocFuelInput[]>;
}

export interface EcocAxleInput {
  number?: Opt<IviNumber>;
  /** TechnicallyPermMassAxle (16.2), kg. */
  technicallyPermMass?: Opt<IviNumber>;
  tyreSize?: Opt<string>;
  rimSize?: Opt<string>;
}

export interface EcocWltpInput {
  /** WLTPCombinedCO2 (49), g/km. */
  combinedCo2?: Opt<IviNumber>;
  /** WLTPCombinedFuelCons (49), l/100 km. */
  combinedFuelConsumption?: Opt<IviNumber>;
  /** WLTPWeightedCombinedCO2 (49), g/km (plug-in hybrids). */
  weightedCombinedCo2?: Opt<IviNumber>;
}

/** Structured eCoC fields (docs/upstreams.md §12); buildIvi turns them into an IVI 1.x document. */
export interface EcocInput {
  vin?: Opt<string>;
  make?: Opt<string>;
  commercialName?: Opt<string>;
  type?: Opt<string>;
  variant?: Opt<string>;
  version?: Opt<string>;
  typeApprovalNumber?: Opt<string>;
  /** TypeApprovalTypeCode, e.g. EC or NAT. */
  typeApprovalType?: Opt<string>;
  /** VehicleCategoryCode, e.g. M1, N1, O2, L3e, T1b. */
  category?: Opt<string>;
  /** StageOfCompletionCode, e.g. C (complete). */
  stageOfCompletion?: Opt<string>;
  /** DateOfManufactureVeh, xs:date (YYYY-MM-DD). */
  dateOfManufacture?: Opt<string>;
  primaryColourCode?: Opt<IviNumber>;
  secondaryColourCode?: Opt<IviNumber>;
  numberOfAxles?: Opt<IviNumber>;
  numberOfWheels?: Opt<IviNumber>;
  axles?: Opt<readonly EcocAxleInput[]>;
  length?: Opt<IviNumber>;
  width?: Opt<IviNumber>;
  height?: Opt<IviNumber>;
  wheelbase?: Opt<IviNumber>;
  massInRunningOrder?: Opt<IviNumber>;
  technPermMaxLadenMass?: Opt<IviNumber>;
  technPermMaxMassCombination?: Opt<IviNumber>;
  engine?: Opt<EcocEngineInput>;
  /** NrOfSeatingPositions (42). */
  seats?: Opt<IviNumber>;
  wltp?: Opt<EcocWltpInput>;
}
