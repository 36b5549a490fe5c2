import type { AuthService } from './auth';
import { grantedOrganisations, type EmulatorContext, type EmulatorSettings } from './context';
import type { FaultQueue } from './faults';
import { json, parseJsonBody, type EmulatorRequest, type Reply } from './http';
import type { RouteName, RouteStats, SearchPaging, Stats } from './stats';
import { z } from 'zod';

/** Admin API under /__emulator/ (CONTRACTS.md). Never faulted, never delayed, never counted. */

export interface EmulatorStatsSnapshot {
  routes: Record<RouteName, RouteStats>;
  tokenGrants: number;
  grantsRejected: number;
  grants: AuthService['grants'];
  batchSizes: Record<RouteName, number[]>;
  /** Addition to CONTRACTS.md: Fiks requests per fiksOrgId (tenant) in the path. */
  fiksOrgIds: Record<string, number>;
  /** Addition to CONTRACTS.md: `fra` / `antall` of each search as sent (null when absent). */
  searchPaging: SearchPaging[];
}

export interface AdminDeps {
  ctx: EmulatorContext;
  stats: Stats;
  faults: FaultQueue;
}

export function statsSnapshot({ ctx, stats }: AdminDeps): EmulatorStatsSnapshot {
  const { routes, batchSizes, fiksOrgIds, searchPaging } = stats.snapshot();
  return {
    routes,
    fiksOrgIds,
    searchPaging,
    tokenGrants: ctx.auth.tokenGrants,
    grantsRejected: ctx.auth.grantsRejected,
    grants: ctx.auth.grants.map((g) => ({ header: { ...g.header }, claims: { ...g.claims } })),
    batchSizes,
  };
}

/** Zeroes counters, clears faults and the quota; the dataset, issued tokens and used `jti`s stay. */
export function resetAll({ ctx, stats, faults }: AdminDeps): void {
  stats.reset();
  faults.clear();
  ctx.auth.resetStats();
  ctx.quota.reset();
}

const ConfigSchema = z
  .object({
    wrapper: z.enum(['A', 'B']).optional(),
    bulkMaxIds: z.number().int().min(1).max(100_000).optional(),
    dailyQuota: z.number().int().min(0).nullable().optional(),
    latencyMs: z.number().int().min(0).max(600_000).optional(),
    searchFodselsnummer: z.boolean().optional(),
    fiksOrgIds: z.array(z.string().uuid()).optional(),
  })
  .strict();
export type EmulatorConfigUpdate = z.infer<typeof ConfigSchema>;

/** Applies a settings change; `dailyQuota: null` removes the quota. */
export function configure(settings: EmulatorSettings, input: unknown): { ok: true } | { ok: false; message: string } {
  const parsed = ConfigSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, message: `${issue.path.join('.') || 'body'}: ${issue.message}` };
  }
  const update = parsed.data;
  if (update.wrapper !== undefined) settings.wrapper = update.wrapper;
  if (update.bulkMaxIds !== undefined) settings.bulkMaxIds = update.bulkMaxIds;
  if (update.latencyMs !== undefined) settings.latencyMs = update.latencyMs;
  if (update.dailyQuota !== undefined) settings.dailyQuota = update.dailyQuota ?? undefined;
  if (update.searchFodselsnummer !== undefined) settings.searchFodselsnummer = update.searchFodselsnummer;
  if (update.fiksOrgIds !== undefined) settings.fiksOrgIds = grantedOrganisations(update.fiksOrgIds);
  return { ok: true };
}

function settingsView(settings: EmulatorSettings) {
  return { ...settings, dailyQuota: settings.dailyQuota ?? null, fiksOrgIds: [...settings.fiksOrgIds] };
}

export function adminHandler(deps: AdminDeps) {
  return (req: EmulatorRequest): Reply => {
    const action = req.params.action;
    const method = req.method;
    if (action === 'stats' && method === 'GET') return json(200, statsSnapshot(deps));
    if (action === 'reset' && method === 'POST') {
      resetAll(deps);
      return json(200, { ok: true });
    }
    if (action === 'faults') {
      if (method === 'GET') return json(200, { pending: deps.faults.pending() });
      if (method === 'DELETE') {
        deps.faults.clear();
        return json(200, { ok: true });
      }
      if (method === 'POST') {
        const body = parseJsonBody(req);
        if (!body.ok) return json(400, { error: 'body must be JSON' });
        const added = deps.faults.add(body.value);
        return added.ok
          ? json(200, { added: added.added, pending: deps.faults.pending().length })
          : json(400, { error: added.message });
      }
    }
    if (action === 'release' && method === 'POST') return json(200, { released: deps.faults.release() });
    if (action === 'sample' && method === 'GET') {
      const raw = req.url.searchParams.get('count');
      const count = raw === null || raw === '' ? 10 : Number(raw);
      if (!Number.isInteger(count) || count < 1 || count > 1000)
        return json(400, { error: 'count must be an integer from 1 to 1000' });
      return json(200, deps.ctx.dataset.sample(count));
    }
    if (action === 'config') {
      if (method === 'GET') return json(200, settingsView(deps.ctx.settings));
      if (method === 'POST') {
        const body = parseJsonBody(req);
        if (!body.ok) return json(400, { error: 'body must be JSON' });
        const result = configure(deps.ctx.settings, body.value);
        return result.ok ? json(200, settingsView(deps.ctx.settings)) : json(400, { error: result.message });
      }
    }
    if (action === 'health' && method === 'GET') return json(200, { ok: true, vehicles: deps.ctx.dataset.size });
    return json(404, { error: 'unknown admin route' });
  };
}
