import type { IviIssue } from '../../ivi';
import type { LedgerStatus } from '../../ledger/model';

/**
 * The GraphQL `PreRegistration`: SVV `EcocStatusResponse` fields, mapped, plus its ledger record once it was sent
 * (`id` set). What was never sent (a dry run, local errors) has no ledger fields.
 */
export interface PreRegistrationModel {
  iviReferanse: string;
  understellsnummer?: string | null;
  make?: string | null;
  receivedAt?: string | null;
  message?: string | null;
  /** Ledger row id (for the status history). */
  id?: string;
  status?: LedgerStatus | null;
  submittedAt?: string | null;
  updatedAt?: string | null;
  errors?: IviIssue[];
  warnings?: IviIssue[];
}
