-- A withdrawal claims its submission before SVV is called (README "Pre-registration ledger"): one DELETE per
-- submission across all replicas, and the VIN and IVI reference stay held until its outcome is known, so a late
-- DELETE can never reach a newer submission of the same reference.

-- Up Migration

ALTER TABLE pre_registration DROP CONSTRAINT pre_registration_status_check;
ALTER TABLE pre_registration ADD CONSTRAINT pre_registration_status_check
  CHECK (status IN ('PENDING', 'ACCEPTED', 'REJECTED', 'OUTCOME_UNKNOWN', 'WITHDRAWING', 'WITHDRAWN'));

-- The claim: which withdrawal holds it (only that one records SVV's answer), the status it is restored to when SVV
-- refuses, and until when its DELETE may still be under way (no second DELETE before then).
ALTER TABLE pre_registration
  ADD COLUMN withdrawal_id uuid,
  ADD COLUMN withdrawing_from text,
  ADD COLUMN withdrawal_until timestamptz;

-- A submission being withdrawn is still open: it holds its VIN and IVI reference.
DROP INDEX pre_registration_open_vin;
CREATE UNIQUE INDEX pre_registration_open_vin ON pre_registration (vin)
  WHERE status IN ('PENDING', 'ACCEPTED', 'OUTCOME_UNKNOWN', 'WITHDRAWING');
DROP INDEX pre_registration_open_ivi_referanse;
CREATE UNIQUE INDEX pre_registration_open_ivi_referanse ON pre_registration (ivi_referanse)
  WHERE status IN ('PENDING', 'ACCEPTED', 'OUTCOME_UNKNOWN', 'WITHDRAWING');
CREATE INDEX pre_registration_withdrawing ON pre_registration (withdrawal_until) WHERE status = 'WITHDRAWING';

-- Down Migration

-- A withdrawal still in flight has an unknown outcome as far as the older schema can say.
UPDATE pre_registration SET status = 'OUTCOME_UNKNOWN' WHERE status = 'WITHDRAWING';
DROP INDEX pre_registration_withdrawing;
DROP INDEX pre_registration_open_ivi_referanse;
CREATE UNIQUE INDEX pre_registration_open_ivi_referanse ON pre_registration (ivi_referanse)
  WHERE status IN ('PENDING', 'ACCEPTED', 'OUTCOME_UNKNOWN');
DROP INDEX pre_registration_open_vin;
CREATE UNIQUE INDEX pre_registration_open_vin ON pre_registration (vin)
  WHERE status IN ('PENDING', 'ACCEPTED', 'OUTCOME_UNKNOWN');
ALTER TABLE pre_registration DROP COLUMN withdrawal_until, DROP COLUMN withdrawing_from, DROP COLUMN withdrawal_id;
ALTER TABLE pre_registration DROP CONSTRAINT pre_registration_status_check;
ALTER TABLE pre_registration ADD CONSTRAINT pre_registration_status_check
  CHECK (status IN ('PENDING', 'ACCEPTED', 'REJECTED', 'OUTCOME_UNKNOWN', 'WITHDRAWN'));
