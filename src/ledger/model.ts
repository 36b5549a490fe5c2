import type { IviIssue } from '../ivi';

/** A submission's status in the ledger (GraphQL `PreRegistrationStatus`, less the dry run's VALID). */
export type LedgerStatus = 'PENDING' | 'ACCEPTED' | 'REJECTED' | 'OUTCOME_UNKNOWN' | 'WITHDRAWING' | 'WITHDRAWN';

/** Statuses that hold a VIN and an IVI reference: a second submission of either is not sent. */
export const OPEN_STATUSES: readonly LedgerStatus[] = ['PENDING', 'ACCEPTED', 'OUTCOME_UNKNOWN', 'WITHDRAWING'];

/** What moved a submission to a status (GraphQL `PreRegistrationEvent`). */
export type LedgerEvent =
  | 'SUBMITTED'
  | 'ANSWERED'
  | 'NO_ANSWER'
  | 'SENDER_LOST'
  | 'FOUND_IN_REGISTER'
  | 'NOT_FOUND_IN_REGISTER'
  | 'WITHDRAWAL_STARTED'
  | 'WITHDRAWAL_REFUSED'
  | 'WITHDRAWN'
  | 'NOT_FOUND_AT_SVV';

export interface Submission {
  id: string;
  /** Position in the ledger; the keyset of the preRegistrations cursor. */
  seq: string;
  sender: string;
  iviReferanse: string;
  vin: string;
  make: string | null;
  documentSha256: string;
  idempotencyKey: string | null;
  status: LedgerStatus;
  submittedAt: string;
  updatedAt: string;
  svvReceivedAt: string | null;
  svvMessage: string | null;
  errors: IviIssue[];
  warnings: IviIssue[];
}

export interface StatusChange {
  status: LedgerStatus;
  event: LedgerEvent;
  at: string;
}

/** How a caller names a submission in withdraw and reconcile. */
export type SubmissionRef = { iviReferanse: string } | { understellsnummer: string };

/** Outcome of a withdrawal attempt, as recorded. */
export type WithdrawalOutcome =
  'WITHDRAWN' | 'NOT_FOUND' | 'REJECTED' | 'REFUSED' | 'IN_PROGRESS' | 'FAILED' | 'OUTCOME_UNKNOWN';
