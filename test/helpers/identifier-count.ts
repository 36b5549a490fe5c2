import { Kind, parse, type FragmentDefinitionNode, type OperationDefinitionNode, type GraphQLSchema } from 'graphql';
import { countIdentifiers } from '../../src/security/limits';

/**
 * The vehicle identifiers an operation asks for, from its source text, as the operation-limit plugin counts them:
 * used by test/unit/security/limits.test.ts and timed by the bench's `bounds` scenario.
 */
export function countIdentifiersIn(
  schema: GraphQLSchema,
  source: string,
  variables: Record<string, unknown> = {},
): number {
  const document = parse(source);
  const operation = document.definitions.find(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  )!;
  const fragments = new Map(
    document.definitions
      .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
      .map((f) => [f.name.value, f]),
  );
  return countIdentifiers(schema, operation, fragments, variables);
}
