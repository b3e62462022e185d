-- Delivery (issue 14, R4.5) and orders through a sub-dealer (R4.6).
-- An order may name the sub-dealer it was sold through (a contract of its
-- store); once delivered it counts towards that contract's month, beside
-- the sales entered by hand in sub_dealer_sales.
ALTER TABLE orders ADD COLUMN sub_dealer_id INTEGER REFERENCES sub_dealer_contracts (id);
ALTER TABLE orders ADD COLUMN delivered_at DATETIME;
ALTER TABLE orders ADD COLUMN delivered_by INTEGER NOT NULL DEFAULT 0;
-- A sub-dealer's delivered orders of a month (its achievement, R4.6).
CREATE INDEX orders_sub_dealer_delivered ON orders (sub_dealer_id, delivered_at) WHERE sub_dealer_id IS NOT NULL;

-- The delivery checklist (R4.5): one row per ticked item of an order,
-- with who ticked it and when. Unticking deletes the row. Full payment is
-- also read from the order's allocation (paid_at) where there is one.
CREATE TABLE delivery_ticks (
	order_id  INTEGER NOT NULL REFERENCES orders (id),
	item      TEXT NOT NULL,
	store_id  INTEGER NOT NULL REFERENCES stores (id),
	by_staff  INTEGER NOT NULL,
	at        DATETIME NOT NULL,
	PRIMARY KEY (order_id, item)
);

-- The post-delivery follow-ups (R4.5): due_at is computed at delivery
-- from rules.orders.delivery_follow_up_days and the store's calendar, and
-- stored; done_at, satisfaction and note are the call's outcome.
CREATE TABLE delivery_follow_ups (
	id            INTEGER PRIMARY KEY AUTOINCREMENT,
	store_id      INTEGER NOT NULL REFERENCES stores (id),
	order_id      INTEGER NOT NULL REFERENCES orders (id),
	lead_id       INTEGER NOT NULL REFERENCES leads (id),
	consultant_id INTEGER NOT NULL,
	seq           INTEGER NOT NULL,
	due_at        DATETIME NOT NULL,
	done_at       DATETIME,
	done_by       INTEGER NOT NULL DEFAULT 0,
	satisfaction  TEXT NOT NULL DEFAULT '',
	note          TEXT NOT NULL DEFAULT '',
	created_at    DATETIME NOT NULL,
	UNIQUE (order_id, seq)
);
-- The morning push: a store's undone follow-ups due by the end of the day.
CREATE INDEX delivery_follow_ups_due ON delivery_follow_ups (store_id, due_at) WHERE done_at IS NULL;
