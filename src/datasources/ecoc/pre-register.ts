import { createHash, randomUUID } from 'node:crypto';
import { IVI_REFERANSE_RULE, isValidIviReferanse } from '../../domain/identifiers';
import { badUserInput, isUpstreamError } from '../../errors';
import { duplicateIssue, mergeIssues, type EcocInput, type IviDocument, type IviIssue } from '../../ivi';
import type { IviChecker } from '../../ivi/pool';
import type { LedgerStatus, Submission } from '../../ledger/model';
import type { LedgerSession } from '../../ledger/session';
import type { TaxClassification } from './dto';
import type { EcocDataSource } from './ecoc-datasource';
import { preRegistrationFrom, svvIssues } from './mapping';
import type { PreRegistrationModel } from './model';

export type PreRegistrationStatus = LedgerStatus | 'VALID';

export interface PreRegisterCommand {
  iviXml?: string | null;
  ecoc?: EcocInput | null;
  iviReferanse?: string | null;
  taxClassification?: TaxClassification | null;
  dryRun?: boolean | null;
  idempotencyKey?: string | null;
}

export interface PreRegisterResult {
  status: PreRegistrationStatus;
  preRegistration: PreRegistrationModel | null;
  errors: IviIssue[];
  warnings: IviIssue[];
  replayed: boolean;
}

const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{8,128}$/;

/**
 * The pre-registration flow: the local check (decode or build the IVI document, parse it safely, validate it) runs
 * in a worker thread; only then (not for a dry run, never with local errors) is it recorded in the ledger as PENDING
 * and sent once. The ledger's
 * unique indexes make that "once" hold across every replica; an idempotency key returns the stored outcome.
 * Field problems come back as data.
 */
export async function preRegister(
  command: PreRegisterCommand,
  { ecoc, ledger, ivi }: { ecoc: EcocDataSource; ledger: LedgerSession; ivi: IviChecker },
): Promise<PreRegisterResult> {
  const hasXml = command.iviXml != null;
  const hasEcoc = command.ecoc != null;
  if (hasXml === hasEcoc) throw badUserInput('input', 'give exactly one of iviXml and ecoc');
  if (command.iviReferanse != null && !isValidIviReferanse(command.iviReferanse)) {
    throw badUserInput('input.iviReferanse', IVI_REFERANSE_RULE);
  }
  const idempotencyKey = command.idempotencyKey ?? null;
  if (idempotencyKey !== null && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
    throw badUserInput(
      'input.idempotencyKey',
      'an idempotencyKey is 8–128 letters, digits, dots, colons, hyphens or underscores',
    );
  }

  const checked = await ivi.check({
    iviXml: command.iviXml ?? undefined,
    ecoc: command.ecoc ?? undefined,
    iviReferanse: command.iviReferanse ?? undefined,
    avgiftsKode: command.taxClassification?.avgiftsKode ?? undefined,
  });
  if (!checked.ok) return invalid(ledger, [checked.issue], command.iviReferanse ?? undefined);
  const { xml, iviReferanse, located } = checked;
  const local = { errors: checked.errors, warnings: checked.warnings };
  if (local.errors.length > 0 || iviReferanse === undefined || !checked.understellsnummer) {
    ledger.metrics.preRegistrations.inc({ outcome: 'INVALID' });
    const named = iviReferanse === undefined ? null : modelFrom({ ...checked, iviReferanse });
    return result('REJECTED', named, local.errors, local.warnings);
  }
  const summary = { iviReferanse, understellsnummer: checked.understellsnummer, make: checked.make };
  if (command.dryRun) return result('VALID', modelFrom(summary), [], local.warnings);

  const sender = ledger.sender();
  const fingerprint = fingerprintOf(command, hasXml ? xml : null);
  if (idempotencyKey !== null) {
    const earlier = await ledger.ledger.byIdempotencyKey(sender, idempotencyKey);
    if (earlier) return replay(ledger, earlier, fingerprint);
  }

  const claim = await ledger.ledger.claim({
    id: randomUUID(),
    sender,
    iviReferanse,
    vin: summary.understellsnummer,
    make: summary.make ?? null,
    documentSha256: fingerprint,
    idempotencyKey,
    pendingTimeoutMs: ledger.pendingTimeoutMs,
    warnings: local.warnings,
  });
  if (claim.kind === 'conflict') {
    if (claim.on === 'idempotencyKey') {
      // The same key arrived twice at once: the other call recorded it first, and its (pending) outcome stands.
      const earlier = await ledger.ledger.byIdempotencyKey(sender, idempotencyKey!);
      if (earlier) return replay(ledger, earlier, fingerprint);
    }
    ledger.metrics.preRegistrations.inc({ outcome: 'DUPLICATE' });
    const holder = await ledger.ledger.openHolder(summary.understellsnummer, iviReferanse);
    return result('REJECTED', modelFrom(summary), [conflictIssue(claim.on, located, holder, sender)], local.warnings);
  }
  return send(claim.submission, { xml, command, local: local.warnings, ecoc, ledger });
}

