-- Allocation (issue 14, R4.3): a car held for an order, its payment clock,
-- and the queue jumps a manager rules on. Every row carries its store.
--
-- orders.vehicle_id is the car the order holds now (0: none), kept in the
-- transaction of every allocation and lapse, so that "the oldest confirmed
-- order of this store waiting for this model, trim and colour" is one seek
-- of orders_waiting, whatever the number of orders already holding a car.
-- orders.paid_at is when full payment was recorded (R4.3, R4.5), by paid_by.
ALTER TABLE orders ADD COLUMN vehicle_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN paid_at DATETIME;
ALTER TABLE orders ADD COLUMN paid_by INTEGER NOT NULL DEFAULT 0;
-- The queue (R4.3): order date, ties by id, of the confirmed orders
-- without a car, per store and car wanted.
CREATE INDEX orders_waiting ON orders (store_id, model, trim, colour, created_at, id)
	WHERE state = 'confirmed' AND vehicle_id = 0;
-- First in, first out (R3.2): the earliest arrival, ties by VIN, of the
-- in-stock cars of a store, model, trim and colour.
CREATE INDEX vehicles_in_stock_spec ON vehicles (store_id, model, trim, colour, arrived_at, vin)
	WHERE state = 'in_stock';

-- state: active (the car is held), lapsed (unpaid at pay_by), released
-- (the order was cancelled or changed), delivered (the car went to the
-- customer). allocated_by is 0 for the system (an arrival, a
-- confirmation, a lapse); approved_by is the manager who let it jump the
-- queue (0: it jumped nobody). told_at and pay_by are set together when
-- the consultant records that the customer was told; pay_by is stored so
-- that a later change of the rule never moves a running clock.
CREATE TABLE allocations (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	store_id     INTEGER NOT NULL REFERENCES stores (id),
	order_id     INTEGER NOT NULL REFERENCES orders (id),
	vehicle_id   INTEGER NOT NULL REFERENCES vehicles (id),
	state        TEXT NOT NULL,
	allocated_at DATETIME NOT NULL,
	allocated_by INTEGER NOT NULL DEFAULT 0,
	approved_by  INTEGER NOT NULL DEFAULT 0,
	told_at      DATETIME,
	told_by      INTEGER NOT NULL DEFAULT 0,
	pay_by       DATETIME,
	paid_at      DATETIME,
	ended_at     DATETIME,
	note         TEXT NOT NULL DEFAULT ''
);
-- A car and an order each hold at most one active allocation.
CREATE UNIQUE INDEX allocations_active_vehicle ON allocations (vehicle_id) WHERE state = 'active';
CREATE UNIQUE INDEX allocations_active_order ON allocations (order_id) WHERE state = 'active';
-- The lapse job's next instant and its due rows, across the group.
CREATE INDEX allocations_pay_by ON allocations (pay_by)
	WHERE state = 'active' AND paid_at IS NULL AND pay_by IS NOT NULL;
CREATE INDEX allocations_order ON allocations (order_id, allocated_at);

-- A queue jump waiting for, or settled by, a manager (R4.3): allocating
-- vehicle_id to order_id ahead of the orders in line. At most one pending
-- per order.
CREATE TABLE allocation_requests (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	store_id     INTEGER NOT NULL REFERENCES stores (id),
	order_id     INTEGER NOT NULL REFERENCES orders (id),
	vehicle_id   INTEGER NOT NULL REFERENCES vehicles (id),
	requested_by INTEGER NOT NULL,
	status       TEXT NOT NULL,
	decided_by   INTEGER NOT NULL DEFAULT 0,
	decided_at   DATETIME,
	answer       TEXT NOT NULL DEFAULT '',
	created_at   DATETIME NOT NULL
);
CREATE UNIQUE INDEX allocation_requests_pending_key ON allocation_requests (order_id) WHERE status = 'pending';
