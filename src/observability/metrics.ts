import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One registry per server instance (tests build many servers in one process). */
export class Metrics {
  readonly registry = new Registry();

  readonly graphqlRequests = new Counter({
    name: 'graphql_requests_total',
    help: 'GraphQL operations by operation name and outcome',
    labelNames: ['operation', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly graphqlDuration = new Histogram({
    name: 'graphql_request_duration_seconds',
    help: 'GraphQL operation duration by operation name',
    labelNames: ['operation'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly upstreamCalls = new Counter({
    name: 'upstream_requests_total',
    help: 'Upstream HTTP attempts by upstream, route and result code (HTTP status or error class)',
    labelNames: ['upstream', 'route', 'code'] as const,
    registers: [this.registry],
  });

  readonly upstreamDuration = new Histogram({
    name: 'upstream_request_duration_seconds',
    help: 'Upstream HTTP attempt duration by upstream and route',
    labelNames: ['upstream', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly upstreamErrors = new Counter({
    name: 'upstream_errors_total',
    help: 'Upstream failures after retries by upstream, route and GraphQL error code',
    labelNames: ['upstream', 'route', 'code'] as const,
    registers: [this.registry],
  });

  readonly batchSize = new Histogram({
    name: 'upstream_batch_size',
    help: 'Identifiers per upstream bulk call by route',
    labelNames: ['route'] as const,
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
    registers: [this.registry],
  });

  readonly quotaRemaining = new Gauge({
    name: 'upstream_quota_remaining',
    help: 'Vehicles left in the upstream daily quota (Fiks/SVV gjenstaendeKvote), as last reported; shared by all replicas',
    labelNames: ['upstream'] as const,
    registers: [this.registry],
  });

  readonly tokenGrants = new Counter({
    name: 'maskinporten_token_grants_total',
    help: 'Token grants requested from Maskinporten by scope and outcome',
    labelNames: ['scope', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly breakerState = new Gauge({
    name: 'upstream_circuit_state',
    help: 'Circuit breaker state per upstream: 0 closed, 1 half-open, 2 open, 3 isolated',
    labelNames: ['upstream'] as const,
    registers: [this.registry],
  });

  readonly preRegistrations = new Counter({
    name: 'preregistration_submissions_total',
    help: 'preRegister outcomes: ACCEPTED, REJECTED (by SVV), OUTCOME_UNKNOWN (answer lost, or sender gone), INVALID (local errors, not sent), DUPLICATE (refused by the ledger, not sent), REPLAYED (idempotency key), RECONCILED (unknown settled as accepted)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly withdrawals = new Counter({
    name: 'preregistration_withdrawals_total',
    help: "withdrawPreRegistration attempts by outcome (REFUSED: not this sender's; SVV was not called)",
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics) collectDefaultMetrics({ register: this.registry });
  }
}
