import type { ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import type { RequestContext } from '../context';
import { ERROR_CODES } from '../errors';
import type { Logger } from '../observability/logger';

const PASS_THROUGH = new Set<string>(ERROR_CODES.filter((c) => c !== 'INTERNAL_SERVER_ERROR'));
/** Apollo's own request-level codes (parse/validation failures) are safe: they describe the operation, not data. */
const APOLLO_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);
export const GENERIC_MESSAGE = 'Internal server error';

/**
 * Cut from anything we log: eleven digits in a row (a fødselsnummer, perhaps, also inside a word such as
 * `fnr12345678901`), bearer tokens and JWTs. The replacements contain neither `Bearer ` nor `eyJ`, so the test run's
 * log scan can look for those literally.
 */
export function redactText(text: string): string {
  return (
    text
      .replace(/(?<!\d)\d{11}(?!\d)/g, '[fnr]')
      .replace(/Bearer\s+[A-Za-z0-9._~+/=-]+/gi, '[bearer-token]')
      .replace(/eyJ[A-Za-z0-9_-]{10,}(\.[A-Za-z0-9_-]*){0,2}/g, '[jwt]')
      // V8's JSON.parse errors quote the text they failed on, which may be an upstream body with names in it.
      .replace(/"[^\n]*" is not valid JSON/g, '[text] is not valid JSON')
  );
}

/** Allow-listed codes carry messages this code wrote (never upstream text or personal data). */
export function isPassThroughCode(code: unknown): boolean {
  return typeof code === 'string' && (PASS_THROUGH.has(code) || APOLLO_CODES.has(code));
}

/**
 * `formatError`: only allow-listed codes keep their message (which this code wrote, never upstream text). Everything
 * else becomes a generic message; the correlation id is added in `willSendResponse` and the original is logged there.
 * A stack trace never leaves, whatever `includeStacktraceInErrorResponses` says.
 */
export function formatError(formatted: GraphQLFormattedError, _error: unknown): GraphQLFormattedError {
  if (isPassThroughCode(formatted.extensions?.code)) {
    const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions };
  }
  return {
    message: GENERIC_MESSAGE,
    locations: formatted.locations,
    path: formatted.path,
    extensions: { code: 'INTERNAL_SERVER_ERROR' },
  };
}

/** The original of a masked error, redacted, for the log. */
function loggedError(error: unknown): { type: string; message: string; stack: string } {
  const original = unwrapResolverError(error);
  const e = original instanceof Error ? original : new Error(String(original));
  return { type: e.name, message: redactText(e.message), stack: redactText(e.stack ?? '') };
}

export function maskingPlugin(logger: Logger): ApolloServerPlugin<RequestContext> {
  return {
    // A context that cannot be built (other than a refused token) never reaches requestDidStart: log it here.
    async contextCreationDidFail({ error }) {
      const code = (error as { extensions?: { code?: unknown } }).extensions?.code;
      if (!isPassThroughCode(code)) logger.error({ err: loggedError(error) }, 'masked error: context creation failed');
    },
    async requestDidStart({ contextValue }) {
      return {
        async didEncounterErrors({ errors }) {
          for (const error of errors) {
            if (isPassThroughCode(error.extensions?.code)) continue;
            logger.error(
              {
                correlationId: contextValue?.correlationId,
                // Path segments are response keys, and aliases are the client's free text.
                path: error.path?.map((segment) => (typeof segment === 'string' ? redactText(segment) : segment)),
                err: loggedError(error),
              },
              'masked error',
            );
          }
        },
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single' || !response.body.singleResult.errors) return;
          response.body.singleResult.errors = response.body.singleResult.errors.map((e) =>
            e.extensions?.code === 'INTERNAL_SERVER_ERROR'
              ? { ...e, extensions: { ...e.extensions, correlationId: contextValue?.correlationId } }
              : e,
          );
        },
      };
    },
  };
}
