/** Applies the rule table (rules.ts) to a parsed document: the subgraph's local pre-check. Pure and synchronous. */
import { IVI_RULES, type IviRule, type IviRuleContext } from './rules';
import { COC_PATH_1X, type IviDocument, type IviIssue, type IviIssueInput } from './types';

export interface ValidateIviContext {
  /** The request's iviReferanse; Header/IVIReferenceId must equal it. */
  iviReferanse: string;
  /** avgiftsklassifisering.avgiftsKode, when sent. */
  avgiftsKode?: string | null;
  /** YYYY-MM-DD; default today in Europe/Oslo. */
  today?: string;
  /** Issues found elsewhere (e.g. a duplicate check); sorted by code (IVI-W-* = warning), source defaults to LOCAL. */
  extraIssues?: readonly IviIssueInput[];
}

export interface IviValidation {
  errors: IviIssue[];
  warnings: IviIssue[];
}

export function validateIvi(doc: IviDocument, ctx: ValidateIviContext): IviValidation {
  const ruleCtx: IviRuleContext = {
    iviReferanse: typeof ctx.iviReferanse === 'string' ? ctx.iviReferanse : '',
    avgiftsKode: ctx.avgiftsKode?.trim() || undefined,
    today: ctx.today && /^\d{4}-\d{2}-\d{2}$/.test(ctx.today) ? ctx.today : osloToday(),
  };
  const errors: IviIssue[] = [];
  const warnings: IviIssue[] = [];
  for (const rule of IVI_RULES) {
    if (rule.check(doc, ruleCtx)) continue;
    (rule.severity === 'error' ? errors : warnings).push(issueFor(rule, doc));
  }
  for (const extra of ctx.extraIssues ?? []) {
    const issue: IviIssue = { ...extra, source: extra.source ?? 'LOCAL' };
    (isWarningCode(issue.code) ? warnings : errors).push(issue);
  }
  return { errors, warnings };
}

/** Point at the element as the document spells it (1.x name or 2.0 alias); else at the canonical location. */
function issueFor(rule: IviRule, doc: IviDocument): IviIssue {
  const located = rule.key === undefined ? undefined : doc.paths[rule.key];
  const path = located ?? rebase(rule.path, doc.cocPath);
  const field = located === undefined ? rule.field : located.slice(located.lastIndexOf('/') + 1);
  const issue: IviIssue = { field, path, code: rule.code, message: rule.message, source: 'LOCAL' };
  if (rule.cocItem !== undefined) issue.cocItem = rule.cocItem;
  return issue;
}

function rebase(path: string, cocPath: string): string {
  return cocPath !== COC_PATH_1X && path.startsWith(`${COC_PATH_1X}/`)
    ? cocPath + path.slice(COC_PATH_1X.length)
    : path;
}

export function isWarningCode(code: string): boolean {
  return /-W-/.test(code);
}

const OSLO_DATE = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/Oslo',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** Today's calendar date in Norway (SVV's "in the future" is Norwegian local time). */
export function osloToday(now: Date = new Date()): string {
  const parts = Object.fromEntries(OSLO_DATE.formatToParts(now).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}`;
}