/** Sends a recorded submission once and records the answer, or its absence. */
async function send(
  submission: Submission,
  ctx: {
    xml: string;
    command: PreRegisterCommand;
    local: IviIssue[];
    ecoc: EcocDataSource;
    ledger: LedgerSession;
  },
): Promise<PreRegisterResult> {
  const { ledger } = ctx;
  const summary = {
    iviReferanse: submission.iviReferanse,
    understellsnummer: submission.vin,
    make: submission.make ?? undefined,
  };
  // The body may have reached SVV and no usable answer came: we cannot know, and must not resend.
  const unknown = async (svvStatus?: number): Promise<PreRegisterResult> => {
    const errors = [outcomeUnknownIssue()];
    const settled = await settleQuietly(ledger, submission.id, {
      status: 'OUTCOME_UNKNOWN',
      event: 'NO_ANSWER',
      svvStatus,
      errors,
      warnings: ctx.local,
    });
    ledger.metrics.preRegistrations.inc({ outcome: 'OUTCOME_UNKNOWN' });
    return result(
      'OUTCOME_UNKNOWN',
      settled ?? { ...modelFrom(summary), ...ledgerFields(submission) },
      errors,
      ctx.local,
    );
  };
  let answer;
  try {
    answer = await ctx.ecoc.submit(ctx.xml, submission.iviReferanse, ctx.command.taxClassification ?? undefined);
  } catch (e) {
    if (isUpstreamError(e) && e.details.mayHaveReachedUpstream) return unknown(e.details.status);
    // Nothing reached SVV (no connection, open breaker, no token): the submission did not happen.
    await ledger.ledger.release(submission.id).catch(() => undefined);
    throw e;
  }
  const body = answer.body;
  const svvErrors = svvIssues(body?.feilmeldinger);
  // Only SVV's own answer settles it (docs/upstreams.md §11): a 500 without errors named, or a body that is not
  // SVV's (a proxy's page), says nothing about whether the vehicle was created.
  const settles =
    body !== undefined &&
    (answer.status === 200 ||
      answer.status === 400 ||
      answer.status === 422 ||
      (answer.status === 500 && svvErrors.length > 0));
  if (!settles) return unknown(answer.status);
  const warnings = mergeIssues(ctx.local, svvIssues(body.varsler));
  const status = answer.status === 200 ? 'ACCEPTED' : 'REJECTED';
  const errors =
    status === 'ACCEPTED'
      ? []
      : svvErrors.length
        ? svvErrors
        : [issue(`ECOC-${answer.status}`, 'Statens vegvesen avviste meldingen uten å oppgi feil', 'SVV')];
  const fromSvv = preRegistrationFrom(body, summary);
  const settled = await settleQuietly(ledger, submission.id, {
    status,
    event: 'ANSWERED',
    svvReceivedAt: fromSvv.receivedAt,
    svvStatus: answer.status,
    svvMessage: fromSvv.message,
    errors,
    warnings,
  });
  ledger.metrics.preRegistrations.inc({ outcome: status });
  return result(status, settled ?? fromSvv, errors, warnings);
}

/**
 * SVV's answer goes to the caller even when the ledger cannot store it; the row then stays PENDING and becomes
 * OUTCOME_UNKNOWN after the pending timeout, which `reconcilePreRegistration` settles.
 */
async function settleQuietly(
  ledger: LedgerSession,
  id: string,
  outcome: Parameters<LedgerSession['ledger']['settle']>[1],
): Promise<PreRegistrationModel | undefined> {
  try {
    const settled = await ledger.ledger.settle(id, outcome);
    return settled ? modelOf(settled) : undefined;
  } catch {
    return undefined;
  }
}

