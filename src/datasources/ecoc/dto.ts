/** SVV eCoC `EcocStatusResponse` (docs/upstreams.md §11; the error/warning item shape is [I], parsed tolerantly). */
export interface ValideringsmeldingDto {
  kode?: string;
  felt?: string;
  sti?: string;
  meldingstekst?: string;
}

export interface EcocStatusResponseDto {
  datoTid?: string;
  iviIdentifikator?: {
    iviReferanse?: string;
    understellsnummerMerke?: { understellsnummer?: string; merke?: string };
  };
  melding?: { meldingskode?: string; meldingstekst?: string };
  feilmeldinger?: ValideringsmeldingDto[];
  varsler?: ValideringsmeldingDto[];
  svvguid?: string;
}

export interface TaxClassification {
  avgiftsKode?: string | null;
  seatsNorwegianApproval?: number | null;
  berthsMotorhome?: number | null;
}
