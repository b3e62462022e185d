package storage_test

import (
	"testing"

	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/storage"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

// MustEnrolStaffIn is MustEnrolStaff in store.
func MustEnrolStaffIn(tb testing.TB, db *storage.DB, store *domain.Store, name string, tgID int64, roles ...domain.Role) *domain.Staff {
	tb.Helper()
	s := &domain.Staff{StoreID: store.ID, Name: name, Roles: roles, TelegramID: tgID}
	if err := db.CreateStaff(ctx, s); err != nil {
		tb.Fatalf("create staff %q in %s: %v", name, store.Code, err)
	}
	return s
}

// moveToStore puts staff member s in store, as /store does for a group
// role.
func moveToStore(tb testing.TB, db *storage.DB, s *domain.Staff, store *domain.Store) {
	tb.Helper()
	if err := db.ExecRaw(ctx, "UPDATE staff SET store_id = ? WHERE id = ?", store.ID, s.ID); err != nil {
		tb.Fatal(err)
	}
	s.StoreID = store.ID
}

// twoStores is a group of the default store "main" (A) and "east" (B),
// each with a consultant, a supervisor and a manager.
type twoStores struct {
	a, b             *domain.Store
	chen, supA, mgrA *domain.Staff // store A
	wu, supB, mgrB   *domain.Staff // store B
	leadA            *domain.Lead  // chen's, in A
	phone            string
}

func newTwoStores(t *testing.T, db *storage.DB) *twoStores {
	t.Helper()
	serviceDB(db)
	f := &twoStores{a: db.Stores.Default(), b: storagetest.AddStore(t, db, "east", "Asia/Shanghai"), phone: "13800000901"}
	f.chen = MustEnrolStaffIn(t, db, f.a, "Chen", 901, domain.RoleConsultant)
	f.supA = MustEnrolStaffIn(t, db, f.a, "SupA", 902, domain.RoleSupervisor)
	f.mgrA = MustEnrolStaffIn(t, db, f.a, "MgrA", 903, domain.RoleManager)
	f.wu = MustEnrolStaffIn(t, db, f.b, "Wu", 911, domain.RoleConsultant)
	f.supB = MustEnrolStaffIn(t, db, f.b, "SupB", 912, domain.RoleSupervisor)
	f.mgrB = MustEnrolStaffIn(t, db, f.b, "MgrB", 913, domain.RoleManager)
	out, err := db.AddLead(ctx, f.chen.ID, domain.LeadDraft{Name: "王石", Phone: f.phone, Model: "轩逸", Grade: "H", Source: "call"})
	if err != nil || out.Lead == nil {
		t.Fatalf("lead in A: %+v, %v", out, err)
	}
	f.leadA = out.Lead
	if f.leadA.StoreID != f.a.ID {
		t.Fatalf("lead in A has store %d, want %d", f.leadA.StoreID, f.a.ID)
	}
	return f
}

// TestStores_R1_2_ConsultantSeesOnlyOwnStore: a lead of store A does not
// exist for store B's people — by id, by phone, in a search, for a
// follow-up, a grade, a lost request, a visit, a reopening — exactly as a
// missing lead (ENOTFOUND, never EFORBIDDEN); nor do A's lost requests
// and collision cases for B's supervisors.
func TestStores_R1_2_ConsultantSeesOnlyOwnStore(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		f := newTwoStores(t, db)
		byID, byPhone := domain.LeadRef{ID: f.leadA.ID}, domain.LeadRef{Phone: f.phone}

		for _, s := range []*domain.Staff{f.wu, f.supB, f.mgrB} {
			_, err := db.ShowLead(ctx, s.ID, byID)
			AssertError(t, err, domain.ENOTFOUND, "err.lead_not_found")
			_, err = db.ShowLead(ctx, s.ID, byPhone)
			AssertError(t, err, domain.ENOTFOUND, "err.lead_phone_not_found")
			_, err = db.LookupLead(ctx, s.ID, byPhone)
			AssertError(t, err, domain.ENOTFOUND, "err.lead_phone_not_found")
			_, err = db.CustomerLead(ctx, s.ID, byID)
			AssertError(t, err, domain.ENOTFOUND, "err.lead_not_found")
			if found, err := db.SearchLeads(ctx, s.ID, "王", 20); err != nil || len(found.Leads) != 0 || len(found.Elsewhere) != 0 {
				t.Fatalf("%s finds %+v, %v", s.Name, found, err)
			}
			if found, err := db.SearchLeads(ctx, s.ID, f.phone, 20); err != nil || len(found.Leads) != 0 || len(found.Elsewhere) != 0 {
				t.Fatalf("%s finds %+v, %v", s.Name, found, err)
			}
		}
		_, err := db.WorkLead(ctx, f.supB.ID, byID)
		AssertError(t, err, domain.ENOTFOUND, "err.lead_not_found")
		_, err = db.LogFollowUp(ctx, f.wu.ID, byID, domain.ChannelPhone, "called", "")
		AssertError(t, err, domain.ENOTFOUND, "err.lead_not_found")
		_, err = db.LogFollowUp(ctx, f.supB.ID, byPhone, domain.ChannelPhone, "called", "")
		AssertError(t, err, domain.ENOTFOUND, "err.lead_phone_not_found")
		_, err = db.ChangeGrade(ctx, f.supB.ID, byID, domain.GradeA, false)
		AssertError(t, err, domain.ENOTFOUND, "err.lead_not_found")
		_, err = db.RequestLost(ctx, domain.LostRequest{LeadID: f.leadA.ID, RequesterID: f.wu.ID, Reason: domain.LostCompetitor})
		AssertError(t, err, domain.ENOTFOUND, "err.lead_not_found")
		_, err = db.RegisterVisit(ctx, f.wu.ID, byPhone, "")
		AssertError(t, err, domain.ENOTFOUND, "err.lead_phone_not_found")
		_, err = db.OpenCollision(ctx, f.leadA.ID, f.wu.ID, domain.SourceWalkIn)
		AssertError(t, err, domain.ENOTFOUND, "err.lead_not_found")
		_, err = db.ReopenLead(ctx, f.supB.ID, byID, "")
		AssertError(t, err, domain.ENOTFOUND, "err.lead_not_found")

		// A's lost request goes to A's supervisor only; B's cannot rule on it.
		req, err := db.RequestLost(ctx, domain.LostRequest{LeadID: f.leadA.ID, RequesterID: f.chen.ID, Reason: domain.LostCompetitor})
		if err != nil {
			t.Fatal(err)
		}
		if req.Request.StoreID != f.a.ID || len(req.Approvers) != 1 || req.Approvers[0].ID != f.supA.ID {
			t.Fatalf("lost request %+v to %v", req.Request, names(req.Approvers))
		}
		_, err = db.LostToDecide(ctx, req.Request.ID, f.supB.ID)
		AssertError(t, err, domain.ENOTFOUND, "callback.stale")
		_, err = db.DecideLost(ctx, req.Request.ID, domain.Decision{DeciderID: f.supB.ID, Verdict: domain.Approved})
		AssertError(t, err, domain.ENOTFOUND, "callback.stale")
		if got, _ := db.LeadByID(ctx, f.leadA.ID); got.Grade != domain.GradeH {
			t.Fatalf("B's supervisor changed A's lead: %+v", got)
		}

		// A's collision case: B's supervisor neither notes nor rules it.
		chen2 := MustEnrolStaffIn(t, db, f.a, "Chen2", 904, domain.RoleConsultant)
		opened, err := db.OpenCollision(ctx, f.leadA.ID, chen2.ID, domain.SourceWalkIn)
		if err != nil {
			t.Fatal(err)
		}
		if opened.Collision.StoreID != f.a.ID || len(opened.Supervisors) != 1 || opened.Supervisors[0].ID != f.supA.ID {
			t.Fatalf("collision %+v to %v", opened.Collision, names(opened.Supervisors))
		}
		_, err = db.DecideCollision(ctx, opened.Collision.ID, domain.SideClaimant, f.supB.ID)
		AssertError(t, err, domain.ENOTFOUND, "callback.stale")
		decided, err := db.DecideCollision(ctx, opened.Collision.ID, domain.SideClaimant, f.supA.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(decided.Managers) != 1 || decided.Managers[0].ID != f.mgrA.ID {
			t.Fatalf("ruling told managers %v, want A's", names(decided.Managers))
		}
		if tr, err := db.Transfers(ctx, f.mgrB.ID, now.AddDate(0, 0, -1), now.AddDate(0, 0, 1)); err != nil || len(tr) != 0 {
			t.Fatalf("B's manager sees A's transfers %+v, %v", tr, err)
		}
		if tr, err := db.Transfers(ctx, f.mgrA.ID, now.AddDate(0, 0, -1), now.AddDate(0, 0, 1)); err != nil || len(tr) != 1 {
			t.Fatalf("A's transfers %+v, %v", tr, err)
		}
	})
}

