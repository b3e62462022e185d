package delivery

import (
	"context"
	"sync"

	"github.com/go-telegram/bot/models"
)

// chatQueues runs the updates of one chat one after another, in the order
// they arrived, and different chats at the same time (at most `workers`).
type chatQueues struct {
	mu      sync.Mutex
	pending map[int64][]func()
	sem     chan struct{}
	wg      sync.WaitGroup
}

func newChatQueues(workers int) *chatQueues {
	return &chatQueues{pending: map[int64][]func(){}, sem: make(chan struct{}, workers)}
}

// push queues fn behind the chat's earlier updates.
func (q *chatQueues) push(chatID int64, fn func()) {
	q.wg.Add(1)
	q.mu.Lock()
	defer q.mu.Unlock()
	list, running := q.pending[chatID]
	q.pending[chatID] = append(list, fn)
	if !running {
		go q.run(chatID)
	}
}

// run drains one chat's queue; a chat with a key in pending has a runner.
func (q *chatQueues) run(chatID int64) {
	for {
		q.mu.Lock()
		list := q.pending[chatID]
		if len(list) == 0 {
			delete(q.pending, chatID)
			q.mu.Unlock()
			return
		}
		fn := list[0]
		q.pending[chatID] = list[1:]
		q.mu.Unlock()

		q.sem <- struct{}{}
		fn()
		<-q.sem
		q.wg.Done()
	}
}

// wait blocks until every queued update is handled or ctx ends.
func (q *chatQueues) wait(ctx context.Context) error {
	done := make(chan struct{})
	go func() { q.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// handledSet remembers which updates have been handled and the outbox
// keys of their answers, so a demo or a test can wait for one update's
// effects without sleeping.
type handledSet struct {
	mu   sync.Mutex
	done map[int64][]string
	wake chan struct{}
}

func newHandledSet() *handledSet {
	return &handledSet{done: map[int64][]string{}, wake: make(chan struct{})}
}

// mark records id as handled and wakes the waiters.
func (h *handledSet) mark(id int64, keys []string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.done) > 10000 { // only recent ids are ever waited for
		for k := range h.done {
			if k < id-5000 {
				delete(h.done, k)
			}
		}
	}
	h.done[id] = append([]string{}, keys...)
	close(h.wake)
	h.wake = make(chan struct{})
}

// UpdateChat is the chat an update belongs to (a callback's message chat,
// or the presser's private chat when the message is too old to carry one);
// false when the update has no chat to answer in.
func UpdateChat(upd *models.Update) (int64, bool) {
	switch {
	case upd.Message != nil:
		return upd.Message.Chat.ID, true
	case upd.EditedMessage != nil:
		return upd.EditedMessage.Chat.ID, true
	case upd.CallbackQuery != nil:
		if m := upd.CallbackQuery.Message.Message; m != nil {
			return m.Chat.ID, true
		}
		return upd.CallbackQuery.From.ID, true
	case upd.MyChatMember != nil:
		return upd.MyChatMember.Chat.ID, false
	}
	return 0, false
}

func updateKind(upd *models.Update) string {
	switch {
	case upd.Message != nil && upd.Message.Text != "":
		return "message"
	case upd.Message != nil:
		return "message_other"
	case upd.CallbackQuery != nil:
		return "callback_query"
	case upd.EditedMessage != nil:
		return "edited_message"
	}
	return "other"
}
