-- Rest and duty rotas.
-- Days are store dates written 2006-01-02, so a day compares and
-- groups the same on both drivers whatever the time zone.

CREATE TABLE rest_days (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	staff_id   INTEGER NOT NULL REFERENCES staff (id),
	day        TEXT NOT NULL,
	status     TEXT NOT NULL,
	swap_with  INTEGER NOT NULL DEFAULT 0,
	swap_day   TEXT NOT NULL DEFAULT '',
	decided_by INTEGER NOT NULL DEFAULT 0,
	created_at DATETIME NOT NULL
);
CREATE INDEX rest_days_day_status_idx ON rest_days (day, status);
CREATE INDEX rest_days_staff_id_day_idx ON rest_days (staff_id, day);

CREATE TABLE duty_assignments (
	day      TEXT NOT NULL,
	role     TEXT NOT NULL,
	staff_id INTEGER NOT NULL REFERENCES staff (id),
	PRIMARY KEY (day, role, staff_id)
);

CREATE TABLE duty_patterns (
	weekday  INTEGER NOT NULL,
	role     TEXT NOT NULL,
	staff_id INTEGER NOT NULL REFERENCES staff (id),
	PRIMARY KEY (weekday, role, staff_id)
);