// TestStores_R1_14_CollisionOnlyInsideAStore: a phone open in store A is
// no collision in store B, which logs its own lead of the customer; in A
// the same phone is a collision, told to A's supervisors only.
func TestStores_R1_14_CollisionOnlyInsideAStore(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		f := newTwoStores(t, db)
		d := domain.LeadDraft{Name: "王石", Phone: f.phone, Model: "天籁", Grade: "A", Source: "walkin"}

		out, err := db.AddLead(ctx, f.wu.ID, d)
		if err != nil {
			t.Fatal(err)
		}
		if out.Collision != nil || out.Closed != nil || out.Lead == nil || out.Lead.StoreID != f.b.ID || out.Lead.ID == f.leadA.ID {
			t.Fatalf("in B: %+v", out)
		}
		if got, err := db.ShowLead(ctx, f.wu.ID, domain.LeadRef{Phone: f.phone}); err != nil || got.ID != out.Lead.ID {
			t.Fatalf("B finds %+v, %v; want its own #%d", got, err, out.Lead.ID)
		}
		if got, err := db.ShowLead(ctx, f.chen.ID, domain.LeadRef{Phone: f.phone}); err != nil || got.ID != f.leadA.ID {
			t.Fatalf("A finds %+v, %v; want #%d", got, err, f.leadA.ID)
		}
		// A second in B is the owner's duplicate, not a collision with A.
		_, err = db.AddLead(ctx, f.wu.ID, d)
		AssertError(t, err, domain.ECONFLICT, "err.lead_exists")

		// Inside A the phone collides, and only A's supervisor hears of it.
		chen2 := MustEnrolStaffIn(t, db, f.a, "Chen2", 904, domain.RoleConsultant)
		out, err = db.AddLead(ctx, chen2.ID, d)
		if err != nil {
			t.Fatal(err)
		}
		if out.Collision == nil || out.Collision.Lead.ID != f.leadA.ID || out.Collision.Collision.StoreID != f.a.ID {
			t.Fatalf("in A: %+v", out)
		}
		if got := names(out.Collision.Supervisors); len(got) != 1 || got[0] != "SupA" {
			t.Fatalf("collision told %v, want SupA", got)
		}
	})
}

