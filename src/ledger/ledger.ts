import { randomUUID } from 'node:crypto';
import { GraphQLError } from 'graphql';
import type { Pool, QueryResultRow } from 'pg';
import type { IviIssue } from '../ivi';
import type { Logger } from '../observability/logger';
import {
  OPEN_STATUSES,
  type LedgerEvent,
  type LedgerStatus,
  type StatusChange,
  type Submission,
  type SubmissionRef,
  type WithdrawalOutcome,
} from './model';

/**
 * The submission ledger in PostgreSQL, shared by every replica. Each method is one SQL statement (a status change
 * and its history row are written together through a CTE), so no transaction is ever held open across an await:
 * that keeps it correct on PGlite too, whose socket server multiplexes connections onto one session.
 */

/** What a submission is recorded with before it is sent; the rest of a Submission is the ledger's. */
export interface NewSubmission extends Pick<
  Submission,
  'id' | 'sender' | 'iviReferanse' | 'vin' | 'make' | 'documentSha256' | 'idempotencyKey' | 'warnings'
> {
  pendingTimeoutMs: number;
}

export type ClaimResult =
  { kind: 'claimed'; submission: Submission } | { kind: 'conflict'; on: 'vin' | 'iviReferanse' | 'idempotencyKey' };

export interface SvvOutcome {
  status: LedgerStatus;
  event: LedgerEvent;
  svvReceivedAt?: string | null;
  svvStatus?: number | null;
  svvMessage?: string | null;
  errors: IviIssue[];
  warnings: IviIssue[];
}

const UNIQUE_VIOLATION = '23505';
const CONFLICTS: Record<string, 'vin' | 'iviReferanse' | 'idempotencyKey'> = {
  pre_registration_open_vin: 'vin',
  pre_registration_open_ivi_referanse: 'iviReferanse',
  pre_registration_idempotency_key: 'idempotencyKey',
};
const OPEN = `('${OPEN_STATUSES.join("','")}')`;

/** The database could not be reached or failed: coded like an unavailable upstream, and nothing was sent. */
export function ledgerUnavailable(): GraphQLError {
  return new GraphQLError('The submission ledger is unavailable; nothing was sent or changed', {
    extensions: { code: 'UPSTREAM_UNAVAILABLE', upstream: 'ledger' },
  });
}

export class SubmissionLedger {
  constructor(
    private readonly pool: Pool,
    private readonly logger: Logger,
  ) {}

  /**
   * Writes the PENDING row that must exist before anything is sent. A unique index refuses it while another open
   * submission holds the VIN or the IVI reference, or when this sender already used the idempotency key.
   */
  async claim(s: NewSubmission): Promise<ClaimResult> {
    try {
      const rows = await this.query(
        `WITH claimed AS (
           INSERT INTO pre_registration
             (id, sender, ivi_referanse, vin, make, document_sha256, idempotency_key, status, pending_until, warnings)
           VALUES ($1, $2, $3, $4, $5, $6, $7, 'PENDING', now() + $8 * interval '1 millisecond', $9)
           RETURNING *
         ), history AS (
           INSERT INTO pre_registration_event (pre_registration_id, status, event)
           SELECT id, status, 'SUBMITTED' FROM claimed
         )
         SELECT * FROM claimed`,
        [
          s.id,
          s.sender,
          s.iviReferanse,
          s.vin,
          s.make,
          s.documentSha256,
          s.idempotencyKey,
          s.pendingTimeoutMs,
          JSON.stringify(s.warnings),
        ],
        { passUniqueViolation: true },
      );
      return { kind: 'claimed', submission: toSubmission(rows[0]) };
    } catch (error) {
      const e = error as { code?: string; constraint?: string };
      const on = e.code === UNIQUE_VIOLATION && e.constraint ? CONFLICTS[e.constraint] : undefined;
      if (on) return { kind: 'conflict', on };
      throw error;
    }
  }

  /** The open submission holding this VIN or IVI reference (whoever sent it). */
  async openHolder(vin: string, iviReferanse: string): Promise<Pick<Submission, 'sender' | 'status'> | undefined> {
    const rows = await this.query(
      `SELECT sender, status FROM pre_registration
        WHERE (vin = $1 OR ivi_referanse = $2) AND status IN ${OPEN} LIMIT 1`,
      [vin, iviReferanse],
    );
    return rows[0] ? { sender: rows[0].sender, status: rows[0].status } : undefined;
  }

  async byIdempotencyKey(sender: string, key: string): Promise<Submission | undefined> {
    const rows = await this.query(`SELECT * FROM pre_registration WHERE sender = $1 AND idempotency_key = $2`, [
      sender,
      key,
    ]);
    return rows[0] ? toSubmission(rows[0]) : undefined;
  }

