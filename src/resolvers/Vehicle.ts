import type { VehicleResolvers } from '../__generated__/resolvers-types';
import { requireKjennemerke, requireKuid, requireUnderstellsnummer } from '../domain/arguments';
import { notFound } from '../errors';
import type { VehicleModel } from '../datasources/fiks/model';

export const Vehicle: VehicleResolvers = {
  // Every key goes through the per-request loaders, so N representations cost ceil(N / batch) bulk calls.
  // async: a bad key must reject its own promise, not throw out of the library's map over all representations.
  __resolveReference: async (reference, { fiks }) => {
    let vehicle: VehicleModel | null = null;
    if ('kuid' in reference && reference.kuid != null) {
      vehicle = await fiks.vehicleByKuid(requireKuid(reference.kuid, 'representations.kuid'));
    } else if ('kjennemerke' in reference && reference.kjennemerke != null) {
      vehicle = await fiks.vehicleByKjennemerke(
        requireKjennemerke(reference.kjennemerke, 'representations.kjennemerke'),
      );
    } else if ('understellsnummer' in reference && reference.understellsnummer != null) {
      vehicle = await fiks.vehicleByUnderstellsnummer(
        requireUnderstellsnummer(reference.understellsnummer, 'representations.understellsnummer'),
      );
    }
    // null at its index, plus an error saying why, so the router can show it at the referencing field's path.
    if (!vehicle) throw notFound('No vehicle in the register matches this reference');
    return vehicle;
  },
};
