import type { MutationResolvers } from '../__generated__/resolvers-types';
import { requireExactlyOne, requireUnderstellsnummer } from '../domain/arguments';
import { badUserInput } from '../errors';
import { preRegister } from '../datasources/ecoc/pre-register';
import { preRegistrationFrom, svvIssues } from '../datasources/ecoc/mapping';

export const Mutation: MutationResolvers = {
  preRegister: (_parent, { input }, { ecoc }) => preRegister(input, ecoc),

  withdrawPreRegistration: async (_parent, args, { ecoc }) => {
    const which = requireExactlyOne(args, ['iviReferanse', 'understellsnummer'] as const);
    let by: { iviReferanse: string } | { understellsnummer: string };
    if (which === 'iviReferanse') {
      if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(String(args.iviReferanse))) {
        throw badUserInput('iviReferanse', 'an iviReferanse is 1–64 letters, digits, dots, hyphens or underscores');
      }
      by = { iviReferanse: String(args.iviReferanse) };
    } else {
      by = { understellsnummer: requireUnderstellsnummer(args.understellsnummer) };
    }
    const answer = await ecoc.withdraw(by);
    const summary = preRegistrationFrom(answer.body, {
      iviReferanse: 'iviReferanse' in by ? by.iviReferanse : '',
      understellsnummer: 'understellsnummer' in by ? by.understellsnummer : undefined,
    });
    const status = answer.status === 200 ? 'WITHDRAWN' : answer.status === 404 ? 'NOT_FOUND' : 'REJECTED';
    return {
      status,
      iviReferanse: summary.iviReferanse || null,
      understellsnummer: summary.understellsnummer,
      message: summary.message,
      errors: status === 'REJECTED' ? svvIssues(answer.body.feilmeldinger) : [],
    };
  },
};
