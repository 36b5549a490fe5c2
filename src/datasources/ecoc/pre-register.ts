import { IVI_REFERANSE_RULE, isValidIviReferanse } from '../../domain/identifiers';
import { badUserInput, isUpstreamError } from '../../errors';
import { duplicateIssue, mergeIssues, type EcocInput, type IviIssue } from '../../ivi';
import type { IviChecker } from '../../ivi/pool';
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

/**
 * Submissions in flight in this process, by iviReferanse: a second identical call while the first is still on its
 * way is refused instead of sent (SVV's duplicate check covers other replicas).
 */
const inFlight = new Set<string>();

/**
 * The pre-registration flow: the local check (decode or build the IVI document, parse it safely, validate it) runs
 * in a worker thread; only then (not for a dry run, never with local errors) is the document submitted, once. Field
 * problems come back as data.
 */
export async function preRegister(
  command: PreRegisterCommand,
  { ecoc, ivi }: { ecoc: EcocDataSource; ivi: IviChecker },
): Promise<PreRegisterResult> {
  const hasXml = command.iviXml != null;
  const hasEcoc = command.ecoc != null;
  if (hasXml === hasEcoc) throw badUserInput('input', 'give exactly one of iviXml and ecoc');
  if (command.iviReferanse != null && !isValidIviReferanse(command.iviReferanse)) {
    throw badUserInput('input.iviReferanse', IVI_REFERANSE_RULE);
  }

  const checked = await ivi.check({
    iviXml: command.iviXml ?? undefined,
    ecoc: command.ecoc ?? undefined,
    iviReferanse: command.iviReferanse ?? undefined,
    avgiftsKode: command.taxClassification?.avgiftsKode ?? undefined,
  });
  if (!checked.ok) return rejected([checked.issue], command.iviReferanse ?? undefined);
  const { xml, iviReferanse, errors, warnings } = checked;
  const summary = { iviReferanse, understellsnummer: checked.understellsnummer, make: checked.make };
  if (errors.length > 0 || iviReferanse === undefined) {
    return { status: 'REJECTED', preRegistration: modelFrom(summary), errors, warnings };
  }
  if (command.dryRun) return { status: 'VALID', preRegistration: modelFrom(summary), errors: [], warnings };

  if (inFlight.has(iviReferanse)) {
    return {
      status: 'REJECTED',
      preRegistration: modelFrom(summary),
      errors: [duplicateIssue('iviReferanse', checked.located)],
      warnings,
    };
  }
  inFlight.add(iviReferanse);
  try {
    const answer = await ecoc.submit(xml, iviReferanse, command.taxClassification ?? undefined);
    const svvErrors = svvIssues(answer.body.feilmeldinger);
    const merged = mergeIssues(warnings, svvIssues(answer.body.varsler));
    const preRegistration = preRegistrationFrom(answer.body, { ...summary, iviReferanse });
    if (answer.status === 200) return { status: 'ACCEPTED', preRegistration, errors: [], warnings: merged };
    const svvOrGeneric = svvErrors.length
      ? svvErrors
      : [issue(`ECOC-${answer.status}`, 'Statens vegvesen avviste meldingen uten å oppgi feil', 'SVV')];
    return { status: 'REJECTED', preRegistration, errors: svvOrGeneric, warnings: merged };
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
        warnings,
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

/** null when there is no valid reference to name the pre-registration by. */
function modelFrom(summary: {
  iviReferanse?: string;
  understellsnummer?: string;
  make?: string;
}): PreRegistrationModel | null {
  if (summary.iviReferanse === undefined) return null;
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
