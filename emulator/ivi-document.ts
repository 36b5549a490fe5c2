import { XMLParser, XMLValidator } from 'fast-xml-parser';

/**
 * How SVV's side reads an `iviDokument`: base64 (or, leniently, raw XML) → bytes → text → a safe parse → the
 * values its rules look at. Written apart from the subgraph's `src/ivi` on purpose: the emulator stands in for SVV,
 * so a mistake in the subgraph's own reading must not be mirrored here. docs/upstreams.md §11–§13 has the facts.
 */

export const IVI_ROOT = 'InitialVehicleInformation';
/** Decoded documents above 2 MiB are refused (docs/upstreams.md §12). */
export const MAX_IVI_BYTES = 2 * 1024 * 1024;

/** SVV's validation message (`Valideringsmelding`, docs/upstreams.md §11 [I]). */
export interface Valideringsmelding {
  kode: string;
  felt: string;
  sti: string;
  meldingstekst: string;
}

export type ReadResult<T> = { ok: true; value: T } | { ok: false; melding: Valideringsmelding };

const DOCUMENT = { felt: 'iviDokument', sti: '/ivi/iviDokument' };
const fail = (kode: string, meldingstekst: string): { ok: false; melding: Valideringsmelding } => ({
  ok: false,
  melding: { kode, ...DOCUMENT, meldingstekst },
});

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const DTD = /<!\s*(?:DOCTYPE|ENTITY)/i;

/** iviDokument → XML text. Base64 as SVV documents it; a raw string starting with `<` is accepted too. */
export function decodeIviDokument(input: string): ReadResult<string> {
  const trimmed = input.trim();
  let text: string;
  if (trimmed.startsWith('<') || trimmed.startsWith('\uFEFF')) {
    if (Buffer.byteLength(trimmed, 'utf8') > MAX_IVI_BYTES) return tooLarge();
    text = trimmed.replace(/^\uFEFF/, '');
  } else {
    const compact = trimmed.replace(/\s+/g, '');
    if (compact.length === 0 || compact.length % 4 !== 0 || !BASE64.test(compact)) {
      return fail('XML-BASE64', 'IVI-dokumentet er verken XML eller gyldig base64');
    }
    if ((compact.length / 4) * 3 > MAX_IVI_BYTES + 2) return tooLarge();
    const decoded = bytesToText(Buffer.from(compact, 'base64'));
    if (decoded === undefined) return fail('XML-ENCODING', 'IVI-dokumentet har ugyldig tegnkoding');
    text = decoded.trim();
  }
  if (text.includes('\u0000')) return fail('XML-ENCODING', 'IVI-dokumentet inneholder NUL-tegn');
  if (DTD.test(text)) return fail('XML-DOCTYPE', 'DOCTYPE/entiteter er ikke tillatt');
  if (!text.startsWith('<')) return fail('XML-MALFORMED', 'IVI-dokumentet er ikke XML');
  return { ok: true, value: text };
}

function tooLarge(): { ok: false; melding: Valideringsmelding } {
  return fail('XML-TOO-LARGE', `IVI-dokumentet er for stort (maks ${MAX_IVI_BYTES} byte)`);
}

