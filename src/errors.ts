import { GraphQLError } from 'graphql';

/** Every `extensions.code` this subgraph sends. `formatError` lets only these through (see security/masking). */
export const ERROR_CODES = [
  'BAD_USER_INPUT',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'VEHICLE_WITHHELD',
  'UPSTREAM_UNAVAILABLE',
  'UPSTREAM_QUOTA_EXCEEDED',
  'UPSTREAM_REJECTED',
  'INTERNAL_SERVER_ERROR',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Malformed argument: names the argument, never echoes a value that could be personal data. */
export function badUserInput(argument: string, message: string): GraphQLError {
  return new GraphQLError(`Invalid argument "${argument}": ${message}`, {
    extensions: { code: 'BAD_USER_INPUT', argument },
  });
}

/**
 * A reference from another subgraph to a vehicle the register does not know. Root lookups answer plain `null`; an
 * `_entities` reference that resolves to nothing is an inconsistency between subgraphs, so it says so.
 */
export function notFound(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'NOT_FOUND' } });
}

/**
 * The register knows the vehicle but withholds its data from this consumer (SVV `OPPLYSNINGER_UTILGJENGELIG`,
 * docs/upstreams.md §4). Unlike "not found", the caller should know the vehicle exists and why nothing came back.
 */
export function vehicleWithheld(): GraphQLError {
  return new GraphQLError('The vehicle register withholds the data of this vehicle', {
    extensions: { code: 'VEHICLE_WITHHELD', upstream: 'fiks' },
  });
}

export function forbidden(message = 'Not allowed'): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'FORBIDDEN' } });
}

export function unauthenticated(message = 'Authentication required'): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED' } });
}

export type Upstream = 'fiks' | 'ecoc' | 'maskinporten';

export interface UpstreamErrorDetails {
  upstream: Upstream;
  /** HTTP status, when one arrived. */
  status?: number;
  /** Fiks `errorId` or SVV `svvguid`, for support requests. */
  upstreamErrorId?: string;
  /** Seconds, from `Retry-After`. */
  retryAfter?: number;
  /** Maskinporten's `error` / `error_description`. */
  error?: string;
  errorDescription?: string;
  /** True when a request body may have reached the upstream (used to decide OUTCOME_UNKNOWN). */
  mayHaveReachedUpstream?: boolean;
}

/**
 * An upstream failure, already classified. It is a GraphQLError so resolvers can throw it as is; the message is
 * written by us, never copied from an upstream body (which could hold personal data).
 */
export class UpstreamError extends GraphQLError {
  readonly code: Extract<ErrorCode, 'UPSTREAM_UNAVAILABLE' | 'UPSTREAM_QUOTA_EXCEEDED' | 'UPSTREAM_REJECTED'>;
  readonly details: UpstreamErrorDetails;

  constructor(code: UpstreamError['code'], message: string, details: UpstreamErrorDetails) {
    const extensions: Record<string, unknown> = { code, upstream: details.upstream };
    if (details.status !== undefined) extensions.upstreamStatus = details.status;
    if (details.upstreamErrorId) extensions.upstreamErrorId = details.upstreamErrorId;
    if (details.retryAfter !== undefined) extensions.retryAfter = details.retryAfter;
    if (details.error) extensions.error = details.error;
    if (details.errorDescription) extensions.errorDescription = details.errorDescription;
    super(message, { extensions });
    this.name = 'UpstreamError';
    this.code = code;
    this.details = details;
  }
}

export function isUpstreamError(e: unknown): e is UpstreamError {
  return e instanceof UpstreamError;
}
