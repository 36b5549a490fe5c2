import type { VehicleAnswers } from './answer-cache';
import type { AuthService } from './auth';
import type { Dataset } from './dataset';
import { msUntilOsloMidnight, osloDayKey } from './time';

/** Settings that tests may change while the emulator runs (POST /__emulator/config). */
export interface EmulatorSettings {
  wrapper: 'A' | 'B';
  bulkMaxIds: number;
  /** Vehicles per day; undefined = unlimited. */
  dailyQuota?: number;
  latencyMs: number;
  /** Fiks organisations where the service is activated and the integrations granted access; others get 403. */
  fiksOrgIds: ReadonlySet<string>;
  /** v2 search answers carry the owners' fødselsnummer (an integration whose roles allow it); default off. */
  searchFodselsnummer: boolean;
}

/** Fiks organisation ids compare without case (UUIDs); the set holds them lower-cased. */
export function grantedOrganisations(ids: readonly string[]): ReadonlySet<string> {
  return new Set(ids.map((id) => id.toLowerCase()));
}

/** What `gjenstaendeKvote` starts from when no quota is configured: large, but still visibly counting down. */
const NOMINAL_QUOTA = 1_000_000;

/** SVV's per-day vehicle quota: counts vehicles returned, resets at midnight Oslo time (docs/upstreams.md §8). */
export class Quota {
  private used = 0;
  private day: string;

  constructor(private readonly now: () => number = Date.now) {
    this.day = osloDayKey(now());
  }

  private roll(): void {
    const today = osloDayKey(this.now());
    if (today !== this.day) {
      this.day = today;
      this.used = 0;
    }
  }

  /** False (and nothing consumed) when `count` more vehicles would exceed `limit`. */
  tryConsume(count: number, limit: number | undefined): boolean {
    this.roll();
    if (limit !== undefined && this.used + count > limit) return false;
    this.used += count;
    return true;
  }

  remaining(limit: number | undefined): number {
    this.roll();
    return Math.max(0, (limit ?? NOMINAL_QUOTA) - this.used);
  }

  /** Seconds until the quota resets (for Retry-After). */
  retryAfterSeconds(): number {
    return Math.ceil(msUntilOsloMidnight(this.now()) / 1000);
  }

  reset(): void {
    this.used = 0;
  }
}

export interface EmulatorContext {
  dataset: Dataset;
  auth: AuthService;
  settings: EmulatorSettings;
  quota: Quota;
  /** Vehicles' current answers, built once (see answer-cache.ts). */
  answers: VehicleAnswers;
  /** `${url}/`: the `aud` grants must carry. */
  issuer: string;
}
