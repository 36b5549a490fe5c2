/**
 * Hostile documents through the real pipeline (decode → parse): each is refused with the right code, nothing
 * throws, nothing is read from disk, Object.prototype stays clean, and the work is bounded by structure limits.
 * How fast heavy documents parse is a benchmark figure (`npm run bench`: ivi, hostile), not a test.
 */
import { IVI_STRUCTURE_LIMITS, parseIvi, type IviIssue } from '../../../src/ivi';
import { HOSTILE_IVI_CASES as cases, XXE, b64, pipeline, root } from '../../fixtures/ivi-attacks';

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
