import type { MutationResolvers } from '../__generated__/resolvers-types';
import { requireExactlyOne, requireUnderstellsnummer } from '../domain/arguments';
import { IVI_REFERANSE_RULE, isValidIviReferanse } from '../domain/identifiers';
import { badUserInput } from '../errors';
import { preRegister } from '../datasources/ecoc/pre-register';
import { preRegistrationFrom, svvIssues } from '../datasources/ecoc/mapping';

export const Mutation: MutationResolvers = {
  preRegister: (_parent, { input }, { ecoc, ivi }) => preRegister(input, { ecoc, ivi }),

  withdrawPreRegistration: async (_parent, args, { ecoc }) => {
    const which = requireExactlyOne(args, ['iviReferanse', 'understellsnummer'] as const);
    let by: { iviReferanse: string } | { understellsnummer: string };
    if (which === 'iviReferanse') {
      if (!isValidIviReferanse(String(args.iviReferanse))) throw badUserInput('iviReferanse', IVI_REFERANSE_RULE);
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