function replay(ledger: LedgerSession, earlier: Submission, fingerprint: string): PreRegisterResult {
  if (earlier.documentSha256 !== fingerprint) {
    throw badUserInput('input.idempotencyKey', 'this idempotencyKey was already used for a different submission');
  }
  ledger.metrics.preRegistrations.inc({ outcome: 'REPLAYED' });
  return { ...result(earlier.status, modelOf(earlier), earlier.errors, earlier.warnings), replayed: true };
}

/** What the caller asked to send: the document (decoded, so raw and base64 agree) or the structured fields. */
function fingerprintOf(command: PreRegisterCommand, decodedXml: string | null): string {
  const asked = {
    iviXml: decodedXml,
    ecoc: command.ecoc ?? null,
    iviReferanse: command.iviReferanse ?? null,
    taxClassification: command.taxClassification ?? null,
  };
  return createHash('sha256').update(JSON.stringify(asked)).digest('hex');
}

/** Why the ledger refused a second submission; another sender's submission is described no further than SVV would. */
function conflictIssue(
  on: 'vin' | 'iviReferanse' | 'idempotencyKey',
  located: Pick<IviDocument, 'paths' | 'cocPath'>,
  holder: { sender: string; status: LedgerStatus } | undefined,
  sender: string,
): IviIssue {
  const duplicate = duplicateIssue(on === 'iviReferanse' ? 'iviReferanse' : 'vin', located);
  if (!holder || holder.sender !== sender || holder.status === 'ACCEPTED') return duplicate;
  if (holder.status === 'PENDING') {
    return {
      ...duplicate,
      code: 'ECOC-IN-PROGRESS',
      message: 'En innsending med samme understellsnummer eller IVI-referanse pågår allerede: vent på utfallet',
    };
  }
  if (holder.status === 'WITHDRAWING') {
    return {
      ...duplicate,
      code: 'ECOC-IN-PROGRESS',
      message:
        'En tidligere innsending med samme understellsnummer eller IVI-referanse trekkes tilbake: vent på utfallet',
    };
  }
  return {
    ...duplicate,
    code: 'ECOC-OUTCOME-UNKNOWN',
    message:
      'Utfallet av en tidligere innsending er ukjent: avklar den (reconcilePreRegistration) eller trekk den tilbake før ny innsending',
  };
}

/** The issue of a submission that may have reached SVV without an answer (also set by the ledger's sweeper). */
export function outcomeUnknownIssue(): IviIssue {
  return issue(
    'ECOC-OUTCOME-UNKNOWN',
    'Svar fra Statens vegvesen uteble eller kunne ikke leses. Meldingen kan være mottatt: avklar den med reconcilePreRegistration, eller trekk den tilbake, før ny innsending',
  );
}

function invalid(ledger: LedgerSession, errors: IviIssue[], iviReferanse: string | undefined): PreRegisterResult {
  ledger.metrics.preRegistrations.inc({ outcome: 'INVALID' });
  return result('REJECTED', iviReferanse ? modelFrom({ iviReferanse }) : null, errors, []);
}

function result(
  status: PreRegistrationStatus,
  preRegistration: PreRegistrationModel | null,
  errors: IviIssue[],
  warnings: IviIssue[],
): PreRegisterResult {
  return { status, preRegistration, errors, warnings, replayed: false };
}

function modelFrom(summary: { iviReferanse: string; understellsnummer?: string; make?: string }): PreRegistrationModel {
  return {
    iviReferanse: summary.iviReferanse,
    understellsnummer: summary.understellsnummer ?? null,
    make: summary.make ?? null,
    receivedAt: null,
    message: null,
  };
}

function ledgerFields(s: Submission): Partial<PreRegistrationModel> {
  return {
    id: s.id,
    status: s.status,
    submittedAt: s.submittedAt,
    updatedAt: s.updatedAt,
    errors: s.errors,
    warnings: s.warnings,
  };
}

/** A ledger row as the GraphQL `PreRegistration`. */
export function modelOf(s: Submission): PreRegistrationModel {
  return {
    iviReferanse: s.iviReferanse,
    understellsnummer: s.vin,
    make: s.make,
    receivedAt: s.svvReceivedAt,
    message: s.svvMessage,
    ...ledgerFields(s),
  };
}

function issue(code: string, message: string, source: IviIssue['source'] = 'LOCAL'): IviIssue {
  return { field: 'iviXml', path: '/iviXml', code, message, source };
}
