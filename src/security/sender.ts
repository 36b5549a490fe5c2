import { forbidden } from '../errors';
import type { Caller } from './caller';

/** Every submission made in dev mode (no caller auth) belongs to this one sender. */
export const DEV_SENDER = 'dev-mode';

/** A sender is an organisation or client id: printable ASCII without spaces, never 11 digits in a row (a fnr). */
const SENDER = /^[\x21-\x7e]{1,128}$/;

/**
 * Who submitted a pre-registration, for the ledger: the verified caller token's `claim` (for example the importer's
 * organisation number; a dotted name reaches into an object claim, e.g. `consumer.ID`), or its client id
 * (`client_id`, `azp`, `sub`) when no claim is configured. A caller without one is refused, with no upstream call.
 */
export function senderResolver(claim: string | undefined): (caller: Caller) => string {
  const what = claim ? `the ${claim} claim` : 'a client id (client_id, azp or sub)';
  return (caller) => {
    if (caller.devMode) return DEV_SENDER;
    const value = claim ? claimValue(caller.claims ?? {}, claim) : caller.subject;
    const sender = typeof value === 'number' ? String(value) : value;
    if (typeof sender !== 'string' || !SENDER.test(sender) || /\d{11}/.test(sender)) {
      throw forbidden(
        `Pre-registrations need a sender: the token lacks ${what}, or it is not an organisation or client id`,
      );
    }
    return sender;
  };
}

function claimValue(claims: Record<string, unknown>, name: string): unknown {
  if (name in claims) return claims[name];
  let value: unknown = claims;
  for (const part of name.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}
