import { decodeIviDocument, parseIvi, DEFAULT_MAX_IVI_BYTES, type IviResult } from '../../../src/ivi';
import { IVI_FIXTURE_REFS, loadIviFixture } from '../../fixtures/ivi';

const xml = loadIviFixture('sample-1x');
const REF = IVI_FIXTURE_REFS['sample-1x'];

const utf16le = (s: string): Buffer => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(s, 'utf16le')]);
const utf16be = (s: string): Buffer => Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(s, 'utf16le').swap16()]);
const utf8bom = (s: string): Buffer => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(s, 'utf8')]);
const b64 = (b: Buffer | string): string => Buffer.from(b).toString('base64');

function expectOk(result: IviResult<string>): string {
  if (!result.ok) throw new Error(`expected ok, got ${JSON.stringify(result.issue)}`);
  return result.value;
}
function expectIssue(result: IviResult<string>, code: string): void {
  expect(result.ok).toBe(false);
  if (!result.ok) {
    expect(result.issue).toMatchObject({ code, field: 'iviXml', path: '/iviXml', source: 'LOCAL' });
    expect(result.issue.message).toEqual(expect.any(String));
  }
}
/** Decodes and parses; the document's values must survive whatever the transport encoding was. */
function decodeAndParse(input: string) {
  const parsed = parseIvi(expectOk(decodeIviDocument(input)));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issue));
  return parsed.value;
}

describe('decodeIviDocument: encodings', () => {
  const nonAscii = xml.replace('Mock One', 'Mock Én æøå ÆØÅ 🚗');
  const variants: Array<[string, string]> = [
    ['raw UTF-8 string', nonAscii],
    ['raw string with leading U+FEFF', `\uFEFF${nonAscii}`],
    ['raw string with whitespace before the BOM and declaration', `\n  \uFEFF${nonAscii}`],
    ['base64 of UTF-8', b64(nonAscii)],
    ['base64 of UTF-8 with BOM', b64(utf8bom(nonAscii))],
    ['base64 of UTF-16LE with BOM', b64(utf16le(nonAscii))],
    ['base64 of UTF-16BE with BOM', b64(utf16be(nonAscii))],
    ['base64 with MIME line breaks', b64(nonAscii).replace(/(.{76})/g, '$1\r\n')],
    [
      'base64 of UTF-8 that declares utf-16 (SVV accepts it)',
      b64(nonAscii.replace('encoding="utf-8"', 'encoding="utf-16"')),
    ],
    ['raw UTF-8 that declares utf-16', nonAscii.replace('encoding="utf-8"', 'encoding="utf-16"')],
  ];
  it.each(variants)('%s', (_label, input) => {
    const text = expectOk(decodeIviDocument(input));
    expect(text.startsWith('<?xml')).toBe(true);
    const doc = decodeAndParse(input);
    expect(doc.iviReferenceId).toBe(REF);
    expect(doc.vin).toBe('YS3TESTM1R0000001');
    expect(doc.commercialName).toBe('Mock Én æøå ÆØÅ 🚗');
    expect(doc.fuels[0].maximumNetPower).toBe('110.0');
  });

  it('UTF-16 without a BOM is refused as an encoding problem, not garbage', () => {
    expectIssue(decodeIviDocument(b64(Buffer.from(xml, 'utf16le'))), 'XML-ENCODING');
  });
  it('invalid UTF-8 is refused (fatal decoding, no U+FFFD)', () => {
    const bad = Buffer.concat([Buffer.from('<a>'), Buffer.from([0xc3, 0x28]), Buffer.from('</a>')]);
    expectIssue(decodeIviDocument(b64(bad)), 'XML-ENCODING');
  });
  it('UTF-16 with an odd number of bytes is refused', () => {
    expectIssue(decodeIviDocument(b64(Buffer.concat([utf16le('<a/>'), Buffer.from([0x41])]))), 'XML-ENCODING');
  });
  it('a raw string with an unpaired surrogate is refused', () => {
    expectIssue(decodeIviDocument('<a>\uD800</a>'), 'XML-ENCODING');
  });
});

