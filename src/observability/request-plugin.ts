import type { ApolloServerPlugin } from '@apollo/server';
import type { RequestContext } from '../context';
import { clientErrorCode } from '../security/masking';
import type { Logger } from './logger';
import type { Metrics } from './metrics';
import { OperationLabels, loggableOperationName } from './operation-names';

/**
 * One log line per GraphQL request: operation name, duration, outcome, error codes, correlation id and the upstream
 * calls it caused. Never variables, never the query text, never results.
 */
export function requestLoggingPlugin(logger: Logger, metrics: Metrics): ApolloServerPlugin<RequestContext> {
  const labels = new OperationLabels();
  return {
    async requestDidStart({ contextValue }) {
      const started = process.hrtime.bigint();
      let operation: string | undefined;
      let codes: string[] = [];
      return {
        async didResolveOperation({ operationName }) {
          operation = operationName ?? undefined;
        },
        async didEncounterErrors({ errors }) {
          // The codes the client is answered with (security/masking), so a client's mistake is not logged as ours.
          codes = errors.map((e) => clientErrorCode(e) ?? 'INTERNAL_SERVER_ERROR');
        },
        async willSendResponse() {
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          const outcome = codes.length === 0 ? 'ok' : 'errors';
          // Caller-chosen text: a bounded label set, and names that look like personal data never as written.
          const label = labels.label(operation);
          metrics.graphqlRequests.inc({ operation: label, outcome });
          metrics.graphqlDuration.observe({ operation: label }, seconds);
          logger.info(
            {
              correlationId: contextValue.correlationId,
              operation: loggableOperationName(operation),
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
