package domain

import "time"

// Outbox message states. A message is pending until Telegram accepts it
// (sent); sending marks the moment it is handed to Telegram, so a crash in
// that moment leaves it "in doubt" and it is sent again after the restart.
// failed is a permanent refusal (a bad request: a bug, never retried);
// undeliverable means the chat blocked the bot.
const (
	OutboxPending       = "pending"
	OutboxSending       = "sending"
	OutboxSent          = "sent"
	OutboxFailed        = "failed"
	OutboxUndeliverable = "undeliverable"
)

// Outbox priorities: direct replies to a command go before pushes.
const (
	PriorityPush  = 0
	PriorityReply = 1
)

// OutboxMessage is one message the bot is to send, written in the same
// transaction as the change that caused it. Key deduplicates: writing the
// same key twice stores one message (e.g. "followup:17:2026-12-01").
type OutboxMessage struct {
	ID       int64
	Key      string
	ChatID   int64
	StaffID  int64  // the recipient staff member, 0 for a group
	Text     string // Telegram HTML, at most 4096 UTF-16 units (an emoji counts two)
	Markup   string // reply_markup as JSON, "" for none
	FileName string // set for a document: Text is then its caption
	File     []byte
	// Photo sends the file as a picture (sendPhoto: at most 10 MB, width +
	// height at most 10000, sides at most 20:1) instead of a document.
	Photo    bool
	Priority int
	// EditMsgID, when set, makes this an edit of the bot's message with
	// that id in the chat (a card updated after a button press).
	EditMsgID int

	Status   string
	Attempts int
	// NextAttemptAt is when a pending message is next due.
	NextAttemptAt time.Time
	LastError     string
	CreatedAt     time.Time
	SentAt        *time.Time
	TelegramMsgID int
}

// OutboxStats summarises the outbox for /health and the CLI.
type OutboxStats struct {
	Pending       int // pending or sending
	Retrying      int // pending after at least one failed attempt
	Failed        int
	Undeliverable int
	OldestPending *time.Time // CreatedAt of the oldest pending message
	// LastFailedAt and LastFailure are when Telegram last refused a message
	// and why (its error); nil and "" when none has failed.
	LastFailedAt *time.Time
	LastFailure  string
	// ByStore splits Pending by the store of whom each message is for
	// (the staff member, or the store whose group chat it is), in the
	// stores' order; StoreID 0 gathers the rest (no staff member: a
	// stranger, a chat of no store). Only stores with a backlog appear.
	ByStore []StoreBacklog
}

// StoreBacklog is one store's share of the outbox backlog.
type StoreBacklog struct {
	StoreID int64 // 0: for no store's staff or chat
	Pending int
}

// InboundUpdate is a Telegram update kept durably before Telegram is told
// it was received, so a crash loses none.
type InboundUpdate struct {
	ID         int64
	ChatID     int64
	Raw        []byte // the update as Telegram sent it (JSON)
	ReceivedAt time.Time
	AppliedAt  *time.Time
}
