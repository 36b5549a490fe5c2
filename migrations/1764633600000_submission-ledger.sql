-- The submission ledger (README "Pre-registration ledger", docs/operations.md "Database"). Run by node-pg-migrate at
-- start-up under an advisory lock, so replicas starting together apply it once. No personal data: the sender is an
-- organisation or client id; VINs, IVI references and SVV's messages are vehicle data.

-- Up Migration

CREATE TABLE pre_registration (
  id uuid PRIMARY KEY,
  -- Listing order and the keyset cursor of preRegistrations.
  seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  sender text NOT NULL,
  ivi_referanse text NOT NULL,
  vin text NOT NULL,
  make text,
  -- SHA-256 of what was sent (document and tax classification): tells a retry from a different submission.
  document_sha256 text NOT NULL,
  idempotency_key text,
  status text NOT NULL CHECK (status IN ('PENDING', 'ACCEPTED', 'REJECTED', 'OUTCOME_UNKNOWN', 'WITHDRAWN')),
  -- While PENDING: the moment the sending process has certainly given up; past it the row is OUTCOME_UNKNOWN.
  pending_until timestamptz,
  submitted_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  -- SVV's answer: datoTid as sent, the HTTP status, melding.meldingstekst.
  svv_received_at text,
  svv_status integer,
  svv_message text,
  errors jsonb NOT NULL DEFAULT '[]',
  warnings jsonb NOT NULL DEFAULT '[]'
);

-- One send across all replicas: while a submission of a VIN or IVI reference is open (in flight, accepted, or of
-- unknown outcome), a second one cannot be recorded, so it is never sent.
CREATE UNIQUE INDEX pre_registration_open_vin ON pre_registration (vin)
  WHERE status IN ('PENDING', 'ACCEPTED', 'OUTCOME_UNKNOWN');
CREATE UNIQUE INDEX pre_registration_open_ivi_referanse ON pre_registration (ivi_referanse)
  WHERE status IN ('PENDING', 'ACCEPTED', 'OUTCOME_UNKNOWN');
CREATE UNIQUE INDEX pre_registration_idempotency_key ON pre_registration (sender, idempotency_key)
  WHERE idempotency_key IS NOT NULL;
CREATE INDEX pre_registration_by_sender ON pre_registration (sender, seq DESC);
CREATE INDEX pre_registration_by_sender_vin ON pre_registration (sender, vin);
CREATE INDEX pre_registration_by_sender_ivi_referanse ON pre_registration (sender, ivi_referanse);
CREATE INDEX pre_registration_pending ON pre_registration (pending_until) WHERE status = 'PENDING';
CREATE INDEX pre_registration_updated ON pre_registration (updated_at);

-- Every status a submission went through (PreRegistration.statusHistory).
CREATE TABLE pre_registration_event (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  pre_registration_id uuid NOT NULL REFERENCES pre_registration (id) ON DELETE CASCADE,
  at timestamptz NOT NULL DEFAULT now(),
  status text NOT NULL,
  event text NOT NULL
);
CREATE INDEX pre_registration_event_by_submission ON pre_registration_event (pre_registration_id, id);

-- Every withdrawal attempt, allowed or refused.
CREATE TABLE withdrawal_attempt (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  sender text NOT NULL,
  -- How the caller named it: 'iviReferanse' or 'understellsnummer', and the value asked for.
  by_kind text NOT NULL,
  requested text NOT NULL,
  pre_registration_id uuid REFERENCES pre_registration (id) ON DELETE SET NULL,
  outcome text NOT NULL,
  svv_status integer
);
CREATE INDEX withdrawal_attempt_at ON withdrawal_attempt (at);
CREATE INDEX withdrawal_attempt_by_sender ON withdrawal_attempt (sender, id DESC);

-- Down Migration

DROP TABLE withdrawal_attempt;
DROP TABLE pre_registration_event;
DROP TABLE pre_registration;