describe('decodeIviDocument: base64 is strict', () => {
  it.each([
    ['wrong alphabet', '@@@@'],
    ['URL-safe alphabet', b64('<a>??></a>').replace(/\+/g, '-').replace(/\//g, '_')],
    ['missing padding', b64('<a/>x').replace(/=+$/, '')],
    ['padding in the middle', 'PGE=PGEvPGE+'],
    ['three padding characters', 'P==='],
    ['non-canonical final bits', 'PB=='],
    ['plain words', 'hello world'],
  ])('%s → XML-BASE64', (_label, input) => {
    expectIssue(decodeIviDocument(input), 'XML-BASE64');
  });
  it('the test data above really differs from valid base64', () => {
    expect(b64('<a>??></a>')).toMatch(/[+/]/);
    expect(Buffer.from('PA==', 'base64').toString()).toBe('<');
  });
  it('base64 of something that is not XML → XML-MALFORMED', () => {
    expectIssue(decodeIviDocument(b64('just text')), 'XML-MALFORMED');
  });
  it('empty input → XML-MALFORMED', () => {
    expectIssue(decodeIviDocument(''), 'XML-MALFORMED');
    expectIssue(decodeIviDocument('   \n'), 'XML-MALFORMED');
    expectIssue(decodeIviDocument(b64('   ')), 'XML-MALFORMED');
  });
  it('a non-string never throws', () => {
    expectIssue(decodeIviDocument(undefined as unknown as string), 'XML-MALFORMED');
    expectIssue(decodeIviDocument({ toString: () => '<a/>' } as unknown as string), 'XML-MALFORMED');
  });
});

describe('decodeIviDocument: size cap', () => {
  const big = (bytes: number): string => `<a>${'x'.repeat(bytes - 7)}</a>`;
  it('exactly 2 MiB passes, one byte more is refused (raw)', () => {
    expect(decodeIviDocument(big(DEFAULT_MAX_IVI_BYTES)).ok).toBe(true);
    expectIssue(decodeIviDocument(big(DEFAULT_MAX_IVI_BYTES + 1)), 'XML-TOO-LARGE');
  });
  it('counts UTF-8 bytes, not characters', () => {
    const s = `<a>${'æ'.repeat(600)}</a>`; // 607 characters, 1207 bytes
    expect(decodeIviDocument(s, { maxBytes: 1207 }).ok).toBe(true);
    expectIssue(decodeIviDocument(s, { maxBytes: 1000 }), 'XML-TOO-LARGE');
  });
  it('exactly 2 MiB passes, one byte more is refused (base64)', () => {
    expect(decodeIviDocument(b64(big(DEFAULT_MAX_IVI_BYTES))).ok).toBe(true);
    expectIssue(decodeIviDocument(b64(big(DEFAULT_MAX_IVI_BYTES + 1))), 'XML-TOO-LARGE');
  });
  it('a huge base64 input is refused from its length, without decoding', () => {
    const spy = jest.spyOn(Buffer, 'from');
    const huge = 'A'.repeat(64 * 1024 * 1024);
    expectIssue(decodeIviDocument(huge), 'XML-TOO-LARGE');
    expect(spy.mock.calls.some(([arg]) => arg === huge)).toBe(false);
    spy.mockRestore();
  });
  it('honours maxBytes', () => {
    expectIssue(decodeIviDocument(xml, { maxBytes: 100 }), 'XML-TOO-LARGE');
    expectIssue(decodeIviDocument(b64(xml), { maxBytes: 100 }), 'XML-TOO-LARGE');
  });
});

describe('decodeIviDocument: DTDs are refused', () => {
  it.each([
    ['DOCTYPE', '<!DOCTYPE InitialVehicleInformation><InitialVehicleInformation/>'],
    ['lower-case doctype', '<!doctype InitialVehicleInformation><InitialVehicleInformation/>'],
    ['whitespace after <!', '<!  \n DocType x><x/>'],
    ['after the declaration', '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>'],
    ['bare ENTITY', '<x><!ENTITY a "b"></x>'],
  ])('%s → XML-DOCTYPE (raw and base64, any encoding)', (_label, doc) => {
    expectIssue(decodeIviDocument(doc), 'XML-DOCTYPE');
    expectIssue(decodeIviDocument(b64(doc)), 'XML-DOCTYPE');
    expectIssue(decodeIviDocument(b64(utf16be(doc))), 'XML-DOCTYPE');
  });
});

describe('issue location', () => {
  it('points at the GraphQL input field that carried the document', () => {
    const r = decodeIviDocument('%%%');
    expect(r).toEqual({
      ok: false,
      issue: expect.objectContaining({ field: 'iviXml', path: '/iviXml', code: 'XML-BASE64' }),
    });
  });
});
