/**
 * The GraphQL-facing domain model the Fiks DTOs map to (codegen `mappers` bind the GraphQL types to these).
 * Field names equal the schema's, so most fields need no resolver.
 */
export interface CodeModel {
  value: string;
  name?: string | null;
  description?: string | null;
}

export interface AddressModel {
  lines: string[];
  postnummer?: string | null;
  poststed?: string | null;
  kommunenummer?: string | null;
  kommunenavn?: string | null;
  country?: string | null;
  countryCode?: string | null;
}

interface OwnerBase {
  address?: AddressModel | null;
  since?: string | null;
  until?: string | null;
  unverified?: boolean | null;
}

export interface PersonModel extends OwnerBase {
  __typename: 'Person';
  name: string;
  firstName?: string | null;
  middleName?: string | null;
  lastName?: string | null;
  birthDate?: string | null;
  fodselsnummer?: string | null;
}

export interface OrganizationModel extends OwnerBase {
  __typename: 'Organization';
  organisasjonsnummer: string;
  name?: string | null;
}

export type OwnerModel = PersonModel | OrganizationModel;

export interface PlateModel {
  kjennemerke: string;
  category?: string | null;
  type?: CodeModel | null;
  from?: string | null;
  to?: string | null;
}

export interface FuelModel {
  fuel?: CodeModel | null;
  maxNetPowerKw?: number | null;
}

export interface TechnicalDataModel {
  make?: string | null;
  commercialName?: string | null;
  type?: string | null;
  vehicleClass?: CodeModel | null;
  classDescription?: string | null;
  taxCode?: string | null;
  fuels: FuelModel[];
  hybridCategory?: CodeModel | null;
  powerKw?: number | null;
  displacementCc?: number | null;
  maxSpeedKmh?: number | null;
  weights?: {
    curbWeightKg?: number | null;
    payloadKg?: number | null;
    maxPermittedKg?: number | null;
    trailerWithBrakesKg?: number | null;
    trailerWithoutBrakesKg?: number | null;
    combinationKg?: number | null;
    roofLoadKg?: number | null;
  } | null;
  dimensions?: { lengthMm?: number | null; widthMm?: number | null; heightMm?: number | null } | null;
  colours: CodeModel[];
  seats?: number | null;
  euroClass?: CodeModel | null;
  co2GramsPerKm?: number | null;
  electricRangeKm?: number | null;
}

export interface VehicleModel {
  /** Absent from real bulk answers; known from v2 search answers or from a lookup by kuid. */
  kuid: string | null;
  kjennemerke?: string | null;
  understellsnummer?: string | null;
  plates: PlateModel[];
  firstRegisteredInNorway?: string | null;
  registration?: {
    status?: CodeModel | null;
    usage?: CodeModel | null;
    from?: string | null;
    to?: string | null;
    firstRegisteredOnOwnership?: string | null;
    deregisteredSince?: string | null;
  } | null;
  technical?: TechnicalDataModel | null;
  inspection?: { dueDate?: string | null; lastApproved?: string | null } | null;
  owner?: OwnerModel | null;
  coOwner?: OwnerModel | null;
  lessee?: OwnerModel | null;
  asOf?: string | null;
}

export interface VehicleSearchPage {
  totalCount: number;
  offset: number;
  vehicles: VehicleModel[];
}
