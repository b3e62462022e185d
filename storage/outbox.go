package storage

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/dealerbot/dealerbot/domain"
)

// outboxRow is a row of the outbox table.
type outboxRow struct {
	ID            int64  `gorm:"primaryKey"`
	Key           string `gorm:"column:key"`
	ChatID        int64
	StaffID       int64
	Text          string
	Markup        string
	FileName      string
	File          []byte
	Photo         bool
	Priority      int
	EditMsgID     int `gorm:"column:edit_message_id"`
	Status        string
	Attempts      int
	NextAttemptAt time.Time
	LastError     string
	CreatedAt     time.Time
	SentAt        *time.Time
	FailedAt      *time.Time
	TelegramMsgID int
	ClaimedBy     string // the replica sending it (status sending)
}

// TableName implements gorm's schema.Tabler.
func (outboxRow) TableName() string { return "outbox" }

// message converts the row to the domain type.
func (r *outboxRow) message() domain.OutboxMessage {
	return domain.OutboxMessage{
		ID:            r.ID,
		Key:           r.Key,
		ChatID:        r.ChatID,
		StaffID:       r.StaffID,
		Text:          r.Text,
		Markup:        r.Markup,
		FileName:      r.FileName,
		File:          r.File,
		Photo:         r.Photo,
		Priority:      r.Priority,
		EditMsgID:     r.EditMsgID,
		Status:        r.Status,
		Attempts:      r.Attempts,
		NextAttemptAt: utc(r.NextAttemptAt),
		LastError:     r.LastError,
		CreatedAt:     utc(r.CreatedAt),
		SentAt:        utcPtr(r.SentAt),
		TelegramMsgID: r.TelegramMsgID,
	}
}

// messages converts rows to domain types.
func messages(rows []outboxRow) []domain.OutboxMessage {
	list := make([]domain.OutboxMessage, len(rows))
	for i := range rows {
		list[i] = rows[i].message()
	}
	return list
}

// outboxUnfinished is the SQL list of the states a message is still to be
// sent in. It is written into queries as a literal, not bound, so that
// both planners can match it to outbox_unfinished_chat_id_idx, whose WHERE
// clause must say exactly the same.
const outboxUnfinished = `('` + domain.OutboxPending + `', '` + domain.OutboxSending + `')`

// errOutboxNotFound is the ENOTFOUND of an outbox look-up.
func errOutboxNotFound(what string) error {
	return domain.Errorkf(domain.ENOTFOUND, "err.not_found", nil, "outbox message %s not found", what)
}

// enqueueBatch is how many messages one INSERT of Enqueue stores. The
// SQLite driver matches each bound value by a linear search, so a statement
// costs the square of its values: 50 messages (of 11 values then, 12 with
// edit_message_id) was the fastest.
const enqueueBatch = 50

