package telegramtest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrClosed is returned by the Wait helpers when the server is closed while
// they wait.
var ErrClosed = errors.New("telegramtest: server closed")

// EventKind says what the bot did.
type EventKind string

// The kinds of Event.
const (
	EventSent             EventKind = "sent"
	EventEdited           EventKind = "edited"
	EventDeleted          EventKind = "deleted"
	EventCallbackAnswered EventKind = "callback_answered"
)

// Event is something the bot pushed to a chat. Message is the message after
// the change (before it, for EventDeleted). For EventCallbackAnswered,
// Answer is set and ChatID/MessageID name the message whose button was
// pressed; Message is empty.
type Event struct {
	Kind      EventKind       // what happened
	ChatID    int64           // chat the bot acted in
	MessageID int             // message concerned
	Message   Message         // message state (see above)
	Answer    *CallbackAnswer // callback answer, EventCallbackAnswered only
}

// OnBotMessage registers an observer called for every Event, in order,
// outside the emulator's lock (the observer may call back into the Server).
// It runs on the HTTP handler's goroutine before the bot gets its reply, so
// a slow observer slows the bot down.
func (s *Server) OnBotMessage(fn func(ev Event)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.observers = append(s.observers, fn)
}

// flushEvents delivers queued events. Whoever holds obsMu drains the whole
// queue, so events are delivered in the order they were committed even when
// several handlers finish at once.
func (s *Server) flushEvents() {
	s.obsMu.Lock()
	defer s.obsMu.Unlock()
	for {
		s.mu.Lock()
		evs, obs := s.events, append([]func(ev Event){}, s.observers...)
		s.events = nil
		s.mu.Unlock()
		if len(evs) == 0 {
			return
		}
		for _, ev := range evs {
			for _, fn := range obs {
				fn(ev)
			}
		}
	}
}

// Messages returns the bot's current messages in the chat, oldest first,
// with edits applied and deleted ones gone.
func (s *Server) Messages(chatID int64) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.messagesLocked(chatID)
}

func (s *Server) messagesLocked(chatID int64) []Message {
	c := s.chats[chatID]
	if c == nil {
		return nil
	}
	var out []Message
	for _, id := range c.order {
		if sm := c.msgs[id]; sm != nil && sm.fromBot {
			out = append(out, sm.view.clone())
		}
	}
	return out
}

// LastMessage returns the bot's newest current message in the chat.
func (s *Server) LastMessage(chatID int64) (Message, bool) {
	msgs := s.Messages(chatID)
	if len(msgs) == 0 {
		return Message{}, false
	}
	return msgs[len(msgs)-1], true
}

// Message returns one bot message by id.
func (s *Server) Message(chatID int64, messageID int) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.chats[chatID]; c != nil {
		if sm := c.msgs[messageID]; sm != nil && sm.fromBot {
			return sm.view.clone(), true
		}
	}
	return Message{}, false
}

// WaitMessage waits until a current bot message in the chat satisfies pred
// (nil matches any) and returns the newest such message. It returns at once
// if one already exists, so to wait for a reply to a new action use
// WaitMessageAfter. Bounded by ctx, or DefaultWaitTimeout if ctx has no
// deadline; the error lists the chat's messages to ease debugging.
func (s *Server) WaitMessage(ctx context.Context, chatID int64, pred func(Message) bool) (Message, error) {
	return s.WaitMessageAfter(ctx, chatID, 0, pred)
}

// WaitMessageAfter is WaitMessage restricted to messages with an id greater
// than afterID, e.g. the id of LastMessage taken before the action.
func (s *Server) WaitMessageAfter(ctx context.Context, chatID int64, afterID int, pred func(Message) bool) (Message, error) {
	var found Message
	err := s.waitLocked(ctx, func() bool {
		msgs := s.messagesLocked(chatID)
		for i := len(msgs) - 1; i >= 0; i-- {
			if msgs[i].ID > afterID && (pred == nil || pred(msgs[i])) {
				found = msgs[i]
				return true
			}
		}
		return false
	})
	if err != nil {
		var seen []string
		for _, m := range s.Messages(chatID) {
			seen = append(seen, fmt.Sprintf("#%d %q", m.ID, m.Plain))
		}
		return Message{}, fmt.Errorf("telegramtest: no matching bot message in chat %d (after #%d): %w; messages: [%s]",
			chatID, afterID, err, strings.Join(seen, ", "))
	}
	return found, nil
}

// WaitIdle waits until every queued update has been confirmed by the bot,
// no API call is in progress and none started for `quiet` (real time). It
// is a heuristic — a handler doing slow non-API work looks idle — so prefer
// WaitMessage when there is an observable result to wait for.
func (s *Server) WaitIdle(ctx context.Context, quiet time.Duration) error {
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	for {
		s.mu.Lock()
		idleFor := time.Since(s.activity)
		busy := len(s.queue) > 0 || s.inflight > 0
		changed := s.changed
		s.mu.Unlock()
		if !busy && idleFor >= quiet {
			return nil
		}
		wait := quiet - idleFor
		if busy {
			wait = time.Hour // only the next state change can end it
		}
		timer := time.NewTimer(wait)
		select {
		case <-changed:
		case <-timer.C:
		case <-ctx.Done():
			timer.Stop()
			return fmt.Errorf("telegramtest: bot not idle (pending updates: %d): %w", s.Pending(), ctx.Err())
		case <-s.done:
			timer.Stop()
			return ErrClosed
		}
		timer.Stop()
	}
}

// Calls is the number of successful calls of a Bot API method
// (case-insensitive).
func (s *Server) Calls(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[strings.ToLower(method)]
}

// waitLocked waits until check (run with s.mu held) returns true. It sleeps
// on the change channel, so it wakes exactly when state changes.
func (s *Server) waitLocked(ctx context.Context, check func() bool) error {
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	for {
		s.mu.Lock()
		ok := check()
		changed := s.changed
		s.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		case <-s.done:
			return ErrClosed
		}
	}
}

func withDefaultTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	if ctx == nil {
		ctx = context.Background()
	}
	if _, ok := ctx.Deadline(); ok {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, DefaultWaitTimeout)
}
