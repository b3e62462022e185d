package storage_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/storage"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

// TestR2_4_ComplaintAlarms: the service says which reminder or breach
// each open complaint's deadline calls for at now and who is to hear it:
// the owner before the deadline; after it, the supervisors of the
// complaint's department (not the other department's, nor anyone not
// enrolled); a closed complaint, nothing.
func TestR2_4_ComplaintAlarms(t *testing.T) {
	cal := &domain.Calendar{Location: time.UTC, Open: 0, Close: 24 * 60, WorkingDays: []time.Weekday{0, 1, 2, 3, 4, 5, 6}}
	rules := domain.DefaultRules()
	r := rules.Complaints
	stores, err := domain.NewStores(&domain.Store{ID: 1, Code: domain.DefaultStoreCode, Calendar: cal, Rules: rules})
	if err != nil {
		t.Fatal(err)
	}
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		fixClock(db)
		staff := func(name, dept string, tg int64, role domain.Role) *domain.Staff {
			s := &domain.Staff{Name: name, Roles: domain.Roles{role}, Department: dept, TelegramID: tg}
			must(t, db.CreateStaff(ctx, s))
			must(t, db.SetStaffDepartment(ctx, s.ID, dept))
			return s
		}
		owner := staff("Owner", "Sales", 101, domain.RoleConsultant)
		staff("Sales sup", "Sales", 102, domain.RoleSupervisor)
		staff("Service sup", "Service", 103, domain.RoleSupervisor)
		staff("Sales sup, not enrolled", "Sales", 0, domain.RoleSupervisor)
		c := newComplaint(owner, "Sales")
		c.Subject = domain.SubjectProduct
		must(t, db.CreateComplaint(ctx, c))
		closed := newComplaint(owner, "Sales")
		closed.Status = domain.ComplaintClosed
		must(t, db.CreateComplaint(ctx, closed))
		stored, err := db.ComplaintByID(ctx, c.ID)
		must(t, err)
		d, ok := stored.Next(r, cal)
		if !ok {
			t.Fatal("no deadline")
		}
		said := func(at time.Time) string {
			alarms, err := db.ComplaintAlarms(ctx, at, stores)
			must(t, err)
			var out []string
			for _, a := range alarms {
				if a.Deadline.Kind != d.Kind {
					continue
				}
				out = append(out, fmt.Sprintf("%d:%s:%d:%v", a.Complaint.ID, a.Deadline.Kind, a.Step, names(a.Recipients)))
			}
			return fmt.Sprint(out)
		}
		if got, want := said(d.RemindAt(r).Add(-time.Second)), "[]"; got != want {
			t.Errorf("before the reminder: %s", got)
		}
		if got, want := said(d.RemindAt(r)), fmt.Sprintf("[%d:%s:0:[Owner]]", c.ID, d.Kind); got != want {
			t.Errorf("at the reminder: %s, want %s", got, want)
		}
		if got, want := said(d.Due), fmt.Sprintf("[%d:%s:1:[Sales sup]]", c.ID, d.Kind); got != want {
			t.Errorf("at the breach: %s, want %s", got, want)
		}
	})
}
