import type { Resolvers } from '../__generated__/resolvers-types';
import { Mutation } from './Mutation';
import { Organization } from './Organization';
import { Owner } from './Owner';
import { PreRegistration } from './PreRegistration';
import { PreRegistrationConnection } from './PreRegistrationConnection';
import { Query } from './Query';
import { Date, DateTime } from './scalars';
import { Vehicle } from './Vehicle';
import { VehicleSearchConnection } from './VehicleSearchConnection';

export const resolvers: Resolvers = {
  Query,
  Mutation,
  PreRegistration,
  PreRegistrationConnection,
  Vehicle,
  Owner,
  Organization,
  VehicleSearchConnection,
  Date,
  DateTime,
};
