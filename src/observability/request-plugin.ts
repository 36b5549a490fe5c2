import type { ApolloServerPlugin } from '@apollo/server';
import type { RequestContext } from '../context';
import type { Logger } from './logger';
import type { Metrics } from './metrics';

/**
 * One log line per GraphQL request: operation name, duration, outcome, error codes, correlation id and the upstream
 * calls it caused. Never variables, never the query text, never results.
 */
export function requestLoggingPlugin(logger: Logger, metrics: Metrics): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart({ contextValue }) {
      const started = process.hrtime.bigint();
      let operation = 'anonymous';
      let codes: string[] = [];
      return {
        async didResolveOperation({ operationName }) {
          operation = operationName ?? 'anonymous';
        },
        async didEncounterErrors({ errors }) {
          codes = errors.map((e) => String(e.extensions?.code ?? 'INTERNAL_SERVER_ERROR'));
        },
        async willSendResponse() {
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          const outcome = codes.length === 0 ? 'ok' : 'errors';
          // Bounded label set: unnamed operations and names outside [A-Za-z0-9_] collapse.
          const label = /^[A-Za-z0-9_]{1,64}$/.test(operation) ? operation : 'other';
          metrics.graphqlRequests.inc({ operation: label, outcome });
          metrics.graphqlDuration.observe({ operation: label }, seconds);
          logger.info(
            {
              correlationId: contextValue.correlationId,
              operation: label,
              durationMs: Math.round(seconds * 1000),
              outcome,
              errorCodes: codes.length ? [...new Set(codes)] : undefined,
              upstreamCalls: (contextValue.fiks?.upstreamCalls ?? 0) + (contextValue.ecoc?.upstreamCalls ?? 0),
              caller: contextValue.caller?.subject,
            },
            'graphql request',
          );
        },
      };
    },
  };
}
