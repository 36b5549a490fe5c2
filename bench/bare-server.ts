import http from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import { buildSubgraphSchema } from '@apollo/subgraph';
import cors from 'cors';
import express from 'express';
import { parse } from 'graphql';
import type { VehicleModel } from '../src/datasources/fiks/model';
import { resolvers } from '../src/resolvers';
import { loadTypeDefsText } from '../src/schema';

/**
 * The "bare" baseline of the overhead scenario: the same schema text and the same HTTP stack as src/server.ts
 * (Express 5, cors, express.json, Apollo's express5 middleware, the same Apollo options), but every vehicle comes
 * from memory: one pre-mapped VehicleModel. What it leaves out is exactly what the real subgraph adds per request:
 * the upstream path (DataLoader, token, HTTP to Fiks, mapping), caller auth, scope checks, operation limits, error
 * masking and the request log/metrics plugin.
 */
export async function startBareServer(options: {
  model: VehicleModel;
  bodyLimit: string;
  /** With this, `vehicle` and `vehicles` first fetch their plates upstream (the `bareUpstream` server:
   *  bench/bare-upstream.ts). */
  upstream?: { fetch(kjennemerker: string[]): Promise<void>; close(): Promise<void> };
}): Promise<{
  url: string;
  close(): Promise<void>;
}> {
  const { model, upstream } = options;
  const bareResolvers = {
    ...resolvers,
    Query: {
      vehicle: (_parent: unknown, args: { kjennemerke?: string | null }) =>
        upstream && args.kjennemerke ? upstream.fetch([args.kjennemerke]).then(() => model) : model,
      vehicles: (_parent: unknown, args: { kjennemerker?: string[] | null; kuids?: string[] | null }) => {
        const list = (args.kjennemerker ?? args.kuids ?? []).map(() => model);
        return upstream && args.kjennemerker ? upstream.fetch(args.kjennemerker).then(() => list) : list;
      },
    },
    Vehicle: { __resolveReference: () => model },
  };
  const schema = buildSubgraphSchema([{ typeDefs: parse(loadTypeDefsText()), resolvers: bareResolvers as never }]);

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false); // as src/server.ts
  const httpServer = http.createServer(app);
  const apollo = new ApolloServer({
    schema,
    introspection: true,
    includeStacktraceInErrorResponses: false,
    allowBatchedHttpRequests: false,
    csrfPrevention: true,
    // Apollo's defaults otherwise: its cache-control plugin stays on here (the "bare Apollo Server"), though
    // the subgraph turns it off; docs/performance.md says what that is worth to the ratio.
    plugins: [ApolloServerPluginDrainHttpServer({ httpServer })],
  });
  await apollo.start();
  app.use(
    '/graphql',
    cors(),
    express.json({ limit: options.bodyLimit }),
    expressMiddleware(apollo, { context: async () => ({}) }),
  );
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(0, '127.0.0.1', () => resolve());
  });
  const address = httpServer.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    close: async () => {
      await apollo.stop();
      await upstream?.close();
    },
  };
}
