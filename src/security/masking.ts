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
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const code = formatted.extensions?.code;
  if (isPassThroughCode(code)) {
    const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
    // A literal our scalars refuse (`at: "2023-06-01"`) is the caller's input, as the same value in a variable is.
    const badInput = code === 'GRAPHQL_VALIDATION_FAILED' && causes(error).some(isRefusedScalarValue);
    return {
      ...formatted,
      message: withoutCallerValue(formatted.message, causes(error).at(-1)),
      extensions: badInput ? { ...extensions, code: 'BAD_USER_INPUT' } : extensions,
    };
  }
  return {
    message: GENERIC_MESSAGE,
    locations: formatted.locations,
    path: formatted.path,
    extensions: { code: 'INTERNAL_SERVER_ERROR' },
  };
}

/** The chain of `originalError`s under an error, outermost first (Apollo and graphql-js each wrap once). */
function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let e = (error as { originalError?: unknown })?.originalError; e && chain.length < 5;) {
    chain.push(e);
    e = (e as { originalError?: unknown }).originalError;
  }
  return chain;
}

/** Our scalars (domain/scalars.ts) mark what they refuse; graphql-armor's limits use BAD_USER_INPUT too, unmarked. */
function isRefusedScalarValue(error: unknown): boolean {
  const extensions = (error as { extensions?: { code?: unknown; scalar?: unknown } })?.extensions;
  return extensions?.code === 'BAD_USER_INPUT' && typeof extensions.scalar === 'string';
}

/**
 * graphql-js quotes the caller's value in some request errors (`Variable "$at" got invalid value "…"`, `Expected
 * value of type "Int", found …`, `Int cannot represent non-integer value: …`, `Value "…" does not exist in "X" enum`).
 * Those are rewritten to name the variable or type only, with the innermost reason (our scalars never quote values).
 */
export function withoutCallerValue(message: string, innermost?: unknown): string {
  const reason = innermost instanceof Error ? `: ${scalarReason(innermost.message)}` : '';
  const variable = /^Variable "(\$[A-Za-z_]\w*)" got invalid value /.exec(message);
  if (variable) return `Variable "${variable[1]}" got an invalid value${reason}`;
  const literal = /^Expected value of type "([^"]+)", found /.exec(message);
  if (literal) return `Expected value of type "${literal[1]}"${reason}`;
  return scalarReason(message);
}

function scalarReason(message: string): string {
  const builtIn = /^(Int|Float|String|Boolean|ID) cannot represent ([^:]*):/s.exec(message);
  if (builtIn) return `${builtIn[1]} cannot represent ${builtIn[2]}`;
  const enumValue = /^Value .* does not exist in "(\w+)" enum\./s.exec(message);
  if (enumValue) return `The value is not one of the "${enumValue[1]}" enum's values.`;
  return message;
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