  /**
   * Records SVV's answer (or its absence). The real answer also settles a row the sweeper already gave up on, but
   * nothing overrides a row that was closed since (withdrawn).
   */
  async settle(id: string, outcome: SvvOutcome): Promise<Submission | undefined> {
    const rows = await this.query(
      `WITH settled AS (
         UPDATE pre_registration
            SET status = $2, pending_until = NULL, updated_at = now(), svv_received_at = $3, svv_status = $4,
                svv_message = $5, errors = $6, warnings = $7
          WHERE id = $1 AND status IN ('PENDING', 'OUTCOME_UNKNOWN')
          RETURNING *
       ), history AS (
         INSERT INTO pre_registration_event (pre_registration_id, status, event)
         SELECT id, status, $8 FROM settled
       )
       SELECT * FROM settled`,
      [
        id,
        outcome.status,
        outcome.svvReceivedAt ?? null,
        outcome.svvStatus ?? null,
        outcome.svvMessage ?? null,
        JSON.stringify(outcome.errors),
        JSON.stringify(outcome.warnings),
        outcome.event,
      ],
    );
    return rows[0] ? toSubmission(rows[0]) : undefined;
  }

  /** Nothing reached SVV (no connection, open breaker, no token): the submission did not happen. */
  async release(id: string): Promise<void> {
    await this.query(`DELETE FROM pre_registration WHERE id = $1 AND status = 'PENDING'`, [id]);
  }

  /**
   * PENDING and WITHDRAWING rows whose sender has certainly given up (it died, or lost its answer beyond the
   * deadline) become OUTCOME_UNKNOWN, each with its own issue. Never re-sent. Safe on every replica at once: a row is
   * swept by one of them (the UPDATE checks the row again). Returns how many of each were swept.
   */
  async sweep(
    issues: { submission: IviIssue; withdrawal: IviIssue },
    leaseMs: number,
  ): Promise<{ submissions: number; withdrawals: number }> {
    const due = `((p.status = 'PENDING' AND p.pending_until < now()) OR (p.status = 'WITHDRAWING' AND p.withdrawal_until < now()))`;
    const rows = await this.query(
      `WITH due AS (
         SELECT id, status AS was FROM pre_registration p WHERE ${due}
       ), swept AS (
         UPDATE pre_registration p
            SET status = 'OUTCOME_UNKNOWN', pending_until = NULL, updated_at = now(),
                errors = CASE WHEN due.was = 'WITHDRAWING' THEN $2::jsonb ELSE $1::jsonb END,
                -- A withdrawal given up on: its DELETE may still be acted on, so a full lease before another may go.
                withdrawal_until = CASE WHEN due.was = 'WITHDRAWING'
                  THEN now() + $3 * interval '1 millisecond' ELSE p.withdrawal_until END
           FROM due
          WHERE p.id = due.id AND p.status = due.was AND ${due}
          RETURNING p.id, p.status, due.was
       ), history AS (
         INSERT INTO pre_registration_event (pre_registration_id, status, event)
         SELECT id, status, 'SENDER_LOST' FROM swept
       )
       SELECT was FROM swept`,
      [JSON.stringify([issues.submission]), JSON.stringify([issues.withdrawal]), leaseMs],
    );
    const withdrawals = rows.filter((r) => r.was === 'WITHDRAWING').length;
    return { submissions: rows.length - withdrawals, withdrawals };
  }

  /** This sender's most recent submission named by `ref`, optionally only in the given statuses. */
  async findOwn(
    sender: string,
    ref: SubmissionRef,
    statuses?: readonly LedgerStatus[],
  ): Promise<Submission | undefined> {
    const [column, value] =
      'iviReferanse' in ref ? ['ivi_referanse', ref.iviReferanse] : ['vin', ref.understellsnummer];
    const rows = await this.query(
      `SELECT * FROM pre_registration
        WHERE sender = $1 AND ${column} = $2 AND ($3::text[] IS NULL OR status = ANY($3::text[]))
        ORDER BY seq DESC LIMIT 1`,
      [sender, value, statuses ? [...statuses] : null],
    );
    return rows[0] ? toSubmission(rows[0]) : undefined;
  }

  /** Moves an open submission on (withdrawn, or reconciled) and records why; `from` guards against a race. */
  async transition(
    id: string,
    from: readonly LedgerStatus[],
    to: LedgerStatus,
    event: LedgerEvent,
  ): Promise<Submission | undefined> {
    const rows = await this.query(
      `WITH moved AS (
         UPDATE pre_registration SET status = $3, pending_until = NULL, updated_at = now()
          WHERE id = $1 AND status = ANY($2::text[])
            -- Not while a withdrawal's DELETE may still land: the register would be read before it.
            AND (withdrawal_until IS NULL OR withdrawal_until < now())
          RETURNING *
       ), history AS (
         INSERT INTO pre_registration_event (pre_registration_id, status, event)
         SELECT id, status, $4 FROM moved
       )
       SELECT * FROM moved`,
      [id, [...from], to, event],
    );
    return rows[0] ? toSubmission(rows[0]) : undefined;
  }

