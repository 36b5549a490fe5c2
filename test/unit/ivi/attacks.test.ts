/**
 * Hostile documents through the real pipeline (decode → parse): each is refused with the right code, nothing
 * throws, nothing is read from disk, Object.prototype stays clean, and the work is bounded by structure limits.
 * How fast heavy documents parse is a benchmark figure (`npm run bench`: ivi, hostile), not a test.
 */
import { IVI_STRUCTURE_LIMITS, decodeIviDocument, parseIvi, type IviIssue } from '../../../src/ivi';

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
  ['5,000-deep nesting', DEEP, 'XML-TOO-COMPLEX'],
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
  ['root in a foreign namespace', '<x:InitialVehicleInformation xmlns:x="urn:evil"/>', 'XML-ROOT'],
  ['root in a foreign default namespace', '<InitialVehicleInformation xmlns="urn:evil"/>', 'XML-ROOT'],
  [
    'a NUL character reference (&#0;)',
    root('<Header><IVIReferenceId>a&#0;b</IVIReferenceId></Header>'),
    'XML-MALFORMED',
  ],
  [
    'a control character reference (&#x1F;)',
    root('<Body><CocDataGroup><Type>&#x1F;</Type></CocDataGroup></Body>'),
    'XML-MALFORMED',
  ],
  ['an unbound namespace prefix', root('<x:Header/>'), 'XML-MALFORMED'],
  ['a duplicate attribute', '<InitialVehicleInformation a="1" a="2"/>', 'XML-MALFORMED'],
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

describe('heavy documents: bounded by structure, not only by bytes', () => {
  it(`${IVI_STRUCTURE_LIMITS.maxDepth} levels pass; one more is XML-TOO-COMPLEX, naming the limit`, () => {
    // The root is level 1.
    const at = (n: number) => root(`${'<a>'.repeat(n - 1)}x${'</a>'.repeat(n - 1)}`);
    expect(pipeline(at(IVI_STRUCTURE_LIMITS.maxDepth))).toBe('ok');
    expect(pipeline(at(IVI_STRUCTURE_LIMITS.maxDepth + 1))).toMatchObject({
      code: 'XML-TOO-COMPLEX',
      message: expect.stringContaining(`maks ${IVI_STRUCTURE_LIMITS.maxDepth}`),
    });
  });
  it.each([
    ['identical empty elements', () => '<e/>', 'elementer'],
    ['distinct empty elements', (i: number) => `<e${i.toString(36)}/>`, 'ulike'],
  ])('many %s are refused before the tree is built', (_label, element, what) => {
    const doc = root(Array.from({ length: 255_000 }, (_, i) => element(i)).join(''));
    expect(pipeline(doc)).toMatchObject({ code: 'XML-TOO-COMPLEX', message: expect.stringContaining(what) });
  });
  it('235,000 distinct attribute names are refused at the first limit', () => {
    const attributes = Array.from({ length: 235_000 }, (_, i) => `a${i.toString(36)}=""`).join(' ');
    expect(pipeline(root(`<Header ${attributes}/>`))).toMatchObject({
      code: 'XML-TOO-COMPLEX',
      message: expect.stringContaining('attributter på ett element'),
    });
  });
  it('100k character references in one element decode correctly', () => {
    const doc = root(`<Body><CocDataGroup><Type>${'&#65;'.repeat(100_000)}</Type></CocDataGroup></Body>`);
    const r = parseIvi(doc);
    expect(r.ok && r.value.type?.length).toBe(100_000);
  });
  it('comments full of CDATA and PI openers are plain comment text', () => {
    const doc = root(`<!--${'<![CDATA[<?'.repeat(100_000)}--><Type>a &amp; b</Type>`);
    expect(parseIvi(doc).ok).toBe(true);
  });
  it('"--" inside a comment is not well-formed XML', () => {
    expect(pipeline(root('<!-- a -- b --><Type>x</Type>'))).toMatchObject({ code: 'XML-MALFORMED' });
  });
});
