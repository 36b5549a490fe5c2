/**
 * The strict, bounded first pass over an IVI document, before the tree is built. saxes (a conforming XML 1.0
 * parser with namespaces) checks well-formedness (character references such as `&#0;`, undeclared entities,
 * duplicate attributes, unbound prefixes) and counts what makes parsing expensive: fast-xml-parser slows down faster
 * than linearly with the number of elements and distinct names, so a 2 MiB document of 250,000 distinct empty
 * elements took seconds. The scan stops at the first limit exceeded, so its own work is bounded by the limits.
 */
import { SaxesParser } from 'saxes';
import { IVI_ISSUE_CODES, IVI_ROOT, IVI_ROOT_NAMESPACES, IVI_STRUCTURE_LIMITS, type IviStructureLimits } from './types';

export type ScanResult =
  | { ok: true; elements: number; attributes: number; distinctNames: number; depth: number }
  | { ok: false; code: string; message: string };

/** Thrown from a saxes handler to stop the scan; carries the issue. */
class ScanStop extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function scanIviStructure(xml: string, overrides: Partial<IviStructureLimits> = {}): ScanResult {
  const limits = { ...IVI_STRUCTURE_LIMITS, ...overrides };
  const parser = new SaxesParser({ xmlns: true, position: true });
  const names = new Set<string>();
  let elements = 0;
  let attributes = 0;
  let attributesOnElement = 0;
  let depth = 0;
  let maxDepth = 0;
  const tooComplex = (what: string, max: number) =>
    new ScanStop(IVI_ISSUE_CODES.XML_TOO_COMPLEX, `IVI-dokumentet har for mange ${what} (maks ${max})`);
  const addName = (name: string) => {
    names.add(name);
    if (names.size > limits.maxDistinctNames)
      throw tooComplex('ulike element- og attributtnavn', limits.maxDistinctNames);
  };

  parser.on('opentagstart', (tag) => {
    if (++elements > limits.maxElements) throw tooComplex('elementer', limits.maxElements);
    if (++depth > limits.maxDepth) throw tooComplex('nivåer', limits.maxDepth);
    maxDepth = Math.max(maxDepth, depth);
    attributesOnElement = 0;
    addName(tag.name);
  });
  parser.on('attribute', (attribute) => {
    if (++attributesOnElement > limits.maxAttributesPerElement) {
      throw tooComplex('attributter på ett element', limits.maxAttributesPerElement);
    }
    if (++attributes > limits.maxAttributes) throw tooComplex('attributter', limits.maxAttributes);
    addName(attribute.name);
  });
  parser.on('opentag', (tag) => {
    if (elements === 1) checkRoot(tag.local, tag.uri);
    if (tag.isSelfClosing) depth--;
  });
  parser.on('closetag', (tag) => {
    if (!tag.isSelfClosing) depth--;
  });
  parser.on('error', (e) => {
    throw e;
  });

  try {
    parser.write(xml).close();
  } catch (e) {
    if (e instanceof ScanStop) return { ok: false, code: e.code, message: e.message };
    const where = `linje ${parser.line}, kolonne ${parser.column}`;
    return {
      ok: false,
      code: IVI_ISSUE_CODES.XML_MALFORMED,
      message: `IVI-dokumentet er ikke gyldig XML (${where}): ${reasonOf(e)}`,
    };
  }
  return { ok: true, elements, attributes, distinctNames: names.size, depth: maxDepth };
}

/**
 * IVI 1.x has no namespace; IVI 2.0 has one of the documented candidates (docs/upstreams.md §12). A root in any
 * other namespace is another vocabulary that happens to use the same local name, and SVV would refuse it.
 */
function checkRoot(local: string | undefined, uri: string | undefined): void {
  if (local !== IVI_ROOT) throw new ScanStop(IVI_ISSUE_CODES.XML_ROOT, `Rotelementet må være ${IVI_ROOT}`);
  if (!IVI_ROOT_NAMESPACES.includes(uri ?? '')) {
    throw new ScanStop(IVI_ISSUE_CODES.XML_ROOT, `Rotelementet ${IVI_ROOT} er i et navnerom som ikke er IVI`);
  }
}

/**
 * saxes says why in English, and some messages name what they found (`unmatched closing tag: X.`, `duplicate
 * attribute: X.`): keep only the part before the first colon, so no document content is repeated.
 */
function reasonOf(e: unknown): string {
  const text = e instanceof Error ? e.message : '';
  // saxes prefixes "line:column: "; what follows up to the next ":" or "." is the reason.
  const reason = text
    .replace(/^\d+:\d+:\s*/, '')
    .split(/[:.]/)[0]
    .replace(/\s+(?:to|of)\s.*$/, '')
    .replace(/[^\x20-\x7E]/g, '?')
    .trim();
  return reason.length > 0 && reason.length <= 80 ? reason : 'ugyldig oppbygning';
}
