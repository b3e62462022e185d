-- The report's activity (issue 15): what happened in the period, counted
-- by the date of each event (not by the lead's creation as the funnel
-- is), each a range of one of these indexes per store. Visits and test
-- drives use visits_store_id_arrived_at_idx and test_drives_store_slot_idx.
-- First contacts: when the lead was first followed up, kept on the lead
-- by a trigger like 0027's (an insert can only bring it earlier), so the
-- period's first contacts are one range of leads_store_first_contact_idx,
-- never a probe per follow-up for an earlier one. (Inside a function body
-- a ';' starts the next line, never ends one.)
ALTER TABLE leads ADD COLUMN first_contact_at TIMESTAMPTZ;
UPDATE leads SET first_contact_at = (SELECT MIN(f.at) FROM follow_ups f WHERE f.lead_id = leads.id);
CREATE FUNCTION leads_first_contact_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE leads SET first_contact_at = NEW.at WHERE id = NEW.lead_id AND (first_contact_at IS NULL OR first_contact_at > NEW.at)
	; RETURN NULL
; END
$$;
CREATE TRIGGER leads_first_contact_at AFTER INSERT ON follow_ups FOR EACH ROW EXECUTE FUNCTION leads_first_contact_at();
CREATE INDEX leads_store_first_contact_idx ON leads (store_id, first_contact_at, owner_id) WHERE first_contact_at IS NOT NULL;
-- Orders placed, confirmed (by their discount's ruling, else at placing)
-- and cars delivered in the period, per consultant.
CREATE INDEX orders_store_created_idx ON orders (store_id, created_at, state, consultant_id, decided_at);
CREATE INDEX orders_store_decided_idx ON orders (store_id, decided_at, state, consultant_id) WHERE decided_at IS NOT NULL;
CREATE INDEX orders_store_delivered_idx ON orders (store_id, delivered_at, consultant_id) WHERE delivered_at IS NOT NULL;
-- Post-delivery follow-ups done in the period (R4.5).
CREATE INDEX delivery_follow_ups_store_done_idx ON delivery_follow_ups (store_id, done_at, done_by) WHERE done_at IS NOT NULL;
