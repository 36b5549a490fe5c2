/** schema/preregistration.graphql: valid federation SDL, fully described, and in step with the TS EcocInput. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSubgraphSchema } from '@apollo/subgraph';
import {
  Kind,
  parse,
  visit,
  isInputObjectType,
  isListType,
  isNonNullType,
  type GraphQLEnumType,
  type GraphQLInputType,
  type GraphQLInputObjectType,
} from 'graphql';
import type { EcocInput } from '../../../src/ivi';

const sdl = readFileSync(join(__dirname, '../../../schema/preregistration.graphql'), 'utf8');
/** What the other schema files provide; stubbed so this file is checked on its own. */
const STUBS = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@requiresScopes"])
  scalar DateTime
  type Query { _stub: String }
  type Vehicle @key(fields: "kuid") { kuid: ID! }
  type PageInfo { hasNextPage: Boolean! endCursor: String }
`;
const schema = buildSubgraphSchema([{ typeDefs: parse(STUBS + sdl) }]);

/** Every key of EcocInput, nested ones included; `satisfies Required<...>` makes tsc flag a missing one. */
const FULL_ECOC_INPUT = {
  vin: '',
  make: '',
  commercialName: '',
  type: '',
  variant: '',
  version: '',
  typeApprovalNumber: '',
  typeApprovalType: '',
  category: '',
  stageOfCompletion: '',
  dateOfManufacture: '',
  primaryColourCode: '',
  secondaryColourCode: '',
  numberOfAxles: 0,
  numberOfWheels: 0,
  axles: [{ number: 0, technicallyPermMass: 0, tyreSize: '', rimSize: '' }],
  length: 0,
  width: 0,
  height: 0,
  wheelbase: 0,
  massInRunningOrder: 0,
  technPermMaxLadenMass: 0,
  technPermMaxMassCombination: 0,
  engine: {
    manufacturer: '',
    code: '',
    workingPrinciple: '',
    numberOfCylinders: 0,
    capacity: 0,
    pureElectric: true,
    hybridCategory: '',
    fuels: [{ fuelCode: '', maximumNetPower: 0, maximumSpeed: 0 }],
  },
  seats: 0,
  wltp: { combinedCo2: 0, combinedFuelConsumption: 0, weightedCombinedCo2: 0 },
} satisfies Required<EcocInput>;

function unwrap(type: GraphQLInputType): GraphQLInputType {
  return isNonNullType(type) || isListType(type) ? unwrap(type.ofType) : type;
}
function shape(type: GraphQLInputObjectType): unknown {
  return Object.fromEntries(
    Object.values(type.getFields()).map((f) => {
      const inner = unwrap(f.type);
      return [f.name, isInputObjectType(inner) ? shape(inner) : 'leaf'];
    }),
  );
}
function tsShape(value: unknown): unknown {
  if (Array.isArray(value)) return tsShape(value[0]);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, tsShape(v)]));
  }
  return 'leaf';
}

describe('schema/preregistration.graphql', () => {
  it('builds as a federation subgraph with the mutations and their scopes', () => {
    const mutation = schema.getMutationType()!;
    expect(Object.keys(mutation.getFields())).toEqual([
      'preRegister',
      'withdrawPreRegistration',
      'reconcilePreRegistration',
    ]);
    // Nullable, so a failing mutation field leaves the others' payloads standing (a sent submission's reference too).
    expect(String(mutation.getFields().preRegister.type)).toBe('PreRegisterPayload');
    // The three mutations: send, withdraw and reconcile.
    expect(sdl.match(/@requiresScopes\(scopes: \[\["preregistration:write"\]\]\)/g)).toHaveLength(3);
    // The @link and the directive imports live in common.graphql.
    const kinds = parse(sdl).definitions.map((d) => d.kind);
    expect(kinds).not.toContain(Kind.SCHEMA_EXTENSION);
    expect(kinds).not.toContain(Kind.SCHEMA_DEFINITION);
    expect(kinds).not.toContain(Kind.DIRECTIVE_DEFINITION);
  });

  it('has the agreed types, enums and defaults', () => {
    const enumValues = (name: string) => (schema.getType(name) as GraphQLEnumType).getValues().map((v) => v.name);
    expect(enumValues('PreRegistrationStatus')).toEqual([
      'PENDING',
      'ACCEPTED',
      'REJECTED',
      'VALID',
      'OUTCOME_UNKNOWN',
      'WITHDRAWING',
      'WITHDRAWN',
    ]);
    expect(enumValues('IssueSource')).toEqual(['LOCAL', 'SVV']);
    expect(enumValues('WithdrawalStatus')).toEqual(['WITHDRAWN', 'NOT_FOUND', 'REJECTED', 'OUTCOME_UNKNOWN']);
    const input = schema.getType('PreRegisterInput') as GraphQLInputObjectType;
    expect(Object.keys(input.getFields())).toEqual([
      'iviXml',
      'ecoc',
      'iviReferanse',
      'taxClassification',
      'dryRun',
      'idempotencyKey',
    ]);
    expect(input.getFields().dryRun.defaultValue).toBe(false);
    const tax = schema.getType('TaxClassificationInput') as GraphQLInputObjectType;
    expect(Object.keys(tax.getFields())).toEqual(['avgiftsKode', 'seatsNorwegianApproval', 'berthsMotorhome']);
  });

  it('EcocInput (with nested inputs) has exactly the fields of the TypeScript EcocInput', () => {
    expect(shape(schema.getType('EcocInput') as GraphQLInputObjectType)).toEqual(tsShape(FULL_ECOC_INPUT));
  });

  it('describes every type, field, argument and enum value', () => {
    const missing: string[] = [];
    const check = (node: { description?: unknown; name: { value: string } }, where: string) => {
      if (!node.description) missing.push(`${where}${node.name.value}`);
    };
    visit(parse(sdl), {
      enter(node, _key, _parent, _path, ancestors) {
        const owner = ancestors.filter((a) => !Array.isArray(a)).at(-1) as { name?: { value: string } } | undefined;
        const prefix = owner?.name ? `${owner.name.value}.` : '';
        switch (node.kind) {
          case Kind.OBJECT_TYPE_DEFINITION:
          case Kind.INPUT_OBJECT_TYPE_DEFINITION:
          case Kind.ENUM_TYPE_DEFINITION:
            if (node.name.value !== 'Mutation') check(node, '');
            break;
          case Kind.FIELD_DEFINITION:
          case Kind.INPUT_VALUE_DEFINITION:
          case Kind.ENUM_VALUE_DEFINITION:
            check(node, prefix);
            break;
        }
      },
    });
    expect(missing).toEqual([]);
  });
});
