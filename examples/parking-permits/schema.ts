/**
 * The example "parking permits" subgraph: a second subgraph, as another team would own it, that references this
 * subgraph's entities. Kept in TypeScript (not a .graphql file) so it needs no file lookup at run time.
 *
 * It uses as little federation as a real second subgraph needs, so every planner handles it (Hive Gateway's default
 * JavaScript planner mishandles `@external` / `@provides` and several `resolvable: false` keys on one type): one
 * non-resolvable key per referenced entity, and nothing else. `Vehicle` is joined by `kjennemerke`, the plate the
 * permit is issued for; the vehicle subgraph resolves every other field.
 */
export const parkingPermitsTypeDefs = /* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])

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
    vehicle: Vehicle
    "The organisation holding a company permit, joined by \`organisasjonsnummer\`; null for resident permits."
    holder: Organization
  }

  # Referenced by its plate; the kjoretoy subgraph owns and describes the type (a description here would differ).
  type Vehicle @key(fields: "kjennemerke", resolvable: false) {
    kjennemerke: String
  }

  # Referenced by its organisasjonsnummer, likewise.
  type Organization @key(fields: "organisasjonsnummer", resolvable: false) {
    organisasjonsnummer: ID!
  }
`;
