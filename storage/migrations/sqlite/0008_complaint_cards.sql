-- Complaint cards.
-- Every message that shows a complaint, by its outbox key, so that
-- the card is edited in place as the complaint moves.

CREATE TABLE complaint_cards (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	complaint_id INTEGER NOT NULL REFERENCES complaints (id) ON DELETE CASCADE,
	staff_id     INTEGER NOT NULL,
	kind         TEXT NOT NULL,
	msg_key      TEXT NOT NULL,
	headline     TEXT NOT NULL DEFAULT '',
	created_at   DATETIME NOT NULL
);
CREATE UNIQUE INDEX complaint_cards_msg_key_key ON complaint_cards (msg_key);
CREATE INDEX complaint_cards_complaint_id_idx ON complaint_cards (complaint_id);
