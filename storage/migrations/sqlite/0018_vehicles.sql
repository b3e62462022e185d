-- The stock ledger (issue 13, R3.1, R3.2): every car belongs to a store.
-- A VIN is unique across the group, not per store: it names one physical
-- car, which stands in one store's ledger at a time (a transfer moves its
-- store_id, it never copies the car); two stores holding the same VIN would
-- count it twice in the group's stock.
CREATE TABLE vehicles (
	id             INTEGER PRIMARY KEY AUTOINCREMENT,
	store_id       INTEGER NOT NULL REFERENCES stores (id),
	vin            TEXT NOT NULL,
	model          TEXT NOT NULL,
	trim           TEXT NOT NULL DEFAULT '',
	colour         TEXT NOT NULL DEFAULT '',
	engine_no      TEXT NOT NULL DEFAULT '',
	certificate_no TEXT NOT NULL DEFAULT '',
	state          TEXT NOT NULL,
	arrived_at     DATETIME,
	in_stock_at    DATETIME,
	reserved_until DATETIME,
	-- reserved_by is who reserved the car: the job that puts a lapsed
	-- reservation back in stock tells them (0 when not reserved).
	reserved_by    INTEGER NOT NULL DEFAULT 0,
	location       TEXT NOT NULL DEFAULT '',
	key_no         TEXT NOT NULL DEFAULT '',
	created_by     INTEGER NOT NULL,
	created_at     DATETIME NOT NULL,
	updated_at     DATETIME NOT NULL
);
CREATE UNIQUE INDEX vehicles_vin_key ON vehicles (vin);
-- /stock groups a store's cars by state, model, trim and colour from this
-- index alone; the FIFO list and the aging report walk the next in order of
-- arrival.
CREATE INDEX vehicles_store_stock ON vehicles (store_id, state, model, trim, colour, arrived_at);
CREATE INDEX vehicles_store_fifo ON vehicles (store_id, arrived_at, vin);
-- The reservation-expiry job's next instant and its due cars, across the
-- group.
CREATE INDEX vehicles_reserved_until ON vehicles (state, reserved_until);

-- /stock's counts (R3.2): a store's cars by state, model, trim and colour,
-- with the earliest arrival of each, kept by the triggers below in the
-- transaction of every change to a car, whatever code makes it (a tap, an
-- import, the reservation-expiry job, a transfer). /stock reads a few
-- hundred rows of it instead of grouping every car of the store.
CREATE TABLE vehicle_stock (
	store_id INTEGER NOT NULL,
	state    TEXT NOT NULL,
	model    TEXT NOT NULL,
	trim     TEXT NOT NULL,
	colour   TEXT NOT NULL,
	cars     INTEGER NOT NULL,
	oldest   DATETIME,
	PRIMARY KEY (store_id, state, model, trim, colour)
);
-- A car enters its group: one more, and its arrival may be the earliest.
-- (Inside a trigger's body a ';' starts the next line, never ends one: the
-- migration runner ends a statement at a line's final ';'.)
CREATE TRIGGER vehicle_stock_insert AFTER INSERT ON vehicles BEGIN
	INSERT INTO vehicle_stock (store_id, state, model, trim, colour, cars, oldest)
	VALUES (NEW.store_id, NEW.state, NEW.model, NEW.trim, NEW.colour, 1, NEW.arrived_at)
	ON CONFLICT (store_id, state, model, trim, colour) DO UPDATE SET cars = cars + 1,
		oldest = CASE WHEN excluded.oldest IS NOT NULL AND (oldest IS NULL OR excluded.oldest < oldest) THEN excluded.oldest ELSE oldest END
; END;
-- A car leaves its group (moved, or its arrival changed): one fewer, and the
-- earliest arrival of those left, one seek of vehicles_store_stock; then it
-- enters its new group.
CREATE TRIGGER vehicle_stock_update AFTER UPDATE OF store_id, state, model, trim, colour, arrived_at ON vehicles BEGIN
	UPDATE vehicle_stock SET cars = cars - 1,
		oldest = (SELECT MIN(v.arrived_at) FROM vehicles v WHERE v.store_id = OLD.store_id AND v.state = OLD.state
			AND v.model = OLD.model AND v.trim = OLD.trim AND v.colour = OLD.colour)
	WHERE store_id = OLD.store_id AND state = OLD.state AND model = OLD.model AND trim = OLD.trim AND colour = OLD.colour
	; DELETE FROM vehicle_stock WHERE cars <= 0 AND store_id = OLD.store_id AND state = OLD.state
		AND model = OLD.model AND trim = OLD.trim AND colour = OLD.colour
	; INSERT INTO vehicle_stock (store_id, state, model, trim, colour, cars, oldest)
	VALUES (NEW.store_id, NEW.state, NEW.model, NEW.trim, NEW.colour, 1, NEW.arrived_at)
	ON CONFLICT (store_id, state, model, trim, colour) DO UPDATE SET cars = cars + 1,
		oldest = CASE WHEN excluded.oldest IS NOT NULL AND (oldest IS NULL OR excluded.oldest < oldest) THEN excluded.oldest ELSE oldest END
; END;
CREATE TRIGGER vehicle_stock_delete AFTER DELETE ON vehicles BEGIN
	UPDATE vehicle_stock SET cars = cars - 1,
		oldest = (SELECT MIN(v.arrived_at) FROM vehicles v WHERE v.store_id = OLD.store_id AND v.state = OLD.state
			AND v.model = OLD.model AND v.trim = OLD.trim AND v.colour = OLD.colour)
	WHERE store_id = OLD.store_id AND state = OLD.state AND model = OLD.model AND trim = OLD.trim AND colour = OLD.colour
	; DELETE FROM vehicle_stock WHERE cars <= 0 AND store_id = OLD.store_id AND state = OLD.state
		AND model = OLD.model AND trim = OLD.trim AND colour = OLD.colour
; END;

-- Every state change of a car, with who and when (R3.1).
CREATE TABLE vehicle_events (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	vehicle_id INTEGER NOT NULL REFERENCES vehicles (id),
	store_id   INTEGER NOT NULL REFERENCES stores (id),
	from_state TEXT NOT NULL DEFAULT '',
	to_state   TEXT NOT NULL,
	by_staff   INTEGER NOT NULL,
	at         DATETIME NOT NULL,
	note       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX vehicle_events_vehicle ON vehicle_events (vehicle_id, at);

-- Arrival inspections (PDI): the checklist as recorded, and its verdict.
CREATE TABLE vehicle_pdis (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	vehicle_id INTEGER NOT NULL REFERENCES vehicles (id),
	store_id   INTEGER NOT NULL REFERENCES stores (id),
	checks     TEXT NOT NULL,
	passed     BOOLEAN NOT NULL,
	defects    TEXT NOT NULL DEFAULT '',
	by_staff   INTEGER NOT NULL,
	at         DATETIME NOT NULL
);
CREATE INDEX vehicle_pdis_vehicle ON vehicle_pdis (vehicle_id, at);

-- A dispatch list read and checked, waiting for its one-tap import: in the
-- database, so that the tap may reach any replica.
CREATE TABLE vehicle_imports (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	store_id    INTEGER NOT NULL REFERENCES stores (id),
	created_by  INTEGER NOT NULL,
	file_name   TEXT NOT NULL DEFAULT '',
	accepted    TEXT NOT NULL,
	rejected    INTEGER NOT NULL DEFAULT 0,
	created_at  DATETIME NOT NULL,
	expires_at  DATETIME NOT NULL,
	imported_at DATETIME
);