/** The byte order mark decides; the declared encoding does not (working clients send UTF-8 that says utf-16). */
function bytesToText(bytes: Buffer): string | undefined {
  try {
    if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le', { fatal: true }).decode(bytes);
    if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be', { fatal: true }).decode(bytes);
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------------------------

type Node = string | { [name: string]: Node } | Node[];

const PARSER = new XMLParser({
  processEntities: false,
  htmlEntities: false,
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  maxNestedTags: 100,
  isArray: (name) => /(?:Table|Group)$/.test(name) && !/^(?:CocDataGroup|Header|Body)$/.test(name),
});

/** One value as the document carries it, and where (1.x name or 2.0 alias). */
export interface Located {
  value: string;
  path: string;
}

export interface IviFuelView {
  fuelCode?: string;
  maximumNetPower?: string;
  maximumSpeed?: string;
}

/** What SVV's rules and the register need from a document. Absent or empty elements are undefined. */
export interface IviView {
  cocPath: string;
  layout: '1.x' | '2.0';
  reference?: Located;
  fields: Partial<Record<IviField, Located>>;
  makes: string[];
  commercialNames: string[];
  manufacturerNames: string[];
  tyreSizes: string[];
  fuels: IviFuelView[];
  engine: { capacity?: string; cylinders?: string; code?: string; hybridCategory?: string };
  pureElectric: boolean;
  wltp: { combinedCo2?: string; weightedCombinedCo2?: string; combinedFuelConsumption?: string };
}

/** Single-valued fields under CocDataGroup: the 1.x element first, then the 2.0 aliases. */
const FIELDS = {
  vin: ['VehicleIdentificationNumber'],
  type: ['Type'],
  variant: ['Variant'],
  version: ['Version'],
  typeApprovalNumber: ['TypeApprovalNumber'],
  typeApprovalType: ['TypeApprovalTypeCode', 'TypeApprovalType'],
  typeApprovalIssueDate: ['TypeApprovalIssueDate'],
  category: ['VehicleCategoryCode', 'VehicleCategory'],
  stageOfCompletion: ['StageOfCompletionCode', 'StageOfCompletion'],
  dateOfManufacture: ['DateOfManufactureVeh', 'DateManufactureVehicle'],
  primaryColour: ['PrimaryColourCode', 'ColourGroup/PrimaryColourCode'],
  numberOfAxles: ['NumberOfAxles', 'GeneralConstructionGroup/NumberOfAxles'],
  length: ['Length', 'DimensionGroup/Length'],
  width: ['Width', 'DimensionGroup/Width'],
  height: ['Height', 'DimensionGroup/Height'],
  wheelbase: ['Wheelbase', 'DimensionGroup/Wheelbase'],
  massInRunningOrder: ['MassOfTheVehicleInRunningOrder', 'MassGroup/MassInRunningOrder'],
  technPermMaxLadenMass: ['TechnPermMaxLadenMass', 'MassGroup/TechnPermMaxLadenMass'],
  technPermMaxMassCombination: ['TechnPermMaxMassCombination', 'MassGroup/TechnPermMaxMassCombination'],
  maximumSpeedNonPropulsion: ['MaximumSpeedNonPropulsion'],
  seats: ['NrOfSeatingPositions', 'NumberOfSeatingPositions'],
} as const;
export type IviField = keyof typeof FIELDS;

/** XML text → the document's values. Never throws; a bad document is a 400-kind Valideringsmelding. */
export function readIvi(xml: string): ReadResult<IviView> {
  if (XMLValidator.validate(xml) !== true) return fail('XML-MALFORMED', 'IVI-dokumentet er ikke gyldig XML');
  let tree: unknown;
  try {
    tree = PARSER.parse(xml);
  } catch {
    return fail('XML-MALFORMED', 'IVI-dokumentet kunne ikke tolkes');
  }
  const roots = isObject(tree) ? Object.keys(tree).filter((k) => !k.startsWith('?') && !k.startsWith('#')) : [];
  if (roots.length !== 1) return fail('XML-MALFORMED', 'IVI-dokumentet må ha nøyaktig ett rotelement');
  if (roots[0] !== IVI_ROOT) return fail('XML-ROOT', `Rotelementet må være ${IVI_ROOT}`);

  const root = first((tree as Record<string, Node>)[IVI_ROOT]);
  const header = child(root, 'Header');
  const bodyCoc = child(child(root, 'Body'), 'CocDataGroup');
  const layout = bodyCoc === undefined ? '2.0' : '1.x';
  const coc = bodyCoc ?? child(root, 'CocDataGroup');
  const cocPath = layout === '1.x' ? `/${IVI_ROOT}/Body/CocDataGroup` : `/${IVI_ROOT}/CocDataGroup`;

  const fields: IviView['fields'] = {};
  for (const [field, candidates] of Object.entries(FIELDS) as [IviField, readonly string[]][]) {
    for (const candidate of candidates) {
      const value = text(walk(coc, candidate.split('/')));
      if (value !== undefined) {
        fields[field] = { value, path: `${cocPath}/${candidate}` };
        break;
      }
    }
  }
  let reference: Located | undefined;
  for (const [node, name, path] of [
    [header, 'IVIReferenceId', `/${IVI_ROOT}/Header/IVIReferenceId`],
    [header, 'IviReferenceId', `/${IVI_ROOT}/Header/IviReferenceId`],
    [root, 'IviReferenceId', `/${IVI_ROOT}/IviReferenceId`],
  ] as const) {
    const value = text(child(node, name));
    if (value !== undefined) {
      reference = { value, path };
      break;
    }
  }

  const engines = groups(coc, 'EngineTable', 'EngineGroup');
  const fuelNodes = engines.flatMap((e) => groups(e, 'FuelTable', 'FuelGroup'));
  const wltpOf = (element: string) =>
    [coc, ...engines, ...fuelNodes].map((n) => text(child(n, element))).find((v) => v !== undefined);
  const electricFlags = [coc, ...engines].map((n) => text(child(n, 'PureElectricVehIndicator')));
  const engine = engines[0];
  return {
    ok: true,
    value: {
      cocPath,
      layout,
      reference,
      fields,
      makes: leaves(coc, 'MakeTable', 'MakeGroup', 'Make'),
      commercialNames: leaves(coc, 'CommercialNameTable', 'CommercialNameGroup', 'CommercialName'),
      manufacturerNames: leaves(coc, 'ManufacturerTable', 'ManufacturerGroup', 'ManufacturerName'),
      tyreSizes: groups(coc, 'AxleTable', 'AxleGroup').flatMap((axle) =>
        leaves(axle, 'TyreAxleTable', 'TyreAxleGroup', 'TyreSize'),
      ),
      fuels: fuelNodes.map((f) => ({
        fuelCode: text(child(f, 'FuelCode')),
        maximumNetPower: text(child(f, 'MaximumNetPower')),
        maximumSpeed: text(child(f, 'MaximumSpeed')),
      })),
      engine: {
        capacity: text(child(engine, 'EngineCapacity')),
        cylinders: text(child(engine, 'NumberOfCylinders')),
        code: text(child(engine, 'EngineCodeAsMarkedOnTheEngine')),
        hybridCategory: text(child(engine, 'ClassOfHybridVehicleCode')),
      },
      pureElectric: electricFlags.some((f) => f !== undefined && /^(?:Y|J|1|true|yes|ja)$/i.test(f)),
      wltp: {
        combinedCo2: wltpOf('WLTPCombinedCO2'),
        weightedCombinedCo2: wltpOf('WLTPWeightedCombinedCO2'),
        combinedFuelConsumption: wltpOf('WLTPCombinedFuelCons'),
      },
    },
  };
}

function isObject(node: unknown): node is Record<string, Node> {
  return typeof node === 'object' && node !== null && !Array.isArray(node);
}

function first(node: Node | undefined): Node | undefined {
  return Array.isArray(node) ? node[0] : node;
}

function child(node: Node | undefined, name: string): Node | undefined {
  const object = first(node);
  return isObject(object) && Object.hasOwn(object, name) ? object[name] : undefined;
}

function walk(node: Node | undefined, steps: string[]): Node | undefined {
  return steps.reduce<Node | undefined>((current, step) => child(current, step), node);
}

function groups(node: Node | undefined, table: string, group: string): Node[] {
  const tables = child(node, table);
  const list = Array.isArray(tables) ? tables : tables === undefined ? [] : [tables];
  return list.flatMap((t) => {
    const g = child(t, group);
    return Array.isArray(g) ? g : g === undefined ? [] : [g];
  });
}

function leaves(node: Node | undefined, table: string, group: string, leaf: string): string[] {
  return groups(node, table, group)
    .map((g) => text(child(g, leaf)))
    .filter((v): v is string => v !== undefined);
}

/** Element text (the parser keeps it as a string, or under #text next to attributes or comments), trimmed. */
function text(node: Node | undefined): string | undefined {
  const value = first(node);
  const raw = typeof value === 'string' ? value : isObject(value) ? value['#text'] : undefined;
  if (typeof raw !== 'string') return undefined;
  const trimmed = decodePredefined(raw).trim();
  return trimmed === '' ? undefined : trimmed;
}

/** The five predefined XML entities (no DTD entities exist: DTDs are refused). */
function decodePredefined(value: string): string {
  return value.replace(/&(lt|gt|amp|quot|apos);/g, (_m, name: string) => PREDEFINED[name]);
}
const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
