import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse, type GraphQLSchema } from 'graphql';
import type { Logger } from '../../src/observability/logger';
import { apolloLogger, landingPage } from '../../src/server';
import type { ParkingPermitRecord } from './permits';
import { parkingPermitResolvers } from './resolvers';
import { parkingPermitsTypeDefs } from './schema';

export interface ParkingPermitsOptions {
  permits: readonly ParkingPermitRecord[];
  /** 0 = any free port (tests); the local supergraph uses 4002. */
  port?: number;
  host?: string;
  logger?: Logger;
  production?: boolean;
}

export interface RunningSubgraph {
  name: string;
  /** The GraphQL endpoint, e.g. http://127.0.0.1:4002/ */
  url: string;
  close(): Promise<void>;
}

export const PARKING_PERMITS_SUBGRAPH = 'parking-permits';

export function buildParkingPermitsSchema(permits: readonly ParkingPermitRecord[]): GraphQLSchema {
  return buildSubgraphSchema([{ typeDefs: parse(parkingPermitsTypeDefs), resolvers: parkingPermitResolvers(permits) }]);
}

/** Starts the example subgraph on a real port. `startStandaloneServer` drains in-flight requests on `close()`. */
export async function startParkingPermitsSubgraph(options: ParkingPermitsOptions): Promise<RunningSubgraph> {
  const server = new ApolloServer({
    schema: buildParkingPermitsSchema(options.permits),
    // The caller of startParkingPermitsSubgraph owns SIGINT/SIGTERM (Apollo's own handler would re-raise the signal).
    stopOnTerminationSignals: false,
    plugins: [
      // No usage reporting here, so no federated traces (ftv1) to add to responses.
      ApolloServerPluginInlineTraceDisabled(),
      landingPage(Boolean(options.production)),
    ],
    logger: options.logger ? apolloLogger(options.logger) : undefined,
  });
  const { url } = await startStandaloneServer(server, {
    listen: { port: options.port ?? 0, host: options.host ?? '127.0.0.1' },
  });
  // A wildcard bind address is not something to call: route to loopback instead.
  const routable = url.replace('//0.0.0.0:', '//127.0.0.1:').replace('//[::]:', '//127.0.0.1:');
  return { name: PARKING_PERMITS_SUBGRAPH, url: routable, close: () => server.stop() };
}
