/**
 * Operation names come from the caller's document, so they are the caller's free text: a name may carry a
 * fødselsnummer (`Fnr27899844802`), and every new name would be a new metric series. Logs get the name when it looks
 * like a name; metrics get it only while the set of names seen stays small.
 */

/** GraphQL name syntax, and no longer than a label should be. */
const NAME = /^[_A-Za-z][_0-9A-Za-z]{0,63}$/;
/** Six digits or more, anywhere in the name: a fødselsnummer, a D-number, a phone or account number, an id. */
const MANY_DIGITS = /(?:\d\D*){6}/;

export const OPERATION_ANONYMOUS = 'anonymous';
export const OPERATION_REDACTED = 'redacted';
export const OPERATION_OTHER = 'other';

/** The operation name as it may appear in a log line. */
export function loggableOperationName(name: string | null | undefined): string {
  if (name === null || name === undefined || name === '') return OPERATION_ANONYMOUS;
  if (!NAME.test(name)) return OPERATION_OTHER;
  return MANY_DIGITS.test(name) ? OPERATION_REDACTED : name;
}

/** Distinct operation names that get a label of their own; later ones are counted as `other`. */
export const MAX_OPERATION_LABELS = 100;

/**
 * Bounds the `operation` label: the first `max` loggable names seen keep their own series, every later one shares
 * `other`. Real clients use a few dozen named operations; a caller inventing names cannot add more than `max`.
 */
export class OperationLabels {
  private readonly seen = new Set<string>([OPERATION_ANONYMOUS, OPERATION_REDACTED, OPERATION_OTHER]);

  constructor(private readonly max = MAX_OPERATION_LABELS) {}

  label(name: string | null | undefined): string {
    const loggable = loggableOperationName(name);
    if (this.seen.has(loggable)) return loggable;
    if (this.seen.size - 3 >= this.max) return OPERATION_OTHER;
    this.seen.add(loggable);
    return loggable;
  }
}
