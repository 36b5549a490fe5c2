import { createRemoteJwksSigningKeyProvider, defineConfig, extractFromHeader } from '@graphql-hive/gateway';
import { unifiedGraphHandler } from '@graphql-hive/router-runtime';

/**
 * Hive Gateway in front of the kjoretoy subgraph (and the example parking-permits subgraph), for
 *   hive-gateway supergraph supergraph.graphql --config-path examples/hive-gateway/gateway.config.ts
 * (`npm run supergraph -- --router hive` composes and starts it for you). See README.md beside this file.
 */

const env = process.env;
/** The subgraph that owns the router secret (its name in the composed supergraph). */
const KJORETOY_SUBGRAPH = env.KJORETOY_SUBGRAPH_NAME ?? 'kjoretoy';

/**
 * Optional: Hive enforces `@authenticated` / `@requiresScopes` itself, before any subgraph is called. The subgraph
 * enforces them in any case; this only refuses earlier, with Hive's own codes (see README.md).
 */
const enforceAuth = /^(true|1|yes)$/.test(env.HIVE_ENFORCE_AUTH ?? '');
if (enforceAuth && !(env.AUTH_JWKS_URL && env.AUTH_ISSUER && env.AUTH_AUDIENCE)) {
  throw new Error('HIVE_ENFORCE_AUTH needs AUTH_JWKS_URL, AUTH_ISSUER and AUTH_AUDIENCE (the subgraph uses the same)');
}

/** Only to compare planners (the tests do): `javascript` is Hive's default planner, which misplaces entity errors. */
const planner = env.HIVE_QUERY_PLANNER ?? 'rust';

export const gatewayConfig = defineConfig({
  // The Rust query planner (@graphql-hive/router-runtime), the one this project tests and recommends.
  unifiedGraphHandler: planner === 'javascript' ? undefined : unifiedGraphHandler,
  propagateHeaders: {
    // Routers forward no headers by default: without the caller's token every vehicle field is UNAUTHENTICATED.
    fromClientToSubgraphs: ({ request, subgraphName }) => ({
      authorization: request.headers.get('authorization'),
      'x-request-id': request.headers.get('x-request-id'),
      // The shared secret goes to the subgraph that asks for it, and to no other team's service.
      'router-authorization': subgraphName === KJORETOY_SUBGRAPH ? env.ROUTER_SECRET : undefined,
    }),
  },
  // Limits at the edge; the subgraph keeps its own (depth 8 per subgraph request, identifiers, cost).
  maxTokens: 2000,
  maxDepth: 12,
  blockFieldSuggestions: true,
  upstreamTimeout: 15_000,
  ...(enforceAuth
    ? {
        jwt: {
          signingKeyProviders: [createRemoteJwksSigningKeyProvider({ jwksUri: env.AUTH_JWKS_URL! })],
          tokenLookupLocations: [extractFromHeader({ name: 'authorization', prefix: 'Bearer' })],
          tokenVerification: { issuer: env.AUTH_ISSUER!, audience: env.AUTH_AUDIENCE!, algorithms: ['RS256', 'ES256'] },
          // A missing token is the subgraph's to answer (UNAUTHENTICATED per field); a bad one is refused here.
          reject: { missingToken: false, invalidToken: true },
        },
        genericAuth: {
          mode: 'protect-granular' as const,
          resolveUserFn: (context: { jwt?: { payload?: Record<string, unknown> } }) => context.jwt?.payload,
          rejectUnauthenticated: false,
        },
      }
    : {}),
});
