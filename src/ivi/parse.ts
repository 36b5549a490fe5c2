/**
 * XML text → IviDocument. fast-xml-parser with the options of docs/upstreams.md §13; never throws.
 * Tolerant of IVI 1.x (Header/IVIReferenceId, Body/CocDataGroup) and the 2.0 aliases (IviReferenceId,
 * CocDataGroup under the root, VehicleCategory, DateManufactureVehicle, MassGroup/MassInRunningOrder, ...).
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { containsDtd, issueFactory } from './decode';
import {
  COC_PATH_1X,
  COC_PATH_2X,
  DEFAULT_MAX_IVI_BYTES,
  IVI_ROOT,
  IVI_ISSUE_CODES,
  type IviAxle,
  type IviDocument,
  type IviDocumentOptions,
  type IviEngine,
  type IviFuel,
  type IviPathKey,
  type IviResult,
  type IviScalarKey,
  type IviWltp,
  type XmlNode,
  type XmlObject,
} from './types';

const CDATA = '#cdata';
const TEXT = '#text';
/** Repeating IVI structures are XxxTable/XxxGroup; always arrays so one and many read alike (docs/upstreams.md §13). */
const REPEATED = /(?:Table|Group)$/;
const SINGLE = /^(?:CocDataGroup|Header|Body)$/;
/** Characters XML 1.0 forbids (control characters, U+FFFE/FFFF, unpaired surrogates). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const ILLEGAL_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|\p{Cs}/u;
const ENTITY_REF = /&(?:#(\d{1,7})|#x([0-9A-Fa-f]{1,6})|(lt|gt|amp|quot|apos));/g;
/** An "&" that does not start a predefined entity or a character reference. */
const UNDECLARED_REF = /&(?!(?:lt|gt|amp|quot|apos|#\d{1,7}|#x[0-9A-Fa-f]{1,6});)/;
/** Sections where "&" is plain text. Linear on a well-formed document: every section found is terminated. */
const LITERAL_SECTIONS = /<!\[CDATA\[[\s\S]*?\]\]>|<!--[\s\S]*?-->|<\?[\s\S]*?\?>/g;
const PREDEFINED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

// Created once: building a parser costs more than parsing a small IVI document.
const PARSER = new XMLParser({
  processEntities: false, // no DTD entities ever; the five predefined ones are decoded below
  htmlEntities: false,
  ignoreAttributes: false,
  removeNSPrefix: true,
  parseTagValue: false, // "007" and "1.10" stay strings
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  cdataPropName: CDATA, // keeps CDATA apart so its content is not entity-decoded
  maxNestedTags: 100,
  jPath: false,
  isArray: (name, _path, _leaf, isAttribute) => !isAttribute && REPEATED.test(name) && !SINGLE.test(name),
  tagValueProcessor: (_name, value) => decodeXmlText(value),
  attributeValueProcessor: (_name, value) => decodeXmlText(value),
});

/**
 * The XML 1.0 predefined entities and character references, in one pass (so "&amp;lt;" → "&lt;", never "<").
 * A reference to a character XML forbids is left as written. DTD-defined entities cannot occur: DTDs are refused.
 */
export function decodeXmlText(value: string): string {
  if (!value.includes('&')) return value;
  return value.replace(ENTITY_REF, (ref: string, dec?: string, hex?: string, name?: string) => {
    if (name !== undefined) return PREDEFINED[name];
    const cp = dec !== undefined ? Number.parseInt(dec, 10) : Number.parseInt(hex ?? '', 16);
    return isXmlChar(cp) ? String.fromCodePoint(cp) : ref;
  });
}

function isXmlChar(cp: number): boolean {
  return (
    cp === 0x9 ||
    cp === 0xa ||
    cp === 0xd ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

export function parseIvi(xml: string, opts: IviDocumentOptions = {}): IviResult<IviDocument> {
  const fail = issueFactory();
  try {
    if (typeof xml !== 'string') return fail(IVI_ISSUE_CODES.XML_MALFORMED, 'IVI-dokumentet mangler');
    const maxBytes = opts.maxBytes ?? DEFAULT_MAX_IVI_BYTES;
    if (xml.length > maxBytes || Buffer.byteLength(xml, 'utf8') > maxBytes) {
      return fail(IVI_ISSUE_CODES.XML_TOO_LARGE, `IVI-dokumentet er for stort (maks ${maxBytes} byte)`);
    }
    const text = xml.trimStart(); // also drops a BOM
    // Repeated here so parseIvi is safe on its own, not only after decodeIviDocument.
    if (containsDtd(text)) return fail(IVI_ISSUE_CODES.XML_DOCTYPE, 'DOCTYPE/entiteter er ikke tillatt');
    if (ILLEGAL_XML_CHAR.test(text)) {
      return fail(IVI_ISSUE_CODES.XML_MALFORMED, 'IVI-dokumentet inneholder tegn som ikke er tillatt i XML');
    }
    // Well-formedness with line/column. No security gate (it accepts DTD payloads); the parser alone is lenient
    // about mismatched tags, so this check is what makes "<a><b></a>" an error.
    const valid = XMLValidator.validate(text);
    if (valid !== true) {
      const { msg, line, col } = valid.err;
      const where = col === undefined ? `linje ${line}` : `linje ${line}, kolonne ${col}`;
      return fail(IVI_ISSUE_CODES.XML_MALFORMED, `IVI-dokumentet er ikke gyldig XML (${where}): ${safeText(msg)}`);
    }
    // Without a DTD only the predefined entities exist; the validator lets "&nbsp;" through, XML does not.
    if (text.includes('&') && UNDECLARED_REF.test(text.replace(LITERAL_SECTIONS, ''))) {
      return fail(IVI_ISSUE_CODES.XML_MALFORMED, 'IVI-dokumentet inneholder en ukjent entitet eller et løst &-tegn');
    }
    let tree: unknown;
    try {
      tree = PARSER.parse(text);
    } catch (e) {
      // The parser refuses __proto__/constructor names, nesting beyond 100, external entities ...
      const reason = e instanceof Error ? safeText(e.message) : 'ukjent feil';
      return fail(IVI_ISSUE_CODES.XML_MALFORMED, `IVI-dokumentet kunne ikke tolkes: ${reason}`);
    }
    const elements = isObject(tree) ? Object.keys(tree).filter((k) => !k.startsWith('?') && !k.startsWith('#')) : [];
    if (elements.length !== 1 || Array.isArray((tree as XmlObject)[elements[0]])) {
      return fail(IVI_ISSUE_CODES.XML_MALFORMED, 'IVI-dokumentet må ha nøyaktig ett rotelement');
    }
    if (elements[0] !== IVI_ROOT) {
      return fail(IVI_ISSUE_CODES.XML_ROOT, `Rotelementet må være ${IVI_ROOT}, fant ${safeText(elements[0], 60)}`);
    }
    return { ok: true, value: toDocument(tree as XmlObject) };
  } catch {
    return fail(IVI_ISSUE_CODES.XML_MALFORMED, 'IVI-dokumentet kunne ikke tolkes');
  }
}

/** Messages may quote parser text that contains names from the document: keep it short and printable. */
function safeText(s: string, max = 160): string {
  const clean = s.replace(/[^\x20-\x7E\u00A0-\u024F]/g, '?');
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

// ---------------------------------------------------------------------------------------------------------------
// Tree → typed accessors
// ---------------------------------------------------------------------------------------------------------------

/** Candidate locations under CocDataGroup, 1.x name first, then 2.0 aliases. */
const SCALARS: Readonly<Record<IviScalarKey, readonly string[]>> = {
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
  primaryColourCode: ['PrimaryColourCode', 'ColourGroup/PrimaryColourCode'],
  secondaryColourCode: ['SecondaryColourCode', 'ColourGroup/SecondaryColourCode'],
  numberOfAxles: ['NumberOfAxles', 'GeneralConstructionGroup/NumberOfAxles'],
  numberOfWheels: ['NumberOfWheels', 'GeneralConstructionGroup/NumberOfWheels'],
  length: ['Length', 'DimensionGroup/Length'],
  width: ['Width', 'DimensionGroup/Width'],
  height: ['Height', 'DimensionGroup/Height'],
  wheelbase: ['Wheelbase', 'DimensionGroup/Wheelbase'],
  massInRunningOrder: ['MassOfTheVehicleInRunningOrder', 'MassGroup/MassInRunningOrder'],
  technPermMaxLadenMass: ['TechnPermMaxLadenMass', 'MassGroup/TechnPermMaxLadenMass'],
  technPermMaxMassCombination: ['TechnPermMaxMassCombination', 'MassGroup/TechnPermMaxMassCombination'],
  seats: ['NrOfSeatingPositions', 'NumberOfSeatingPositions'],
};
const SCALAR_ENTRIES = Object.entries(SCALARS).map(
  ([key, candidates]) => [key as IviScalarKey, candidates.map((c) => c.split('/'))] as const,
);
const WLTP_ELEMENTS: ReadonlyArray<readonly [keyof IviWltp, string]> = [
  ['combinedCo2', 'WLTPCombinedCO2'],
  ['combinedFuelConsumption', 'WLTPCombinedFuelCons'],
  ['weightedCombinedCo2', 'WLTPWeightedCombinedCO2'],
];
const YES = /^(?:Y|J|1|true|yes|ja)$/i;

function toDocument(tree: XmlObject): IviDocument {
  const root = asObject(tree[IVI_ROOT]);
  const header = asObject(child(root, 'Header'));
  const bodyCoc = child(child(root, 'Body'), 'CocDataGroup');
  const rootCoc = child(root, 'CocDataGroup');
  const is2x = bodyCoc === undefined && (rootCoc !== undefined || child(header, 'IviReferenceId') !== undefined);
  const coc = asObject(bodyCoc ?? rootCoc);
  const cocPath = is2x ? COC_PATH_2X : COC_PATH_1X;

  const paths: Partial<Record<IviPathKey, string>> = {};
  const scalars: Partial<Record<IviScalarKey, string>> = {};
  for (const [key, candidates] of SCALAR_ENTRIES) {
    for (const steps of candidates) {
      const value = text(walk(coc, steps));
      if (value !== undefined) {
        scalars[key] = value;
        paths[key] = `${cocPath}/${steps.join('/')}`;
        break;
      }
    }
  }

  let iviReferenceId: string | undefined;
  for (const name of ['IVIReferenceId', 'IviReferenceId']) {
    iviReferenceId = text(child(header, name));
    if (iviReferenceId !== undefined) {
      paths.iviReferenceId = `/${IVI_ROOT}/Header/${name}`;
      break;
    }
  }

  const makes = texts(coc, ['MakeTable', 'MakeGroup', 'Make']);
  const commercialNames = texts(coc, ['CommercialNameTable', 'CommercialNameGroup', 'CommercialName']);
  const axles = list(child(coc, 'AxleTable'), 'AxleGroup').map(toAxle);
  const engines = list(child(coc, 'EngineTable'), 'EngineGroup').map(toEngine);
  const fuels = engines.flatMap((e) => e.fuels);

  const wltp: IviWltp = {};
  const engineNodes = list(child(coc, 'EngineTable'), 'EngineGroup');
  const wltpSources: XmlNode[] = [
    coc,
    ...engineNodes,
    ...engineNodes.flatMap((e) => list(child(e, 'FuelTable'), 'FuelGroup')),
  ];
  for (const [key, element] of WLTP_ELEMENTS) {
    for (const source of wltpSources) {
      const value = text(child(source, element));
      if (value !== undefined) {
        wltp[key] = value;
        break;
      }
    }
  }

  const pureElectricFlags = [text(child(coc, 'PureElectricVehIndicator')), ...engines.map((e) => e.pureElectric)];
  return {
    ...scalars,
    layout: is2x ? '2.0' : '1.x',
    cocPath,
    iviReferenceId,
    versionNumberXsd: text(child(header, 'VersionNumberXsd')) ?? text(child(header, 'IviVersionNumberXsd')),
    makes,
    make: makes[0],
    commercialNames,
    commercialName: commercialNames[0],
    manufacturerName: texts(coc, ['ManufacturerTable', 'ManufacturerGroup', 'ManufacturerName'])[0],
    axles,
    tyreSizes: axles.flatMap((a) => a.tyres.flatMap((t) => (t.tyreSize === undefined ? [] : [t.tyreSize]))),
    engines,
    fuels,
    wltp,
    pureElectric: pureElectricFlags.some((f) => f !== undefined && YES.test(f)),
    paths,
    raw: tree,
  };
}

function toAxle(node: XmlNode): IviAxle {
  return {
    number: text(child(node, 'AxleNumber')),
    technicallyPermMass: text(child(node, 'TechnicallyPermMassAxle')),
    tyres: list(child(node, 'TyreAxleTable'), 'TyreAxleGroup').map((t) => ({
      tyreSize: text(child(t, 'TyreSize')),
      rimSize: text(child(t, 'RimSizeIncludingOffSet')),
    })),
  };
}

function toEngine(node: XmlNode): IviEngine {
  return {
    manufacturer: text(child(node, 'ManufacturerOfTheEngine')),
    code: text(child(node, 'EngineCodeAsMarkedOnTheEngine')),
    workingPrinciple: text(child(node, 'WorkingPrincipleCode')),
    numberOfCylinders: text(child(node, 'NumberOfCylinders')),
    capacity: text(child(node, 'EngineCapacity')),
    pureElectric: text(child(node, 'PureElectricVehIndicator')),
    hybridCategory: text(child(node, 'ClassOfHybridVehicleCode')),
    fuels: list(child(node, 'FuelTable'), 'FuelGroup').map(toFuel),
  };
}

function toFuel(node: XmlNode): IviFuel {
  const fuel: IviFuel = {
    fuelCode: text(child(node, 'FuelCode')),
    maximumNetPower: text(child(node, 'MaximumNetPower')),
    maximumSpeed: text(child(node, 'MaximumSpeed')),
  };
  for (const [key, element] of WLTP_ELEMENTS) fuel[key] = text(child(node, element));
  return fuel;
}

// --- tree helpers: a repeated element (array) reads as its first occurrence ----------------------------------------

function isObject(node: unknown): node is XmlObject {
  return typeof node === 'object' && node !== null && !Array.isArray(node);
}

function asObject(node: XmlNode | undefined): XmlObject {
  const first = Array.isArray(node) ? node[0] : node;
  return isObject(first) ? first : {};
}

function child(node: XmlNode | undefined, name: string): XmlNode | undefined {
  const obj = asObject(node);
  return Object.hasOwn(obj, name) ? obj[name] : undefined;
}

function walk(node: XmlNode | undefined, steps: readonly string[]): XmlNode | undefined {
  let current = node;
  for (const step of steps) {
    current = child(current, step);
    if (current === undefined) return undefined;
  }
  return current;
}

/** All `name` children of a table node (any number of table occurrences, any number of groups). */
function list(table: XmlNode | undefined, name: string): XmlNode[] {
  if (table === undefined) return [];
  const tables = Array.isArray(table) ? table : [table];
  return tables.flatMap((t) => {
    const groups = isObject(t) && Object.hasOwn(t, name) ? t[name] : undefined;
    return groups === undefined ? [] : Array.isArray(groups) ? groups : [groups];
  });
}

/** Every non-empty text at Table/Group/Leaf. */
function texts(coc: XmlNode, [table, group, leaf]: readonly [string, string, string]): string[] {
  return list(child(coc, table), group).flatMap((g) => {
    const v = text(child(g, leaf));
    return v === undefined ? [] : [v];
  });
}

/** Text content (element text plus CDATA), trimmed; empty reads as undefined. */
function text(node: XmlNode | undefined): string | undefined {
  const first = Array.isArray(node) ? node[0] : node;
  let value: string;
  if (typeof first === 'string') {
    value = first;
  } else if (isObject(first)) {
    value = stringOf(first[TEXT]) + stringOf(first[CDATA]);
  } else {
    return undefined;
  }
  value = value.trim();
  return value === '' ? undefined : value;
}

function stringOf(node: XmlNode | undefined): string {
  if (typeof node === 'string') return node;
  if (Array.isArray(node)) return node.map(stringOf).join('');
  if (isObject(node)) return stringOf(node[TEXT]);
  return '';
}
