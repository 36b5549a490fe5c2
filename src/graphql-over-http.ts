import type { ApolloServerPlugin } from '@apollo/server';
import Negotiator from 'negotiator';

const APPLICATION_JSON = 'application/json; charset=utf-8';
const GRAPHQL_RESPONSE_JSON = 'application/graphql-response+json; charset=utf-8';

/** Request errors of a well-formed request: the document or its variables are wrong, not the HTTP request. */
const REQUEST_ERROR_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'OPERATION_RESOLUTION_FAILURE',
]);

/**
 * GraphQL over HTTP, the `application/json` rule: a well-formed request whose document or variables are wrong is
 * answered 200 with the errors, and only `application/graphql-response+json` answers carry 4xx. Apollo Server answers
 * 400 either way, and routers that ask for `application/json` (@apollo/gateway) then discard the body and report
 * `INTERNAL_SERVER_ERROR "400: Bad Request"`: the caller's BAD_USER_INPUT would be lost (see docs/operations.md).
 * Clients that prefer `application/graphql-response+json` (Hive Gateway, curl with that Accept) keep the 400.
 */
export function graphqlOverHttpStatusPlugin<T extends object>(): ApolloServerPlugin<T> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ request, response }) {
          if (response.http.status !== 400 || response.body.kind !== 'single') return;
          const errors = response.body.singleResult.errors ?? [];
          if (errors.length === 0 || !errors.every((e) => REQUEST_ERROR_CODES.has(String(e.extensions?.code)))) return;
          if (answersGraphQLResponseJson(request.http?.headers.get('accept'))) return;
          response.http.status = 200;
        },
      };
    },
  };
}

/** The media type Apollo Server picks for a single result (the same negotiation, the same preference order). */
function answersGraphQLResponseJson(accept: string | undefined): boolean {
  if (!accept) return false;
  return (
    new Negotiator({ headers: { accept } }).mediaType([APPLICATION_JSON, GRAPHQL_RESPONSE_JSON]) ===
    GRAPHQL_RESPONSE_JSON
  );
}
