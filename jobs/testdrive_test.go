package jobs

import (
	"context"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

// driveStore is the late job's store: the cars out.
type driveStore struct {
	txStore
	out []domain.TestDrive
}

func (s *driveStore) TestDriveAlarms(context.Context, time.Time) ([]domain.TestDriveAlarm, error) {
	return nil, nil
}

func (s *driveStore) TestDrivesOut(context.Context) ([]domain.TestDrive, error) { return s.out, nil }

// TestR3_5_LateAlarmInstants: the job wakes at slot end + test_drive_late
// for the consultant, then test_drive_escalate later for the supervisor,
// each on its own store's rules, and not at all once both were sent.
func TestR3_5_LateAlarmInstants(t *testing.T) {
	loc := time.UTC
	cal := &domain.Calendar{Location: loc, Open: 9 * 60, Close: 18 * 60, WorkingDays: []time.Weekday{0, 1, 2, 3, 4, 5, 6}}
	slow := domain.DefaultRules()
	slow.Vehicles.TestDriveLate = time.Hour
	stores := testStores(t, testShop(1, "main", cal, domain.DefaultRules()), testShop(2, "b", cal, slow))
	end := time.Date(2026, 3, 2, 11, 0, 0, 0, loc)
	s := &driveStore{}
	j := &TestDriveLate{Store: s, Stores: stores}
	for _, c := range []struct {
		name  string
		drive domain.TestDrive
		want  time.Time
		ok    bool
	}{
		{"Consultant", domain.TestDrive{StoreID: 1, End: end}, end.Add(30 * time.Minute), true},
		{"OtherStoreRules", domain.TestDrive{StoreID: 2, End: end}, end.Add(time.Hour), true},
		{"Supervisor", domain.TestDrive{StoreID: 1, End: end, LateConsultantAt: end.Add(30 * time.Minute)}, end.Add(time.Hour), true},
		{"Done", domain.TestDrive{StoreID: 1, End: end, LateConsultantAt: end, LateSupervisorAt: end}, time.Time{}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			s.out = []domain.TestDrive{c.drive}
			at, ok, err := j.Next(context.Background(), end)
			if err != nil || ok != c.ok || !at.Equal(c.want) {
				t.Fatalf("next %v %v %v, want %v %v", at, ok, err, c.want, c.ok)
			}
		})
	}
}
