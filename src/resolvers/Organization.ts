import { GraphQLError } from 'graphql';
import type { OrganizationResolvers } from '../__generated__/resolvers-types';
import { decodeCursor, requireOrganisasjonsnummer, requirePageSize } from '../domain/arguments';

export const Organization: OrganizationResolvers = {
  // Only the number is known from a reference; `name` and the relation fields stay null. async: see Vehicle.
  __resolveReference: async (reference) => ({
    __typename: 'Organization',
    organisasjonsnummer: requireOrganisasjonsnummer(
      reference.organisasjonsnummer,
      'representations.organisasjonsnummer',
    ),
  }),

  vehicles: (organization, args, { fiks, config }) => {
    if (!config.fiks.orgSearchEnabled) {
      throw new GraphQLError('Vehicles by organisation are not enabled in this deployment', {
        extensions: { code: 'UPSTREAM_UNAVAILABLE', upstream: 'fiks' },
      });
    }
    const limit = requirePageSize(args.first, config.fiks.searchPageMax);
    return fiks.searchByOrganisasjonsnummer(organization.organisasjonsnummer, decodeCursor(args.after), limit);
  },
};
