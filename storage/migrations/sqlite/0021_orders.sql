-- Orders (issue 14, R4.1, R4.2, R4.4): every table carries its store.
-- Money is integer fen. expected_delivery is the date as YYYY-MM-DD in
-- the store's zone ('' when not given).
CREATE TABLE orders (
	id                INTEGER PRIMARY KEY AUTOINCREMENT,
	store_id          INTEGER NOT NULL REFERENCES stores (id),
	lead_id           INTEGER NOT NULL REFERENCES leads (id),
	consultant_id     INTEGER NOT NULL,
	model             TEXT NOT NULL,
	trim              TEXT NOT NULL,
	colour            TEXT NOT NULL,
	list_price_fen    INTEGER NOT NULL CHECK (list_price_fen > 0),
	agreed_price_fen  INTEGER NOT NULL CHECK (agreed_price_fen > 0 AND agreed_price_fen <= list_price_fen),
	deposit_fen       INTEGER NOT NULL CHECK (deposit_fen >= 0 AND deposit_fen <= agreed_price_fen),
	payment           TEXT NOT NULL,
	trade_in          TEXT NOT NULL DEFAULT '',
	expected_delivery TEXT NOT NULL DEFAULT '',
	state             TEXT NOT NULL,
	approval_rank     TEXT NOT NULL DEFAULT '',
	decided_by        INTEGER NOT NULL DEFAULT 0,
	decided_at        DATETIME,
	reason            TEXT NOT NULL DEFAULT '',
	created_at        DATETIME NOT NULL,
	updated_at        DATETIME NOT NULL
);
CREATE INDEX orders_lead ON orders (lead_id);
-- A consultant's discounts this month, shown on an approval card.
CREATE INDEX orders_consultant_created ON orders (store_id, consultant_id, created_at);

-- A discount, change or cancellation waiting for, or settled by, a ruling.
-- At most one pending per order. rank climbs when nobody answers; the
-- chase marks reminded_at and climbed_at in the transaction that queues
-- its messages.
CREATE TABLE order_requests (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	store_id     INTEGER NOT NULL REFERENCES stores (id),
	order_id     INTEGER NOT NULL REFERENCES orders (id),
	kind         TEXT NOT NULL,
	field        TEXT NOT NULL DEFAULT '',
	value        TEXT NOT NULL DEFAULT '',
	reason       TEXT NOT NULL DEFAULT '',
	requested_by INTEGER NOT NULL,
	rank         TEXT NOT NULL,
	status       TEXT NOT NULL,
	decided_by   INTEGER NOT NULL DEFAULT 0,
	decided_at   DATETIME,
	answer       TEXT NOT NULL DEFAULT '',
	created_at   DATETIME NOT NULL,
	reminded_at  DATETIME,
	climbed_at   DATETIME
);
CREATE UNIQUE INDEX order_requests_pending_key ON order_requests (order_id) WHERE status = 'pending';
CREATE INDEX order_requests_pending ON order_requests (created_at) WHERE status = 'pending';

-- Refunds of a deposit: how much, how, who, when (R4.4).
CREATE TABLE deposit_refunds (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	store_id   INTEGER NOT NULL REFERENCES stores (id),
	order_id   INTEGER NOT NULL REFERENCES orders (id),
	amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
	method     TEXT NOT NULL,
	by_staff   INTEGER NOT NULL,
	at         DATETIME NOT NULL
);
CREATE INDEX deposit_refunds_order ON deposit_refunds (order_id);
