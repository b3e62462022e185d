package storage_test

import (
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/storage"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

// mustStaffIn stores an active member of store st with roles, on
// Telegram as tgID.
func mustStaffIn(tb testing.TB, db *storage.DB, st *domain.Store, name string, tgID int64, roles ...domain.Role) *domain.Staff {
	tb.Helper()
	s := &domain.Staff{StoreID: st.ID, Name: name, Roles: roles, TelegramID: tgID}
	if err := db.CreateStaff(ctx, s); err != nil {
		tb.Fatalf("create staff %q: %v", name, err)
	}
	return s
}

// TestStores_R2_ComplaintServiceInsideTheStore: a complaint is its
// registrar's store's; for anyone of another store every service method
// answers "no complaint K<id>" (ENOTFOUND), as for a complaint that does
// not exist; owners, opinion givers and the survey's service centre are
// of the complaint's store; a new owner is named within it.
func TestStores_R2_ComplaintServiceInsideTheStore(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		fixClock(db)
		main := db.Stores.Default()
		north := storagetest.AddStore(t, db, "north", "Asia/Shanghai")
		// North's people first: the lowest ids.
		supB := mustStaffIn(t, db, north, "北主管", 201, domain.RoleSupervisor)
		mgrB := mustStaffIn(t, db, north, "北经理", 202, domain.RoleManager)
		svcB := mustStaffIn(t, db, north, "北客服", 203, domain.RoleService)
		gmB := mustStaffIn(t, db, north, "北总", 204, domain.RoleGM)
		supA := mustStaffIn(t, db, main, "李主管", 101, domain.RoleSupervisor)
		mgrA := mustStaffIn(t, db, main, "王经理", 102, domain.RoleManager)
		svcA := mustStaffIn(t, db, main, "孙客服", 103, domain.RoleService)
		chen := mustStaffIn(t, db, main, "陈顾问", 104, domain.RoleConsultant)
		groupSvc := mustStaffIn(t, db, main, "集团客服", 105, domain.RoleGroupService)
		dept := main.Rules.Complaints.Departments[0]

		draft := domain.Complaint{Customer: "王石", Phone: "13800138000", Channel: domain.ChannelCall,
			Subject: domain.SubjectService, Department: dept, Description: "等了一小时", RegisteredBy: chen.ID}
		_, err := db.RegisterComplaint(ctx, draft, "北主管")
		AssertError(t, err, domain.ENOTFOUND, "err.staff_not_found")
		reg, err := db.RegisterComplaint(ctx, draft, "")
		must(t, err)
		c := reg.View.Complaint
		if c.StoreID != main.ID || reg.Owner.ID != supA.ID {
			t.Fatalf("store %d owner %s, want store %d and its supervisor", c.StoreID, reg.Owner.Name, main.ID)
		}
		if got := names(reg.View.OpinionGivers); len(got) != 1 || got[0] != mgrA.Name {
			t.Errorf("opinion givers %v, want the store's manager", got)
		}

		t.Run("ErrNotFoundInAnotherStore", func(t *testing.T) {
			for _, s := range []*domain.Staff{supB, mgrB, svcB, gmB} {
				_, err := db.ComplaintFor(ctx, c.ID, s.ID)
				AssertError(t, err, domain.ENOTFOUND, "err.complaint_not_found")
				for _, act := range []string{domain.ActReply, domain.ActOpinion, "take", "re", "sat"} {
					_, err = db.CheckComplaintAct(ctx, c.ID, s.ID, act)
					AssertError(t, err, domain.ENOTFOUND, "err.complaint_not_found")
				}
				_, err = db.ActOnComplaint(ctx, domain.ComplaintAct{ComplaintID: c.ID, StaffID: s.ID, Act: domain.ActReply, Note: "x"})
				AssertError(t, err, domain.ENOTFOUND, "err.complaint_not_found")
				_, err = db.TakeOverComplaint(ctx, c.ID, s.ID)
				AssertError(t, err, domain.ENOTFOUND, "err.complaint_not_found")
				_, err = db.ReassignComplaint(ctx, c.ID, s.ID, "北主管")
				AssertError(t, err, domain.ENOTFOUND, "err.complaint_not_found")
				_, err = db.SurveyComplaint(ctx, c.ID, s.ID, "s", "")
				AssertError(t, err, domain.ENOTFOUND, "err.complaint_not_found")
				list, err := db.ListComplaints(ctx, s.ID, domain.ComplaintFilter{})
				if err != nil || len(list) != 0 {
					t.Errorf("%s lists %d complaints of another store, %v", s.Name, len(list), err)
				}
			}
		})
		t.Run("ListedInItsStore", func(t *testing.T) {
			for _, s := range []*domain.Staff{svcA, groupSvc} {
				list, err := db.ListComplaints(ctx, s.ID, domain.ComplaintFilter{})
				if err != nil || len(list) != 1 || list[0].ID != c.ID {
					t.Errorf("%s lists %v, %v", s.Name, list, err)
				}
			}
		})
		t.Run("ReassignWithinTheStore", func(t *testing.T) {
			_, err := db.ReassignComplaint(ctx, c.ID, supA.ID, "北经理")
			AssertError(t, err, domain.ENOTFOUND, "err.staff_not_found")
		})
		t.Run("SurveyedByItsServiceCentre", func(t *testing.T) {
			_, err := db.ActOnComplaint(ctx, domain.ComplaintAct{ComplaintID: c.ID, StaffID: supA.ID, Act: domain.ActReply, Note: "已致歉"})
			must(t, err)
			valid := true
			out, err := db.ActOnComplaint(ctx, domain.ComplaintAct{ComplaintID: c.ID, StaffID: supA.ID, Act: domain.ActClose,
				Note: "已解决", Valid: &valid})
			must(t, err)
			if got := names(out.Surveyors); len(got) != 1 || got[0] != svcA.Name {
				t.Errorf("surveyors %v, want the store's service centre", got)
			}
			// The group service centre, acting in the store, records it.
			if _, err := db.SurveyComplaint(ctx, c.ID, groupSvc.ID, "s", "满意"); err != nil {
				t.Fatal(err)
			}
		})
	})
}

