-- Reports (issue 15): every figure is a grouped count over one store and
-- a period, answered from these indexes.
--
-- A follow-up records the due it answered (the lead's next_due_at when it
-- was logged) and the lead's owner then, so "follow-ups due vs done on
-- time" (R1.5) is one range scan; follow-ups logged before this version
-- have no due_at and are not counted. store_id as on every other row.
ALTER TABLE follow_ups ADD COLUMN store_id BIGINT NOT NULL DEFAULT 1;
ALTER TABLE follow_ups ADD COLUMN owner_id BIGINT NOT NULL DEFAULT 0;
ALTER TABLE follow_ups ADD COLUMN due_at TIMESTAMPTZ;
UPDATE follow_ups AS f SET store_id = l.store_id FROM leads AS l WHERE l.id = f.lead_id;
CREATE INDEX follow_ups_store_due_idx ON follow_ups (store_id, due_at, owner_id, at) WHERE due_at IS NOT NULL;

-- The funnel: a store's leads created in the period, by owner and source.
CREATE INDEX leads_store_created_idx ON leads (store_id, created_at, owner_id, source, grade);
-- Telesales: invitations made, handovers and collisions decided.
CREATE INDEX appointments_store_created_idx ON appointments (store_id, created_at, telesales_id);
CREATE INDEX handovers_store_decided_idx ON handovers (store_id, status, decided_at);
CREATE INDEX collisions_store_decided_idx ON collisions (store_id, status, decided_at);
-- Complaints opened and closed in the period.
CREATE INDEX complaints_store_opened_idx ON complaints (store_id, opened_at);
CREATE INDEX complaints_store_closed_idx ON complaints (store_id, closed_at) WHERE closed_at IS NOT NULL;
-- Demo-fleet use: test drives by slot, other uses by ruling.
CREATE INDEX test_drives_store_slot_idx ON test_drives (store_id, slot_start, state);
CREATE INDEX demo_uses_store_decided_idx ON demo_uses (store_id, status, decided_at);
