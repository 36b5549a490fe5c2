/** Route names as CONTRACTS.md lists them (stats keys and fault targets). */
export const ROUTE_NAMES = [
  'bulk/kjennemerke',
  'bulk/kuid',
  'understellsnummer',
  'sok',
  'token',
  'ecoc/opprette',
  'ecoc/slette',
] as const;
export type RouteName = (typeof ROUTE_NAMES)[number];

export function isRouteName(value: unknown): value is RouteName {
  return typeof value === 'string' && (ROUTE_NAMES as readonly string[]).includes(value);
}

export interface RouteStats {
  requests: number;
  inFlight: number;
  maxInFlight: number;
  idsRequested: number;
  statuses: Record<string, number>;
  /** Addition to CONTRACTS.md: requests that were given an injected fault. */
  faultsInjected: number;
}

export interface SearchPaging {
  fra: string | null;
  antall: string | null;
}

/** Batch sizes are kept per route for assertions like "N ids became ceil(N / max) calls"; capped for benchmarks. */
const MAX_BATCH_SIZES = 10_000;

export class Stats {
  private routes = new Map<RouteName, RouteStats>();
  private batchSizes = new Map<RouteName, number[]>();
  /** Requests per fiksOrgId in the path, so tests can see which tenant a lookup was made for. */
  private orgIds = new Map<string, number>();
  /** `fra` and `antall` of each search as sent (null when absent), so tests can see how a client pages. */
  private searchPaging: SearchPaging[] = [];

  constructor() {
    for (const name of ROUTE_NAMES) {
      this.routes.set(name, {
        requests: 0,
        inFlight: 0,
        maxInFlight: 0,
        idsRequested: 0,
        statuses: {},
        faultsInjected: 0,
      });
      this.batchSizes.set(name, []);
    }
  }

  private route(name: RouteName): RouteStats {
    return this.routes.get(name) as RouteStats;
  }

  /** A request arrived. Returns the function to call exactly once when it is over (answered, reset or abandoned). */
  begin(name: RouteName): (status?: number) => void {
    const r = this.route(name);
    r.requests++;
    r.inFlight++;
    if (r.inFlight > r.maxInFlight) r.maxInFlight = r.inFlight;
    let done = false;
    return (status?: number) => {
      if (done) return;
      done = true;
      const current = this.route(name);
      current.inFlight = Math.max(0, current.inFlight - 1);
      if (status !== undefined) current.statuses[String(status)] = (current.statuses[String(status)] ?? 0) + 1;
    };
  }

  search(paging: SearchPaging): void {
    this.searchPaging.push(paging);
    if (this.searchPaging.length > MAX_BATCH_SIZES) this.searchPaging.splice(0, 1);
  }

  fiksOrgId(orgId: string): void {
    this.orgIds.set(orgId, (this.orgIds.get(orgId) ?? 0) + 1);
  }

  fault(name: RouteName): void {
    this.route(name).faultsInjected++;
  }

  ids(name: RouteName, count: number): void {
    this.route(name).idsRequested += count;
    const sizes = this.batchSizes.get(name) as number[];
    sizes.push(count);
    if (sizes.length > MAX_BATCH_SIZES) sizes.splice(0, sizes.length - MAX_BATCH_SIZES);
  }

  /** Zeroes everything but keeps requests that are still in flight counted as such. */
  reset(): void {
    this.orgIds.clear();
    this.searchPaging = [];
    for (const name of ROUTE_NAMES) {
      const inFlight = this.route(name).inFlight;
      this.routes.set(name, {
        requests: 0,
        inFlight,
        maxInFlight: inFlight,
        idsRequested: 0,
        statuses: {},
        faultsInjected: 0,
      });
      this.batchSizes.set(name, []);
    }
  }

  snapshot(): {
    routes: Record<RouteName, RouteStats>;
    batchSizes: Record<RouteName, number[]>;
    fiksOrgIds: Record<string, number>;
    searchPaging: SearchPaging[];
  } {
    const routes = {} as Record<RouteName, RouteStats>;
    const batchSizes = {} as Record<RouteName, number[]>;
    for (const name of ROUTE_NAMES) {
      const r = this.route(name);
      routes[name] = { ...r, statuses: { ...r.statuses } };
      batchSizes[name] = [...(this.batchSizes.get(name) as number[])];
    }
    return {
      routes,
      batchSizes,
      fiksOrgIds: Object.fromEntries(this.orgIds),
      searchPaging: this.searchPaging.map((p) => ({ ...p })),
    };
  }
}
