import DataLoader from 'dataloader';
import { GraphQLError } from 'graphql';
import type { FiksConfig } from '../../config';
import { UpstreamError, vehicleWithheld } from '../../errors';
import type { Metrics } from '../../observability/metrics';
import { mapWithConcurrency } from '../concurrency';
import type { UpstreamRequester } from '../fairness';
import { errorFromStatus } from '../upstream-errors';
import {
  extractBulkItems,
  extractSearchItems,
  matchBulkItems,
  outcomeOf,
  remainingQuota,
  vehicleOf,
  type ItemOutcome,
  type LookupKey,
} from './bulk-response';
import type { BulkItem, KjoretoysokResponseDto } from './dto';
import { mapVehicle } from './mapping';
import type { PlateModel, VehicleModel, VehicleSearchPage } from './model';

const V2 = '/rest/distribusjon/kjoretoy/v2.0';

export interface OwnerNameSearch {
  name: string;
  postnummer?: string;
  birthDate?: string;
  personsOnly?: boolean;
}

export interface FiksDataSourceOptions {
  client: UpstreamRequester;
  config: FiksConfig;
  /** The Fiks organisation this request acts for (config default, or the caller's claim). */
  fiksOrgId: string;
  metrics?: Metrics;
  /** Time of the request: what "now" means for every vehicle in this response. */
  now?: Date;
}

/**
 * Fiks Kjøretøyregister for one GraphQL request. Built per request, so its DataLoaders never share data between
 * callers. Every plate and kuid lookup in the request (root fields, `_entities`, links) lands in the same loaders and
 * goes to the bulk endpoints in chunks of `bulkMaxBatch`, run in parallel.
 */
export class FiksDataSource {
  /** Upstream HTTP calls this request caused (for the request log line). */
  upstreamCalls = 0;
  private readonly asOfNow: string;
  private readonly byKjennemerke: DataLoader<LookupKey, VehicleModel | null, string>;
  private readonly byKuid: DataLoader<LookupKey, VehicleModel | null, string>;
  private readonly byVin: DataLoader<LookupKey, VehicleModel | null, string>;

  constructor(private readonly options: FiksDataSourceOptions) {
    this.asOfNow = (options.now ?? new Date()).toISOString();
    const loaderOptions = {
      maxBatchSize: options.config.bulkMaxBatch,
      cacheKeyFn: (key: LookupKey) => `${key.id}|${key.dtg ?? ''}`,
    };
    this.byKjennemerke = new DataLoader<LookupKey, VehicleModel | null, string>(
      (keys) => this.loadBulk('kjennemerke', keys),
      loaderOptions,
    );
    this.byKuid = new DataLoader<LookupKey, VehicleModel | null, string>(
      (keys) => this.loadBulk('kuid', keys),
      loaderOptions,
    );
    // VINs have no bulk POST: one GET each, with bounded concurrency over the whole tick's keys.
    this.byVin = new DataLoader<LookupKey, VehicleModel | null, string>((keys) => this.loadVins(keys), {
      cacheKeyFn: loaderOptions.cacheKeyFn,
    });
  }

  /** `kjennemerke`, `kuid` and `vin` must already be normalised and validated (see domain/arguments). */
  vehicleByKjennemerke(kjennemerke: string, at?: string): Promise<VehicleModel | null> {
    return this.byKjennemerke.load({ kind: 'kjennemerke', id: kjennemerke, dtg: at });
  }

  vehicleByKuid(kuid: string, at?: string): Promise<VehicleModel | null> {
    return this.byKuid.load({ kind: 'kuid', id: kuid, dtg: at });
  }

  /**
   * No source documents a `dtg` for the VIN lookup (docs/upstreams.md §6), so none is sent. With `at`, the VIN is
   * resolved as the vehicle is now; then that vehicle is asked for at `at` through a bulk endpoint: by its kuid when
   * the answer has one, otherwise by the plate it carried at `at`. The answer counts only if it has the same VIN.
   */
  async vehicleByUnderstellsnummer(vin: string, at?: string): Promise<VehicleModel | null> {
    const now = await this.byVin.load({ kind: 'understellsnummer', id: vin });
    if (!now || at === undefined) return now;
    let then: VehicleModel | null;
    if (now.kuid) {
      then = await this.byKuid.load({ kind: 'kuid', id: now.kuid, dtg: at });
    } else {
      const plate = plateAt(now.plates, at);
      if (!plate) return null;
      then = await this.byKjennemerke.load({ kind: 'kjennemerke', id: plate, dtg: at });
    }
    const thenVin = then?.understellsnummer?.trim().toUpperCase();
    return then && (!thenVin || thenVin === vin) ? then : null;
  }

  async searchByOwnerName(search: OwnerNameSearch, offset: number, limit: number): Promise<VehicleSearchPage> {
    return this.search(
      'eiernavn',
      {
        navn: search.name,
        postnummer: search.postnummer,
        fodselsdato: search.birthDate,
        erPerson: search.personsOnly,
      },
      offset,
      limit,
    );
  }

  async searchByOrganisasjonsnummer(organisasjonsnummer: string, offset: number, limit: number) {
    return this.search('organisasjonsnummer', { organisasjonsnummer }, offset, limit);
  }

  private path(suffix: string): string {
    return `/${encodeURIComponent(this.options.fiksOrgId)}${V2}/${suffix}`;
  }

