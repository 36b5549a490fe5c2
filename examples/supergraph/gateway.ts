import { ApolloGateway, RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import type { Logger } from '../../src/observability/logger';
import { apolloLogger, landingPage } from '../../src/server';
import { forApolloGateway } from './compose';

/** What the gateway keeps from the incoming request for the subgraph calls. */
export interface GatewayContext extends Record<string, unknown> {
  authorization?: string;
  requestId?: string;
}

/**
 * Forwards the caller's `Authorization` header to every subgraph (routers do not propagate headers by default), so
 * the subgraph can verify the token and enforce its scopes itself. Adds the shared router secret when given one.
 */
export class ForwardingDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    url: string,
    private readonly routerSecret?: string,
  ) {
    super({ url });
  }

  override willSendRequest(options: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const headers = options.request.http?.headers;
    if (!headers) return;
    const context = options.context as GatewayContext;
    if (context.authorization) headers.set('authorization', context.authorization);
    if (context.requestId) headers.set('x-request-id', context.requestId);
    if (this.routerSecret) headers.set('router-authorization', this.routerSecret);
  }
}

export interface GatewayOptions {
  /** As composed; the security links are adapted for @apollo/gateway here (see forApolloGateway). */
  supergraphSdl: string;
  /** 0 = any free port (tests); the local supergraph uses 4000. */
  port?: number;
  host?: string;
  logger?: Logger;
  production?: boolean;
  /** Sent as `router-authorization` to the kjoretoy subgraph only (another team's subgraph never sees it). */
  routerSecret?: string;
}

/** The subgraph name the composition gives this project's subgraph (examples/supergraph.ts, the tests). */
export const KJORETOY_SUBGRAPH = 'kjoretoy';

export interface RunningGateway {
  /** e.g. http://127.0.0.1:4000/ (GraphQL and, in dev, the embedded Sandbox at the same URL). */
  url: string;
  close(): Promise<void>;
}

/** `@apollo/gateway` behind Apollo Server 5 on a real port: the same HTTP path a frontend's router call takes. */
export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const gateway = new ApolloGateway({
    supergraphSdl: forApolloGateway(options.supergraphSdl),
    buildService: ({ name, url }) =>
      new ForwardingDataSource(String(url), name === KJORETOY_SUBGRAPH ? options.routerSecret : undefined),
    logger: options.logger ? apolloLogger(options.logger) : undefined,
  });
  const server = new ApolloServer<GatewayContext>({
    gateway,
    // Whoever starts the gateway owns SIGINT/SIGTERM (Apollo's own handler would re-raise the signal).
    stopOnTerminationSignals: false,
    introspection: !options.production,
    // Apollo adds stack traces (local file paths) outside production; a router never shows them to a client.
    includeStacktraceInErrorResponses: false,
    plugins: [landingPage(Boolean(options.production))],
    logger: options.logger ? apolloLogger(options.logger) : undefined,
  });
  const { url } = await startStandaloneServer(server, {
    listen: { port: options.port ?? 0, host: options.host ?? '127.0.0.1' },
    context: async ({ req }) => ({
      authorization: typeof req.headers.authorization === 'string' ? req.headers.authorization : undefined,
      requestId: typeof req.headers['x-request-id'] === 'string' ? req.headers['x-request-id'] : undefined,
    }),
  });
  return { url, close: () => server.stop() };
}
