import { IVI_REFERANSE_RULE, isValidIviReferanse } from '../../domain/identifiers';
import { requireExactlyOne, requirePageSize, requireUnderstellsnummer } from '../../domain/arguments';
import { badUserInput, forbidden, isUpstreamError } from '../../errors';
import type { IviIssue } from '../../ivi';
import type { LedgerStatus, Submission, SubmissionRef, WithdrawalOutcome } from '../../ledger/model';
import type { LedgerSession } from '../../ledger/session';
import type { FiksDataSource } from '../fiks/fiks-datasource';
import type { EcocDataSource } from './ecoc-datasource';
import { svvIssues } from './mapping';
import type { PreRegistrationModel } from './model';
import { modelOf } from './pre-register';

/**
 * What an importer does with its submissions after sending: withdraw, settle an unknown outcome, list. Each acts on
 * the caller's own ledger rows only; SVV accepts any withdrawal from this subgraph's single Maskinporten client, so
 * "only the sender may withdraw" is enforced here, before SVV is called.
 */

const PAGE_MAX = 100;
/** Found for a withdrawal: PENDING and WITHDRAWING only to answer that something is in progress. */
const WITHDRAWABLE: readonly LedgerStatus[] = ['PENDING', 'ACCEPTED', 'OUTCOME_UNKNOWN', 'WITHDRAWING'];

export interface WithdrawResult {
  status: 'WITHDRAWN' | 'NOT_FOUND' | 'REJECTED' | 'OUTCOME_UNKNOWN';
  iviReferanse: string | null;
  understellsnummer: string | null;
  message: string | null;
  errors: IviIssue[];
  preRegistration: PreRegistrationModel | null;
}

/**
 * Claims the caller's submission in the ledger, then asks SVV to delete it: one DELETE per submission across all
 * replicas, and the VIN and reference stay held until SVV's answer is known, so no DELETE can reach a newer
 * submission of the same reference. A withdrawal that finds it claimed is refused (`ECOC-IN-PROGRESS`).
 */
