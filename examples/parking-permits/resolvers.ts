import { GraphQLError } from 'graphql';
import type { ParkingPermitRecord } from './permits';

/** The most permits one query may ask for: enough to show batching, small enough to stay an example. */
export const MAX_PERMITS_PER_PAGE = 200;

/**
 * Resolvers of the example subgraph. Entity fields return *references* only (`__typename` + key field); the gateway
 * collects them and asks the vehicle subgraph for all of them in one `_entities` request.
 */
export function parkingPermitResolvers(permits: readonly ParkingPermitRecord[]) {
  const byId = new Map(permits.map((p) => [p.id, p]));
  return {
    Query: {
      parkingPermits: (_: unknown, args: { first?: number | null; zone?: string | null }) => {
        const first = args.first ?? 30;
        if (!Number.isInteger(first) || first < 0 || first > MAX_PERMITS_PER_PAGE) {
          throw new GraphQLError(`"first" must be between 0 and ${MAX_PERMITS_PER_PAGE}`, {
            extensions: { code: 'BAD_USER_INPUT' },
          });
        }
        return permits.filter((p) => !args.zone || p.zone === args.zone).slice(0, first);
      },
      parkingPermit: (_: unknown, args: { id: string }) => byId.get(args.id) ?? null,
    },
    ParkingPermit: {
      vehicle: (permit: ParkingPermitRecord) => ({ __typename: 'Vehicle', kjennemerke: permit.kjennemerke }),
      holder: (permit: ParkingPermitRecord) =>
        permit.organisasjonsnummer
          ? { __typename: 'Organization', organisasjonsnummer: permit.organisasjonsnummer }
          : null,
    },
  };
}
