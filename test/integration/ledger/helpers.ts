import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEV_AUDIENCE, DEV_ISSUER, generateDevKey, jwksOf, mintToken, type DevKey } from '../../../dev/mint-token';

/** GraphQL documents and caller tokens the ledger tests share. */

export const PRE_REGISTER = `mutation Submit($input: PreRegisterInput!) {
  preRegister(input: $input) {
    status replayed
    preRegistration { iviReferanse understellsnummer status submittedAt updatedAt receivedAt message }
    errors { field code source }
    warnings { code }
  }
}`;

export const WITHDRAW = `mutation Withdraw($ref: ID, $vin: String) {
  withdrawPreRegistration(iviReferanse: $ref, understellsnummer: $vin) {
    status iviReferanse understellsnummer message errors { code }
    preRegistration { status statusHistory { status event } }
  }
}`;

export const RECONCILE = `mutation Reconcile($ref: ID, $vin: String) {
  reconcilePreRegistration(iviReferanse: $ref, understellsnummer: $vin) {
    status foundInRegister
    preRegistration { iviReferanse status statusHistory { status event at } }
  }
}`;

export const LIST = `query Mine($status: PreRegistrationStatus, $first: Int, $after: String) {
  preRegistrations(status: $status, first: $first, after: $after) {
    totalCount
    edges { cursor node { iviReferanse understellsnummer status errors { code } statusHistory { status event } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

/** Concurrent withdrawals of one submission: exactly one WITHDRAWN, every other refused with ECOC-IN-PROGRESS. */
export function expectOneWithdrawn(answers: { data?: any; errors?: unknown }[]): void {
  expect(answers.map((a) => a.errors)).toEqual(answers.map(() => undefined));
  const payloads = answers.map((a) => a.data.withdrawPreRegistration);
  expect(payloads.filter((p) => p.status === 'WITHDRAWN')).toHaveLength(1);
  for (const p of payloads.filter((x) => x.status !== 'WITHDRAWN')) {
    expect(p).toMatchObject({ status: 'REJECTED', errors: [{ code: 'ECOC-IN-PROGRESS' }] });
  }
}

/** The claim that names the sender in these tests (LEDGER_SENDER_CLAIM), as an importer's organisation number. */
export const SENDER_CLAIM = 'org';

export interface Callers {
  /** `{ authorization: 'Bearer …' }` for a caller of organisation `org` with `scope`. */
  as(org: string, scope?: string): Promise<Record<string, string>>;
  /** AUTH_* and LEDGER_SENDER_CLAIM for a subgraph that verifies these tokens. */
  env: Record<string, string>;
  cleanup(): void;
}

export async function callers(): Promise<Callers> {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-auth-'));
  const key: DevKey = await generateDevKey();
  const jwksFile = join(dir, 'jwks.json');
  writeFileSync(jwksFile, JSON.stringify(jwksOf(key)));
  return {
    as: async (org, scope = 'preregistration:write vehicles:read') => ({
      authorization: `Bearer ${await mintToken(key, { scope, subject: `client-${org}`, claims: { [SENDER_CLAIM]: org } })}`,
    }),
    env: {
      AUTH_JWKS_FILE: jwksFile,
      AUTH_ISSUER: DEV_ISSUER,
      AUTH_AUDIENCE: DEV_AUDIENCE,
      LEDGER_SENDER_CLAIM: SENDER_CLAIM,
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
