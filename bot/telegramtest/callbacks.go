package telegramtest

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-telegram/bot/models"
)

// CallbackAnswer is what the bot answered to a button press.
type CallbackAnswer struct {
	QueryID   string    // the query answered
	Text      string    // notification text, "" for a silent answer
	ShowAlert bool      // alert box instead of a toast
	URL       string    // t.me link to open, if any
	CacheTime int       // cache_time in seconds
	At        time.Time // Options.Now at answer time
}

// queryState is a callback query the emulator issued.
type queryState struct {
	chatID    int64
	messageID int
	answered  bool
	answer    CallbackAnswer
}

// PressButton queues a callback_query update as if the user pressed the
// inline button with exactly this callback_data on the bot's message, and
// returns the query id. It fails if the message does not exist (or was
// deleted) or has no such button: a test must not press what is not shown.
func (s *Server) PressButton(from User, chatID int64, messageID int, data string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chats[chatID]
	if c == nil {
		return "", fmt.Errorf("telegramtest: PressButton: unknown chat %d", chatID)
	}
	sm := c.msgs[messageID]
	if sm == nil || !sm.fromBot {
		return "", fmt.Errorf("telegramtest: PressButton: no bot message %d in chat %d", messageID, chatID)
	}
	var shown []string
	for _, row := range sm.view.Buttons {
		for _, b := range row {
			if b.Data == data && b.Data != "" {
				return s.pressLocked(from, c, sm, messageID, data), nil
			}
			if b.Data != "" {
				shown = append(shown, fmt.Sprintf("%q=%q", b.Text, b.Data))
			}
		}
	}
	return "", fmt.Errorf("telegramtest: PressButton: message %d in chat %d has no button with callback_data %q (buttons: %s)",
		messageID, chatID, data, strings.Join(shown, ", "))
}

// PressRaw queues a callback_query without checking that the button exists,
// to test how the bot handles forged or stale presses. A missing message is
// sent as an InaccessibleMessage, as Telegram does.
func (s *Server) PressRaw(from User, chatID int64, messageID int, data string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chats[chatID]
	if c == nil {
		c = &chatState{chat: models.Chat{ID: chatID, Type: models.ChatTypePrivate}, msgs: map[int]*storedMessage{}}
	}
	return s.pressLocked(from, c, c.msgs[messageID], messageID, data)
}

func (s *Server) pressLocked(from User, c *chatState, sm *storedMessage, messageID int, data string) string {
	if _, ok := s.users[from.ID]; !ok {
		s.registerLocked(from)
	}
	// Query ids are opaque numeric strings on Telegram; long ones catch code
	// that wrongly parses them into small integers.
	s.lastQry++
	id := strconv.FormatInt(4_000_000_000_000_000_000+s.lastQry, 10)
	s.queries[id] = &queryState{chatID: c.chat.ID, messageID: messageID}
	fromModel := from.Model()
	q := &models.CallbackQuery{
		ID:           id,
		From:         fromModel,
		ChatInstance: strconv.FormatInt(-c.chat.ID*7919, 10),
		Data:         data,
	}
	if sm != nil {
		msg := sm.api
		q.Message = models.MaybeInaccessibleMessage{Type: models.MaybeInaccessibleMessageTypeMessage, Message: &msg}
	} else {
		q.Message = models.MaybeInaccessibleMessage{
			Type:                models.MaybeInaccessibleMessageTypeInaccessibleMessage,
			InaccessibleMessage: &models.InaccessibleMessage{Chat: c.chat, MessageID: messageID},
		}
	}
	s.enqueueLocked(models.Update{CallbackQuery: q})
	return id
}

// handleAnswerCallbackQuery accepts exactly one answer per issued query.
func handleAnswerCallbackQuery(s *Server, c *call) (any, *apiError) {
	id := c.p.str("callback_query_id")
	q := s.queries[id]
	if q == nil || q.answered {
		return nil, badRequest("query is too old and response timeout expired or query ID is invalid")
	}
	text := c.p.str("text")
	if utf16Len(text) > maxCallbackLen {
		return nil, badRequest("MESSAGE_TOO_LONG")
	}
	link := c.p.str("url")
	if link != "" && !isTelegramLink(link) {
		// Without a game, only t.me links (e.g. deep links to the bot) work.
		return nil, badRequest("URL_INVALID")
	}
	q.answered = true
	q.answer = CallbackAnswer{
		QueryID: id, Text: text, ShowAlert: c.p.bool("show_alert"),
		URL: link, CacheTime: c.p.int("cache_time"), At: s.now(),
	}
	ans := q.answer
	c.emit(Event{Kind: EventCallbackAnswered, ChatID: q.chatID, MessageID: q.messageID, Answer: &ans})
	return true, nil
}

func isTelegramLink(link string) bool {
	u, err := url.Parse(link)
	if err != nil {
		return false
	}
	host := strings.ToLower(u.Hostname())
	return (u.Scheme == "https" || u.Scheme == "http") && (host == "t.me" || host == "telegram.me")
}

// CallbackAnswer returns the bot's answer to the query, if it answered.
func (s *Server) CallbackAnswer(queryID string) (CallbackAnswer, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.queries[queryID]
	if q == nil || !q.answered {
		return CallbackAnswer{}, false
	}
	return q.answer, true
}

// WaitCallbackAnswer waits until the bot answers the query (bounded by ctx,
// or DefaultWaitTimeout when ctx has no deadline).
func (s *Server) WaitCallbackAnswer(ctx context.Context, queryID string) (CallbackAnswer, error) {
	var ans CallbackAnswer
	err := s.waitLocked(ctx, func() bool {
		q := s.queries[queryID]
		if q != nil && q.answered {
			ans = q.answer
			return true
		}
		return false
	})
	if err != nil {
		return ans, fmt.Errorf("telegramtest: callback query %s not answered: %w", queryID, err)
	}
	return ans, nil
}
