/** The GraphQL `PreRegistration` as the eCoC datasource produces it (SVV `EcocStatusResponse` fields, mapped). */
export interface PreRegistrationModel {
  iviReferanse: string;
  understellsnummer?: string | null;
  make?: string | null;
  receivedAt?: string | null;
  message?: string | null;
}
