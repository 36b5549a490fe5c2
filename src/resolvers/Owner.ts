import type { OwnerResolvers } from '../__generated__/resolvers-types';

export const Owner: OwnerResolvers = {
  __resolveType: (owner) => owner.__typename,
};
