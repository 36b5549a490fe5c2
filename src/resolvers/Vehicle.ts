import type { VehicleResolvers } from '../__generated__/resolvers-types';
import { requireKjennemerke, requireKuid, requireUnderstellsnummer } from '../domain/arguments';

export const Vehicle: VehicleResolvers = {
  // Every key goes through the per-request loaders, so N representations cost ceil(N / batch) bulk calls.
  // async: a bad key must reject its own promise, not throw out of the library's map over all representations.
  __resolveReference: async (reference, { fiks }) => {
    if ('kuid' in reference && reference.kuid != null) {
      return fiks.vehicleByKuid(requireKuid(reference.kuid, 'representations.kuid'));
    }
    if ('kjennemerke' in reference && reference.kjennemerke != null) {
      return fiks.vehicleByKjennemerke(requireKjennemerke(reference.kjennemerke, 'representations.kjennemerke'));
    }
    if ('understellsnummer' in reference && reference.understellsnummer != null) {
      return fiks.vehicleByUnderstellsnummer(
        requireUnderstellsnummer(reference.understellsnummer, 'representations.understellsnummer'),
      );
    }
    return null;
  },
};
