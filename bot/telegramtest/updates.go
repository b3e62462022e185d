package telegramtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/go-telegram/bot/models"
)

// maxLongPoll is the longest getUpdates timeout the real Bot API server
// honours (larger values are clamped to it).
const maxLongPoll = 50

// queuedUpdate is an update waiting to be confirmed by a getUpdates offset.
// It is stored as JSON so the bot sees a snapshot taken when it was queued,
// like on Telegram, and so nobody can race on the models structs.
type queuedUpdate struct {
	id   int64
	kind string
	raw  json.RawMessage
}

// defaultExcluded are the update types Telegram does not deliver unless they
// are listed explicitly in allowed_updates.
var defaultExcluded = map[string]bool{
	models.AllowedUpdateChatMember:           true,
	models.AllowedUpdateMessageReaction:      true,
	models.AllowedUpdateMessageReactionCount: true,
}

// enqueueLocked assigns the next update id (ids grow by one, as on Telegram)
// and queues the update. A model that cannot be marshalled is a test bug, so
// it panics with the reason.
func (s *Server) enqueueLocked(u models.Update) int64 {
	s.lastUpd++
	u.ID = s.lastUpd
	raw, err := json.Marshal(&u)
	if err != nil {
		panic(fmt.Sprintf("telegramtest: cannot marshal update: %v", err))
	}
	q := queuedUpdate{id: u.ID, kind: updateKind(raw), raw: raw}
	s.queue = append(s.queue, q)
	if s.history == nil {
		s.history = map[int64]queuedUpdate{}
	}
	s.history[u.ID] = q
	s.notifyLocked()
	return u.ID
}

// Replay queues an update that was already delivered and confirmed, with
// its original id, as Telegram does when a bot comes back with an older
// offset (a lost or restored database): the bot must recognise it and
// change nothing.
func (s *Server) Replay(updateID int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, ok := s.history[int64(updateID)]
	if !ok {
		return fmt.Errorf("telegramtest: Replay: no update %d", updateID)
	}
	i := 0
	for i < len(s.queue) && s.queue[i].id < q.id {
		i++
	}
	if i < len(s.queue) && s.queue[i].id == q.id {
		return nil // still queued
	}
	s.queue = append(s.queue[:i], append([]queuedUpdate{q}, s.queue[i:]...)...)
	s.notifyLocked()
	return nil
}

// updateKind is the name of the update's payload field ("message",
// "callback_query", …), which is what allowed_updates filters on.
func updateKind(raw json.RawMessage) string {
	var fields map[string]json.RawMessage
	_ = json.Unmarshal(raw, &fields)
	for k := range fields {
		if k != "update_id" {
			return k
		}
	}
	return ""
}

func (s *Server) allowedLocked(kind string) bool {
	if s.allowed == nil {
		return !defaultExcluded[kind]
	}
	return s.allowed[kind]
}

// confirmLocked applies a getUpdates offset: a positive offset forgets every
// update with a smaller id; a negative one keeps only the last -offset
// updates (Bot API: "All previous updates will be forgotten").
func (s *Server) confirmLocked(offset int64) {
	switch {
	case offset > 0:
		i := 0
		for i < len(s.queue) && s.queue[i].id < offset {
			i++
		}
		s.queue = s.queue[i:]
	case offset < 0:
		if keep := int(-offset); keep < len(s.queue) {
			s.queue = s.queue[len(s.queue)-keep:]
		}
	}
}

// collectLocked returns up to limit deliverable updates. Updates of a type
// that allowed_updates excludes are dropped for good: Telegram never creates
// them for the bot in the first place.
func (s *Server) collectLocked(limit int) []json.RawMessage {
	var out []json.RawMessage
	kept := s.queue[:0:0]
	for _, q := range s.queue {
		if !s.allowedLocked(q.kind) {
			continue
		}
		kept = append(kept, q)
		if len(out) < limit {
			out = append(out, q.raw)
		}
	}
	s.queue = kept
	return out
}

