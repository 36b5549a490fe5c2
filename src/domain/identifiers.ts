/**
 * Norwegian vehicle and party identifiers: normalise and validate. Written by hand: the mod-11 rules are a few lines
 * and the npm validators found do not cover kjennemerke or SVV's lenient VIN rules.
 * Rules: docs/upstreams.md §10.
 */

/** Trim, uppercase, drop spaces and hyphens. "ab 12345" and "AB-12345" both become "AB12345". */
export function normaliseKjennemerke(raw: string): string {
  return raw
    .trim()
    .toUpperCase()
    .replace(/[\s-]+/g, '');
}

const KJENNEMERKE = /^[A-ZÆØÅ0-9]{2,7}$/;
/** Ordinary plates: 2 letters + 4 or 5 digits. Everything else that passes KJENNEMERKE may be a personal plate. */
const ORDINARY_KJENNEMERKE = /^[A-Z]{2}\d{4,5}$/;

export function isValidKjennemerke(normalised: string): boolean {
  return KJENNEMERKE.test(normalised);
}

export function isOrdinaryKjennemerke(normalised: string): boolean {
  return ORDINARY_KJENNEMERKE.test(normalised);
}

/** SVV prints ordinary plates with a space ("CU 11306"). */
export function formatKjennemerkeSvv(normalised: string): string {
  return isOrdinaryKjennemerke(normalised) ? `${normalised.slice(0, 2)} ${normalised.slice(2)}` : normalised;
}

/** VIN as SVV accepts it: 1–19 alphanumerics after trim and uppercase. Non-ISO VINs are legal (old vehicles). */
export function normaliseVin(raw: string): string {
  return raw.trim().toUpperCase();
}
const VIN = /^[A-Z0-9]{1,19}$/;
export function isValidVin(normalised: string): boolean {
  return VIN.test(normalised);
}
/** ISO 3779 shape (17, no I/O/Q). Used by the eCoC rules, which are stricter than lookups. */
export const ISO_VIN = /^[A-HJ-NPR-Z0-9]{17}$/;

/** kuid is opaque to us; SVV's are digit strings. Bounded so it cannot be abused as a payload. */
const KUID = /^\d{1,20}$/;
export function normaliseKuid(raw: string): string {
  return raw.trim();
}
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
  if (!/^\d{9}$/.test(raw)) return false;
  return mod11(raw, ORGNR_WEIGHTS) === Number(raw[8]);
}
/** Appends the check digit to 8 digits, or null when no valid check digit exists. */
export function organisasjonsnummerFrom(first8: string): string | null {
  const k = mod11(first8, ORGNR_WEIGHTS);
  return k === null ? null : `${first8}${k}`;
}

const FNR_K1 = [3, 7, 6, 1, 8, 9, 4, 5, 2];
const FNR_K2 = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];
export function isValidFodselsnummer(raw: string): boolean {
  if (!/^\d{11}$/.test(raw)) return false;
  const k1 = mod11(raw, FNR_K1);
  if (k1 === null || k1 !== Number(raw[9])) return false;
  const k2 = mod11(raw, FNR_K2);
  return k2 !== null && k2 === Number(raw[10]);
}
/** Adds both check digits to DDMMYY + individual number (9 digits), or null when none exist for that number. */
export function fodselsnummerFrom(first9: string): string | null {
  const k1 = mod11(first9, FNR_K1);
  if (k1 === null) return null;
  const ten = `${first9}${k1}`;
  const k2 = mod11(ten, FNR_K2);
  return k2 === null ? null : `${ten}${k2}`;
}
/** Synthetic (Tenor-style) numbers have month + 80, so they can never be a real person's. */
export function isSyntheticFodselsnummer(fnr: string): boolean {
  const month = Number(fnr.slice(2, 4));
  return month >= 81 && month <= 92;
}

/** Strict ISO-8601 calendar date, YYYY-MM-DD, that exists. */
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
export function isValidIsoDate(value: string): boolean {
  const m = DATE.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/** Strict ISO-8601 date-time with seconds and an offset (Z or ±hh:mm), as Fiks's `dtg` wants. */
const DATE_TIME =
  /^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):([0-5]\d):([0-5]\d)(\.\d{1,9})?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/;
export function isValidIsoDateTime(value: string): boolean {
  const m = DATE_TIME.exec(value);
  return m !== null && isValidIsoDate(m[1]) && !Number.isNaN(Date.parse(value));
}