  private async loadBulk(
    kind: 'kjennemerke' | 'kuid',
    keys: readonly LookupKey[],
  ): Promise<(VehicleModel | null | Error)[]> {
    const route = `bulk/${kind}`;
    this.options.metrics?.batchSize.observe({ route }, keys.length);
    this.upstreamCalls++;
    // `dtg` is omitted, not null, when absent (docs/upstreams.md §2).
    const body = keys.map((k) => (k.dtg ? { [kind]: k.id, dtg: k.dtg } : { [kind]: k.id }));
    const response = await this.options.client.request<unknown>({
      method: 'POST',
      path: this.path(route),
      data: body,
      route,
      idempotent: true, // a read-only lookup, safe to repeat
    });
    const quota = remainingQuota(response.data);
    if (quota !== undefined) this.options.metrics?.quotaRemaining.set({ upstream: 'fiks' }, quota);
    const outcomes = matchBulkItems([...keys], extractBulkItems(response.data));
    return outcomes.map((outcome, i) =>
      // An item answered for a kuid belongs to the vehicle with that kuid, though the answer does not repeat it.
      this.settle(route, outcome, keys[i].dtg, { kuid: kind === 'kuid' ? keys[i].id : undefined }),
    );
  }

  /** One item's result: the mapped vehicle (remembered under its other keys), null, or its own coded error. */
  private settle(
    route: string,
    outcome: ItemOutcome,
    dtg: string | undefined,
    known: { kuid?: string } = {},
  ): VehicleModel | null | Error {
    switch (outcome.kind) {
      case 'found': {
        const vehicle = mapVehicle(outcome.vehicle, dtg ?? this.asOfNow, known);
        if (dtg === undefined) this.remember(vehicle);
        return vehicle;
      }
      case 'not-found':
        return null;
      case 'withheld':
        return vehicleWithheld();
      case 'unavailable':
        return new UpstreamError('UPSTREAM_UNAVAILABLE', 'The vehicle register could not answer for this vehicle', {
          upstream: 'fiks',
        });
      case 'error':
        return itemError(route, outcome.reason);
    }
  }

  /**
   * Later lookups of this vehicle, as it is now, need no upstream call: primed under the keys the answer really
   * carries. Never by VIN: several vehicles can share one.
   */
  private remember(vehicle: VehicleModel): void {
    if (vehicle.kuid) this.byKuid.prime({ kind: 'kuid', id: vehicle.kuid }, vehicle);
    if (vehicle.kjennemerke) this.byKjennemerke.prime({ kind: 'kjennemerke', id: vehicle.kjennemerke }, vehicle);
  }

  private async loadVins(keys: readonly LookupKey[]): Promise<(VehicleModel | null | Error)[]> {
    const results = await mapWithConcurrency(keys, this.options.config.vinConcurrency, async (key) => {
      this.upstreamCalls++;
      const response = await this.options.client.request<unknown>({
        method: 'GET',
        path: this.path(`bulk/understellsnummer/${encodeURIComponent(key.id)}`),
        route: 'understellsnummer',
        idempotent: true,
        acceptStatus: (status) => status === 404,
      });
      if (response.status === 404) return null;
      // Several vehicles can share a VIN; the first registered one answers here.
      const items = extractBulkItems(response.data);
      const item: BulkItem | undefined = items.find((i) => vehicleOf(i)) ?? items[0];
      if (!item) return null;
      return this.settle('understellsnummer', outcomeOf(item), undefined);
    });
    return results;
  }

  private async search(
    kind: 'eiernavn' | 'organisasjonsnummer',
    params: Record<string, string | number | boolean | undefined>,
    offset: number,
    limit: number,
  ): Promise<VehicleSearchPage> {
    this.upstreamCalls++;
    const response = await this.options.client.request<KjoretoysokResponseDto | undefined>({
      method: 'GET',
      path: this.path(`sok/${kind}`),
      // Rows are 1-based (docs/upstreams.md §5): the first page is fra=1, the next fra = rows seen + 1.
      params: { ...params, fra: offset + 1, antall: limit },
      route: 'sok',
      idempotent: true,
    });
    // 204: nothing found (empty body).
    if (response.status === 204) return { totalCount: 0, offset, vehicles: [] };
    const items = extractSearchItems(response.data);
    if (!items) throw errorFromStatus('fiks', 'sok', response.status, response.data, undefined);
    const vehicles = items
      .map((item) => vehicleOf(item))
      .filter((dto) => dto !== undefined)
      .map((dto) => mapVehicle(dto, this.asOfNow));
    for (const v of vehicles) this.remember(v);
    const total =
      typeof response.data?.antallTreffTotalt === 'number' ? response.data.antallTreffTotalt : vehicles.length;
    return { totalCount: total, offset, vehicles };
  }
}

/** The plate the vehicle carried at `at` (an ordinary one before a personal one), from its plate history. */
function plateAt(plates: PlateModel[], at: string): string | undefined {
  const t = Date.parse(at);
  const covers = (p: PlateModel) => (!p.from || Date.parse(p.from) <= t) && (!p.to || t < Date.parse(p.to));
  const candidates = plates.filter(covers);
  return (candidates.find((p) => p.category !== 'PERSONLIG') ?? candidates[0])?.kjennemerke;
}

function itemError(route: string, reason: string): GraphQLError {
  return new GraphQLError('The vehicle register could not answer for this vehicle', {
    extensions: { code: 'UPSTREAM_REJECTED', upstream: 'fiks', route, reason },
  });
}
