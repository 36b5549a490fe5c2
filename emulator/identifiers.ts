/**
 * SVV's identifier rules as the emulator applies them when it answers as the upstream does: plates, VINs, kuid,
 * organisasjonsnummer and fødselsnummer (mod 11), and the `dtg` date-time. The subgraph validates the same
 * identifiers in `src/domain/identifiers.ts`; the emulator keeps its own copy on purpose, because it stands in for
 * the upstream and must not change when the subgraph's client-side checks do. docs/upstreams.md lists the rules.
 */

/** Trim, uppercase, drop spaces and hyphens. */
export function normaliseKjennemerke(raw: string): string {
  return raw
    .trim()
    .toUpperCase()
    .replace(/[\s-]+/g, '');
}
const KJENNEMERKE = /^[A-ZÆØÅ0-9]{2,7}$/;
const ORDINARY_KJENNEMERKE = /^[A-Z]{2}\d{4,5}$/;
export function isValidKjennemerke(normalised: string): boolean {
  return KJENNEMERKE.test(normalised);
}
/** SVV prints ordinary plates with a space ("CU 11306"). */
export function formatKjennemerkeSvv(normalised: string): string {
  return ORDINARY_KJENNEMERKE.test(normalised) ? `${normalised.slice(0, 2)} ${normalised.slice(2)}` : normalised;
}

export function normaliseVin(raw: string): string {
  return raw.trim().toUpperCase();
}
const VIN = /^[A-Z0-9]{1,19}$/;
export function isValidVin(normalised: string): boolean {
  return VIN.test(normalised);
}

export function normaliseKuid(raw: string): string {
  return raw.trim();
}
const KUID = /^\d{1,20}$/;
export function isValidKuid(normalised: string): boolean {
  return KUID.test(normalised);
}

function mod11(digits: string, weights: number[]): number | null {
  let sum = 0;
  for (let i = 0; i < weights.length; i++) sum += Number(digits[i]) * weights[i];
  const k = 11 - (sum % 11);
  if (k === 11) return 0;
  if (k === 10) return null;
  return k;
}
const ORGNR_WEIGHTS = [3, 2, 7, 6, 5, 4, 3, 2];
export function isValidOrganisasjonsnummer(raw: string): boolean {
  return /^\d{9}$/.test(raw) && mod11(raw, ORGNR_WEIGHTS) === Number(raw[8]);
}
/** Appends the check digit to 8 digits, or null when no valid check digit exists. */
export function organisasjonsnummerFrom(first8: string): string | null {
  const k = mod11(first8, ORGNR_WEIGHTS);
  return k === null ? null : `${first8}${k}`;
}
const FNR_K1 = [3, 7, 6, 1, 8, 9, 4, 5, 2];
const FNR_K2 = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];
/** Adds both check digits to DDMMYY + individual number (9 digits), or null when none exist for that number. */
export function fodselsnummerFrom(first9: string): string | null {
  const k1 = mod11(first9, FNR_K1);
  if (k1 === null) return null;
  const ten = `${first9}${k1}`;
  const k2 = mod11(ten, FNR_K2);
  return k2 === null ? null : `${ten}${k2}`;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
export function isValidIsoDate(value: string): boolean {
  const m = DATE.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}
const DATE_TIME =
  /^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):([0-5]\d):([0-5]\d)(\.\d{1,9})?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/;
export function isValidIsoDateTime(value: string): boolean {
  const m = DATE_TIME.exec(value);
  return m !== null && isValidIsoDate(m[1]) && !Number.isNaN(Date.parse(value));
}
