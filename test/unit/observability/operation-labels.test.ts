import { ApolloServer } from '@apollo/server';
import type { RequestContext } from '../../../src/context';
import { createLogger } from '../../../src/observability/logger';
import { Metrics } from '../../../src/observability/metrics';
import {
  MAX_OPERATION_LABELS,
  OperationLabels,
  loggableOperationName,
} from '../../../src/observability/operation-names';
import { requestLoggingPlugin } from '../../../src/observability/request-plugin';

describe('operation names in logs and metrics', () => {
  it.each([
    [undefined, 'anonymous'],
    ['', 'anonymous'],
    ['VehicleCard', 'VehicleCard'],
    ['Fleet2024', 'Fleet2024'],
    ['Fnr15019012345', 'redacted'],
    ['a1b2c3d4e5f6', 'redacted'],
    ['x'.repeat(65), 'other'],
  ])('%s is logged as %s', (name, logged) => {
    expect(loggableOperationName(name)).toBe(logged);
  });

  it('labels: the first names seen keep their own, later ones share "other"', () => {
    const labels = new OperationLabels(2);
    expect([labels.label('A'), labels.label('B'), labels.label('C'), labels.label('A')]).toEqual([
      'A',
      'B',
      'other',
      'A',
    ]);
    expect(labels.label(undefined)).toBe('anonymous');
    expect(labels.label('Fnr15019012345')).toBe('redacted');
  });

  it('5,000 distinct operation names through the request plugin leave the metrics bounded', async () => {
    const metrics = new Metrics();
    const server = new ApolloServer<RequestContext>({
      typeDefs: 'type Query { ok: Boolean }',
      resolvers: { Query: { ok: () => true } },
      plugins: [requestLoggingPlugin(createLogger({ level: 'silent' }), metrics)],
    });
    await server.start();
    const run = async (from: number, to: number) => {
      for (let i = from; i < to; i++) {
        await server.executeOperation({ query: `query Attack${i} { ok }` }, { contextValue: {} as RequestContext });
      }
    };
    try {
      await run(0, 2500);
      const half = await metrics.registry.metrics();
      await run(2500, 5000);
      const full = await metrics.registry.metrics();
      const operations = new Set([...full.matchAll(/operation="([^"]*)"/g)].map((m) => m[1]));
      expect(operations.size).toBeLessThanOrEqual(MAX_OPERATION_LABELS + 1);
      expect(operations).toContain('other');
      // The second 2,500 names added no series: the page only changed its counts.
      expect(full.split('\n').length).toBe(half.split('\n').length);
      expect(full).toContain(`graphql_requests_total{operation="other",outcome="ok"} ${5000 - MAX_OPERATION_LABELS}`);
    } finally {
      await server.stop();
    }
  }, 60_000);
});
