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

/** A GraphQL name (variables, types, fields, arguments): schema or document syntax, never a value. */
const NAME = '[_A-Za-z][_0-9A-Za-z]*';
/** A type reference as graphql-js prints it: `Int`, `[String!]!`. */
const TYPE = '[_A-Za-z0-9\\[\\]!]+';
const VALUE_MESSAGES: ReadonlyArray<[RegExp, (m: RegExpExecArray) => string]> = [
  // Scalars: "Int cannot represent non-integer value: "Ola Nordmann"".
  [
    /^(Int|Float|String|Boolean|ID) cannot represent ([a-z0-9 -]+?)(?: value)?: [\s\S]*$/,
    (m) => `${m[1]} cannot represent ${m[2]} value`,
  ],
  [new RegExp(`^Enum "(${NAME})" cannot represent [\\s\\S]*$`), (m) => `Enum "${m[1]}" cannot represent this value`],
  [
    new RegExp(`^Value [\\s\\S]* does not exist in "(${NAME})" enum[\\s\\S]*$`),
    (m) => `The value is not in enum "${m[1]}"`,
  ],
  // Literals in the document (validation): "Expected value of type "Int", found "abc"; ...".
  [new RegExp(`^Expected value of type "(${TYPE})", found [\\s\\S]*$`), (m) => `Expected value of type "${m[1]}"`],
  // An object key the input type does not have: the key is the caller's text.
  [
    new RegExp(`^Field [\\s\\S]* is not defined by type "(${NAME})"[\\s\\S]*$`),
    (m) => `An unknown field was given for input type "${m[1]}"`,
  ],
  [new RegExp(`^Argument "(${NAME})" has invalid value [\\s\\S]*$`), (m) => `Argument "${m[1]}" has an invalid value`],
  // `operationName` is any JSON string the caller sent, not necessarily a GraphQL name.
  [/^Unknown operation named [\s\S]*$/, () => 'The document has no operation with the name given in "operationName".'],
];

/**
 * graphql-js repeats the offending value in coercion, validation and syntax messages (`Variable "$d" got invalid value
 * "01018012345"; ...`, `Int cannot represent non-integer value: "Ola Nordmann"`), and a value may be personal data.
 * These messages are rewritten to name the variable, argument or type and leave the value out. `inner` is the
 * message of the error that caused a variable's coercion failure, when there is one.
 */
export function withoutInputValues(message: string, inner?: string): string {
  const variable = new RegExp(`^Variable "\\$(${NAME})" (?:got|has) invalid value`).exec(message);
  if (variable) {
    const reason = inner !== undefined && inner !== message ? withoutInputValues(inner) : undefined;
    return `Variable "$${variable[1]}" got an invalid value${reason ? `; ${reason}` : ''}`;
  }
  if (message.startsWith('Syntax Error: ')) {
    // Token descriptions quote the token: `found String "Ola Nordmann"`, `Unexpected Name "x"`.
    return message.replace(/\b(String|BlockString|Int|Float|Name) "(?:[^"\\]|\\.)*"/g, '$1');
  }
  for (const [pattern, rewrite] of VALUE_MESSAGES) {
    const m = pattern.exec(message);
    if (m) return rewrite(m);
  }
  return message;
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

/** A literal our scalars refuse (`at: "2023-06-01"`) is the caller's input, as the same value in a variable is. */
function asCallerInput(code: string, error: unknown): string {
  return code === 'GRAPHQL_VALIDATION_FAILED' && causes(error).some(isRefusedScalarValue) ? 'BAD_USER_INPUT' : code;
}

/** The innermost cause of a GraphQL error (Apollo and graphql-js wrap coercion failures). */
function innermostMessage(error: unknown): string | undefined {
  let current = error as { originalError?: unknown; message?: unknown } | undefined;
  let message: string | undefined;
  for (let depth = 0; current && depth < 5; depth++) {
    if (typeof current.message === 'string') message = current.message;
    current = current.originalError as typeof current;
  }
  return message;
}

/** Allow-listed codes carry messages this code wrote (never upstream text or personal data). */
export function isPassThroughCode(code: unknown): boolean {
  return typeof code === 'string' && (PASS_THROUGH.has(code) || APOLLO_CODES.has(code));
}

/**
 * The code a client's mistake is answered with: its own allow-listed code, or BAD_REQUEST for an error that Apollo
 * answers with a 4xx status but gives no code (an APQ hash that does not match its query). Undefined: not the
 * client's, so masked and logged.
 */
export function clientErrorCode(error: unknown): string | undefined {
  const extensions = (error as { extensions?: { code?: unknown; http?: { status?: unknown } } } | null)?.extensions;
  if (isPassThroughCode(extensions?.code)) return asCallerInput(extensions!.code as string, error);
  const status = extensions?.http?.status;
  return extensions?.code === undefined && typeof status === 'number' && status >= 400 && status < 500
    ? 'BAD_REQUEST'
    : undefined;
}

/**
 * `formatError`: only allow-listed codes keep their message (which this code wrote, never upstream text), and
 * graphql-js's messages lose the values they quote. Everything else becomes a generic message; the correlation id
 * is added in `willSendResponse` and the original is logged there. A stack trace never leaves, whatever
 * `includeStacktraceInErrorResponses` says.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const code = isPassThroughCode(formatted.extensions?.code) ? formatted.extensions!.code : clientErrorCode(error);
  if (code !== undefined) {
    const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
    return {
      ...formatted,
      message: withoutInputValues(formatted.message, innermostMessage(error)),
      extensions: { ...extensions, code: asCallerInput(code as string, error) },
    };
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
            if (clientErrorCode(error) !== undefined) continue;
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
