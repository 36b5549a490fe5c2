/**
 * iviDokument / iviXml → XML text. Accepts raw XML or base64 of the document's bytes (docs/upstreams.md §11: SVV
 * documents base64, older texts a JSON string). Never throws: every failure is an IviIssue.
 */
import {
  DEFAULT_MAX_IVI_BYTES,
  IVI_ISSUE_CODES,
  IVI_XML_FIELD,
  IVI_XML_PATH,
  type IviDocumentOptions,
  type IviIssue,
  type IviResult,
} from './types';

/** Any DTD is refused: IVI never needs one, and it is the door for XXE and entity expansion (docs/upstreams.md §13). */
const DTD_MARKUP = /<!\s*(?:DOCTYPE|ENTITY)/i;
const BASE64 = /^[A-Za-z0-9+/]*$/;
const ASCII_WHITESPACE = /[\t\n\f\r ]+/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

// Reusable: non-streaming decode() calls are independent. fatal: invalid sequences fail instead of becoming U+FFFD.
// The default ignoreBOM:false makes each decoder drop its own BOM.
const UTF8 = new TextDecoder('utf-8', { fatal: true });
const UTF16LE = new TextDecoder('utf-16le', { fatal: true });
const UTF16BE = new TextDecoder('utf-16be', { fatal: true });

export function decodeIviDocument(input: string, opts: IviDocumentOptions = {}): IviResult<string> {
  const fail = issueFactory();
  try {
    const maxBytes = opts.maxBytes ?? DEFAULT_MAX_IVI_BYTES;
    if (typeof input !== 'string') return fail(IVI_ISSUE_CODES.XML_MALFORMED, 'IVI-dokumentet mangler');
    const trimmed = input.trimStart(); // JS trim also removes U+FEFF, so a leading BOM goes here
    if (trimmed === '') return fail(IVI_ISSUE_CODES.XML_MALFORMED, 'IVI-dokumentet er tomt');

    let text: string;
    const first = input[input.search(/[^\t\n\r ]/)];
    if (first === '<' || first === '\uFEFF') {
      // A string's UTF-8 size is at least its length in UTF-16 units, so the cheap check comes first.
      if (trimmed.length > maxBytes || Buffer.byteLength(trimmed, 'utf8') > maxBytes) return tooLarge(fail, maxBytes);
      if (LONE_SURROGATE.test(trimmed)) {
        return fail(IVI_ISSUE_CODES.XML_ENCODING, 'IVI-dokumentet inneholder ugyldige Unicode-tegn');
      }
      text = trimmed;
    } else {
      const bytes = decodeBase64(trimmed, maxBytes);
      if (bytes === 'too-large') return tooLarge(fail, maxBytes);
      if (bytes === 'invalid')
        return fail(IVI_ISSUE_CODES.XML_BASE64, 'IVI-dokumentet er verken XML eller gyldig base64');
      const decoded = decodeBytes(bytes);
      if (decoded === undefined) {
        return fail(
          IVI_ISSUE_CODES.XML_ENCODING,
          'IVI-dokumentet har ugyldig tegnkoding (forventet UTF-8, eller UTF-16 med byte order mark)',
        );
      }
      text = decoded.trimStart();
      if (text === '') return fail(IVI_ISSUE_CODES.XML_MALFORMED, 'IVI-dokumentet er tomt');
    }

    // NUL is never legal XML; seeing it almost always means UTF-16 without a BOM read as UTF-8.
    if (text.includes('\u0000')) {
      return fail(IVI_ISSUE_CODES.XML_ENCODING, 'IVI-dokumentet inneholder NUL-tegn (UTF-16 uten byte order mark?)');
    }
    if (DTD_MARKUP.test(text)) return fail(IVI_ISSUE_CODES.XML_DOCTYPE, 'DOCTYPE/entiteter er ikke tillatt');
    if (!text.startsWith('<')) return fail(IVI_ISSUE_CODES.XML_MALFORMED, 'IVI-dokumentet er ikke XML');
    return { ok: true, value: text };
  } catch {
    // Defensive only: nothing above is expected to throw.
    return fail(IVI_ISSUE_CODES.XML_MALFORMED, 'IVI-dokumentet kunne ikke leses');
  }
}

/** True when the text contains DTD markup (<!DOCTYPE / <!ENTITY, any case, whitespace after "<!"). */
export function containsDtd(xml: string): boolean {
  return DTD_MARKUP.test(xml);
}

/**
 * Strict RFC 4648 base64: standard alphabet, length a multiple of 4, "=" only as 1–2 final padding characters,
 * unused bits zero. ASCII whitespace is dropped first, since MIME-style line wrapping is common and harmless.
 * The decoded size is computed from the length, so an oversized input is never decoded.
 */
function decodeBase64(input: string, maxBytes: number): Buffer | 'invalid' | 'too-large' {
  const maxEncoded = Math.ceil(maxBytes / 3) * 4;
  // Generous bound for line breaks; anything longer cannot be within the cap.
  if (input.length > maxEncoded * 2 + 1024) return 'too-large';
  const compact = input.replace(ASCII_WHITESPACE, '');
  if (compact.length === 0 || compact.length % 4 !== 0) return 'invalid';
  const padding = compact.endsWith('==') ? 2 : compact.endsWith('=') ? 1 : 0;
  const body = compact.slice(0, compact.length - padding);
  if (!BASE64.test(body)) return 'invalid';
  if ((compact.length / 4) * 3 - padding > maxBytes) return 'too-large';
  if (padding > 0) {
    // Canonical form: the bits after the last whole byte must be zero ("QQ==" not "QR==").
    const last = base64Value(body.charCodeAt(body.length - 1));
    if ((padding === 2 && (last & 0x0f) !== 0) || (padding === 1 && (last & 0x03) !== 0)) return 'invalid';
  }
  return Buffer.from(compact, 'base64');
}

function base64Value(c: number): number {
  if (c >= 65 && c <= 90) return c - 65; // A-Z
  if (c >= 97 && c <= 122) return c - 71; // a-z
  if (c >= 48 && c <= 57) return c + 4; // 0-9
  return c === 43 ? 62 : 63; // + /
}

/** BOM sniffing; the declared encoding= is ignored (SVV accepts UTF-8 that still says utf-16, docs/upstreams.md §11). */
function decodeBytes(bytes: Buffer): string | undefined {
  try {
    if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return UTF16LE.decode(bytes);
    if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return UTF16BE.decode(bytes);
    return UTF8.decode(bytes); // with or without EF BB BF
  } catch {
    return undefined;
  }
}

type Fail = (code: string, message: string) => { ok: false; issue: IviIssue };

function tooLarge(fail: Fail, maxBytes: number): { ok: false; issue: IviIssue } {
  return fail(IVI_ISSUE_CODES.XML_TOO_LARGE, `IVI-dokumentet er for stort (maks ${maxBytes} byte)`);
}

/** Document-level issues point at the input field that carried the XML. */
export function issueFactory(): Fail {
  return (code, message) => ({
    ok: false,
    issue: { field: IVI_XML_FIELD, path: IVI_XML_PATH, code, message, source: 'LOCAL' },
  });
}
