-- Sub-dealer contracts (issue 14, R4.6): each belongs to the store that
-- signed it. Money in fen; dates are the store's calendar dates.
CREATE TABLE sub_dealer_contracts (
	id                  INTEGER PRIMARY KEY AUTOINCREMENT,
	store_id            INTEGER NOT NULL REFERENCES stores (id),
	dealer              TEXT NOT NULL,
	contact             TEXT NOT NULL,
	phone               TEXT NOT NULL,
	territory           TEXT NOT NULL,
	signed_on           TEXT NOT NULL,
	starts_on           TEXT NOT NULL,
	ends_on             TEXT NOT NULL,
	deposit_fen         INTEGER NOT NULL,
	deposit_recorded_at DATETIME,
	deposit_warn_at     DATETIME NOT NULL,
	deposit_lapse_at    DATETIME NOT NULL,
	deposit_warned_at   DATETIME,
	state               TEXT NOT NULL DEFAULT 'active',
	rebate_tiers        TEXT NOT NULL DEFAULT '',
	created_by          INTEGER NOT NULL,
	created_at          DATETIME NOT NULL,
	updated_at          DATETIME NOT NULL
);
CREATE INDEX sub_dealer_contracts_store ON sub_dealer_contracts (store_id, state, id);
CREATE INDEX sub_dealer_contracts_deposit ON sub_dealer_contracts (state, deposit_lapse_at) WHERE deposit_recorded_at IS NULL;

-- A month's target in cars, set by the manager.
CREATE TABLE sub_dealer_targets (
	contract_id INTEGER NOT NULL REFERENCES sub_dealer_contracts (id),
	month       TEXT NOT NULL,
	units       INTEGER NOT NULL,
	set_by      INTEGER NOT NULL,
	set_at      DATETIME NOT NULL,
	PRIMARY KEY (contract_id, month)
);

-- A month's cars sold through the sub-dealer (by hand until orders name
-- their sub-dealer).
CREATE TABLE sub_dealer_sales (
	contract_id INTEGER NOT NULL REFERENCES sub_dealer_contracts (id),
	month       TEXT NOT NULL,
	units       INTEGER NOT NULL,
	set_by      INTEGER NOT NULL,
	set_at      DATETIME NOT NULL,
	PRIMARY KEY (contract_id, month)
);

-- The expiry and performance notices sent, each once per contract and
-- period.
CREATE TABLE sub_dealer_alerts (
	contract_id INTEGER NOT NULL REFERENCES sub_dealer_contracts (id),
	kind        TEXT NOT NULL,
	period      TEXT NOT NULL,
	sent_at     DATETIME NOT NULL,
	PRIMARY KEY (contract_id, kind, period)
);
