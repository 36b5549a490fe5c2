import { fromSvvIssue, type IviIssue } from '../../ivi';
import type { EcocStatusResponseDto, ValideringsmeldingDto } from './dto';
import type { PreRegistrationModel } from './model';

/** SVV's validation messages → issues marked as SVV's. The shape is [SYN], so missing parts get neutral values. */
export function svvIssues(list: ValideringsmeldingDto[] | undefined): IviIssue[] {
  return (Array.isArray(list) ? list : [])
    .map((m) => fromSvvIssue(m))
    .map((issue) => ({
      ...issue,
      field: issue.field || 'iviXml',
      code: issue.code || 'SVV',
      message: issue.message || 'Melding fra Statens vegvesen',
    }));
}

export function preRegistrationFrom(
  body: EcocStatusResponseDto,
  fallback: { iviReferanse: string; understellsnummer?: string; make?: string },
): PreRegistrationModel {
  const id = body.iviIdentifikator;
  return {
    iviReferanse: str(id?.iviReferanse) ?? fallback.iviReferanse,
    understellsnummer: str(id?.understellsnummerMerke?.understellsnummer) ?? fallback.understellsnummer ?? null,
    make: str(id?.understellsnummerMerke?.merke) ?? fallback.make ?? null,
    receivedAt: str(body.datoTid),
    message: str(body.melding?.meldingstekst),
  };
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}
