import { badUserInput } from '../errors';
import {
  isValidKjennemerke,
  isValidKuid,
  isValidOrganisasjonsnummer,
  isValidVin,
  normaliseKjennemerke,
  normaliseKuid,
  normaliseVin,
} from './identifiers';

/**
 * Argument checks shared by root fields and reference resolvers: each returns the normalised value or throws
 * BAD_USER_INPUT naming the argument, before any upstream call. Messages never echo the value.
 */
export function requireKjennemerke(raw: unknown, argument = 'kjennemerke'): string {
  const value = typeof raw === 'string' ? normaliseKjennemerke(raw) : '';
  if (!isValidKjennemerke(value)) {
    throw badUserInput(
      argument,
      'a kjennemerke is 2–7 letters (A–Z, Æ, Ø, Å) and digits; spaces and hyphens are ignored',
    );
  }
  return value;
}

export function requireKuid(raw: unknown, argument = 'kuid'): string {
  const value = typeof raw === 'string' || typeof raw === 'number' ? normaliseKuid(String(raw)) : '';
  if (!isValidKuid(value)) throw badUserInput(argument, 'a kuid is 1–20 digits');
  return value;
}

export function requireUnderstellsnummer(raw: unknown, argument = 'understellsnummer'): string {
  const value = typeof raw === 'string' ? normaliseVin(raw) : '';
  if (!isValidVin(value)) throw badUserInput(argument, 'an understellsnummer (VIN) is 1–19 letters and digits');
  return value;
}

export function requireOrganisasjonsnummer(raw: unknown, argument = 'organisasjonsnummer'): string {
  const value = typeof raw === 'string' || typeof raw === 'number' ? String(raw).trim() : '';
  if (!isValidOrganisasjonsnummer(value)) {
    throw badUserInput(argument, 'an organisasjonsnummer is 9 digits with a valid mod-11 check digit');
  }
  return value;
}

/** Exactly one of the named arguments must be given. Returns its name. */
export function requireExactlyOne<K extends string>(args: Partial<Record<K, unknown>>, names: readonly K[]): K {
  const given = names.filter((n) => args[n] !== undefined && args[n] !== null);
  if (given.length !== 1) {
    throw badUserInput(names.join('|'), `give exactly one of ${names.join(', ')}`);
  }
  return given[0];
}

/** Page size within [1, max]. */
export function requirePageSize(first: number | null | undefined, max: number, argument = 'first'): number {
  const value = first ?? 20;
  if (!Number.isInteger(value) || value < 1 || value > max)
    throw badUserInput(argument, `must be between 1 and ${max}`);
  return value;
}

/** Cursors are opaque to clients; inside they are the 0-based row index (Fiks's `fra` counts from 1). */
export function encodeCursor(offset: number): string {
  return Buffer.from(`o:${offset}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string | null | undefined, argument = 'after'): number {
  if (cursor === null || cursor === undefined) return 0;
  const m = /^o:(\d{1,7})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) throw badUserInput(argument, 'not a cursor from this API');
  return Number(m[1]) + 1;
}