// TestStores_GroupGMSeesAllStores: a group general manager acting in
// store A finds store B's lead of a phone or name too, labelled "east",
// read only; ordinary staff never see the other stores. Once the GM
// chooses B, B's leads are theirs to act on, and A's are not.
func TestStores_GroupGMSeesAllStores(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		f := newTwoStores(t, db)
		out, err := db.AddLead(ctx, f.wu.ID, domain.LeadDraft{Name: "王石", Phone: f.phone, Model: "天籁", Grade: "A", Source: "walkin"})
		if err != nil || out.Lead == nil {
			t.Fatalf("lead in B: %+v, %v", out, err)
		}
		leadB := out.Lead
		gm := MustEnrolStaffIn(t, db, f.a, "GroupGM", 999, domain.RoleGroupGM)
		want := domain.LeadElsewhere{StoreCode: "east", LeadID: leadB.ID, Name: "王石", Grade: domain.GradeA, Owner: "Wu"}

		got, err := db.LookupLead(ctx, gm.ID, domain.LeadRef{Phone: f.phone})
		if err != nil || got.Lead == nil || got.Lead.ID != f.leadA.ID || len(got.Elsewhere) != 1 || got.Elsewhere[0] != want {
			t.Fatalf("GM looks up %+v, %v", got, err)
		}
		for _, q := range []string{f.phone, "王"} {
			found, err := db.SearchLeads(ctx, gm.ID, q, 20)
			if err != nil || len(found.Leads) != 1 || found.Leads[0].ID != f.leadA.ID || len(found.Elsewhere) != 1 || found.Elsewhere[0] != want {
				t.Fatalf("GM searches %q: %+v, %v", q, found, err)
			}
		}
		// Ordinary staff, a store's own gm included, never see the other store.
		localGM := MustEnrolStaffIn(t, db, f.a, "LocalGM", 998, domain.RoleGM)
		for _, s := range []*domain.Staff{f.supA, localGM} {
			if found, err := db.SearchLeads(ctx, s.ID, f.phone, 20); err != nil || len(found.Elsewhere) != 0 {
				t.Fatalf("%s sees elsewhere %+v, %v", s.Name, found, err)
			}
			if got, err := db.LookupLead(ctx, s.ID, domain.LeadRef{Phone: f.phone}); err != nil || len(got.Elsewhere) != 0 {
				t.Fatalf("%s looks up elsewhere %+v, %v", s.Name, got, err)
			}
		}
		// B's lead is read only from A: no card by id, no follow-up.
		_, err = db.ShowLead(ctx, gm.ID, domain.LeadRef{ID: leadB.ID})
		AssertError(t, err, domain.ENOTFOUND, "err.lead_not_found")
		_, err = db.ChangeGrade(ctx, gm.ID, domain.LeadRef{ID: leadB.ID}, domain.GradeH, false)
		AssertError(t, err, domain.ENOTFOUND, "err.lead_not_found")

		// In B the GM acts on B's lead, and A's is the one elsewhere.
		moveToStore(t, db, gm, f.b)
		if _, err := db.LogFollowUp(ctx, gm.ID, domain.LeadRef{ID: leadB.ID}, domain.ChannelPhone, "集团回访", ""); err != nil {
			t.Fatal(err)
		}
		if changed, err := db.ChangeGrade(ctx, gm.ID, domain.LeadRef{ID: leadB.ID}, domain.GradeH, false); err != nil || changed.Lead.Grade != domain.GradeH {
			t.Fatalf("GM grades B's lead: %+v, %v", changed, err)
		}
		got, err = db.LookupLead(ctx, gm.ID, domain.LeadRef{Phone: f.phone})
		if err != nil || got.Lead == nil || got.Lead.ID != leadB.ID || len(got.Elsewhere) != 1 ||
			got.Elsewhere[0].StoreCode != domain.DefaultStoreCode || got.Elsewhere[0].LeadID != f.leadA.ID || got.Elsewhere[0].Owner != "Chen" {
			t.Fatalf("GM in B looks up %+v, %v", got, err)
		}
		_, err = db.ChangeGrade(ctx, gm.ID, domain.LeadRef{ID: f.leadA.ID}, domain.GradeB, false)
		AssertError(t, err, domain.ENOTFOUND, "err.lead_not_found")
	})
}

// TestStores_CreateLeadNeedsAStore: a lead is always written with its
// store; none is an internal error, never a guess at the default store.
func TestStores_CreateLeadNeedsAStore(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		fixClock(db)
		l := newLead(MustCreateStaff(t, db, "Owner"), "No store", "13800000990")
		l.StoreID = 0
		AssertError(t, db.CreateLead(ctx, l), domain.EINTERNAL, "")
		if n, err := db.QueryCount(ctx, "SELECT COUNT(*) FROM leads"); err != nil || n != 0 {
			t.Fatalf("%d leads, %v", n, err)
		}
	})
}
