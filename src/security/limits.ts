import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import {
  GraphQLError,
  Kind,
  getNamedType,
  isInterfaceType,
  isObjectType,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationRule,
  type ValueNode,
  getArgumentValues,
  getVariableValues,
} from 'graphql';
import type { Config } from '../config';
import type { RequestContext } from '../context';

/**
 * Limits tuned for this schema (each is tested just under and just over in test/integration/security/limits.test.ts).
 *
 * - depth 8: the deepest useful query is
 *   `_entities → … on Organization → vehicles → edges → node → owner → address → lines` (7 levels with fragments
 *   flattened), so 8 leaves one spare and nothing much deeper is possible in this schema without cycling through
 *   Organization.vehicles again.
 * - aliases 10: aliasing the lookups is how one request enumerates many vehicles; the identifier cap below is the real
 *   guard against that, this only keeps documents small.
 * - tokens 1500: a full vehicle selection is ~150 tokens and 200 plates as literals ~400; representations come as
 *   variables (routers always send them that way), which do not count.
 * - directives 20: clients use a few `@include`/`@skip`; 20 is generous.
 * - cost 75000: armor's cost multiplies by a literal `first`, so an owner search of `first: 100` (FIKS_SEARCH_PAGE_MAX)
 *   selecting every vehicle and owner field, the heaviest legitimate query (~63000), must pass. Nested pages
 *   (`vehicles(first: 100) { … owner { … on Organization { vehicles(first: 100) …` ) cost millions and are refused.
 */
export const LIMITS = {
  maxDepth: 8,
  maxAliases: 10,
  maxTokens: 1500,
  maxDirectives: 20,
  maxCost: 75000,
} as const;

export function operationLimits(config: Pick<Config, 'maxIdentifiersPerOperation'>): {
  validationRules: ValidationRule[];
  plugins: ApolloServerPlugin<RequestContext>[];
} {
  const armor = new ApolloArmor({
    maxDepth: { n: LIMITS.maxDepth, flattenFragments: true },
    maxAliases: { n: LIMITS.maxAliases },
    // graphql-js's own parse option counts them instead (`parseOptions` in src/server.ts): armor's plugin makes Apollo
    // answer a refused document with HTTP 500.
    maxTokens: { enabled: false },
    maxDirectives: { n: LIMITS.maxDirectives },
    costLimit: { maxCost: LIMITS.maxCost, objectCost: 2, scalarCost: 1, depthCostFactor: 1.5 },
    // Apollo's `hideSchemaDetailsFromClientErrors` (src/server.ts) already removes "Did you mean" suggestions.
    blockFieldSuggestion: { enabled: false },
  }).protect();
  return {
    validationRules: armor.validationRules,
    plugins: [identifierCapPlugin(config.maxIdentifiersPerOperation)],
  };
}

/**
 * Refuses an operation whose type the schema does not have (this subgraph has no subscriptions) at validation, as
 * graphql-js 17's KnownOperationTypesRule does; graphql 16 only fails it at execution, which Apollo reports as an
 * internal error. Hand-written: that rule is not in graphql 16, which Apollo needs.
 */
export const KnownOperationTypes: ValidationRule = (context) => ({
  OperationDefinition(node) {
    if (!context.getSchema().getRootType(node.operation)) {
      context.reportError(
        new GraphQLError(`This service has no ${node.operation} operations.`, {
          nodes: node,
          extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
        }),
      );
    }
  },
});

export const IDENTIFIER_CAP_CODE = 'BAD_USER_INPUT';

/**
 * Caps how many vehicles one operation can ask for: `vehicle` fields (each alias counts), the lengths of
 * `vehicles(kjennemerker|kuids)`, `_entities(representations)`, and page sizes of searches, multiplied by the lists
 * they are nested in. Variables are counted too, which a validation rule cannot see, so this runs after the operation
 * is resolved and before execution: a rejected operation makes no upstream call. Hand-written: graphql-armor has no
 * per-argument list-length limit. An operation whose count does not depend on variables is counted once: Apollo's
 * document store hands out the same operation node for the same document.
 */
