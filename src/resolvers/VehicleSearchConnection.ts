import type { VehicleSearchConnectionResolvers } from '../__generated__/resolvers-types';
import { encodeCursor } from '../domain/arguments';

export const VehicleSearchConnection: VehicleSearchConnectionResolvers = {
  edges: (page) => page.vehicles.map((node, i) => ({ cursor: encodeCursor(page.offset + i), node })),
  pageInfo: (page) => ({
    hasNextPage: page.offset + page.vehicles.length < page.totalCount,
    endCursor: page.vehicles.length ? encodeCursor(page.offset + page.vehicles.length - 1) : null,
  }),
};
