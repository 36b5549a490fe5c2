import { randomUUID } from 'node:crypto';
import { badUserInput, isUpstreamError } from '../../errors';
import {
  buildIvi,
  decodeIviDocument,
  duplicateIssue,
  mergeIssues,
  parseIvi,
  validateIvi,
  type EcocInput,
  type IviIssue,
} from '../../ivi';
import type { TaxClassification } from './dto';
import type { EcocDataSource } from './ecoc-datasource';
import { preRegistrationFrom, svvIssues } from './mapping';
import type { PreRegistrationModel } from './model';

export type PreRegistrationStatus = 'ACCEPTED' | 'REJECTED' | 'VALID' | 'OUTCOME_UNKNOWN';

export interface PreRegisterCommand {
  iviXml?: string | null;
  ecoc?: EcocInput | null;
  iviReferanse?: string | null;
  taxClassification?: TaxClassification | null;
  dryRun?: boolean | null;
}

export interface PreRegisterResult {
  status: PreRegistrationStatus;
  preRegistration: PreRegistrationModel | null;
  errors: IviIssue[];
  warnings: IviIssue[];
}

const IVI_REFERANSE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * Submissions in flight in this process, by iviReferanse: a second identical call while the first is still on its
 * way is refused instead of sent (SVV's duplicate check covers other replicas).
 */
const inFlight = new Set<string>();

/**
 * The pre-registration flow: decode or build the IVI document, parse it safely, validate it locally, and only then
 * (not for a dry run, never with local errors) submit it once. Field problems come back as data.
 */
export async function preRegister(command: PreRegisterCommand, ecoc: EcocDataSource): Promise<PreRegisterResult> {
  const hasXml = command.iviXml != null;
  const hasEcoc = command.ecoc != null;
  if (hasXml === hasEcoc) throw badUserInput('input', 'give exactly one of iviXml and ecoc');
  if (command.iviReferanse != null && !IVI_REFERANSE.test(command.iviReferanse)) {
    throw badUserInput('input.iviReferanse', 'an iviReferanse is 1–64 letters, digits, dots, hyphens or underscores');
  }

  let xml: string;
  let iviReferanse = command.iviReferanse ?? undefined;
  if (hasEcoc) {
    iviReferanse ??= randomUUID();
    xml = buildIvi(command.ecoc!, iviReferanse);
  } else {
    const decoded = decodeIviDocument(command.iviXml!);
    if (!decoded.ok) return rejected([decoded.issue], iviReferanse);
    xml = decoded.value;
  }
  const parsed = parseIvi(xml);
  if (!parsed.ok) return rejected([parsed.issue], iviReferanse);
  const doc = parsed.value;
  // A raw document carries its own reference; one is generated only when neither the input nor the document has one.
  iviReferanse ??= doc.iviReferenceId ?? randomUUID();

  const local = validateIvi(doc, { iviReferanse, avgiftsKode: command.taxClassification?.avgiftsKode ?? undefined });
  const summary = { iviReferanse, understellsnummer: doc.vin?.toUpperCase(), make: doc.make };
  if (local.errors.length > 0) {
    return { status: 'REJECTED', preRegistration: modelFrom(summary), errors: local.errors, warnings: local.warnings };
  }
  if (command.dryRun) {
    return { status: 'VALID', preRegistration: modelFrom(summary), errors: [], warnings: local.warnings };
  }

  if (inFlight.has(iviReferanse)) {
    return {
      status: 'REJECTED',
      preRegistration: modelFrom(summary),
      errors: [duplicateIssue('iviReferanse', doc)],
      warnings: local.warnings,
    };
  }
  inFlight.add(iviReferanse);
  try {
    const answer = await ecoc.submit(xml, iviReferanse, command.taxClassification ?? undefined);
    const svvErrors = svvIssues(answer.body.feilmeldinger);
    const warnings = mergeIssues(local.warnings, svvIssues(answer.body.varsler));
    const preRegistration = preRegistrationFrom(answer.body, summary);
    if (answer.status === 200) return { status: 'ACCEPTED', preRegistration, errors: [], warnings };
    const errors = svvErrors.length
      ? svvErrors
      : [issue(`ECOC-${answer.status}`, 'Statens vegvesen avviste meldingen uten å oppgi feil', 'SVV')];
    return { status: 'REJECTED', preRegistration, errors, warnings };
  } catch (e) {
    // The body may have reached SVV and no answer came: we cannot know, and must not resend.
    if (isUpstreamError(e) && e.details.mayHaveReachedUpstream) {
      return {
        status: 'OUTCOME_UNKNOWN',
        preRegistration: modelFrom(summary),
        errors: [
          issue(
            'ECOC-OUTCOME-UNKNOWN',
            'Svar fra Statens vegvesen uteble. Meldingen kan være mottatt: kontroller eller trekk den tilbake med iviReferanse før ny innsending',
          ),
        ],
        warnings: local.warnings,
      };
    }
    throw e;
  } finally {
    inFlight.delete(iviReferanse);
  }
}

function rejected(errors: IviIssue[], iviReferanse: string | undefined): PreRegisterResult {
  return {
    status: 'REJECTED',
    preRegistration: iviReferanse ? modelFrom({ iviReferanse }) : null,
    errors,
    warnings: [],
  };
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

function issue(code: string, message: string, source: IviIssue['source'] = 'LOCAL'): IviIssue {
  return { field: 'iviXml', path: '/iviXml', code, message, source };
}
