import { z } from 'zod';
import type { UpstreamRequester } from '../fairness';
import type { EcocStatusResponseDto, TaxClassification } from './dto';

const BASE = '/meldingompreregistrering/v1';

export interface EcocAnswer {
  /** 200 accepted, 400 invalid request, 422 rejected, 500 failed (SVV's statuses); others are thrown. */
  status: number;
  /** SVV's `EcocStatusResponse`; undefined when the body is not one (a proxy's HTML page, another JSON, none). */
  body: EcocStatusResponseDto | undefined;
}

const part = z.looseObject({}).nullish();
const list = z.array(z.unknown()).nullish();
/**
 * What makes a body SVV's `EcocStatusResponse` (docs/upstreams.md §11): an object with the [C] `melding` or
 * `iviIdentifikator`. Everything inside is read tolerantly later (mapping.ts); unknown fields are kept.
 */
const EcocStatusResponseSchema = z
  .looseObject({
    datoTid: z.string().nullish(),
    iviIdentifikator: part,
    melding: part,
    feilmeldinger: list,
    varsler: list,
  })
  .refine((body) => body.melding != null || body.iviIdentifikator != null);

function svvAnswer(data: unknown): EcocStatusResponseDto | undefined {
  const parsed = EcocStatusResponseSchema.safeParse(data);
  return parsed.success ? (parsed.data as EcocStatusResponseDto) : undefined;
}

/**
 * SVV eCoC pre-registration for one GraphQL request. The submission is never retried once its body may have been
 * sent (the UpstreamClient treats non-idempotent requests that way); the caller turns that into OUTCOME_UNKNOWN.
 */
export class EcocDataSource {
  upstreamCalls = 0;

  constructor(private readonly client: UpstreamRequester) {}

  async submit(iviXml: string, iviReferanse: string, tax?: TaxClassification): Promise<EcocAnswer> {
    this.upstreamCalls++;
    const body: Record<string, unknown> = {
      ivi: { iviDokument: Buffer.from(iviXml, 'utf8').toString('base64'), iviReferanse },
    };
    const avgiftsklassifisering = taxBody(tax);
    if (avgiftsklassifisering) body.avgiftsklassifisering = avgiftsklassifisering;
    const response = await this.client.request<EcocStatusResponseDto>({
      method: 'POST',
      path: `${BASE}/opprette`,
      data: body,
      route: 'ecoc/opprette',
      idempotent: false,
      acceptStatus: (status) => status === 400 || status === 422 || status === 500,
    });
    return { status: response.status, body: svvAnswer(response.data) };
  }

  async withdraw(by: { iviReferanse: string } | { understellsnummer: string }): Promise<EcocAnswer> {
    this.upstreamCalls++;
    const path =
      'iviReferanse' in by
        ? `${BASE}/slette/ivireferanse/${encodeURIComponent(by.iviReferanse)}`
        : `${BASE}/slette/understellsnummer/${encodeURIComponent(by.understellsnummer)}`;
    const response = await this.client.request<EcocStatusResponseDto>({
      method: 'DELETE',
      path,
      route: 'ecoc/slette',
      // Never repeated once it may have been sent: a repeat, or the lost first, could land after the reference was
      // submitted again and delete the newer submission. The ledger's claim decides when another may go.
      idempotent: false,
      acceptStatus: (status) => status === 400 || status === 404 || status === 422,
    });
    return { status: response.status, body: svvAnswer(response.data) };
  }
}

/** SVV takes these as strings (EASY sends "0"); absent values are left out. */
function taxBody(tax: TaxClassification | undefined): Record<string, string> | undefined {
  if (!tax) return undefined;
  const out: Record<string, string> = {};
  if (tax.avgiftsKode != null) out.avgiftsKode = String(tax.avgiftsKode);
  if (tax.seatsNorwegianApproval != null) out.sitteplasserNorskGodkjenning = String(tax.seatsNorwegianApproval);
  if (tax.berthsMotorhome != null) out.sengeplasserCampingbil = String(tax.berthsMotorhome);
  return Object.keys(out).length ? out : undefined;
}