export async function withdrawPreRegistration(
  args: { iviReferanse?: string | null; understellsnummer?: string | null },
  { ecoc, ledger }: { ecoc: EcocDataSource; ledger: LedgerSession },
): Promise<WithdrawResult> {
  const ref = submissionRef(args);
  const sender = ledger.sender();
  const byKind = 'iviReferanse' in ref ? 'iviReferanse' : 'understellsnummer';
  const requested = 'iviReferanse' in ref ? ref.iviReferanse : ref.understellsnummer;
  const record = async (outcome: WithdrawalOutcome, submissionId?: string, svvStatus?: number) => {
    ledger.metrics.withdrawals.inc({ outcome });
    await ledger.ledger.recordWithdrawal({ sender, byKind, requested, submissionId, outcome, svvStatus });
  };
  const refuseNone = async () => {
    // Someone else's, or nobody's: the same answer either way, so a refusal reveals nothing about other senders.
    await record('REFUSED');
    return forbidden(
      `Only the sender may withdraw a pre-registration, and none of this sender's open ones has that ${byKind}`,
    );
  };
  const inProgress = async (s: Submission, message: string): Promise<WithdrawResult> => {
    await record('IN_PROGRESS', s.id);
    return {
      ...names(s),
      status: 'REJECTED',
      message: null,
      errors: [{ field: byKind, path: `/${byKind}`, code: 'ECOC-IN-PROGRESS', message, source: 'LOCAL' }],
      preRegistration: modelOf(s),
    };
  };

  await ledger.sweep();
  const own = await ledger.ledger.findOwn(sender, ref, WITHDRAWABLE);
  if (!own) throw await refuseNone();
  if (own.status === 'PENDING') {
    return inProgress(
      own,
      'Innsendingen venter fortsatt på svar fra Statens vegvesen: trekk den tilbake når utfallet er kjent',
    );
  }
  const claim = await ledger.ledger.claimWithdrawal(own.id, ledger.pendingTimeoutMs);
  if (!claim) {
    // Another withdrawal holds it, or an earlier one's DELETE may still reach SVV; or it was withdrawn meanwhile.
    const now = await ledger.ledger.findOwn(sender, ref, WITHDRAWABLE);
    if (!now) throw await refuseNone();
    return inProgress(
      now,
      'En tilbaketrekking av denne innsendingen pågår, eller svaret på en tidligere kan ennå komme: prøv igjen senere',
    );
  }
  const { withdrawalId, submission } = claim;
  const finish = (outcome: Parameters<LedgerSession['ledger']['finishWithdrawal']>[3]) =>
    ledger.ledger.finishWithdrawal(submission.id, withdrawalId, ledger.pendingTimeoutMs, outcome);

  let answer;
  try {
    // By the submission's own reference, even when asked by VIN: SVV then deletes exactly what this sender sent.
    answer = await ecoc.withdraw({ iviReferanse: submission.iviReferanse });
  } catch (e) {
    const status = isUpstreamError(e) ? e.details.status : undefined;
    // A 4xx is a refusal before any deletion; no answer or a 5xx may have deleted it.
    const mayHaveDeleted =
      isUpstreamError(e) && e.details.mayHaveReachedUpstream && !(status !== undefined && status < 500);
    if (mayHaveDeleted) return withdrawalUnknown(submission, byKind, finish, record, status);
    await finish({ to: 'RESTORED' }).catch(() => undefined);
    await record('FAILED', submission.id, status).catch(() => undefined);
    throw e;
  }
  const body = answer.body;
  const message = typeof body?.melding?.meldingstekst === 'string' ? body.melding.meldingstekst : null;
  if (body && (answer.status === 200 || answer.status === 404)) {
    const status = answer.status === 200 ? 'WITHDRAWN' : 'NOT_FOUND';
    const moved = await finish({
      to: 'WITHDRAWN',
      event: answer.status === 200 ? 'WITHDRAWN' : 'NOT_FOUND_AT_SVV',
    });
    await record(status, submission.id, answer.status);
    return { ...names(submission), status, message, errors: [], preRegistration: modelOf(moved ?? submission) };
  }
  // A success that is not SVV's answer says nothing about the deletion.
  if (answer.status < 300) return withdrawalUnknown(submission, byKind, finish, record, answer.status);
  const restored = await finish({ to: 'RESTORED' });
  await record('REJECTED', submission.id, answer.status);
  const svvErrors = svvIssues(body?.feilmeldinger);
  return {
    ...names(submission),
    status: 'REJECTED',
    message,
    errors: svvErrors.length
      ? svvErrors
      : [
          {
            field: byKind,
            path: `/${byKind}`,
            code: `ECOC-${answer.status}`,
            message: 'Statens vegvesen avviste tilbaketrekkingen uten å oppgi feil',
            source: 'SVV',
          },
        ],
    preRegistration: modelOf(restored ?? submission),
  };
}

/** A withdrawal whose DELETE may have reached SVV: the answer's issue, and a swept withdrawal's. */
export function withdrawalUnknownIssue(byKind: string): IviIssue {
  return {
    field: byKind,
    path: `/${byKind}`,
    code: 'ECOC-OUTCOME-UNKNOWN',
    message:
      'Svar fra Statens vegvesen på tilbaketrekkingen uteble eller kunne ikke leses. Den kan være utført: trekk tilbake på nytt når ventetiden er over, før ny innsending',
    source: 'LOCAL',
  };
}

/** The DELETE may have reached SVV: the row stays held as OUTCOME_UNKNOWN, and no DELETE follows before its hold. */
async function withdrawalUnknown(
  submission: Submission,
  byKind: string,
  finish: (outcome: { to: 'OUTCOME_UNKNOWN'; errors: IviIssue[] }) => Promise<Submission | undefined>,
  record: (outcome: WithdrawalOutcome, submissionId?: string, svvStatus?: number) => Promise<void>,
  svvStatus: number | undefined,
): Promise<WithdrawResult> {
  const errors = [withdrawalUnknownIssue(byKind)];
  const moved = await finish({ to: 'OUTCOME_UNKNOWN', errors });
  await record('OUTCOME_UNKNOWN', submission.id, svvStatus);
  return {
    ...names(submission),
    status: 'OUTCOME_UNKNOWN',
    message: null,
    errors,
    preRegistration: modelOf(moved ?? submission),
  };
}

