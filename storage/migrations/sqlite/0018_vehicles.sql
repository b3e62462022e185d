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
