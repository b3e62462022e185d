package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

// TestDriveLate makes sure a test-drive car not back is missed (R3.5):
// test_drive_late after its slot's end the consultant hears of it,
// test_drive_escalate later the store's supervisors, once each. The marks
// are stored with the messages in one transaction, and every instant is
// computed from the stored drives, so a restart neither repeats nor loses
// an alarm. One instance serves the whole group: each drive on its own
// store's rules (Stores.Of(d.StoreID)).
type TestDriveLate struct {
	Store  TestDriveAlarmStore
	Bot    TestDriveNotifier
	Stores *domain.Stores
}

// TestDriveAlarmStore marks and returns the alarms due, and lists the
// cars out with an alarm still to send (for Next).
type TestDriveAlarmStore interface {
	TestDriveAlarms(ctx context.Context, now time.Time) ([]domain.TestDriveAlarm, error)
	TestDrivesOut(ctx context.Context) ([]domain.TestDrive, error)
	Transactor
}

// TestDriveNotifier tells each alarm's recipients, keyed per drive, step
// and person.
type TestDriveNotifier interface {
	NotifyTestDriveLate(ctx context.Context, alarms []domain.TestDriveAlarm) error
}

// Name implements Job.
func (j *TestDriveLate) Name() string { return "test-drive-late" }

// Run implements Job.
func (j *TestDriveLate) Run(ctx context.Context, now time.Time) error {
	err := j.Store.InTx(ctx, func(ctx context.Context) error {
		alarms, err := j.Store.TestDriveAlarms(ctx, now)
		if err != nil || len(alarms) == 0 {
			return err
		}
		return j.Bot.NotifyTestDriveLate(ctx, alarms)
	})
	if err != nil {
		return fmt.Errorf("test drive alarms: %w", err)
	}
	return nil
}

// Next implements DeadlineJob: the first alarm still to send of a car out,
// to the second (an unsent one already due reports its instant, so the
// scheduler runs at once).
func (j *TestDriveLate) Next(ctx context.Context, after time.Time) (time.Time, bool, error) {
	out, err := j.Store.TestDrivesOut(ctx)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("test drives out: %w", err)
	}
	var n nearest
	for _, d := range out {
		r := j.Stores.Of(d.StoreID).Rules.Vehicles
		toConsultant := d.End.Add(r.TestDriveLate)
		if d.LateConsultantAt.IsZero() {
			n.add(toConsultant, true)
		} else if d.LateSupervisorAt.IsZero() {
			n.add(toConsultant.Add(r.TestDriveEscalate), true)
		}
	}
	return n.at, n.ok, nil
}
