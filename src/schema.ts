import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { isUnionType, parse, type GraphQLSchema } from 'graphql';
import { badUserInput } from './errors';
import type { RequestContext } from './context';
import { resolvers } from './resolvers';
import { enforceScopeDirectives } from './security/scope-directives';

/** `schema/` sits at the project root, both for `src/` (ts-jest) and for `dist/src/` (built). */
function schemaDir(): string {
  for (const candidate of [resolve(__dirname, '..', 'schema'), resolve(__dirname, '..', '..', 'schema')]) {
    if (existsSync(join(candidate, 'vehicle.graphql'))) return candidate;
  }
  throw new Error('schema/ directory not found');
}

export function loadTypeDefsText(): string {
  const dir = schemaDir();
  return readdirSync(dir)
    .filter((f) => f.endsWith('.graphql'))
    .sort()
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .join('\n');
}

export function buildSchema(): GraphQLSchema {
  const schema = buildSubgraphSchema([{ typeDefs: parse(loadTypeDefsText()), resolvers: resolvers as never }]);
  refuseNonEntityReferences(schema);
  return enforceScopeDirectives(schema, (context) => (context as RequestContext).caller);
}

/**
 * `_entities` accepts any `__typename`: for a type that is not an entity (`Query`, `PreRegistration`) the federation
 * library throws a plain Error (an internal error, logged as one) or resolves the reference as if it were that type.
 * A router only sends this subgraph's entity types (the `_Entity` union), so anything else is the caller's mistake:
 * BAD_USER_INPUT for the field, before any reference is resolved.
 */
function refuseNonEntityReferences(schema: GraphQLSchema): void {
  const union = schema.getType('_Entity');
  const field = schema.getQueryType()?.getFields()._entities;
  if (!isUnionType(union) || !field?.resolve) return;
  const entityTypes = new Set(union.getTypes().map((t) => t.name));
  const resolve = field.resolve;
  field.resolve = (source, args: { representations?: unknown }, context, info) => {
    const representations = Array.isArray(args.representations) ? args.representations : [];
    representations.forEach((representation: unknown, i) => {
      const typename = (representation as { __typename?: unknown } | null)?.__typename;
      if (typeof typename !== 'string' || !entityTypes.has(typename)) {
        throw badUserInput(
          `representations[${i}].__typename`,
          `must be an entity type of this subgraph: ${[...entityTypes].join(', ')}`,
        );
      }
    });
    return resolve(source, args, context, info);
  };
}
