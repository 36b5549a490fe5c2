import type { QueryResolvers } from '../__generated__/resolvers-types';
import {
  decodeCursor,
  requireExactlyOne,
  requireKjennemerke,
  requireKuid,
  requirePageSize,
  requireUnderstellsnummer,
} from '../domain/arguments';
import { listPreRegistrations } from '../datasources/ecoc/submissions';
import { badUserInput } from '../errors';

/**
 * Resolves each item to its value or to its Error: graphql-js turns an Error list item into `null` plus an error at
 * that index, so one failed vehicle does not fail the list. The cast is only for the generated resolver type.
 */
function settleEach<T>(promises: Promise<T>[]): Promise<T[]> {
  return Promise.all(
    promises.map((p) => p.catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))) as unknown as T)),
  );
}

export const Query: QueryResolvers = {
  vehicle: (_parent, args, { fiks }) => {
    const which = requireExactlyOne(args, ['kjennemerke', 'kuid', 'understellsnummer'] as const);
    const at = args.at ?? undefined;
    if (which === 'kjennemerke') return fiks.vehicleByKjennemerke(requireKjennemerke(args.kjennemerke), at);
    if (which === 'kuid') return fiks.vehicleByKuid(requireKuid(args.kuid), at);
    return fiks.vehicleByUnderstellsnummer(requireUnderstellsnummer(args.understellsnummer), at);
  },

  vehicles: async (_parent, args, { fiks }) => {
    const which = requireExactlyOne(args, ['kjennemerker', 'kuids'] as const);
    const at = args.at ?? undefined;
    // Validate every id before the first load, so a bad one costs no upstream call.
    if (which === 'kjennemerker') {
      const plates = (args.kjennemerker ?? []).map((p, i) => requireKjennemerke(p, `kjennemerker[${i}]`));
      return settleEach(plates.map((p) => fiks.vehicleByKjennemerke(p, at)));
    }
    const kuids = (args.kuids ?? []).map((k, i) => requireKuid(k, `kuids[${i}]`));
    return settleEach(kuids.map((k) => fiks.vehicleByKuid(k, at)));
  },

  vehiclesByOwnerName: (_parent, args, { fiks, config }) => {
    const name = args.name.trim();
    if (name.length < 2 || name.length > 100) throw badUserInput('name', 'must be 2–100 characters');
    if (args.postnummer != null && !/^\d{4}$/.test(args.postnummer)) {
      throw badUserInput('postnummer', 'a postnummer is 4 digits');
    }
    const limit = requirePageSize(args.first, config.fiks.searchPageMax);
    const offset = decodeCursor(args.after);
    return fiks.searchByOwnerName(
      {
        name,
        postnummer: args.postnummer ?? undefined,
        birthDate: args.birthDate ?? undefined,
        personsOnly: args.personsOnly ?? undefined,
      },
      offset,
      limit,
    );
  },

  preRegistrations: (_parent, args, { ledger }) => listPreRegistrations(args, { ledger }),
};