export interface ReconcileResult {
  status: LedgerStatus;
  foundInRegister: boolean | null;
  preRegistration: PreRegistrationModel;
}

/**
 * Settles OUTCOME_UNKNOWN by the register: a vehicle with the submission's VIN means SVV created it (ACCEPTED);
 * none leaves it unknown. Never sends anything to SVV.
 */
export async function reconcilePreRegistration(
  args: { iviReferanse?: string | null; understellsnummer?: string | null },
  { fiks, ledger }: { fiks: FiksDataSource; ledger: LedgerSession },
): Promise<ReconcileResult> {
  const ref = submissionRef(args);
  const sender = ledger.sender();
  await ledger.sweep();
  const own = await ledger.ledger.findOwn(sender, ref);
  if (!own)
    throw forbidden("Only the sender may reconcile a pre-registration, and none of this sender's has that reference");
  // While a lost withdrawal's DELETE may still land, the register cannot tell: unchanged, nothing asked.
  if (own.status !== 'OUTCOME_UNKNOWN' || (await ledger.ledger.withdrawalHeld(own.id))) {
    return { status: own.status, foundInRegister: null, preRegistration: modelOf(own) };
  }
  const vehicle = await fiks.vehicleByUnderstellsnummer(own.vin);
  if (vehicle) {
    const moved = await ledger.ledger.transition(own.id, ['OUTCOME_UNKNOWN'], 'ACCEPTED', 'FOUND_IN_REGISTER');
    if (moved) ledger.metrics.preRegistrations.inc({ outcome: 'RECONCILED' });
    const now = moved ?? (await ledger.ledger.findOwn(sender, { iviReferanse: own.iviReferanse })) ?? own;
    return { status: now.status, foundInRegister: true, preRegistration: modelOf(now) };
  }
  await ledger.ledger.note(own.id, 'NOT_FOUND_IN_REGISTER');
  return { status: own.status, foundInRegister: false, preRegistration: modelOf(own) };
}

export interface PreRegistrationPage {
  submissions: Submission[];
  hasNextPage: boolean;
  totalCount: number;
}

export async function listPreRegistrations(
  args: { status?: LedgerStatus | 'VALID' | null; first?: number | null; after?: string | null },
  { ledger }: { ledger: LedgerSession },
): Promise<PreRegistrationPage> {
  if (args.status === 'VALID') throw badUserInput('status', 'VALID is a dry run answer; dry runs are not recorded');
  const limit = requirePageSize(args.first, PAGE_MAX);
  const afterSeq = decodeLedgerCursor(args.after);
  const sender = ledger.sender();
  await ledger.sweep();
  return ledger.ledger.list(sender, { status: args.status ?? undefined, limit, afterSeq });
}

/** Cursors are opaque to clients; inside they are the ledger position of the last row shown. */
export function encodeLedgerCursor(seq: string): string {
  return Buffer.from(`s:${seq}`, 'utf8').toString('base64url');
}

function decodeLedgerCursor(cursor: string | null | undefined): string | undefined {
  if (cursor === null || cursor === undefined) return undefined;
  const m = /^s:(\d{1,18})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) throw badUserInput('after', 'not a cursor from this API');
  return m[1];
}

function submissionRef(args: { iviReferanse?: string | null; understellsnummer?: string | null }): SubmissionRef {
  const which = requireExactlyOne(args, ['iviReferanse', 'understellsnummer'] as const);
  if (which === 'iviReferanse') {
    const value = String(args.iviReferanse);
    if (!isValidIviReferanse(value)) throw badUserInput('iviReferanse', IVI_REFERANSE_RULE);
    return { iviReferanse: value };
  }
  return { understellsnummer: requireUnderstellsnummer(args.understellsnummer) };
}

function names(s: Submission): { iviReferanse: string; understellsnummer: string } {
  return { iviReferanse: s.iviReferanse, understellsnummer: s.vin };
}