  /**
   * Claims an ACCEPTED or OUTCOME_UNKNOWN submission for one withdrawal: one conditional UPDATE, so exactly one
   * caller on any replica gets it and may call SVV. Refused while another withdrawal holds it, or while an earlier
   * one's DELETE may still reach SVV (`withdrawal_until`). `leaseMs` outlasts the eCoC deadline, like a PENDING row's.
   */
  async claimWithdrawal(
    id: string,
    leaseMs: number,
  ): Promise<{ withdrawalId: string; submission: Submission } | undefined> {
    const withdrawalId = randomUUID();
    const rows = await this.query(
      `WITH claimed AS (
         UPDATE pre_registration
            SET status = 'WITHDRAWING', withdrawing_from = status, withdrawal_id = $2, updated_at = now(),
                withdrawal_until = now() + $3 * interval '1 millisecond'
          WHERE id = $1 AND status IN ('ACCEPTED', 'OUTCOME_UNKNOWN')
            AND (withdrawal_until IS NULL OR withdrawal_until < now())
          RETURNING *
       ), history AS (
         INSERT INTO pre_registration_event (pre_registration_id, status, event)
         SELECT id, status, 'WITHDRAWAL_STARTED' FROM claimed
       )
       SELECT * FROM claimed`,
      [id, withdrawalId, leaseMs],
    );
    return rows[0] ? { withdrawalId, submission: toSubmission(rows[0]) } : undefined;
  }

  /**
   * Records how the claimed withdrawal ended; only the claim's own withdrawal may. SVV deleted it (or never had it):
   * WITHDRAWN, also when the sweeper gave up on it meanwhile. SVV refused, or nothing was sent: back to the status
   * before. No usable answer: OUTCOME_UNKNOWN, still held, and `withdrawal_until` keeps a second DELETE back.
   * Returns the row as it now is, changed or not (the sweeper may have moved it meanwhile).
   */
  async finishWithdrawal(
    id: string,
    withdrawalId: string,
    leaseMs: number,
    outcome:
      | { to: 'WITHDRAWN'; event: 'WITHDRAWN' | 'NOT_FOUND_AT_SVV' }
      | { to: 'RESTORED' }
      | { to: 'OUTCOME_UNKNOWN'; errors: IviIssue[] },
  ): Promise<Submission | undefined> {
    const event =
      outcome.to === 'WITHDRAWN' ? outcome.event : outcome.to === 'RESTORED' ? 'WITHDRAWAL_REFUSED' : 'NO_ANSWER';
    const rows = await this.query(
      `WITH finished AS (
         UPDATE pre_registration
            SET status = CASE WHEN $3::text = 'RESTORED' THEN withdrawing_from ELSE $3::text END,
                errors = COALESCE($4::jsonb, errors),
                -- SVV may still act on a DELETE we gave up on: a full lease from now before another may go.
                withdrawal_until = CASE WHEN $3::text = 'OUTCOME_UNKNOWN'
                  THEN greatest(withdrawal_until, now() + $6 * interval '1 millisecond') END,
                updated_at = now()
          WHERE id = $1 AND withdrawal_id = $2
            AND (status = 'WITHDRAWING' OR ($3::text = 'WITHDRAWN' AND status = 'OUTCOME_UNKNOWN'))
          RETURNING *
       ), history AS (
         INSERT INTO pre_registration_event (pre_registration_id, status, event)
         SELECT id, status, $5::text FROM finished
       )
       SELECT * FROM finished`,
      [
        id,
        withdrawalId,
        outcome.to,
        outcome.to === 'OUTCOME_UNKNOWN' ? JSON.stringify(outcome.errors) : null,
        event,
        leaseMs,
      ],
    );
    const now = rows[0] ?? (await this.query('SELECT * FROM pre_registration WHERE id = $1', [id]))[0];
    return now ? toSubmission(now) : undefined;
  }

  /** After a withdrawal's lost answer: its DELETE may still reach SVV (the database's clock decides, as for the claim). */
  async withdrawalHeld(id: string): Promise<boolean> {
    const rows = await this.query(
      'SELECT withdrawal_until > now() AS held FROM pre_registration WHERE id = $1 AND withdrawal_until IS NOT NULL',
      [id],
    );
    return rows[0]?.held === true;
  }

  /** A check that changed nothing (reconcile found no vehicle) still goes into the history. */
  async note(id: string, event: LedgerEvent): Promise<void> {
    await this.query(
      `INSERT INTO pre_registration_event (pre_registration_id, status, event)
       SELECT id, status, $2 FROM pre_registration WHERE id = $1`,
      [id, event],
    );
  }