// TestStores_R2_4_DeadlinesOnTheStoresCalendar: the same call-centre
// follow-up complaint (customer contacted within 1 working day),
// registered at the same instant in a Shanghai store closed on Saturday
// 2026-03-07 (a holiday of its own) and in a London store open every day,
// is due at different instants, each on its own store's calendar; the
// chaser, one over the group, escalates each at its own breach.
func TestStores_R2_4_DeadlinesOnTheStoresCalendar(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		at := time.Date(2026, 3, 6, 12, 0, 0, 0, time.UTC) // Friday: 20:00 in Shanghai, 12:00 in London
		db.Now = func() time.Time { return at }
		east := storagetest.AddStore(t, db, "east", "Asia/Shanghai")
		east.Calendar.Holidays = []string{"2026-03-07"}
		west := storagetest.AddStore(t, db, "west", "Europe/London")
		register := func(st *domain.Store, tg int64) *domain.Complaint {
			t.Helper()
			sup := mustStaffIn(t, db, st, "主管"+st.Code, tg, domain.RoleSupervisor)
			mustStaffIn(t, db, st, "经理"+st.Code, tg+1, domain.RoleManager)
			out, err := db.RegisterComplaint(ctx, domain.Complaint{Customer: "王石", Phone: "13800138000", Channel: domain.ChannelFollowUp,
				Subject: domain.SubjectProduct, Model: "轩逸", Department: st.Rules.Complaints.Departments[0], Description: "回访不满意",
				RegisteredBy: sup.ID}, "")
			must(t, err)
			return out.View.Complaint
		}
		ce, cw := register(east, 301), register(west, 401)
		contact := func(c *domain.Complaint, st *domain.Store) domain.Deadline {
			t.Helper()
			for _, d := range c.Deadlines(st.Rules.Complaints, st.Calendar) {
				if d.Kind == domain.DeadlineContact {
					return d
				}
			}
			t.Fatalf("complaint %d has no contact deadline", c.ID)
			return domain.Deadline{}
		}
		de, dw := contact(ce, east), contact(cw, west)
		if de.Due.Equal(dw.Due) {
			t.Fatalf("both due at %s: the stores' calendars made no difference", de.Due)
		}
		// Each is a working day later on its own store's calendar:
		// Saturday in London, Sunday in Shanghai (Saturday is a holiday).
		if want := at.AddDate(0, 0, 1); !dw.Due.Equal(want) {
			t.Errorf("west due %s, want %s", dw.Due, want)
		}
		if want := time.Date(2026, 3, 8, 20, 0, 0, 0, east.Calendar.Location); !de.Due.Equal(want) {
			t.Errorf("east due %s, want %s", de.Due.In(east.Calendar.Location), want)
		}
		breached := func(now time.Time) map[int64]bool {
			alarms, err := db.ComplaintAlarms(ctx, now, db.Stores)
			must(t, err)
			out := map[int64]bool{}
			for _, a := range alarms {
				if a.Deadline.Kind == domain.DeadlineContact && !a.Reminder() {
					out[a.Complaint.ID] = true
				}
			}
			return out
		}
		first, second, earlier, later := ce, cw, de.Due, dw.Due
		if dw.Due.Before(de.Due) {
			first, second, earlier, later = cw, ce, dw.Due, de.Due
		}
		got := breached(earlier)
		if !got[first.ID] || got[second.ID] {
			t.Errorf("at the first breach: %v, want only complaint %d", got, first.ID)
		}
		if got := breached(later); !got[first.ID] || !got[second.ID] {
			t.Errorf("at the second breach: %v", got)
		}
	})
}

