package delivery

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/dealerbot/dealerbot/domain"
)

// Each update is applied exactly once: its effects, the messages it sends
// (to the outbox) and the mark that it was applied commit in one
// transaction. A replayed update finds the mark and is skipped. A handler
// that fails leaves nothing behind but its answer.

// Effects is what one attempt at an update does beside its writes. The
// Handler fills it in; a retried transaction starts a fresh one.
type Effects struct {
	// Keys are the outbox keys of the update's answers: WaitHandled waits
	// for their delivery.
	Keys []string
	// After are Telegram calls that must follow the commit (answers to
	// button presses, menu changes), made once it has committed.
	After []func(context.Context)
	// Note is the chat layer's own record of the attempt, handed back to
	// Failed (the user's language, say).
	Note any
	// Fetched is what the Prefetch an earlier attempt at this update asked
	// for returned; nil on the first attempt.
	Fetched any
}

// Prefetch is what a Handler returns, as its error, when the update needs
// slow input that must not be fetched while its transaction is open: a
// file from Telegram's servers, which can take a minute, would hold
// SQLite's single write lock (every transaction here is immediate) and so
// stall every other chat. The runtime rolls the attempt back — nothing of
// it stands, not even the claim —, runs Fetch outside any transaction, and
// applies the update afresh with the result in Effects.Fetched. Exactly
// once still holds because Fetch only reads: the effects, the answers and
// the claim commit in the second transaction alone, and an update already
// claimed by then (another replica) is skipped as usual. This is simpler
// than recording a pending fetch for a job to finish: no new state, the
// per-chat order is kept (the chat's queue waits for the fetch), and the
// handler decides in the transaction, with the sender's roles at hand,
// whether a file is worth fetching at all. Fetch is bounded by the
// handler's time (HandlerTimeout) and must bound the size itself.
type Prefetch struct {
	Fetch func(ctx context.Context) any
}

func (p *Prefetch) Error() string { return "delivery: fetch outside the transaction first" }

// Failure is how the chat layer answers an update that did not apply.
type Failure struct {
	// Write runs in the transaction that closes the update (claims it,
	// without its effects) and queues the answer; it returns the answer's
	// outbox keys.
	Write func(ctx context.Context) ([]string, error)
	// After runs once that transaction is over: Telegram calls outside the
	// outbox. closeErr is the transaction's error: the database is out of
	// reach and the update stays open until it answers.
	After func(ctx context.Context, closeErr error)
}

// PanicError is the cause handed to Failed when a handler panicked.
type PanicError struct{ Value any }

func (e *PanicError) Error() string { return fmt.Sprintf("panic: %v", e.Value) }

// dispatch queues a stored update on its chat. The handler gets a context
// that outlives the polling loop's, so a shutdown lets it finish instead
// of failing its writes halfway.
func (r *Runtime) dispatch(ctx context.Context, u domain.InboundUpdate) {
	var upd models.Update
	if err := json.Unmarshal(u.Raw, &upd); err != nil {
		upd = models.Update{ID: u.ID} // applied as a no-op, so it leaves the inbox
	}
	chatID, _ := UpdateChat(&upd)
	r.queues.push(chatID, func() {
		hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.opts.HandlerTimeout)
		defer cancel()
		r.handle(hctx, &upd)
	})
}

// handle applies one update and logs it: its kind, chat and duration,
// never its text, which may hold phone numbers. A panic outside the
// handler's transaction is logged with its stack and the update answered.
func (r *Runtime) handle(ctx context.Context, upd *models.Update) {
	defer func() {
		p := recover()
		if p == nil {
			return
		}
		r.log.Error("handler panic", slog.Int64("update_id", upd.ID),
			slog.Any("panic", p), slog.String("stack", string(debug.Stack())))
		r.closeFailed(ctx, upd, &PanicError{Value: p}, nil)
	}()
	start := time.Now()
	r.apply(ctx, upd)
	chatID, _ := UpdateChat(upd)
	r.log.Info("update", slog.Int64("update_id", upd.ID), slog.String("kind", updateKind(upd)),
		slog.Int64("chat_id", chatID), slog.Duration("took", time.Since(start)))
}

// apply runs the Handler in a transaction that claims upd by its id
// (polling: one process, whose chat queues keep the order).
func (r *Runtime) apply(ctx context.Context, upd *models.Update) {
	r.applyClaim(ctx, func(tx context.Context) (*models.Update, error) {
		claimed, err := r.store.ClaimUpdate(tx, upd.ID)
		if err != nil || !claimed {
			return nil, err
		}
		return upd, nil
	}, upd)
}

