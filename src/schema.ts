import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse, type GraphQLSchema } from 'graphql';
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
  return enforceScopeDirectives(schema, (context) => (context as RequestContext).caller);
}
