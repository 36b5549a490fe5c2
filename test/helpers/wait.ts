import { setTimeout as pause } from 'node:timers/promises';

/** How often `until` looks again: short, and long enough not to spin a CPU that other processes need. */
const RECHECK_MS = 10;

/**
 * Waits until `check` holds: a wait on a condition, never a fixed sleep that assumes something will have happened by
 * then. It has no deadline of its own: a condition that never holds fails through the test's timeout, so a busy
 * machine only makes the wait longer, never the test red.
 */
export async function until(check: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await check())) await pause(RECHECK_MS);
}