  async recordWithdrawal(attempt: {
    sender: string;
    byKind: 'iviReferanse' | 'understellsnummer';
    requested: string;
    submissionId?: string;
    outcome: WithdrawalOutcome;
    svvStatus?: number;
  }): Promise<void> {
    await this.query(
      `INSERT INTO withdrawal_attempt (sender, by_kind, requested, pre_registration_id, outcome, svv_status)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [
        attempt.sender,
        attempt.byKind,
        attempt.requested,
        attempt.submissionId ?? null,
        attempt.outcome,
        attempt.svvStatus ?? null,
      ],
    );
  }

  /** Newest first; `afterSeq` is the cursor (the last row of the previous page). */
  async list(
    sender: string,
    options: { status?: LedgerStatus; limit: number; afterSeq?: string },
  ): Promise<{ submissions: Submission[]; hasNextPage: boolean; totalCount: number }> {
    const [rows, count] = await Promise.all([
      this.query(
        `SELECT * FROM pre_registration
          WHERE sender = $1 AND ($2::text IS NULL OR status = $2) AND ($3::bigint IS NULL OR seq < $3::bigint)
          ORDER BY seq DESC LIMIT $4`,
        [sender, options.status ?? null, options.afterSeq ?? null, options.limit + 1],
      ),
      this.query(
        `SELECT count(*)::int AS n FROM pre_registration WHERE sender = $1 AND ($2::text IS NULL OR status = $2)`,
        [sender, options.status ?? null],
      ),
    ]);
    return {
      submissions: rows.slice(0, options.limit).map(toSubmission),
      hasNextPage: rows.length > options.limit,
      totalCount: Number(count[0].n),
    };
  }

  /** Status histories of many submissions in one query (batched per request by a DataLoader). */
  async histories(ids: readonly string[]): Promise<Map<string, StatusChange[]>> {
    const rows = await this.query(
      `SELECT pre_registration_id, status, event, at FROM pre_registration_event
        WHERE pre_registration_id = ANY($1::uuid[]) ORDER BY id`,
      [[...ids]],
    );
    const byId = new Map<string, StatusChange[]>(ids.map((id) => [id, []]));
    for (const row of rows) {
      byId.get(row.pre_registration_id)?.push({ status: row.status, event: row.event, at: iso(row.at)! });
    }
    return byId;
  }

  /** Deletes what is older than the retention period (never a PENDING or WITHDRAWING row: it may be in flight). */
  async purge(retentionDays: number): Promise<{ submissions: number; withdrawals: number }> {
    const submissions = await this.query(
      `DELETE FROM pre_registration WHERE status NOT IN ('PENDING', 'WITHDRAWING') AND updated_at < now() - $1 * interval '1 day' RETURNING id`,
      [retentionDays],
    );
    const withdrawals = await this.query(
      `DELETE FROM withdrawal_attempt WHERE at < now() - $1 * interval '1 day' RETURNING id`,
      [retentionDays],
    );
    return { submissions: submissions.length, withdrawals: withdrawals.length };
  }

  /**
   * For readiness: can this replica reach the database right now. Bounded well below the probe's timeout, so an
   * unreachable database shows as `degraded` instead of failing the probe by its slowness.
   */
  async ping(timeoutMs = 2000): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
      timer.unref();
    });
    const answered = this.pool.query('SELECT 1').then(
      () => true,
      () => false,
    );
    try {
      return await Promise.race([answered, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async query<R extends QueryResultRow = QueryResultRow>(
    text: string,
    values: unknown[],
    options: { passUniqueViolation?: boolean } = {},
  ): Promise<R[]> {
    try {
      return (await this.pool.query<R>(text, values)).rows;
    } catch (error) {
      const e = error as { code?: string; name?: string };
      if (options.passUniqueViolation && e.code === UNIQUE_VIOLATION) throw error;
      // Never the values (they may be a caller's input); the SQLSTATE says enough.
      this.logger.error({ component: 'ledger', err: { type: e.name, code: e.code } }, 'ledger query failed');
      throw ledgerUnavailable();
    }
  }
}

function iso(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return value instanceof Date ? value.toISOString() : new Date(String(value)).toISOString();
}

function toSubmission(row: QueryResultRow): Submission {
  return {
    id: row.id,
    seq: String(row.seq),
    sender: row.sender,
    iviReferanse: row.ivi_referanse,
    vin: row.vin,
    make: row.make,
    documentSha256: row.document_sha256,
    idempotencyKey: row.idempotency_key,
    status: row.status,
    submittedAt: iso(row.submitted_at)!,
    updatedAt: iso(row.updated_at)!,
    svvReceivedAt: row.svv_received_at,
    svvMessage: row.svv_message,
    errors: row.errors ?? [],
    warnings: row.warnings ?? [],
  };
}
