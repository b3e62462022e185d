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
-- The follow-ups still owed: a range of due times, per owner.
CREATE INDEX leads_store_due_owner_idx ON leads (store_id, next_due_at, owner_id);

-- The funnel (R1.3, then visit, test drive, order): how long after its
-- creation the lead was first contacted (in milliseconds, so "within 24
-- hours" is an integer comparison, never a date computed per lead) and
-- when it first visited, drove and ordered, kept on the lead by the
-- triggers below whatever writes the step, so a month's funnel of a store
-- is one range of leads_store_funnel_idx with no probe into another
-- table. An insert can only bring a step earlier; a test drive's or
-- order's change of state recomputes it from the lead's own rows (one seek
-- by lead_id). (Inside a function body a ';' starts the next line, never
-- ends one: the migration runner ends a statement at a line's final ';'.)
ALTER TABLE leads ADD COLUMN first_contact_ms BIGINT;
ALTER TABLE leads ADD COLUMN visited_at TIMESTAMPTZ;
ALTER TABLE leads ADD COLUMN test_driven_at TIMESTAMPTZ;
ALTER TABLE leads ADD COLUMN ordered_at TIMESTAMPTZ;
UPDATE leads SET
	first_contact_ms = (SELECT ROUND(EXTRACT(EPOCH FROM MIN(f.at) - leads.created_at) * 1000)::bigint
		FROM follow_ups f WHERE f.lead_id = leads.id),
	visited_at = (SELECT MIN(v.arrived_at) FROM visits v WHERE v.lead_id = leads.id),
	test_driven_at = (SELECT MIN(t.slot_start) FROM test_drives t WHERE t.lead_id = leads.id AND t.state IN ('out', 'returned')),
	ordered_at = (SELECT MIN(o.created_at) FROM orders o WHERE o.lead_id = leads.id AND o.state <> 'rejected');
CREATE FUNCTION leads_first_contact() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE leads SET first_contact_ms = LEAST(first_contact_ms, ROUND(EXTRACT(EPOCH FROM NEW.at - created_at) * 1000)::bigint)
	WHERE id = NEW.lead_id
	; RETURN NULL
; END
$$;
CREATE TRIGGER leads_first_contact AFTER INSERT ON follow_ups FOR EACH ROW EXECUTE FUNCTION leads_first_contact();
CREATE FUNCTION leads_visited() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE leads SET visited_at = NEW.arrived_at WHERE id = NEW.lead_id AND (visited_at IS NULL OR visited_at > NEW.arrived_at)
	; RETURN NULL
; END
$$;
CREATE TRIGGER leads_visited AFTER INSERT ON visits FOR EACH ROW EXECUTE FUNCTION leads_visited();
CREATE FUNCTION leads_test_driven() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE leads SET test_driven_at = NEW.slot_start WHERE id = NEW.lead_id AND (test_driven_at IS NULL OR test_driven_at > NEW.slot_start)
	; RETURN NULL
; END
$$;
CREATE TRIGGER leads_test_driven AFTER INSERT ON test_drives FOR EACH ROW WHEN (NEW.state IN ('out', 'returned'))
	EXECUTE FUNCTION leads_test_driven();
CREATE FUNCTION leads_test_driven_state() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE leads SET test_driven_at = (SELECT MIN(t.slot_start) FROM test_drives t WHERE t.lead_id = leads.id AND t.state IN ('out', 'returned'))
	WHERE id IN (OLD.lead_id, NEW.lead_id)
	; RETURN NULL
; END
$$;
CREATE TRIGGER leads_test_driven_state AFTER UPDATE OF state, lead_id, slot_start ON test_drives
	FOR EACH ROW EXECUTE FUNCTION leads_test_driven_state();
CREATE FUNCTION leads_ordered() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE leads SET ordered_at = NEW.created_at WHERE id = NEW.lead_id AND (ordered_at IS NULL OR ordered_at > NEW.created_at)
	; RETURN NULL
; END
$$;
CREATE TRIGGER leads_ordered AFTER INSERT ON orders FOR EACH ROW WHEN (NEW.state <> 'rejected')
	EXECUTE FUNCTION leads_ordered();
CREATE FUNCTION leads_ordered_state() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE leads SET ordered_at = (SELECT MIN(o.created_at) FROM orders o WHERE o.lead_id = leads.id AND o.state <> 'rejected')
	WHERE id IN (OLD.lead_id, NEW.lead_id)
	; RETURN NULL
; END
$$;
CREATE TRIGGER leads_ordered_state AFTER UPDATE OF state, lead_id ON orders
	FOR EACH ROW EXECUTE FUNCTION leads_ordered_state();
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
