package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

// OrderChaser chases a discount, change or cancellation nobody ruled on
// (R4.2): rules.orders.approval_remind after it was asked its rank is
// reminded; after as long again it climbs one rank (supervisor → manager →
// general manager), whose people get a card. Each step is marked in the
// transaction that queues its messages, so it goes once; the timers run
// the job at the exact second of the next step (Next). One instance serves
// the group, each request timed on its store's rules.
type OrderChaser struct {
	Store  OrderChaseStore
	Bot    OrderChaseNotifier
	Stores *domain.Stores
}

// OrderChaseStore finds the requests to chase and marks each step.
type OrderChaseStore interface {
	PendingOrderRequests(ctx context.Context, limit int) ([]domain.OrderRequest, error)
	ChaseOrderRequest(ctx context.Context, id int64, climb bool, now time.Time) (*domain.OrderChased, error)
	Transactor
}

// OrderChaseNotifier tells a chase step's people.
type OrderChaseNotifier interface {
	NotifyOrderChased(ctx context.Context, c *domain.OrderChased) error
}

// chaseBatch bounds the requests looked at per run.
const chaseBatch = 500

// Name implements Job.
func (j *OrderChaser) Name() string { return "order-chaser" }

func (j *OrderChaser) remind(r domain.OrderRequest) time.Duration {
	return j.Stores.Of(r.StoreID).Rules.Orders.ApprovalRemind
}

// Run implements Job.
func (j *OrderChaser) Run(ctx context.Context, now time.Time) error {
	reqs, err := j.Store.PendingOrderRequests(ctx, chaseBatch)
	if err != nil {
		return fmt.Errorf("order requests: %w", err)
	}
	for _, r := range reqs {
		remindAt, climbAt, climbs := r.Chase(j.remind(r))
		remind := r.RemindedAt == nil && !now.Before(remindAt)
		climb := climbs && !now.Before(climbAt)
		if !remind && !climb {
			continue
		}
		if err := j.Store.InTx(ctx, func(ctx context.Context) error {
			for _, up := range chaseSteps(remind, climb) {
				c, err := j.Store.ChaseOrderRequest(ctx, r.ID, up, now)
				if err != nil {
					return err
				}
				if c == nil {
					continue
				}
				if err := j.Bot.NotifyOrderChased(ctx, c); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return fmt.Errorf("order request %d: %w", r.ID, err)
		}
	}
	return nil
}

// Next implements DeadlineJob: the first reminder or climb due on what is
// stored. One due already is not after `after`: the timers run at once.
func (j *OrderChaser) Next(ctx context.Context, _ time.Time) (time.Time, bool, error) {
	reqs, err := j.Store.PendingOrderRequests(ctx, chaseBatch)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("order requests: %w", err)
	}
	var n nearest
	for _, r := range reqs {
		remindAt, climbAt, climbs := r.Chase(j.remind(r))
		n.add(remindAt, r.RemindedAt == nil)
		n.add(climbAt, climbs)
	}
	return n.at, n.ok, nil
}
