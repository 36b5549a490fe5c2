import DataLoader from 'dataloader';
import type { Metrics } from '../observability/metrics';
import type { SubmissionLedger } from './ledger';
import type { StatusChange } from './model';

/**
 * The ledger as one request sees it: bound to the caller's sender (resolved only when a ledger field needs it, so a
 * token without one can still read vehicles) and with a per-request loader for status histories.
 */
export class LedgerSession {
  private resolvedSender?: string;
  readonly history: DataLoader<string, StatusChange[]>;

  constructor(
    readonly ledger: SubmissionLedger,
    private readonly senderOf: () => string,
    readonly sweep: () => Promise<number>,
    readonly pendingTimeoutMs: number,
    readonly metrics: Metrics,
  ) {
    this.history = new DataLoader(async (ids) => {
      const byId = await ledger.histories(ids);
      return ids.map((id) => byId.get(id) ?? []);
    });
  }

  /** The caller's sender id; throws FORBIDDEN when the token names none. */
  sender(): string {
    this.resolvedSender ??= this.senderOf();
    return this.resolvedSender;
  }
}