// TestStores_R2_8_RegisterPerStore: each store's weekly register holds
// its own complaints, in its own departments (a store may override
// them), for its own service centre; a member reads only their own
// store's register.
func TestStores_R2_8_RegisterPerStore(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		fixClock(db)
		main := db.Stores.Default()
		north := storagetest.AddStore(t, db, "north", "Asia/Shanghai")
		north.Rules.Complaints.Departments = []string{"展厅", "售后部"}
		svcA := mustStaffIn(t, db, main, "孙客服", 101, domain.RoleService)
		svcB := mustStaffIn(t, db, north, "北客服", 201, domain.RoleService)
		add := func(by *domain.Staff, dept, customer string) {
			t.Helper()
			_, err := db.RegisterComplaint(ctx, domain.Complaint{Customer: customer, Phone: "13800138000", Channel: domain.ChannelCall,
				Subject: domain.SubjectService, Department: dept, Description: "等了一小时", RegisteredBy: by.ID}, "")
			must(t, err)
		}
		add(svcA, main.Rules.Complaints.Departments[0], "张三")
		add(svcB, "展厅", "李四")
		add(svcB, "展厅", "王五")
		// North's departments are north's: main's first is not one of them.
		_, err := db.RegisterComplaint(ctx, domain.Complaint{Customer: "赵六", Phone: "13800138000", Channel: domain.ChannelCall,
			Subject: domain.SubjectService, Department: main.Rules.Complaints.Departments[0], Description: "x", RegisteredBy: svcB.ID}, "")
		AssertError(t, err, domain.EINVALID, "err.department_bad")

		rows := func(reg *domain.WeeklyRegister) map[string][]string {
			out := map[string][]string{}
			for _, sh := range reg.Sheets {
				out[sh.Department] = nil
				for _, r := range sh.Rows {
					out[sh.Department] = append(out[sh.Department], r.Customer)
				}
			}
			return out
		}
		for _, tc := range []struct {
			st    *domain.Store
			by    int64
			to    string
			sheet string
			want  []string
			depts int
		}{
			{main, svcA.ID, svcA.Name, main.Rules.Complaints.Departments[0], []string{"张三"}, len(main.Rules.Complaints.Departments)},
			{north, svcB.ID, svcB.Name, "展厅", []string{"李四", "王五"}, 2},
			{north, domain.Console, svcB.Name, "展厅", []string{"李四", "王五"}, 2},
		} {
			reg, err := db.WeeklyRegister(ctx, tc.by, tc.st.ID, now)
			must(t, err)
			got := rows(reg)
			if len(got) != tc.depts || len(got[tc.sheet]) != len(tc.want) || reg.Store != tc.st {
				t.Errorf("%s: register %v", tc.st.Code, got)
			}
			for i, w := range tc.want {
				if i < len(got[tc.sheet]) && got[tc.sheet][i] != w {
					t.Errorf("%s: rows %v, want %v", tc.st.Code, got[tc.sheet], tc.want)
				}
			}
			if to := names(reg.To); len(to) != 1 || to[0] != tc.to {
				t.Errorf("%s: to %v, want %s", tc.st.Code, to, tc.to)
			}
			rem, err := db.RegisterReminder(ctx, tc.by, tc.st.ID, now)
			must(t, err)
			if rem.Total != len(tc.want) || len(rem.To) != 1 || rem.To[0].Name != tc.to {
				t.Errorf("%s: reminder %+v", tc.st.Code, rem)
			}
		}
		_, err = db.WeeklyRegister(ctx, svcA.ID, north.ID, now)
		AssertError(t, err, domain.EFORBIDDEN, "err.forbidden")
		_, err = db.RegisterReminder(ctx, svcB.ID, main.ID, now)
		AssertError(t, err, domain.EFORBIDDEN, "err.forbidden")
	})
}
