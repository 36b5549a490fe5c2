/**
 * The whole local check of a pre-registration document, as one pure function of plain data: decode (or build), parse,
 * settle the reference, validate. It runs in a worker thread (pool.ts), so its input and result are structured-clone
 * friendly and it never throws.
 */
import { randomUUID } from 'node:crypto';
import { isValidIviReferanse } from '../domain/identifiers';
import { buildIvi } from './build';
import { decodeIviDocument } from './decode';
import { parseIvi } from './parse';
import type { EcocInput, IviDocument, IviIssue } from './types';
import { validateIvi } from './validate';

export interface IviCheckInput {
  /** Raw XML or base64 of it; exactly one of `iviXml` and `ecoc`. */
  iviXml?: string;
  ecoc?: EcocInput;
  /** The request's iviReferanse, already checked (isValidIviReferanse). */
  iviReferanse?: string;
  avgiftsKode?: string;
  /** YYYY-MM-DD; default today in Norway. */
  today?: string;
}

export type IviCheckResult =
  | {
      ok: false;
      /** The document could not be read (decode or parse); nothing else was checked. */
      issue: IviIssue;
    }
  | {
      ok: true;
      /** The document as it would be sent. */
      xml: string;
      /** The reference to send: the request's, else the document's, else a new UUID. Undefined when malformed. */
      iviReferanse?: string;
      understellsnummer?: string;
      make?: string;
      /** Where the document keeps its reference and CocDataGroup (for issues found later). */
      located: Pick<IviDocument, 'paths' | 'cocPath'>;
      errors: IviIssue[];
      warnings: IviIssue[];
    };

export function checkIvi(input: IviCheckInput): IviCheckResult {
  let xml: string;
  let reference = input.iviReferanse;
  if (input.ecoc != null) {
    reference ??= randomUUID();
    xml = buildIvi(input.ecoc, reference);
  } else {
    const decoded = decodeIviDocument(input.iviXml ?? '');
    if (!decoded.ok) return decoded;
    xml = decoded.value;
  }
  const parsed = parseIvi(xml);
  if (!parsed.ok) return parsed;
  const doc = parsed.value;
  // A raw document carries its own reference; one is generated only when neither the input nor the document has one.
  reference ??= doc.iviReferenceId ?? randomUUID();
  const { errors, warnings } = validateIvi(doc, {
    iviReferanse: reference,
    avgiftsKode: input.avgiftsKode,
    today: input.today,
  });
  return {
    ok: true,
    xml,
    // A malformed reference (the rules report it) is not repeated back as if it named a pre-registration.
    iviReferanse: isValidIviReferanse(reference) ? reference : undefined,
    understellsnummer: doc.vin?.toUpperCase(),
    make: doc.make,
    located: { paths: doc.paths, cocPath: doc.cocPath },
    errors,
    warnings,
  };
}
