import type { MutationResolvers } from '../__generated__/resolvers-types';
import { preRegister } from '../datasources/ecoc/pre-register';
import { reconcilePreRegistration, withdrawPreRegistration } from '../datasources/ecoc/submissions';

export const Mutation: MutationResolvers = {
  preRegister: (_parent, { input }, { ecoc, ledger, ivi }) => preRegister(input, { ecoc, ledger, ivi }),
  withdrawPreRegistration: (_parent, args, { ecoc, ledger }) => withdrawPreRegistration(args, { ecoc, ledger }),
  reconcilePreRegistration: (_parent, args, { fiks, ledger }) => reconcilePreRegistration(args, { fiks, ledger }),
};
