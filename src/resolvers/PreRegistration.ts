import type { PreRegistrationResolvers } from '../__generated__/resolvers-types';
import { isValidVin } from '../domain/identifiers';

export const PreRegistration: PreRegistrationResolvers = {
  // Once SVV has created the vehicle it is in the register: look it up by VIN through the same loaders.
  vehicle: (preRegistration, _args, { fiks }) => {
    const vin = preRegistration.understellsnummer?.toUpperCase();
    return vin && isValidVin(vin) ? fiks.vehicleByUnderstellsnummer(vin) : null;
  },
  errors: (preRegistration) => preRegistration.errors ?? [],
  warnings: (preRegistration) => preRegistration.warnings ?? [],
  // One query for every submission in the response (per-request DataLoader).
  statusHistory: (preRegistration, _args, { ledger }) =>
    preRegistration.id ? ledger.history.load(preRegistration.id) : [],
};
