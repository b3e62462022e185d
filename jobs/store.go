package jobs

import "context"

// Transactor runs fn in one transaction; a call inside fn's ctx joins it.
// Each job wraps "service call + notifier" in one, so what a service
// decided and the messages it causes commit together (exactly once).
type Transactor interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
}
