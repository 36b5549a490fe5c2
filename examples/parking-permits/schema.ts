/**
 * The example "parking permits" subgraph: a second subgraph, as another team would own it, that references this
 * subgraph's entities. Kept in TypeScript (not a .graphql file) so `tsc` carries it into dist/ for `npm run supergraph`.
 *
 * How it references `Vehicle` by two different keys: a subgraph has one `Vehicle` type, and when both key fields are
 * plain local fields the query planner picks one key for every position (it picked `kuid`). Declaring both key
 * fields `@external` and `@provides`-ing exactly one of them on each field makes the planner's choice explicit:
 * `ParkingPermit.vehicle` is joined by `kjennemerke`, `ParkingPermit.issuedFor` by `kuid`.
 */
export const parkingPermitsTypeDefs = /* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@external", "@provides"])

  type Query {
    "Parking permits in id order, optionally in one zone. Synthetic: built at start-up from the emulator's sample."
    parkingPermits(first: Int = 30, zone: String): [ParkingPermit!]!
    "One permit by id, or null."
    parkingPermit(id: ID!): ParkingPermit
  }

  "A municipal resident or company parking permit."
  type ParkingPermit {
    id: ID!
    "The zone the permit is valid in, e.g. \`Sentrum-1\`."
    zone: String!
    "Last day of validity (ISO-8601 date)."
    validUntil: String!
    "The plate printed on the permit."
    kjennemerke: String!
    "The vehicle that carries the permit's plate, joined with the vehicle register by \`kjennemerke\`."
    vehicle: Vehicle @provides(fields: "kjennemerke")
    """
    The vehicle the permit was issued for, joined by \`kuid\`: a personal plate can move to another vehicle, the
    register's vehicle id cannot.
    """
    issuedFor: Vehicle @provides(fields: "kuid")
    "The organisation holding a company permit, joined by \`organisasjonsnummer\`; null for resident permits."
    holder: Organization
  }

  type Vehicle @key(fields: "kjennemerke", resolvable: false) @key(fields: "kuid", resolvable: false) {
    kjennemerke: String @external
    kuid: ID @external
  }

  type Organization @key(fields: "organisasjonsnummer", resolvable: false) {
    organisasjonsnummer: ID!
  }
`;
