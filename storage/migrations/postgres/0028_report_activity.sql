-- The report's activity (issue 15): what happened in the period, counted
-- by the date of each event (not by the lead's creation as the funnel
-- is), each a range of one of these indexes per store. Visits and test
-- drives use visits_store_id_arrived_at_idx and test_drives_store_slot_idx.
-- First contacts: the follow-ups logged in the period (each probed for an
-- earlier one of its lead through follow_ups_lead_id_at_idx).
CREATE INDEX follow_ups_store_at_idx ON follow_ups (store_id, at, staff_id, lead_id);
-- Orders placed, confirmed (by their discount's ruling, else at placing)
-- and cars delivered in the period, per consultant.
CREATE INDEX orders_store_created_idx ON orders (store_id, created_at, state, consultant_id, decided_at);
CREATE INDEX orders_store_decided_idx ON orders (store_id, decided_at, state, consultant_id) WHERE decided_at IS NOT NULL;
CREATE INDEX orders_store_delivered_idx ON orders (store_id, delivered_at, consultant_id) WHERE delivered_at IS NOT NULL;
-- Post-delivery follow-ups done in the period (R4.5).
CREATE INDEX delivery_follow_ups_store_done_idx ON delivery_follow_ups (store_id, done_at, done_by) WHERE done_at IS NOT NULL;
