import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { KJORETOY_SUBGRAPH } from '../../examples/supergraph/gateway';

/**
 * The GraphOS Router configuration cannot be run or validated against the router's schema here (no binary, no
 * schema on the npm registry); this checks it parses and says what the README promises, nothing more.
 */
describe('examples/apollo-router/router.yaml (untested against a real router)', () => {
  const config = parse(readFileSync(join(__dirname, '../../examples/apollo-router/router.yaml'), 'utf8'));

  it('forwards the caller token to every subgraph and the router secret to the kjoretoy subgraph only', () => {
    expect(config.headers.all.request).toContainEqual({ propagate: { named: 'authorization' } });
    expect(Object.keys(config.headers.subgraphs)).toEqual([KJORETOY_SUBGRAPH]);
    expect(config.headers.subgraphs[KJORETOY_SUBGRAPH].request).toEqual([
      { insert: { name: 'router-authorization', value: '${env.ROUTER_SECRET}' } },
    ]);
  });

  it("keeps the subgraph's error codes, has a health check and a body limit that fits a preRegister", () => {
    expect(config.include_subgraph_errors).toEqual({ all: true });
    expect(config.health_check).toMatchObject({ enabled: true, path: '/health' });
    expect(config.limits.http_max_request_bytes).toBeGreaterThanOrEqual(2_800_000);
    expect(config.authorization.directives.enabled).toBe(true);
    expect(config.supergraph.introspection).toBe(false);
  });
});