export function identifierCapPlugin(maxIdentifiers: number): ApolloServerPlugin<RequestContext> {
  const fixedCounts = new WeakMap<OperationDefinitionNode, number>();
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, request, schema }) {
          if (!operation) return;
          let count = fixedCounts.get(operation);
          if (count === undefined) {
            const fragments = new Map(
              document.definitions
                .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
                .map((f) => [f.name.value, f]),
            );
            const counted = countIdentifiersOf(schema, operation, fragments, request.variables ?? {});
            count = counted.count;
            if (!counted.dependsOnVariables) fixedCounts.set(operation, count);
          }
          if (count > maxIdentifiers) {
            throw new GraphQLError(
              `Operation asks for ${count} vehicle identifiers (a VIN counts ${VIN_LOOKUP_COST}); the limit is ${maxIdentifiers}`,
              { extensions: { code: IDENTIFIER_CAP_CODE, limit: maxIdentifiers, http: { status: 400 } } },
            );
          }
        },
      };
    },
  };
}

/**
 * What one VIN lookup counts for in the cap. Plates and kuids share bulk calls (FIKS_BULK_MAX_BATCH per call, 50),
 * but Fiks has no bulk VIN lookup: each VIN is a GET of its own. At 10, the default cap of 200 admits 20 VINs
 * (20 GETs, 5 rounds at FIKS_VIN_CONCURRENCY 4) against 200 plates (4 bulk calls): about the same upstream time.
 */
export const VIN_LOOKUP_COST = 10;

/** Default page size of the searches when `first` is absent and the schema gives no default. */
const DEFAULT_PAGE = 20;

/**
 * How many vehicles (or other entity identifiers) the operation can make this subgraph look up. Arguments are read
 * as graphql-js will execute them (schema defaults, variable defaults, list coercion of a single value). A count under
 * a list multiplies: `vehicles(kjennemerker: [20 plates]) { owner { … on Organization { vehicles(first: 100) } } }`
 * is 20 + 20 × 100. Fragments are counted once each and memoised, so a fragment fan-out cannot make this walk slow.
 */
export function countIdentifiers(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Map<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
): number {
  return countIdentifiersOf(schema, operation, fragments, variables).count;
}

