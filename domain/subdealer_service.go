package domain

import (
	"context"
	"time"
)

// SubDealerLine is one contract in /dealers with this month's figures.
type SubDealerLine struct {
	Contract SubDealerContract
	Month    MonthFigures
}

// SubDealerNoticeKind is what a sub-dealer notice says.
type SubDealerNoticeKind string

// The notices (R4.6).
const (
	NoticeDepositDue    SubDealerNoticeKind = "deposit_due"    // one working day before the lapse
	NoticeDepositLapsed SubDealerNoticeKind = "deposit_lapsed" // the contract lapsed
	NoticeTargetDue     SubDealerNoticeKind = "target_due"     // no target for this month yet
	NoticeExpiry        SubDealerNoticeKind = "expiry"         // the term ends within expiry_remind_days
	NoticePerformance   SubDealerNoticeKind = "performance"    // Alert, with Figures
)

// SubDealerNotice is an outcome of the sub-dealer jobs: what to tell the
// store's Managers about a contract. Period keys it (the day, the month or
// the end date), so each goes once.
type SubDealerNotice struct {
	Kind     SubDealerNoticeKind
	Contract SubDealerContract
	Period   string
	Month    string // NoticeTargetDue: the month; the targets' day is Rules' TargetsByDay
	ByDay    int
	Alert    PerformanceAlert
	Figures  []MonthFigures
	Managers []*Staff
}

// SubDealerService keeps the actor's store's sub-dealer contracts (R4.6).
// Every method but the jobs' needs MayManageSubDealers (else EFORBIDDEN);
// another store's contract is ENOTFOUND err.dealer_unknown, as if it did
// not exist.
type SubDealerService interface {
	// AddSubDealer signs a contract today (the store's date): NewSubDealer's
	// Validate errors; its deposit deadline from the store's calendar.
	AddSubDealer(ctx context.Context, by int64, c NewSubDealer) (*SubDealerContract, error)
	// RecordDealerDeposit records the deposit received (CheckDealerDeposit).
	// ECONFLICT err.dealer_not_active for a lapsed or expired contract,
	// ECONFLICT err.dealer_deposit_done when already recorded.
	RecordDealerDeposit(ctx context.Context, by, id int64, fen int64) (*SubDealerContract, error)
	// SetDealerTarget sets (or replaces) a month's target in cars.
	// ECONFLICT err.dealer_not_active for a lapsed or expired contract.
	SetDealerTarget(ctx context.Context, by, id int64, month string, units int) (*SubDealerLine, error)
	// RecordDealerSales records (replaces) a month's cars sold through the
	// dealer outside the bot, by hand; the month's achievement is these
	// plus the orders through the dealer delivered that month.
	RecordDealerSales(ctx context.Context, by, id int64, month string, units int) (*SubDealerLine, error)
	// SubDealers lists the store's contracts with now's month's figures,
	// active first, then by id.
	SubDealers(ctx context.Context, by int64, now time.Time) ([]SubDealerLine, error)

	// NextDealerDeposit is the earliest deposit warning or lapse to come
	// across the group; ok false when none.
	NextDealerDeposit(ctx context.Context) (at time.Time, ok bool, err error)
	// DealerDepositsDue warns of and lapses the deposits due by now (at
	// most limit), marking each in the caller's transaction.
	DealerDepositsDue(ctx context.Context, now time.Time, limit int) ([]SubDealerNotice, error)
	// SubDealerDaily is the store's day: contracts ended are expired, and
	// the target, expiry and performance notices due, the expiry and
	// performance ones marked so each goes once.
	SubDealerDaily(ctx context.Context, store int64, now time.Time) ([]SubDealerNotice, error)
}
