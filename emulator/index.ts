/**
 * The upstream emulator: Fiks Kjøretøyregister, a Maskinporten-like token endpoint and SVV's eCoC pre-registration,
 * over real HTTP with a seeded synthetic dataset, an admin API (/__emulator/), fault injection and stats.
 */
export { EMULATOR_FIKS_ORG_ID, startEmulator, type EmulatorHandle, type EmulatorOptions } from './server';
export { generateDevClient, type DevClient } from './dev-client';
export type { EmulatorClient, EmulatorIntegration, GrantRecord } from './auth';
export type { EmulatorStatsSnapshot, EmulatorConfigUpdate } from './admin';
export type { Fault } from './faults';
export { ROUTE_NAMES, type RouteName, type RouteStats } from './stats';
export { Dataset, type DatasetOptions, type DatasetSample, type VehicleRecord } from './dataset';
export { vehicleAt, type KjoretoyDto, type Kodeverk } from './dto';
export type { EcocStatusResponse } from './ecoc-routes';
export { startStandaloneEmulator, type StandaloneEmulator } from './main';
export { parseEmulatorEnv, type EmulatorEnv } from './config';
export { createEmulatorLogger } from './logger';
