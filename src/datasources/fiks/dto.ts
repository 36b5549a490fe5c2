/**
 * Fiks / SVV vehicle DTOs (docs/upstreams.md §3, §5). Everything is
 * optional and unknown fields are tolerated: SVV adds fields and codes without notice. Only mapping.ts reads these.
 */
export interface KodeverkDto {
  kodeVerdi?: string;
  kodeNavn?: string;
  kodeBeskrivelse?: string;
  kodeTypeId?: string;
  tidligereKodeVerdi?: string[];
}

export interface AdresseDto {
  adresselinje1?: string;
  adresselinje2?: string;
  adresselinje3?: string;
  postnummer?: string;
  poststed?: string;
  kommunenummer?: string;
  kommunenavn?: string;
  land?: string;
  landkode?: string;
}

export interface PersonEnhetDto {
  person?: { fornavn?: string; mellomnavn?: string; etternavn?: string; fodselsdato?: string; fodselsnummer?: string };
  enhet?: { organisasjonsnummer?: string; organisasjonsnavn?: string };
  adresse?: AdresseDto;
  fomTidspunkt?: string;
  tilTidspunkt?: string;
  erUverifisert?: boolean;
}

export interface KjennemerkeDto {
  kjennemerke?: string;
  kjennemerkekategori?: string;
  kjennemerketype?: KodeverkDto;
  fomTidspunkt?: string;
  tilTidspunkt?: string;
}

/** Deliberately loose below `tekniskeData`: the tree is large and only a few leaves are mapped. */
export interface KjoretoyDto {
  kjoretoyId?: { kjennemerke?: string; understellsnummer?: string; kuid?: string };
  forstegangsregistrering?: { registrertForstegangNorgeDato?: string };
  kjennemerke?: KjennemerkeDto[];
  registrering?: {
    registreringsstatus?: KodeverkDto;
    kjoringensArt?: KodeverkDto;
    fomTidspunkt?: string;
    tilTidspunkt?: string;
    registrertForstegangPaEierskap?: string;
    avregistrertSidenDato?: string;
  };
  godkjenning?: {
    tekniskGodkjenning?: {
      kjoretoyklassifisering?: {
        beskrivelse?: string;
        tekniskKode?: KodeverkDto | string;
        kjoretoyAvgiftsKode?: KodeverkDto | string;
      };
      tekniskeData?: Record<string, unknown>;
    };
  };
  periodiskKjoretoyKontroll?: { kontrollfrist?: string; sistGodkjent?: string };
  eierskap?: {
    eier?: PersonEnhetDto;
    medeier?: PersonEnhetDto;
    leasingtaker?: PersonEnhetDto;
    vedtakstidspunkt?: string;
  };
}

/** Candidate A item (SVV kjoretoyoppslag): echoes the request. */
export interface BulkItemA {
  request?: { kjennemerke?: string; kuid?: string; understellsnummer?: string; dtg?: string };
  kjoretoydata?: KjoretoyDto;
  kjoretoydataListe?: { kjoretoydata?: KjoretoyDto; feilmelding?: string }[];
  feilmelding?: string;
}

/** Candidate B item (v2 KjoretoyResponse): no echo, errors as `responskoder`. */
export interface BulkItemB {
  kjoretoy?: KjoretoyDto;
  responskoder?: { kode?: string; beskrivelse?: string }[];
  eksternReferanseId?: string;
}

export type BulkItem = BulkItemA & BulkItemB;

export interface KjoretoysokResponseDto {
  antallTreffTotalt?: number;
  antallITreffliste?: number;
  responskoder?: { kode?: string; beskrivelse?: string }[];
  kjoretoyresponser?: BulkItemB[];
}
