-- Reports (issue 15): every figure is a grouped count over one store and
-- a period, answered from these indexes.
--
-- A follow-up records the due it answered (the lead's next_due_at when it
-- was logged) and the lead's owner then, so "follow-ups due vs done on
-- time" (R1.5) is one range scan; follow-ups logged before this version
-- have no due_at and are not counted. store_id as on every other row.
ALTER TABLE follow_ups ADD COLUMN store_id INTEGER NOT NULL DEFAULT 1;
ALTER TABLE follow_ups ADD COLUMN owner_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE follow_ups ADD COLUMN due_at DATETIME;
UPDATE follow_ups SET store_id = COALESCE((SELECT l.store_id FROM leads l WHERE l.id = follow_ups.lead_id), 1);
CREATE INDEX follow_ups_store_due_idx ON follow_ups (store_id, due_at, owner_id, at) WHERE due_at IS NOT NULL;
-- The follow-ups still owed: a range of due times, per owner.
CREATE INDEX leads_store_due_owner_idx ON leads (store_id, next_due_at, owner_id);

-- The funnel (R1.3, then visit, test drive, order): how long after its
-- creation the lead was first contacted (in milliseconds, so "within 24
-- hours" is an integer comparison, never a date parsed per lead) and when
-- it first visited, drove and ordered, kept on the lead by the triggers
-- below whatever writes the step, so a month's funnel of a store is one
-- range of leads_store_funnel_idx with no probe into another table. An
-- insert can only bring a step earlier; a test drive's or order's change
-- of state recomputes it from the lead's own rows (one seek by lead_id).
-- (Inside a trigger a ';' starts the next line, never ends one: the
-- migration runner ends a statement at a line's final ';'.)
ALTER TABLE leads ADD COLUMN first_contact_ms INTEGER;
ALTER TABLE leads ADD COLUMN visited_at DATETIME;
ALTER TABLE leads ADD COLUMN test_driven_at DATETIME;
ALTER TABLE leads ADD COLUMN ordered_at DATETIME;
UPDATE leads SET
	first_contact_ms = (SELECT CAST(ROUND((julianday(MIN(f.at)) - julianday(leads.created_at)) * 86400000) AS INTEGER)
		FROM follow_ups f WHERE f.lead_id = leads.id),
	visited_at = (SELECT MIN(v.arrived_at) FROM visits v WHERE v.lead_id = leads.id),
	test_driven_at = (SELECT MIN(t.slot_start) FROM test_drives t WHERE t.lead_id = leads.id AND t.state IN ('out', 'returned')),
	ordered_at = (SELECT MIN(o.created_at) FROM orders o WHERE o.lead_id = leads.id AND o.state <> 'rejected');
CREATE TRIGGER leads_first_contact AFTER INSERT ON follow_ups BEGIN
	UPDATE leads SET first_contact_ms = MIN(COALESCE(first_contact_ms, 9223372036854775807),
		CAST(ROUND((julianday(NEW.at) - julianday(created_at)) * 86400000) AS INTEGER))
	WHERE id = NEW.lead_id
; END;
CREATE TRIGGER leads_visited AFTER INSERT ON visits BEGIN
	UPDATE leads SET visited_at = NEW.arrived_at WHERE id = NEW.lead_id AND (visited_at IS NULL OR visited_at > NEW.arrived_at)
; END;
CREATE TRIGGER leads_test_driven AFTER INSERT ON test_drives WHEN NEW.state IN ('out', 'returned') BEGIN
	UPDATE leads SET test_driven_at = NEW.slot_start WHERE id = NEW.lead_id AND (test_driven_at IS NULL OR test_driven_at > NEW.slot_start)
; END;
CREATE TRIGGER leads_test_driven_state AFTER UPDATE OF state, lead_id, slot_start ON test_drives BEGIN
	UPDATE leads SET test_driven_at = (SELECT MIN(t.slot_start) FROM test_drives t WHERE t.lead_id = leads.id AND t.state IN ('out', 'returned'))
	WHERE id IN (OLD.lead_id, NEW.lead_id)
; END;
CREATE TRIGGER leads_ordered AFTER INSERT ON orders WHEN NEW.state <> 'rejected' BEGIN
	UPDATE leads SET ordered_at = NEW.created_at WHERE id = NEW.lead_id AND (ordered_at IS NULL OR ordered_at > NEW.created_at)
; END;
CREATE TRIGGER leads_ordered_state AFTER UPDATE OF state, lead_id ON orders BEGIN
	UPDATE leads SET ordered_at = (SELECT MIN(o.created_at) FROM orders o WHERE o.lead_id = leads.id AND o.state <> 'rejected')
	WHERE id IN (OLD.lead_id, NEW.lead_id)
; END;
CREATE INDEX leads_store_funnel_idx ON leads (store_id, created_at, owner_id, source, grade,
	first_contact_ms, visited_at, test_driven_at, ordered_at);

-- Telesales: invitations made, handovers and collisions decided.
CREATE INDEX appointments_store_created_idx ON appointments (store_id, created_at, telesales_id, status);
CREATE INDEX appointments_store_status_at_idx ON appointments (store_id, status, at, telesales_id);
CREATE INDEX handovers_store_decided_idx ON handovers (store_id, status, decided_at, from_id, to_id);
CREATE INDEX collisions_store_decided_idx ON collisions (store_id, status, decided_at, owner_id, claimant_id, winner_id);
-- Complaints opened and closed in the period.
CREATE INDEX complaints_store_opened_idx ON complaints (store_id, opened_at);
CREATE INDEX complaints_store_closed_idx ON complaints (store_id, closed_at) WHERE closed_at IS NOT NULL;
-- Demo-fleet use: test drives by slot, other uses by ruling.
CREATE INDEX test_drives_store_slot_idx ON test_drives (store_id, slot_start, state);
CREATE INDEX demo_uses_store_decided_idx ON demo_uses (store_id, status, decided_at);
-- Allocation waits (R4.3): first allocations in the period.
CREATE INDEX allocations_store_allocated_idx ON allocations (store_id, allocated_at, order_id);
