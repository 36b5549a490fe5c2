import { ecocQueueTimeoutMs } from '../../../src/config';

describe('ecocQueueTimeoutMs: every eCoC call (wait for the caller share + deadline) ends within its ledger row lease', () => {
  it.each([
    // [deadline, lease, wait]
    [20_000, 50_000, 20_000], // the defaults: the lease is the deadline + 30 s, the wait at most the deadline
    [20_000, 30_000, 10_000],
    [5_000, 5_000, 0], // a lease no longer than the deadline: a call that cannot start at once is refused
  ])('deadline %i ms, lease %i ms: waits at most %i ms', (deadline, lease, wait) => {
    expect(ecocQueueTimeoutMs(deadline, lease)).toBe(wait);
    expect(ecocQueueTimeoutMs(deadline, lease) + deadline).toBeLessThanOrEqual(lease);
  });
});