// applyClaim runs the Handler in a transaction on the update claim takes
// in it (nil when there is none to take); InTx retries it whole when the
// database is busy. known is the update meant, when the caller knows it
// (polling), for answering a failed claim. It returns the update applied
// or answered, nil when the claim took none.
func (r *Runtime) applyClaim(ctx context.Context, claim func(tx context.Context) (*models.Update, error), known *models.Update) (cur *models.Update) {
	var fx *Effects
	defer func() {
		p := recover()
		if p == nil {
			return
		}
		failed := cmpOr(cur, known)
		if failed == nil {
			panic(p) // not the handler's: nothing was claimed
		}
		r.log.Error("handler panic", slog.Int64("update_id", failed.ID),
			slog.Any("panic", p), slog.String("stack", string(debug.Stack())))
		// The transaction rolled back; record the update with an apology
		// so that it is not run again.
		r.closeFailed(ctx, failed, &PanicError{Value: p}, fx)
		cur = failed
	}()
	var fetched any
	fetchedFor := int64(-1) // the update fetched holds the input of
	attempt := func() error {
		return r.store.InTx(ctx, func(tx context.Context) error {
			fx, cur = &Effects{}, nil
			upd, err := claim(tx)
			if err != nil || upd == nil {
				return err
			}
			cur = upd
			if upd.ID == fetchedFor {
				fx.Fetched = fetched
			}
			if chatID, ok := UpdateChat(upd); ok && upd.Message != nil && r.sender.isBlocked(chatID) {
				// They write again, so they unblocked the bot. The sender
				// learns it now, before this update's answer is committed,
				// so it does not mark the answer undeliverable.
				if _, err := r.store.SetChatBlocked(tx, chatID, false); err != nil {
					return err
				}
				r.sender.unblock(chatID)
			}
			return r.opts.Handler(tx, upd, fx)
		})
	}
	err := r.retryUnavailable(ctx, attempt)
	// The attempt rolled back whole; fetch outside it, then apply the
	// update again. A second Prefetch for the same update fails it; one for
	// another (a replica took the first meanwhile, the claim found the
	// next) is fetched in turn, a few times at most.
	for range 3 {
		pf := (*Prefetch)(nil)
		if !errors.As(err, &pf) || cur == nil || cur.ID == fetchedFor {
			break
		}
		start := time.Now()
		fetched, fetchedFor = pf.Fetch(ctx), cur.ID
		r.log.Info("prefetch", slog.Int64("update_id", cur.ID), slog.Duration("took", time.Since(start)))
		err = r.retryUnavailable(ctx, attempt)
	}
	switch {
	case err == nil && cur == nil:
		if known != nil {
			r.log.Info("update already applied", slog.Int64("update_id", known.ID))
			r.handled.mark(known.ID, nil)
		}
		return nil
	case err == nil:
		for _, fn := range fx.After {
			fn(ctx)
		}
		if r.opts.Committed != nil {
			r.opts.Committed()
		}
		r.sender.wake()
		r.handled.mark(cur.ID, fx.Keys)
		return cur
	}
	failed := cmpOr(cur, known)
	if failed == nil {
		// Nothing claimed (the database failed first): the update stays
		// in the inbox for the sweep.
		r.log.Warn("claim update", slog.Any("error", err))
		return nil
	}
	r.closeFailed(ctx, failed, err, fx)
	return failed
}

// cmpOr is the first non-nil update.
func cmpOr(a, b *models.Update) *models.Update {
	if a != nil {
		return a
	}
	return b
}

// retryUnavailable runs fn again while the database is out of reach
// (PostgreSQL restarting, SQLite busy beyond InTx's own retries), with
// backoff, as long as the handler's time allows; it keeps a moment at the
// end to answer.
func (r *Runtime) retryUnavailable(ctx context.Context, fn func() error) error {
	for attempt := 0; ; attempt++ {
		err := fn()
		if domain.ErrorCode(err) != domain.EUNAVAILABLE {
			return err
		}
		wait := min(100*time.Millisecond<<attempt, 2*time.Second)
		if deadline, ok := ctx.Deadline(); !ok || time.Until(deadline) < wait+time.Second {
			return err
		}
		r.log.Warn("database unavailable, retrying", slog.Any("error", err), slog.Duration("in", wait))
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return err
		}
	}
}

// closeFailed records an update that did not apply as handled, with only
// its answer (Failed), so it never runs again later: the user was told.
func (r *Runtime) closeFailed(ctx context.Context, upd *models.Update, cause error, fx *Effects) {
	// The handler's own time may be used up: answering gets its own.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	f := r.opts.Failed(ctx, upd, cause, fx)
	var keys []string
	err := r.store.InTx(ctx, func(tx context.Context) error {
		keys = nil
		claimed, err := r.store.ClaimUpdate(tx, upd.ID)
		if err != nil || !claimed || f.Write == nil {
			return err
		}
		keys, err = f.Write(tx)
		return err
	})
	if f.After != nil {
		f.After(ctx, err)
	}
	if err != nil {
		// The database is out of reach: After said so directly, if it could.
		r.log.Error("record failed update", slog.Int64("update_id", upd.ID), slog.Any("error", err))
		r.abandon(upd.ID)
		r.handled.mark(upd.ID, nil)
		return
	}
	r.sender.wake()
	r.handled.mark(upd.ID, keys)
}

// abandon remembers an update the user was told to send again while the
// database was out of reach; the poller marks it applied as soon as the
// database answers, so it does not run later by surprise. (If the process
// dies before that, the restart runs it.)
func (r *Runtime) abandon(id int64) {
	r.abandonMu.Lock()
	defer r.abandonMu.Unlock()
	r.abandoned = append(r.abandoned, id)
}

func (r *Runtime) hasAbandoned() bool {
	r.abandonMu.Lock()
	defer r.abandonMu.Unlock()
	return len(r.abandoned) > 0
}

// flushAbandoned marks the abandoned updates applied, keeping those the
// database still refuses.
func (r *Runtime) flushAbandoned(ctx context.Context) {
	r.abandonMu.Lock()
	ids := r.abandoned
	r.abandoned = nil
	r.abandonMu.Unlock()
	var left []int64
	for _, id := range ids {
		if err := r.store.MarkUpdateApplied(ctx, id); err != nil && domain.ErrorCode(err) != domain.ENOTFOUND {
			left = append(left, id)
		}
	}
	if len(left) > 0 {
		r.abandonMu.Lock()
		r.abandoned = append(r.abandoned, left...)
		r.abandonMu.Unlock()
	}
}
