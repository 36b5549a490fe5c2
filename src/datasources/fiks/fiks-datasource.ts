import DataLoader from 'dataloader';
import { GraphQLError } from 'graphql';
import type { FiksConfig } from '../../config';
import type { Metrics } from '../../observability/metrics';
import { mapWithConcurrency } from '../concurrency';
import type { UpstreamRequester } from '../fairness';
import {
  extractBulkItems,
  matchBulkItems,
  outcomeOf,
  remainingQuota,
  vehicleOf,
  type LookupKey,
} from './bulk-response';
import type { BulkItem, KjoretoysokResponseDto } from './dto';
import { mapVehicle } from './mapping';
import type { VehicleModel, VehicleSearchPage } from './model';

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

  vehicleByUnderstellsnummer(vin: string, at?: string): Promise<VehicleModel | null> {
    return this.byVin.load({ kind: 'understellsnummer', id: vin, dtg: at });
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
    // `dtg` is omitted, not null, when absent (brief §2).
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
    return outcomes.map((outcome, i) => {
      if (outcome.kind === 'found') return mapVehicle(outcome.vehicle, keys[i].dtg ?? this.asOfNow);
      if (outcome.kind === 'not-found') return null;
      return itemError(route, outcome.reason);
    });
  }

  private async loadVins(keys: readonly LookupKey[]): Promise<(VehicleModel | null | Error)[]> {
    const results = await mapWithConcurrency(keys, this.options.config.vinConcurrency, async (key) => {
      this.upstreamCalls++;
      const response = await this.options.client.request<unknown>({
        method: 'GET',
        path: this.path(`bulk/understellsnummer/${encodeURIComponent(key.id)}`),
        params: key.dtg ? { dtg: key.dtg } : undefined,
        route: 'understellsnummer',
        idempotent: true,
        acceptStatus: (status) => status === 404,
      });
      if (response.status === 404) return null;
      // Several vehicles can share a VIN; the first registered one answers here.
      const items = extractBulkItems(response.data);
      const item: BulkItem | undefined = items.find((i) => vehicleOf(i)) ?? items[0];
      if (!item) return null;
      const outcome = outcomeOf(item);
      if (outcome.kind === 'found') return mapVehicle(outcome.vehicle, key.dtg ?? this.asOfNow);
      if (outcome.kind === 'not-found') return null;
      return itemError('understellsnummer', outcome.reason);
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
      params: { ...params, fra: offset, antall: limit },
      route: 'sok',
      idempotent: true,
    });
    // 204: nothing found (empty body).
    if (response.status === 204 || !response.data) return { totalCount: 0, offset, vehicles: [] };
    const vehicles = (response.data.kjoretoyresponser ?? [])
      .map((item) => vehicleOf(item))
      .map((dto) => (dto ? mapVehicle(dto, this.asOfNow) : null))
      .filter((v): v is VehicleModel => v !== null);
    // Later lookups of these vehicles in the same request need no upstream call.
    for (const v of vehicles) this.byKuid.prime({ kind: 'kuid', id: v.kuid }, v);
    const total =
      typeof response.data.antallTreffTotalt === 'number' ? response.data.antallTreffTotalt : vehicles.length;
    return { totalCount: total, offset, vehicles };
  }
}

function itemError(route: string, reason: string): GraphQLError {
  return new GraphQLError('The vehicle register could not answer for this vehicle', {
    extensions: { code: 'UPSTREAM_REJECTED', upstream: 'fiks', route, reason },
  });
}