// handleGetUpdates implements long polling. A newer getUpdates call
// terminates an older one still waiting with 409 Conflict, which is how
// Telegram tells a bot that two instances are polling.
func handleGetUpdates(s *Server, c *call) (any, *apiError) {
	offset := c.p.int64("offset")
	limit := 100
	if c.p.has("limit") {
		limit = min(max(c.p.int("limit"), 1), 100)
	}
	timeout := min(max(c.p.int("timeout"), 0), maxLongPoll)
	var allowed map[string]bool
	if raw := c.p.str("allowed_updates"); raw != "" {
		var list []string
		if err := json.Unmarshal([]byte(raw), &list); err != nil {
			return nil, badRequest("can't parse allowed updates JSON array")
		}
		// An empty list means "the default set", like on Telegram.
		if len(list) > 0 {
			allowed = map[string]bool{}
			for _, k := range list {
				allowed[k] = true
			}
		}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.webhook != nil {
		return nil, errWebhookActive
	}
	if s.pollStop != nil {
		close(s.pollStop)
	}
	stop := make(chan struct{})
	s.pollStop = stop
	defer func() {
		if s.pollStop == stop {
			s.pollStop = nil
		}
	}()
	s.confirmLocked(offset)
	if c.p.has("allowed_updates") {
		s.allowed = allowed
	}
	s.notifyLocked()

	deadline := time.NewTimer(time.Duration(timeout) * time.Second)
	defer deadline.Stop()
	for {
		if s.webhook != nil {
			return nil, errWebhookActive
		}
		if s.pollStop != stop {
			return nil, &apiError{code: http.StatusConflict,
				desc: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"}
		}
		ups := s.collectLocked(limit)
		if len(ups) > 0 || timeout == 0 {
			return nonNil(ups), nil
		}
		changed := s.changed
		s.mu.Unlock()
		var expired bool
		select {
		case <-changed:
		case <-stop:
		case <-deadline.C:
			expired = true
		case <-c.ctx.Done():
			expired = true
		case <-s.done:
			expired = true
		}
		s.mu.Lock()
		if expired && s.pollStop == stop {
			return nonNil(s.collectLocked(limit)), nil
		}
	}
}

// nonNil makes an empty result marshal as [] like Telegram, not null.
func nonNil(ups []json.RawMessage) []json.RawMessage {
	if ups == nil {
		return []json.RawMessage{}
	}
	return ups
}

// Pending is the number of queued updates not yet confirmed by a getUpdates
// offset (delivered-but-unconfirmed ones included).
func (s *Server) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.queue)
}

// SendText queues a "message" update from the user in their private chat and
// returns its update id. It opens the chat (the bot may now write to the
// user) and, if the user had blocked the bot, unblocks it first as a restart
// does on Telegram. Text starting with "/" gets a bot_command entity.
func (s *Server) SendText(from User, text string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.registerLocked(from)
	if c.blocked {
		c.open = true
		s.setBlockedLocked(c, false)
	}
	c.open = true
	return int(s.userMessageLocked(c, from, text))
}

// SendTextInGroup queues a "message" update from the user in a group created
// with NewGroup. It panics on an unknown group because that is a test bug.
func (s *Server) SendTextInGroup(from User, groupID int64, text string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chats[groupID]
	if c == nil || !c.isGroup() {
		panic(fmt.Sprintf("telegramtest: SendTextInGroup: %d is not a group created with NewGroup", groupID))
	}
	if _, ok := s.users[from.ID]; !ok {
		s.registerLocked(from)
	}
	return int(s.userMessageLocked(c, from, text))
}

func (s *Server) userMessageLocked(c *chatState, from User, text string) int64 {
	fromModel := from.Model()
	msg := &models.Message{
		From:     &fromModel,
		Chat:     c.chat,
		Date:     int(s.now().Unix()),
		Text:     text,
		Entities: commandEntities(text),
	}
	s.storeIncomingLocked(c, msg)
	return s.enqueueLocked(models.Update{Message: msg})
}

// SendUpdate queues an arbitrary update (edited_message, my_chat_member,
// stickers, contacts, …) and returns its update id; any ID in u is replaced.
// If u.Message is set its chat is registered, and a zero message_id or date
// is filled in, so that the bot can reply to it like to a real message.
// It panics on a message without chat.id or reusing an existing message id,
// which are test bugs.
func (s *Server) SendUpdate(u models.Update) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m := u.Message; m != nil {
		cp := *m
		u.Message = &cp
		if cp.Chat.ID == 0 {
			panic("telegramtest: SendUpdate: message without chat.id")
		}
		c := s.chats[cp.Chat.ID]
		if c == nil {
			c = &chatState{msgs: map[int]*storedMessage{}, chat: cp.Chat}
			s.chats[cp.Chat.ID] = c
		}
		// Receiving a message in a chat proves the bot may write there.
		c.open = true
		if cp.Date == 0 {
			cp.Date = int(s.now().Unix())
		}
		s.storeIncomingLocked(c, &cp)
	}
	return int(s.enqueueLocked(u))
}

// commandEntities reproduces the bot_command entity Telegram attaches to a
// message starting with "/command" or "/command@botname". Offsets and
// lengths are in UTF-16 code units; commands are ASCII, so bytes == units.
func commandEntities(text string) []models.MessageEntity {
	if len(text) < 2 || text[0] != '/' {
		return nil
	}
	isWord := func(b byte) bool {
		return b == '_' || (b >= '0' && b <= '9') || (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z')
	}
	n := 1
	for n < len(text) && isWord(text[n]) {
		n++
	}
	if n == 1 {
		return nil
	}
	if n < len(text) && text[n] == '@' {
		m := n + 1
		for m < len(text) && isWord(text[m]) {
			m++
		}
		if m > n+1 {
			n = m
		}
	}
	return []models.MessageEntity{{Type: models.MessageEntityTypeBotCommand, Offset: 0, Length: n}}
}

// LastUpdateID is the id of the newest update queued (0 before any): after
// PressButton, the press's update, for waiting until the bot handled it.
func (s *Server) LastUpdateID() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return int(s.lastUpd)
}
