import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { until } from './wait';

/**
 * Stopping a detached process group without hitting a stranger. A group whose processes have all exited frees its
 * number, and the kernel hands it out again: every PostgreSQL backend leads its own group, so `kill(-pid)` on a stale
 * number once terminated a ledger test's database connection. Only processes that are in the group *and* carry the
 * group's marker in their environment are signalled.
 */

const MARKER_VARIABLE = 'KJORETOY_TEST_GROUP';

/** An environment entry to give a spawned process tree, so `stopMarkedGroup` can recognise it later. */
export function groupMarker(): { [MARKER_VARIABLE]: string } {
  return { [MARKER_VARIABLE]: randomUUID() };
}

/** Live processes in group `pgid` whose environment carries `marker`. Linux /proc; none where it cannot be read. */
function markedMembers(pgid: number, marker: string): number[] {
  const needle = `${MARKER_VARIABLE}=${marker}`;
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the parenthesised command name: state, ppid, pgrp, …
      const pgrp = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
      if (pgrp !== pgid) continue;
      if (readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0').includes(needle)) members.push(Number(entry));
    } catch {
      // exited while we looked, or not ours to read
    }
  }
  return members;
}

/** SIGTERMs the marked members of group `pgid` and waits until none is left. */
export async function stopMarkedGroup(pgid: number, marker: string): Promise<void> {
  const signal = () => {
    for (const pid of markedMembers(pgid, marker)) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
  };
  signal();
  await until(() => markedMembers(pgid, marker).length === 0);
}
