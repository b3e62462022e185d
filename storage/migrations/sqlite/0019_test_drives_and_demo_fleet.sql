-- The demo fleet and test drives (issue 13, R3.4–R3.6); every row carries
-- its store.

-- A demo car: a stock car moved to the fleet (vehicles.state = 'demo'),
-- with its keeper, upkeep dates and mileage.
CREATE TABLE demo_cars (
	vehicle_id    INTEGER PRIMARY KEY REFERENCES vehicles (id),
	store_id      INTEGER NOT NULL REFERENCES stores (id),
	keeper_id     INTEGER NOT NULL REFERENCES staff (id),
	insurance_due DATETIME,
	service_due   DATETIME,
	km            INTEGER NOT NULL DEFAULT 0,
	since         DATETIME NOT NULL,
	created_by    INTEGER NOT NULL
);
CREATE INDEX demo_cars_store ON demo_cars (store_id);

-- A demo car's use other than a test drive, ruled on by a manager (R3.4).
CREATE TABLE demo_uses (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	store_id     INTEGER NOT NULL REFERENCES stores (id),
	vehicle_id   INTEGER NOT NULL REFERENCES vehicles (id),
	requester_id INTEGER NOT NULL REFERENCES staff (id),
	reason       TEXT NOT NULL,
	status       TEXT NOT NULL DEFAULT 'pending',
	decider_id   INTEGER,
	decided_at   DATETIME,
	created_at   DATETIME NOT NULL
);
CREATE INDEX demo_uses_store ON demo_uses (store_id, status);

-- Test drives (R3.5): slots of one car never overlap (checked in the
-- service under the car's row); the late alarms' marks make each alarm
-- go out once.
CREATE TABLE test_drives (
	id                 INTEGER PRIMARY KEY AUTOINCREMENT,
	store_id           INTEGER NOT NULL REFERENCES stores (id),
	vehicle_id         INTEGER NOT NULL REFERENCES vehicles (id),
	lead_id            INTEGER NOT NULL REFERENCES leads (id),
	consultant_id      INTEGER NOT NULL REFERENCES staff (id),
	slot_start         DATETIME NOT NULL,
	slot_end           DATETIME NOT NULL,
	state              TEXT NOT NULL,
	licence_issued     DATETIME,
	agreement_file_id  TEXT NOT NULL DEFAULT '',
	km_out             INTEGER,
	fuel_out           INTEGER,
	km_in              INTEGER,
	fuel_in            INTEGER,
	out_at             DATETIME,
	in_at              DATETIME,
	late_consultant_at DATETIME,
	late_supervisor_at DATETIME,
	follow_up_id       INTEGER,
	created_by         INTEGER NOT NULL,
	created_at         DATETIME NOT NULL,
	updated_at         DATETIME NOT NULL
);
CREATE INDEX test_drives_vehicle_slot ON test_drives (vehicle_id, slot_start);
CREATE INDEX test_drives_lead ON test_drives (lead_id);
CREATE INDEX test_drives_state ON test_drives (state, slot_end);
