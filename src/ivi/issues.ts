/**
 * Issue plumbing between the local rules and SVV's answers: reading SVV's Valideringsmelding and merging the two
 * lists so a problem both sides found is shown once.
 */
import { IVI_RULES } from './rules';
import { COC_PATH_1X, IVI_ISSUE_CODES, IVI_ROOT, type IviDocument, type IviIssue, type IviIssueSource } from './types';

/**
 * SVV's error/warning shape is not public (docs/upstreams.md §11), so read it tolerantly: missing strings become
 * '' and the CoC item is filled in from the rule table when the field is one we know.
 */
export function fromSvvIssue(message: unknown, source: IviIssueSource = 'SVV'): IviIssue {
  const m = typeof message === 'object' && message !== null ? (message as Record<string, unknown>) : {};
  const str = (v: unknown): string => (typeof v === 'string' ? v : '');
  const issue: IviIssue = {
    field: str(m.felt),
    path: str(m.sti),
    code: str(m.kode),
    message: str(m.meldingstekst),
    source,
  };
  const cocItem = COC_ITEM_BY_FIELD.get(issue.field);
  if (cocItem !== undefined) issue.cocItem = cocItem;
  return issue;
}

const COC_ITEM_BY_FIELD: ReadonlyMap<string, string> = new Map(
  IVI_RULES.flatMap((r) => (r.cocItem === undefined ? [] : [[r.field, r.cocItem] as const])),
);

const keyOf = (i: IviIssue): string => `${i.code}\u0000${i.field}\u0000${i.path}`;

/**
 * One list from local and SVV issues: same code + field + path counts once, and SVV's copy wins (its source and
 * text; the local cocItem fills a gap). Local order first, then what only SVV reported.
 */
export function mergeIssues(local: readonly IviIssue[], svv: readonly IviIssue[]): IviIssue[] {
  const svvByKey = new Map<string, IviIssue>();
  for (const s of svv) if (!svvByKey.has(keyOf(s))) svvByKey.set(keyOf(s), s);
  const seen = new Set<string>();
  const merged: IviIssue[] = [];
  for (const l of local) {
    const key = keyOf(l);
    if (seen.has(key)) continue;
    seen.add(key);
    const s = svvByKey.get(key);
    merged.push(
      s === undefined ? l : s.cocItem === undefined && l.cocItem !== undefined ? { ...s, cocItem: l.cocItem } : s,
    );
  }
  for (const s of svv) {
    const key = keyOf(s);
    if (seen.has(key)) continue;
    seen.add(key);
    merged.push(s);
  }
  return merged;
}

/**
 * IVI-E-DUPLICATE for a VIN or IVI reference already pre-registered. Not a local rule (only the server knows); the
 * subgraph uses it for a second submission of a reference still in flight.
 */
export function duplicateIssue(kind: 'vin' | 'iviReferanse', doc?: IviDocument): IviIssue {
  if (kind === 'vin') {
    return {
      field: 'VehicleIdentificationNumber',
      path: doc?.paths.vin ?? `${doc?.cocPath ?? COC_PATH_1X}/VehicleIdentificationNumber`,
      cocItem: '0.10',
      code: IVI_ISSUE_CODES.DUPLICATE,
      message: 'Det finnes allerede en preregistrering med dette understellsnummeret',
      source: 'LOCAL',
    };
  }
  const path = doc?.paths.iviReferenceId ?? `/${IVI_ROOT}/Header/IVIReferenceId`;
  return {
    field: path.slice(path.lastIndexOf('/') + 1),
    path,
    code: IVI_ISSUE_CODES.DUPLICATE,
    message: 'Det finnes allerede en preregistrering med denne IVI-referansen',
    source: 'LOCAL',
  };
}