// Enqueue stores messages to be sent, in one transaction, and returns how
// many it stored: a message whose Key is stored already (or repeats an
// earlier one of msgs) is skipped, so writing the same reminder twice sends
// it once. Each stored message is pending, with no attempts, created now and
// due now or at its NextAttemptAt if that is later; its ID is set in msgs.
// Every message needs a Key, a ChatID and a Text or a FileName (EINVALID).
func (db *DB) Enqueue(ctx context.Context, msgs ...domain.OutboxMessage) (int, error) {
	first := make(map[string]int, len(msgs)) // key → index of its first message
	var todo []int
	for i, m := range msgs {
		if err := validOutboxMessage(m); err != nil {
			return 0, err
		}
		if _, dup := first[m.Key]; !dup {
			first[m.Key] = i
			todo = append(todo, i)
		}
	}
	var ids map[string]int64 // of the messages stored
	err := db.InTx(ctx, func(ctx context.Context) error {
		ids = make(map[string]int64, len(todo))
		now := db.now()
		for start := 0; start < len(todo); start += enqueueBatch {
			batch := todo[start:min(start+enqueueBatch, len(todo))]
			if err := db.insertOutbox(ctx, now, msgs, batch, ids); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, wrapInternal(err, "enqueue %d messages", len(msgs))
	}
	for key, id := range ids {
		msgs[first[key]].ID = id
	}
	return len(ids), nil
}

// insertOutbox stores the messages of msgs at the indexes in batch with
// one statement, skipping keys stored already, and records in ids the id
// of each message it stored. gorm cannot tell which rows of a batch
// ON CONFLICT DO NOTHING skipped, so the statement is written here and
// RETURNING names the stored ones by key.
func (db *DB) insertOutbox(ctx context.Context, now time.Time, msgs []domain.OutboxMessage, batch []int, ids map[string]int64) error {
	var sql strings.Builder
	sql.WriteString(`INSERT INTO outbox ("key", chat_id, staff_id, text, markup, file_name, file, photo, priority,
		edit_message_id, status, next_attempt_at, created_at) VALUES `)
	args := make([]any, 0, 13*len(batch))
	for j, i := range batch {
		if j > 0 {
			sql.WriteString(", ")
		}
		sql.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
		m := msgs[i]
		due := now
		if next := m.NextAttemptAt.UTC().Truncate(time.Microsecond); next.After(now) {
			due = next
		}
		var file any // NULL, not an empty blob, for no file
		if len(m.File) > 0 {
			file = m.File
		}
		args = append(args, m.Key, m.ChatID, m.StaffID, m.Text, m.Markup, m.FileName, file, m.Photo, m.Priority,
			m.EditMsgID, domain.OutboxPending, due, now)
	}
	sql.WriteString(` ON CONFLICT ("key") DO NOTHING RETURNING id, "key"`)
	rows, err := db.conn(ctx).Raw(sql.String(), args...).Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var key string
		if err := rows.Scan(&id, &key); err != nil {
			return err
		}
		ids[key] = id
	}
	return rows.Err()
}

// validOutboxMessage checks what Enqueue needs of m.
func validOutboxMessage(m domain.OutboxMessage) error {
	switch {
	case m.Key == "":
		return domain.Errorkf(domain.EINVALID, "err.invalid", nil, "outbox message has no key")
	case m.ChatID == 0:
		return domain.Errorkf(domain.EINVALID, "err.invalid", nil, "outbox message %q has no chat", m.Key)
	case m.Text == "" && m.FileName == "":
		return domain.Errorkf(domain.EINVALID, "err.invalid", nil, "outbox message %q has neither text nor file", m.Key)
	case m.Photo && len(m.File) == 0:
		return domain.Errorkf(domain.EINVALID, "err.invalid", nil, "outbox photo %q has no file", m.Key)
	}
	return nil
}

// DueMessages returns up to limit messages to send now (all of them when
// limit is not positive), most urgent first: by priority, then in the order
// they were written. A chat gets at most one, its oldest unfinished message,
// and only when that one is pending and due: a chat's messages go out
// strictly in order, one at a time, and a message held back by a retry
// holds back the ones after it. Chats in skipChats (being sent to) get none.
func (db *DB) DueMessages(ctx context.Context, limit int, skipChats []int64) ([]domain.OutboxMessage, error) {
	return db.DueMessagesSpaced(ctx, limit, skipChats, 0, 0)
}

// DueMessagesSpaced is DueMessages, leaving out on PostgreSQL the chats
// that had perChatPerSecond sends (by their sent_at) in the last second or,
// for a group (a negative id), groupPerMinute in the last minute (0: no
// bound): several replicas send to one
// chat in turn, and the database is where they all see its last sends.
// SQLite serves one process, whose sender keeps the chat's windows itself,
// so the bounds are not needed there and not applied.
func (db *DB) DueMessagesSpaced(ctx context.Context, limit int, skipChats []int64, perChatPerSecond, groupPerMinute int) ([]domain.OutboxMessage, error) {
	var rows []outboxRow
	q := db.dueQuery(db.conn(ctx), limit, skipChats)
	if db.driver == DriverPostgres {
		now := db.now()
		recent := "(SELECT COUNT(*) FROM outbox s WHERE s.chat_id = outbox.chat_id AND s.sent_at > ?)"
		if perChatPerSecond > 0 {
			q = q.Where(recent+" < ?", now.Add(-time.Second), perChatPerSecond)
		}
		if groupPerMinute > 0 {
			q = q.Where("(outbox.chat_id > 0 OR "+recent+" < ?)", now.Add(-time.Minute), groupPerMinute)
		}
	}
	if err := q.Find(&rows).Error; err != nil {
		return nil, formatError(fmt.Errorf("due messages: %w", err))
	}
	return messages(rows), nil
}

// dueQuery builds DueMessages' query on q. The heads (each chat's oldest
// unfinished message) come from one pass over the partial index
// outbox_unfinished_chat_id_idx: it holds only unfinished messages, not
// the sent history, in chat order, so the grouping reads no table row and
// needs no sort. Each head is then read by its id. SQLite is told to use
// that index: without statistics its planner prefers the status index and
// a temporary B-tree, which takes twice as long.
func (db *DB) dueQuery(q *gorm.DB, limit int, skipChats []int64) *gorm.DB {
	from := "outbox"
	if db.driver == DriverSQLite {
		from = "outbox INDEXED BY outbox_unfinished_chat_id_idx"
	}
	heads := "(SELECT MIN(id) AS id FROM " + from + " WHERE status IN " + outboxUnfinished + " GROUP BY chat_id) AS heads"
	q = q.Model(&outboxRow{}).
		Joins("JOIN "+heads+" ON heads.id = outbox.id").
		Where("outbox.status = ? AND outbox.next_attempt_at <= ?", domain.OutboxPending, db.now())
	if len(skipChats) > 0 {
		// An empty NOT IN list would be written as NOT IN (NULL): no rows.
		q = q.Where("outbox.chat_id NOT IN ?", skipChats)
	}
	q = q.Order("outbox.priority DESC, outbox.id")
	if limit > 0 {
		q = q.Limit(limit)
	}
	return q
}

// MarkSending records that message id is being handed to Telegram, and
// counts the attempt. Only a pending message can be: anything else is an
// ECONFLICT, so two senders never both send one message.
func (db *DB) MarkSending(ctx context.Context, id int64) error {
	return db.ClaimSend(ctx, id, "")
}

// ClaimSend is MarkSending by replica, which it records: if that replica
// dies, RecoverOrphans makes the message pending again while the other
// replicas' sends in flight stay theirs.
func (db *DB) ClaimSend(ctx context.Context, id int64, replica string) error {
	return db.transition(ctx, id, []string{domain.OutboxPending}, "",
		map[string]any{"status": domain.OutboxSending, "attempts": gorm.Expr("attempts + 1"), "claimed_by": replica})
}

// MarkSent records that Telegram accepted message id as its message
// telegramMsgID. Telegram's word settles it, whatever the message's state
// was (even one marked undeliverable meanwhile); a message already sent is
// left as it is.
func (db *DB) MarkSent(ctx context.Context, id int64, telegramMsgID int) error {
	return db.transition(ctx, id,
		[]string{domain.OutboxPending, domain.OutboxSending, domain.OutboxFailed, domain.OutboxUndeliverable},
		domain.OutboxSent,
		map[string]any{"status": domain.OutboxSent, "sent_at": db.now(), "telegram_msg_id": telegramMsgID})
}

// MarkRetry makes message id pending again, due at next, after an attempt
// that failed with errText. Only a pending or sending message can be
// retried (ECONFLICT otherwise): a message sent, failed or undeliverable
// meanwhile stays so.
func (db *DB) MarkRetry(ctx context.Context, id int64, next time.Time, errText string) error {
	return db.transition(ctx, id, []string{domain.OutboxPending, domain.OutboxSending}, "",
		map[string]any{"status": domain.OutboxPending, "next_attempt_at": next.UTC().Truncate(time.Microsecond), "last_error": errText})
}

// MarkFailed records that Telegram refused message id for good, and when.
// Only a
// pending or sending message can fail (ECONFLICT otherwise); failing a
// failed one again does nothing.
func (db *DB) MarkFailed(ctx context.Context, id int64, errText string) error {
	return db.transition(ctx, id, []string{domain.OutboxPending, domain.OutboxSending}, domain.OutboxFailed,
		map[string]any{"status": domain.OutboxFailed, "last_error": errText, "failed_at": db.now().UTC()})
}

// transition sets the columns in set on message id if its status is one of
// from. Otherwise: ENOTFOUND for no such message, nothing for a message
// already in state done (when done is not empty), ECONFLICT for the rest.
func (db *DB) transition(ctx context.Context, id int64, from []string, done string, set map[string]any) error {
	to := set["status"]
	err := db.InTx(ctx, func(ctx context.Context) error {
		tx := db.conn(ctx)
		res := tx.Model(&outboxRow{}).Where("id = ? AND status IN ?", id, from).Updates(set)
		if res.Error != nil || res.RowsAffected == 1 {
			return res.Error
		}
		var row outboxRow
		err := tx.Select("status").Where("id = ?", id).Take(&row).Error
		switch {
		case isNotFound(err):
			return errOutboxNotFound(fmt.Sprintf("#%d", id))
		case err != nil:
			return err
		case done != "" && row.Status == done:
			return nil
		}
		return domain.Errorkf(domain.ECONFLICT, "err.conflict", nil,
			"outbox message %d is %s: it cannot become %s", id, row.Status, to)
	})
	if err != nil {
		return wrapInternal(err, "mark outbox message %d %s", id, to)
	}
	return nil
}

// MarkChatUndeliverable gives up every pending or sending message of a
// chat that blocked the bot, recording errText, and returns how many.
func (db *DB) MarkChatUndeliverable(ctx context.Context, chatID int64, errText string) (int64, error) {
	return db.updateOutbox(ctx, "mark chat undeliverable",
		map[string]any{"status": domain.OutboxUndeliverable, "last_error": errText},
		"chat_id = ? AND status IN "+outboxUnfinished, chatID)
}

// RecoverSending makes every sending message pending again and returns how
// many: at start, those are the messages a crash left in doubt, and they
// are sent again rather than lost. Call it before the sender starts.
func (db *DB) RecoverSending(ctx context.Context) (int64, error) {
	return db.updateOutbox(ctx, "recover sending messages",
		map[string]any{"status": domain.OutboxPending}, "status = ?", domain.OutboxSending)
}

// RecoverOrphans makes pending again every sending message claimed by no
// replica that beat at or after liveSince (one that died, or a claim
// without a name), and returns how many. Several replicas call it in turn,
// where a single process calls RecoverSending at start.
func (db *DB) RecoverOrphans(ctx context.Context, liveSince time.Time) (int64, error) {
	return db.updateOutbox(ctx, "recover orphaned messages",
		map[string]any{"status": domain.OutboxPending},
		"status = ? AND claimed_by NOT IN (SELECT name FROM replicas WHERE last_seen >= ?)",
		domain.OutboxSending, dbTime(liveSince))
}

// updateOutbox sets the columns in set on the messages where selects, in
// a transaction, and returns how many; what names the change in errors.
func (db *DB) updateOutbox(ctx context.Context, what string, set map[string]any, where string, args ...any) (int64, error) {
	var n int64
	err := db.InTx(ctx, func(ctx context.Context) error {
		res := db.conn(ctx).Model(&outboxRow{}).Where(where, args...).Updates(set)
		n = res.RowsAffected
		return res.Error
	})
	if err != nil {
		return 0, fmt.Errorf("%s: %w", what, err)
	}
	return n, nil
}
