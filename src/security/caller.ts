/** Who is calling, as far as this subgraph can tell. Built per request by the context function. */
export interface Caller {
  /** True when a bearer token was verified (always false in dev mode). */
  authenticated: boolean;
  /** Dev mode: no caller auth configured, every scope is granted (refused in production). */
  devMode: boolean;
  scopes: ReadonlySet<string>;
  /** Subject of the verified token, for logs (never personal data: a client id). */
  subject?: string;
  /** Verified claims, for tenant resolution. */
  claims?: Record<string, unknown>;
}

export const DEV_CALLER: Caller = { authenticated: false, devMode: true, scopes: new Set() };
export const ANONYMOUS_CALLER: Caller = { authenticated: false, devMode: false, scopes: new Set() };

/** `@requiresScopes` semantics: OR over the outer list, AND within each inner list. */
export function hasScopes(caller: Caller, required: readonly (readonly string[])[]): boolean {
  if (caller.devMode) return true;
  return required.some((all) => all.every((scope) => caller.scopes.has(scope)));
}

/** The scopes this subgraph knows (documented in the README). */
export const SCOPES = {
  vehiclesRead: 'vehicles:read',
  ownersRead: 'owners:read',
  ownersFnr: 'owners:fnr',
  preRegistrationWrite: 'preregistration:write',
  /** Read-only: the caller's own submissions (`preRegistrations`), e.g. for a status dashboard that may not send. */
  preRegistrationRead: 'preregistration:read',
} as const;
