package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/dealerbot/dealerbot/bot"
	"github.com/dealerbot/dealerbot/bot/delivery"
	"github.com/dealerbot/dealerbot/jobs"
	"github.com/dealerbot/dealerbot/storage"
)

// App is the whole bot wired together: store, Telegram bot and scheduled
// jobs. main builds it by hand and owns its shutdown.
type App struct {
	Config Config
	Log    *slog.Logger
	Now    func() time.Time
	DB     *storage.DB
	Bot    *bot.Bot
	Jobs   *jobs.Scheduler

	mornings  []*jobs.MorningPush    // one per store
	registers []*jobs.WeeklyRegister // one per store
	duty      []*jobs.DutyReminder   // one per store
	upkeep    []*jobs.DemoUpkeep     // one per store
	dealers   []*jobs.SubDealerDay   // one per store
}

// openDB opens the configured database and brings its schema up to date.
func openDB(ctx context.Context, cfg Config, now func() time.Time) (*storage.DB, error) {
	db, err := storage.Open(storage.Config{
		Driver:      cfg.Database.Driver,
		Path:        cfg.Database.Path,
		DSN:         cfg.Database.DSN,
		BusyTimeout: cfg.Database.BusyTimeout,
	})
	if err != nil {
		return nil, err
	}
	db.Now = now
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := db.UseStores(ctx, cfg.StoreList()); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// NewApp opens the store and connects the bot to the Bot API at apiURL.
func NewApp(ctx context.Context, cfg Config, log *slog.Logger, now func() time.Time, apiURL, token string) (*App, error) {
	a := &App{Config: cfg, Log: log, Now: now}
	db, err := openDB(ctx, cfg, now)
	if err != nil {
		return nil, err
	}
	a.DB = db
	var webhook *delivery.Webhook
	if wh := cfg.Telegram.Webhook; cfg.Telegram.Mode == modeWebhook {
		webhook = &delivery.Webhook{Listen: wh.Listen, Path: wh.RoutePath(), PublicURL: wh.URL(),
			Secret: wh.Secret, MaxConnections: wh.MaxConnections}
	}
	// One name for this replica in the replicas table and the leases.
	name := replicaName()
	a.Bot, err = bot.New(ctx, bot.Options{
		Token:           token,
		APIURL:          apiURL,
		Store:           db,
		Lost:            db,
		Cleanup:         db,
		Duty:            db,
		Reception:       db,
		Complaints:      db,
		Register:        db,
		Staff:           db,
		Rest:            db,
		Collisions:      db,
		Handovers:       db,
		Appointments:    db,
		Leads:           db,
		Visits:          db,
		Vehicles:        db,
		TestDrives:      db,
		Demos:           db,
		Stocktakes:      db,
		SubDealers:      db,
		Orders:          db,
		Allocations:     db,
		Log:             log,
		Now:             now,
		Stores:          db.Stores,
		PollTimeout:     cfg.Telegram.PollTimeout,
		Webhook:         webhook,
		Owner:           name,
		Workers:         cfg.Delivery.Workers,
		ShutdownTimeout: cfg.Delivery.ShutdownTimeout,
		SendTimeout:     cfg.Delivery.SendTimeout,
		// a.Jobs is set below, before the bot handles any update.
		Committed: func() { a.Jobs.Poke() },
		Limits:    deliveryLimits(cfg.Delivery),
	})
	if err != nil {
		db.Close()
		return nil, err
	}
	// The first store's zone is that of the specs naming none (the
	// group's housekeeping); each store's calendar jobs name theirs
	// (CRON_TZ=).
	a.Jobs = jobs.NewScheduler(cfg.Calendar().Location, now, log)
	if db.Driver() == storage.DriverPostgres {
		// Replicas may share the database: one of them runs the jobs.
		a.Jobs.SetLeader(jobs.Leader{Leases: db, Runs: db, Holder: name})
	}
	// The calendar jobs run one instance per store, in its time zone.
	for _, st := range db.Stores.All() {
		morning := &jobs.MorningPush{Store: db, Bot: a.Bot, Shop: st, Log: log}
		a.mornings = append(a.mornings, morning)
		cleanup := &jobs.MonthEndCleanup{Store: db, Bot: a.Bot, Shop: st}
		for _, j := range []interface {
			jobs.Job
			Spec() string
		}{morning, cleanup} {
			if err := a.Jobs.Add(j.Spec(), j); err != nil {
				db.Close()
				return nil, err
			}
		}
		a.duty = append(a.duty, &jobs.DutyReminder{Store: db, Bot: a.Bot, Shop: st})
		upkeep := &jobs.DemoUpkeep{Store: db, Bot: a.Bot, Shop: st}
		a.upkeep = append(a.upkeep, upkeep)
		if err := a.Jobs.Add(upkeep.Spec(), upkeep); err != nil {
			db.Close()
			return nil, err
		}
		dealers := &jobs.SubDealerDay{Store: db, Bot: a.Bot, Shop: st}
		a.dealers = append(a.dealers, dealers)
		if err := a.Jobs.Add(dealers.Spec(), dealers); err != nil {
			db.Close()
			return nil, err
		}
	}
	for _, j := range []struct {
		spec string
		job  jobs.Job
	}{
		{jobs.HousekeepingSpec, &jobs.Housekeeping{Store: db, Log: log}},
	} {
		if err := a.Jobs.Add(j.spec, j.job); err != nil {
			db.Close()
			return nil, err
		}
	}
	// The weekly complaint register and the duty reminder: one per store,
	// in its time zone.
	for _, st := range db.Stores.All() {
		register := &jobs.WeeklyRegister{Store: db, Bot: a.Bot, Shop: st}
		a.registers = append(a.registers, register)
		if err := a.Jobs.Add(register.Spec(), register); err != nil {
			db.Close()
			return nil, err
		}
	}
	for _, duty := range a.duty {
		if err := a.Jobs.Add(duty.Spec(), duty); err != nil {
			db.Close()
			return nil, err
		}
	}
	// Deadlines run at their instants, not on a spec.
	for _, job := range []jobs.DeadlineJob{
		&jobs.VisitGradePrompt{Store: db, Bot: a.Bot, After: 24 * time.Hour},
		&jobs.Reminders{Store: db, Bot: a.Bot, Stores: db.Stores},
		&jobs.ComplaintChaser{Store: db, Bot: a.Bot, Stores: db.Stores},
		&jobs.ReceptionTimeouts{Store: db, Bot: a.Bot, Stores: db.Stores},
		&jobs.TestDriveLate{Store: db, Bot: a.Bot, Stores: db.Stores},
		&jobs.ReservationExpiry{Store: db, Bot: a.Bot},
		&jobs.DealerDeposits{Store: db, Bot: a.Bot},
		&jobs.OrderChaser{Store: db, Bot: a.Bot, Stores: db.Stores},
		&jobs.AllocationLapse{Store: db, Bot: a.Bot},
	} {
		a.Jobs.AddDeadline(job)
	}
	return a, nil
}

// Run serves until ctx is cancelled (SIGINT/SIGTERM), then shuts down in
// order: stop fetching updates and let handlers in flight finish (bounded),
// stop the jobs, and leave closing the database to Close.
func (a *App) Run(ctx context.Context) error {
	staff, err := a.DB.ListStaff(ctx, false) // every store's
	if err != nil {
		return fmt.Errorf("list staff: %w", err)
	}
	a.Bot.PublishMenus(ctx, staff)
	// The catch-up runs on the replica that leads, each time one starts to.
	a.Jobs.OnLead(func(ctx context.Context, now time.Time) {
		for _, m := range a.mornings {
			if err := m.CatchUp(ctx, now); err != nil {
				a.Log.Error("morning push catch-up", slog.String("job", m.Name()), slog.Any("error", err))
			}
		}
		for _, register := range a.registers {
			if err := register.CatchUp(ctx, now); err != nil {
				a.Log.Error("weekly register catch-up", slog.String("job", register.Name()), slog.Any("error", err))
			}
		}
		for _, duty := range a.duty {
			if err := duty.CatchUp(ctx, now); err != nil {
				a.Log.Error("duty reminder catch-up", slog.String("job", duty.Name()), slog.Any("error", err))
			}
		}
		for _, upkeep := range a.upkeep {
			if err := upkeep.CatchUp(ctx, now); err != nil {
				a.Log.Error("demo upkeep catch-up", slog.String("job", upkeep.Name()), slog.Any("error", err))
			}
		}
		for _, d := range a.dealers {
			if err := d.CatchUp(ctx, now); err != nil {
				a.Log.Error("sub-dealer catch-up", slog.String("job", d.Name()), slog.Any("error", err))
			}
		}
	})
	a.Jobs.Start()
	a.Log.Info("dealerbot running", slog.String("bot", a.Bot.Username()), slog.String("store", a.Config.Store.Name))
	errBot := a.Bot.Start(ctx)
	stopCtx, cancel := context.WithTimeout(context.Background(), a.Config.Delivery.ShutdownTimeout)
	defer cancel()
	errJobs := a.Jobs.Stop(stopCtx)
	a.Log.Info("dealerbot stopped")
	return errors.Join(errBot, errJobs)
}

// deliveryLimits are the sender's limits from the config.
func deliveryLimits(d DeliveryConfig) bot.Limits {
	return bot.Limits{
		GlobalPerSecond:   d.GlobalPerSecond,
		PerChatPerSecond:  d.PerChatPerSecond,
		GroupPerMinute:    d.GroupPerMinute,
		PaidBroadcast:     d.PaidBroadcast,
		PaidBroadcastRate: d.PaidBroadcastRate,
	}
}

// replicaName names this process among the group's replicas: host and
// pid as the poller's lease reads them (delivery.DefaultOwner), and a
// random part, so a restarted process never passes for its predecessor.
func replicaName() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return delivery.DefaultOwner() + "/" + hex.EncodeToString(b)
}

// Close releases the database.
func (a *App) Close() error {
	if a.DB != nil {
		return a.DB.Close()
	}
	return nil
}
