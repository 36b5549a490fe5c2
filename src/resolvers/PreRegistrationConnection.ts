import type { PreRegistrationConnectionResolvers } from '../__generated__/resolvers-types';
import { encodeLedgerCursor } from '../datasources/ecoc/submissions';
import { modelOf } from '../datasources/ecoc/pre-register';

export const PreRegistrationConnection: PreRegistrationConnectionResolvers = {
  edges: (page) => page.submissions.map((s) => ({ cursor: encodeLedgerCursor(s.seq), node: modelOf(s) })),
  pageInfo: (page) => ({
    hasNextPage: page.hasNextPage,
    endCursor: page.submissions.length ? encodeLedgerCursor(page.submissions[page.submissions.length - 1].seq) : null,
  }),
};
