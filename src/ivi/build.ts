/**
 * EcocInput → IVI 1.x document (docs/upstreams.md §12), built with XMLBuilder.
 * Safety: every element name below is a constant; input only ever supplies text, which the builder escapes
 * (& < > " ') after characters XML 1.0 forbids are removed.
 */
import { XMLBuilder } from 'fast-xml-parser';
import type { EcocAxleInput, EcocEngineInput, EcocFuelInput, EcocInput, EcocWltpInput } from './types';

/** IVI version written to Header/VersionNumberXsd: the one SVV's page linked (docs/upstreams.md §12). */
export const IVI_BUILD_XSD_VERSION = '1.6';
const XSI = 'http://www.w3.org/2001/XMLSchema-instance';
const XSD = 'http://www.w3.org/2001/XMLSchema';

// Created once (see the benchmark). processEntities: escape text. suppressEmptyNode: no "<X></X>" pairs.
const BUILDER = new XMLBuilder({
  format: true,
  indentBy: '  ',
  processEntities: true,
  suppressEmptyNode: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
});

/** Control characters, U+FFFE/FFFF and unpaired surrogates: not representable in XML 1.0, so dropped. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const ILLEGAL_XML_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|\p{Cs}/gu;

type Tree = { [element: string]: string | Tree | Tree[] };

export function buildIvi(input: EcocInput, iviReferanse: string): string {
  const coc: Tree = {};
  put(coc, 'VehicleIdentificationNumber', input.vin);
  put(coc, 'StageOfCompletionCode', input.stageOfCompletion);
  put(coc, 'TypeApprovalTypeCode', input.typeApprovalType);
  put(coc, 'Type', input.type);
  put(coc, 'Variant', input.variant);
  put(coc, 'Version', input.version);
  put(coc, 'VehicleCategoryCode', input.category);
  put(coc, 'TypeApprovalNumber', input.typeApprovalNumber);
  put(coc, 'DateOfManufactureVeh', input.dateOfManufacture);
  put(coc, 'PrimaryColourCode', input.primaryColourCode);
  put(coc, 'SecondaryColourCode', input.secondaryColourCode);
  table(coc, 'MakeTable', 'MakeGroup', [group('Make', input.make)]);
  table(coc, 'CommercialNameTable', 'CommercialNameGroup', [group('CommercialName', input.commercialName)]);
  put(coc, 'NumberOfAxles', input.numberOfAxles);
  put(coc, 'NumberOfWheels', input.numberOfWheels);
  table(coc, 'AxleTable', 'AxleGroup', arrayOf(input.axles).map(axleGroup));
  put(coc, 'Length', input.length);
  put(coc, 'Width', input.width);
  put(coc, 'Height', input.height);
  put(coc, 'Wheelbase', input.wheelbase);
  put(coc, 'MassOfTheVehicleInRunningOrder', input.massInRunningOrder);
  put(coc, 'TechnPermMaxLadenMass', input.technPermMaxLadenMass);
  put(coc, 'TechnPermMaxMassCombination', input.technPermMaxMassCombination);
  put(coc, 'NrOfSeatingPositions', input.seats);
  table(coc, 'EngineTable', 'EngineGroup', [engineGroup(input)]);

  const header: Tree = {};
  put(header, 'IVIReferenceId', iviReferanse);
  put(header, 'VersionNumberXsd', IVI_BUILD_XSD_VERSION);

  return BUILDER.build({
    '?xml': { '@_version': '1.0', '@_encoding': 'utf-8' },
    InitialVehicleInformation: { '@_xmlns:xsi': XSI, '@_xmlns:xsd': XSD, Header: header, Body: { CocDataGroup: coc } },
  });
}

function axleGroup(axle: EcocAxleInput): Tree | undefined {
  if (!isRecord(axle)) return undefined;
  const g: Tree = {};
  put(g, 'AxleNumber', axle.number);
  put(g, 'TechnicallyPermMassAxle', axle.technicallyPermMass);
  const tyre: Tree = {};
  put(tyre, 'TyreSize', axle.tyreSize);
  put(tyre, 'RimSizeIncludingOffSet', axle.rimSize);
  table(g, 'TyreAxleTable', 'TyreAxleGroup', [nonEmpty(tyre)]);
  return nonEmpty(g);
}

function engineGroup(input: EcocInput): Tree | undefined {
  const engine: EcocEngineInput = isRecord(input.engine) ? input.engine : {};
  const g: Tree = {};
  put(g, 'ManufacturerOfTheEngine', engine.manufacturer);
  put(g, 'EngineCodeAsMarkedOnTheEngine', engine.code);
  put(g, 'WorkingPrincipleCode', engine.workingPrinciple);
  put(
    g,
    'PureElectricVehIndicator',
    typeof engine.pureElectric === 'boolean' ? (engine.pureElectric ? 'Y' : 'N') : engine.pureElectric,
  );
  put(g, 'ClassOfHybridVehicleCode', engine.hybridCategory);
  put(g, 'NumberOfCylinders', engine.numberOfCylinders);
  put(g, 'EngineCapacity', engine.capacity);
  // WLTP values go into the first FuelGroup (placement [I], docs/upstreams.md §12); without fuels, a group of their own.
  const fuels: readonly EcocFuelInput[] = arrayOf(engine.fuels).filter(isRecord);
  const wltp = isRecord(input.wltp) ? input.wltp : undefined;
  const sources: readonly EcocFuelInput[] = fuels.length > 0 ? fuels : wltp ? [{}] : [];
  table(
    g,
    'FuelTable',
    'FuelGroup',
    sources.map((f, i) => fuelGroup(f, i === 0 ? wltp : undefined)),
  );
  return nonEmpty(g);
}

function fuelGroup(fuel: EcocFuelInput, wltp: EcocWltpInput | undefined): Tree | undefined {
  const g: Tree = {};
  put(g, 'FuelCode', fuel.fuelCode);
  put(g, 'MaximumNetPower', fuel.maximumNetPower);
  put(g, 'MaximumSpeed', fuel.maximumSpeed);
  if (wltp) {
    put(g, 'WLTPCombinedCO2', wltp.combinedCo2);
    put(g, 'WLTPCombinedFuelCons', wltp.combinedFuelConsumption);
    put(g, 'WLTPWeightedCombinedCO2', wltp.weightedCombinedCo2);
  }
  return nonEmpty(g);
}

function group(element: string, value: unknown): Tree | undefined {
  const g: Tree = {};
  put(g, element, value);
  return nonEmpty(g);
}

/** Table/Group[] — written only when at least one group has content. */
function table(parent: Tree, tableName: string, groupName: string, groups: ReadonlyArray<Tree | undefined>): void {
  const present = groups.filter((g): g is Tree => g !== undefined);
  if (present.length > 0) parent[tableName] = { [groupName]: present };
}

/** Sets a leaf when the value has text; absent, null, empty and non-scalar values write nothing. */
function put(parent: Tree, element: string, value: unknown): void {
  const text = scalarText(value);
  if (text !== undefined) parent[element] = text;
}

function scalarText(value: unknown): string | undefined {
  let s: string;
  if (typeof value === 'string') s = value;
  else if (typeof value === 'number') s = Number.isFinite(value) ? String(value) : '';
  else return undefined; // objects, arrays, booleans: never stringified into the document
  s = s.replace(ILLEGAL_XML_CHARS, '').trim(); // the parser trims too, so round trips agree
  return s === '' ? undefined : s;
}

function nonEmpty(tree: Tree): Tree | undefined {
  return Object.keys(tree).length > 0 ? tree : undefined;
}

function arrayOf<T>(value: readonly T[] | null | undefined): readonly T[] {
  return Array.isArray(value) ? value : [];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