/** The count, and whether it read a variable (otherwise it holds for every request of this operation). */
function countIdentifiersOf(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Map<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
): { count: number; dependsOnVariables: boolean } {
  let dependsOnVariables = false;
  let variableValues: Record<string, unknown> | undefined;
  // Coerced only if a lookup field's arguments use a variable.
  const coercedVariables = (): Record<string, unknown> => {
    if (!variableValues) {
      const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables);
      // Bad variables fail the request before execution anyway; count them as given, so a count is still made, but
      // never keep it: it was made from values another request of this document will not have.
      if (!coerced.coerced) dependsOnVariables = true;
      variableValues = coerced.coerced ?? variables;
    }
    return variableValues;
  };

  /** The field's arguments; the count depends on variables only if one of `counted` (the ones it reads) has one. */
  const argumentsOf = (
    field: GraphQLField<unknown, unknown> | undefined,
    node: FieldNode,
    counted: readonly string[],
  ): Record<string, unknown> => {
    if (!field) return {};
    const usesVariables = node.arguments?.some((argument) => containsVariable(argument.value)) ?? false;
    dependsOnVariables ||=
      node.arguments?.some((argument) => counted.includes(argument.name.value) && containsVariable(argument.value)) ??
      false;
    try {
      return getArgumentValues(field, node, usesVariables ? coercedVariables() : undefined);
    } catch {
      // Unreadable (a required argument's variable missing): counted from the defaults, and not kept either.
      dependsOnVariables = true;
      return {};
    }
  };
  const lengthOf = (value: unknown): number => (Array.isArray(value) ? value.length : value == null ? 0 : 1);
  const pageSize = (value: unknown): number =>
    typeof value === 'number' && value > 0 ? value : value == null ? DEFAULT_PAGE : 0;

  /** Identifiers a field asks for itself, or undefined when the field is not a lookup. */
  const lookupCount = (
    parent: string,
    node: FieldNode,
    args: (counted: readonly string[]) => Record<string, unknown>,
  ): number | undefined => {
    const key = `${parent}.${node.name.value}`;
    switch (key) {
      case 'Query.vehicle':
        return args(['understellsnummer']).understellsnummer != null ? VIN_LOOKUP_COST : 1;
      case 'Query.vehicles': {
        const { kjennemerker, kuids } = args(['kjennemerker', 'kuids']);
        return lengthOf(kjennemerker) + lengthOf(kuids);
      }
      case 'Query._entities':
        return representationsCost(args(['representations']).representations);
      case 'PreRegistration.vehicle':
        return VIN_LOOKUP_COST;
      case 'Query.vehiclesByOwnerName':
      case 'Organization.vehicles':
        return pageSize(args(['first']).first);
      default:
        return undefined;
    }
  };

  /** Items of a list that looks nothing up itself but repeats its selection per item: a page of the ledger. */
  const listLength = (
    parent: string,
    node: FieldNode,
    args: (counted: readonly string[]) => Record<string, unknown>,
  ): number | undefined =>
    `${parent}.${node.name.value}` === 'Query.preRegistrations' ? pageSize(args(['first']).first) : undefined;

  /** A Vehicle reference resolves by kuid, else kjennemerke, else VIN (resolvers/Vehicle.ts). */
  const representationsCost = (value: unknown): number => {
    if (!Array.isArray(value)) return lengthOf(value);
    return value.reduce<number>((sum, rep: unknown) => {
      const r = (typeof rep === 'object' && rep !== null ? rep : {}) as Record<string, unknown>;
      const byVin = r.understellsnummer != null && r.kuid == null && r.kjennemerke == null;
      return sum + (byVin ? VIN_LOOKUP_COST : 1);
    }, 0);
  };

  const fragmentCounts = new Map<string, number>();

  const walk = (
    set: SelectionSetNode | undefined,
    parentType: GraphQLNamedType | undefined,
    path: Set<string>,
  ): number => {
    if (!set) return 0;
    let total = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const name = selection.name.value;
        if (path.has(name)) continue; // cycles are already a validation error
        let count = fragmentCounts.get(name);
        if (count === undefined) {
          const fragment = fragments.get(name);
          const type = fragment ? (schema.getType(fragment.typeCondition.name.value) ?? undefined) : undefined;
          count = walk(fragment?.selectionSet, type, new Set([...path, name]));
          fragmentCounts.set(name, count);
        }
        total += count;
        continue;
      }
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition
          ? (schema.getType(selection.typeCondition.name.value) ?? undefined)
          : parentType;
        total += walk(selection.selectionSet, type, path);
        continue;
      }
      const fieldDef =
        parentType && (isObjectType(parentType) || isInterfaceType(parentType))
          ? parentType.getFields()[selection.name.value]
          : undefined;
      // Interface fields are counted under each implementing type's name (Owner.vehicles does not exist, but
      // `… on Organization { vehicles }` does); the parent's name is what the lookup table keys on.
      const args = (counted: readonly string[]) => argumentsOf(fieldDef, selection, counted);
      const own = parentType ? lookupCount(parentType.name, selection, args) : undefined;
      const nested = walk(selection.selectionSet, fieldDef ? getNamedType(fieldDef.type) : undefined, path);
      if (own !== undefined) {
        total += own + own * nested;
      } else {
        const items = parentType && nested > 0 ? listLength(parentType.name, selection, args) : undefined;
        total += items === undefined ? nested : items * nested;
      }
    }
    return total;
  };
  const count = walk(operation.selectionSet, schema.getRootType(operation.operation) ?? undefined, new Set());
  return { count, dependsOnVariables };
}

function containsVariable(value: ValueNode): boolean {
  switch (value.kind) {
    case Kind.VARIABLE:
      return true;
    case Kind.LIST:
      return value.values.some(containsVariable);
    case Kind.OBJECT:
      return value.fields.some((field) => containsVariable(field.value));
    default:
      return false;
  }
}
