-- The monthly stocktake (issue 13, R3.3): every table carries its store.
-- At most one stocktake per store is open (the partial unique index): two
-- managers opening at once get one stocktake.
CREATE TABLE stocktakes (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	store_id     INTEGER NOT NULL REFERENCES stores (id),
	opened_by    INTEGER NOT NULL,
	opened_at    DATETIME NOT NULL,
	closed_by    INTEGER,
	closed_at    DATETIME,
	last_seen_at DATETIME
);
CREATE UNIQUE INDEX stocktakes_one_open ON stocktakes (store_id) WHERE closed_at IS NULL;
CREATE INDEX stocktakes_store_opened ON stocktakes (store_id, opened_at);

-- Each car confirmed on the lot: the ledger's car, or the VIN as typed
-- (full, check digit verified) when the ledger does not have it. A car
-- confirmed twice is one row.
CREATE TABLE stocktake_seen (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	stocktake_id INTEGER NOT NULL REFERENCES stocktakes (id),
	store_id     INTEGER NOT NULL REFERENCES stores (id),
	vehicle_id   INTEGER REFERENCES vehicles (id),
	vin          TEXT NOT NULL,
	by_staff     INTEGER NOT NULL,
	at           DATETIME NOT NULL
);
CREATE UNIQUE INDEX stocktake_seen_vin ON stocktake_seen (stocktake_id, vin);

-- The differences found at closing, which only a manager clears, with a
-- reason.
CREATE TABLE stocktake_exceptions (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	stocktake_id INTEGER NOT NULL REFERENCES stocktakes (id),
	store_id     INTEGER NOT NULL REFERENCES stores (id),
	kind         TEXT NOT NULL,
	vin          TEXT NOT NULL,
	vehicle_id   INTEGER REFERENCES vehicles (id),
	cleared_by   INTEGER,
	cleared_at   DATETIME,
	reason       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX stocktake_exceptions_stocktake ON stocktake_exceptions (stocktake_id, id);
