package storage_test

import (
	"fmt"
	"testing"

	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/storage"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

// TestR1_10_RemindHandover: the reminder goes to the consultant handed
// the lead, the escalation to the supervisors of their department (not
// another's, nor one not enrolled), and each is recorded as sent.
func TestR1_10_RemindHandover(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		fixClock(db)
		person := func(name, dept string, tg int64, role domain.Role) *domain.Staff {
			s := &domain.Staff{Name: name, Roles: domain.Roles{role}, TelegramID: tg}
			must(t, db.CreateStaff(ctx, s))
			must(t, db.SetStaffDepartment(ctx, s.ID, dept))
			s.Department = dept
			return s
		}
		tele := person("Tele", "Sales", 201, domain.RoleTelesales)
		cons := person("Cons", "Sales", 202, domain.RoleConsultant)
		person("Sup", "Sales", 203, domain.RoleSupervisor)
		person("Other sup", "Service", 204, domain.RoleSupervisor)
		person("New sup", "Sales", 0, domain.RoleSupervisor)
		l := MustCreateLead(t, db, newLead(tele, "Customer", "13500000009"))
		h := &domain.Handover{LeadID: l.ID, FromID: tele.ID, ToID: cons.ID}
		must(t, db.CreateHandover(ctx, h))

		r, err := db.RemindHandover(ctx, *h, false)
		must(t, err)
		if got := fmt.Sprint(names(r.Recipients)); got != "[Cons]" || r.Lead.ID != l.ID || r.From.ID != tele.ID || r.Escalate {
			t.Fatalf("reminder to %s: %+v", got, r)
		}
		r, err = db.RemindHandover(ctx, *h, true)
		must(t, err)
		if got := fmt.Sprint(names(r.Recipients)); got != "[Sup]" || !r.Escalate {
			t.Fatalf("escalation to %s", got)
		}
		got, err := db.HandoverByID(ctx, h.ID)
		must(t, err)
		if got.RemindedAt == nil || !got.Escalated {
			t.Fatalf("not recorded: %+v", got)
		}
	})
}
