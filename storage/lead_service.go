package storage

import (
	"context"

	"github.com/dealerbot/dealerbot/domain"
)

// The daily work on leads (domain.LeadService): each public method one
// transaction over the helpers of lead.go, followup.go, visit.go and
// event.go, who may see and do what checked inside.

var _ domain.LeadService = (*DB)(nil)

// leadByRef looks the lead ref names up in store, by id or phone: another
// store's lead is ENOTFOUND, as a missing one.
func (db *DB) leadByRef(ctx context.Context, store int64, ref domain.LeadRef) (*domain.Lead, error) {
	if ref.Phone != "" {
		return db.LeadInStoreByPhone(ctx, store, ref.Phone)
	}
	return db.LeadInStore(ctx, store, ref.ID)
}

// visibleLead is the lead ref names in s's store, if s may see it.
func (db *DB) visibleLead(ctx context.Context, s *domain.Staff, ref domain.LeadRef) (*domain.Lead, error) {
	l, err := db.leadByRef(ctx, s.StoreID, ref)
	if err != nil {
		return nil, err
	}
	if !domain.CanSeeLead(s, l) {
		return nil, errNotYours(l.ID)
	}
	return l, nil
}

// workableLead is the lead ref names, if s may work it and it is open.
func (db *DB) workableLead(ctx context.Context, s *domain.Staff, ref domain.LeadRef) (*domain.Lead, error) {
	l, err := db.visibleLead(ctx, s, ref)
	if err != nil {
		return nil, err
	}
	if !domain.CanWorkLead(s, l) {
		return nil, errNotYours(l.ID)
	}
	if !l.Grade.Open() {
		return nil, domain.Errorkf(domain.EINVALID, "err.lead_closed", []any{l.ID, string(l.Grade)}, "lead %d is closed", l.ID)
	}
	return l, nil
}

// errNotYours is the EFORBIDDEN of a lead the caller may not see or work.
func errNotYours(id int64) error {
	return domain.Errorkf(domain.EFORBIDDEN, "err.lead_not_yours", []any{id}, "lead %d is not the caller's", id)
}

// recordChange keeps one change of lead l by staff by for the audit;
// nothing when nothing changed.
func (db *DB) recordChange(ctx context.Context, l *domain.Lead, by int64, kind, from, to, why string) error {
	if from == to {
		return nil
	}
	return db.AddLeadEvent(ctx, &domain.LeadEvent{StoreID: l.StoreID, LeadID: l.ID, StaffID: by, At: db.now(), Kind: kind, From: from, To: to, Why: why})
}

// AddLead implements domain.LeadService.
func (db *DB) AddLead(ctx context.Context, by int64, d domain.LeadDraft) (*domain.LeadCreated, error) {
	out := &domain.LeadCreated{}
	err := db.InTx(ctx, func(ctx context.Context) error {
		s, err := db.StaffByID(ctx, by)
		if err != nil {
			return err
		}
		l, err := domain.NewLead(d, s, db.now())
		if err != nil {
			return err
		}
		// The customer is the store's: a lead of the phone in another
		// store is no collision (R1.14), this store gets its own.
		l.StoreID = s.StoreID
		other, err := db.LeadInStoreByPhone(ctx, s.StoreID, l.Phone)
		switch {
		case err != nil && domain.ErrorCode(err) != domain.ENOTFOUND:
			return err
		case err != nil:
		case other.Grade.Open() && other.OwnerID == s.ID:
			return errLeadExists(other.ID, s.Name)
		case other.Grade.Open():
			// Someone else's customer: no duplicate, a collision case (R1.14).
			out.Collision, err = db.OpenCollision(ctx, other.ID, s.ID, l.Source)
			return err
		case other.Grade.Reopenable():
			// The same customer again: the record is reopened, not doubled.
			out.Closed = other
			return nil
		default:
			l.Returning = true // delivered before: a returning customer (R1.2)
		}
		st := db.Stores.Of(l.StoreID)
		l.Reschedule(st.Rules.Leads, st.Calendar)
		if err := db.CreateLead(ctx, l); err != nil {
			return err
		}
		out.Lead = l
		return nil
	})
	if err != nil {
		return nil, wrapInternal(err, "create lead")
	}
	return out, nil
}

// LeadPhone implements domain.LeadService.
func (db *DB) LeadPhone(ctx context.Context, by int64, phone string) (*domain.PhoneInUse, error) {
	out := &domain.PhoneInUse{}
	err := db.InTx(ctx, func(ctx context.Context) error {
		s, err := db.StaffByID(ctx, by)
		if err != nil {
			return err
		}
		other, err := db.LeadInStoreByPhone(ctx, s.StoreID, phone)
		switch {
		case domain.ErrorCode(err) == domain.ENOTFOUND:
			return nil
		case err != nil:
			return err
		case other.Grade.Open() && other.OwnerID == by:
			out.Mine = other
		case other.Grade.Reopenable():
			out.Closed = other
		}
		return nil
	})
	if err != nil {
		return nil, wrapInternal(err, "lead phone")
	}
	return out, nil
}

// ShowLead implements domain.LeadService.
func (db *DB) ShowLead(ctx context.Context, by int64, ref domain.LeadRef) (*domain.Lead, error) {
	return db.leadAs(ctx, by, ref, "show lead", db.visibleLead)
}

// LookupLead implements domain.LeadService.
func (db *DB) LookupLead(ctx context.Context, by int64, ref domain.LeadRef) (*domain.LeadLookup, error) {
	out := &domain.LeadLookup{}
	err := db.InTx(ctx, func(ctx context.Context) error {
		s, err := db.StaffByID(ctx, by)
		if err != nil {
			return err
		}
		out.Lead, err = db.visibleLead(ctx, s, ref)
		if !s.Roles.Group() || ref.Phone == "" {
			return err
		}
		if err != nil && domain.ErrorCode(err) != domain.ENOTFOUND {
			return err
		}
		out.Elsewhere, err = db.leadsElsewhere(ctx, s.StoreID, db.conn(ctx).Where("phone = ?", ref.Phone), maxElsewhere)
		if err != nil {
			return err
		}
		if out.Lead == nil && len(out.Elsewhere) == 0 {
			return domain.Errorkf(domain.ENOTFOUND, "err.lead_phone_not_found", []any{ref.Phone}, "no lead with that phone")
		}
		return nil
	})
	if err != nil {
		return nil, wrapInternal(err, "look up lead")
	}
	return out, nil
}

// maxElsewhere is how many leads of other stores a group role's look-up
// lists at most.
const maxElsewhere = 20

// WorkLead implements domain.LeadService.
func (db *DB) WorkLead(ctx context.Context, by int64, ref domain.LeadRef) (*domain.Lead, error) {
	return db.leadAs(ctx, by, ref, "work lead", db.workableLead)
}

// leadAs finds the lead ref as staff member by may have it (find: to see,
// to work), in one transaction.
func (db *DB) leadAs(ctx context.Context, by int64, ref domain.LeadRef, what string,
	find func(context.Context, *domain.Staff, domain.LeadRef) (*domain.Lead, error)) (*domain.Lead, error) {
	var l *domain.Lead
	err := db.InTx(ctx, func(ctx context.Context) error {
		s, err := db.StaffByID(ctx, by)
		if err != nil {
			return err
		}
		l, err = find(ctx, s, ref)
		return err
	})
	if err != nil {
		return nil, wrapInternal(err, "%s", what)
	}
	return l, nil
}

// CustomerLead implements domain.LeadService.
func (db *DB) CustomerLead(ctx context.Context, by int64, ref domain.LeadRef) (*domain.Lead, error) {
	var l *domain.Lead
	err := db.InTx(ctx, func(ctx context.Context) error {
		s, err := db.StaffByID(ctx, by)
		if err != nil {
			return err
		}
		l, err = db.leadByRef(ctx, s.StoreID, ref)
		return err
	})
	if err != nil {
		return nil, wrapInternal(err, "customer lead")
	}
	return l, nil
}

// SearchLeads implements domain.LeadService.
func (db *DB) SearchLeads(ctx context.Context, by int64, text string, limit int) (*domain.LeadsFound, error) {
	found := &domain.LeadsFound{}
	err := db.InTx(ctx, func(ctx context.Context) error {
		s, err := db.StaffByID(ctx, by)
		if err != nil {
			return err
		}
		only := s.ID
		if domain.SeesAllLeads(s) {
			only = 0
		}
		if found.Leads, err = db.FindLeads(ctx, s.StoreID, text, only, s.ID, limit); err != nil || !s.Roles.Group() {
			return err
		}
		n := limit
		if n <= 0 {
			n = maxElsewhere
		}
		found.Elsewhere, err = db.leadsElsewhere(ctx, s.StoreID, db.leadsMatching(ctx, text), n)
		return err
	})
	if err != nil {
		return nil, wrapInternal(err, "search leads")
	}
	return found, nil
}

// LeadHistory implements domain.LeadService.
func (db *DB) LeadHistory(ctx context.Context, leadID int64, n int) (*domain.LeadHistory, error) {
	h := &domain.LeadHistory{}
	err := db.InTx(ctx, func(ctx context.Context) error {
		var err error
		if h.FollowUps, err = db.FollowUps(ctx, leadID, n); err != nil {
			return err
		}
		if h.Events, err = db.LeadEvents(ctx, leadID, n); err != nil {
			return err
		}
		h.Visits, err = db.Visits(ctx, leadID, n)
		return err
	})
	if err != nil {
		return nil, wrapInternal(err, "lead history")
	}
	return h, nil
}

// LogFollowUp implements domain.LeadService.
func (db *DB) LogFollowUp(ctx context.Context, by int64, ref domain.LeadRef, channel domain.Channel, note string, grade domain.Grade) (*domain.FollowUpLogged, error) {
	out := &domain.FollowUpLogged{}
	err := db.InTx(ctx, func(ctx context.Context) error {
		s, err := db.StaffByID(ctx, by)
		if err != nil {
			return err
		}
		l, err := db.workableLead(ctx, s, ref)
		if err != nil {
			return err
		}
		if grade != "" {
			if grade, err = domain.ParseGrade(string(grade), domain.SettableGrades); err != nil {
				return err
			}
		}
		if err := domain.ValidFollowUpNote(note); err != nil {
			return err
		}
		// A grade that needs confirming is asked about once the call is logged.
		if grade.NeedsConfirm() {
			out.Confirm, grade = grade, ""
		}
		st := db.Stores.Of(l.StoreID)
		now, rules := db.now(), st.Rules.Leads
		fu := &domain.FollowUp{LeadID: l.ID, StaffID: s.ID, Channel: channel, Note: note, At: now, GradeBefore: l.Grade}
		l.LogFollowUp(now, grade, rules, st.Calendar)
		fu.GradeAfter = l.Grade
		if err := db.AddFollowUp(ctx, fu); err != nil {
			return err
		}
		if err := db.recordChange(ctx, l, s.ID, domain.EventGrade, string(fu.GradeBefore), string(fu.GradeAfter), domain.WhyFollowUp); err != nil {
			return err
		}
		if err := db.UpdateLead(ctx, l); err != nil {
			return err
		}
		if out.Confirm == l.Grade {
			out.Confirm = ""
		}
		out.Lead, out.FollowUp = l, fu
		out.GradePrompt = out.Confirm == "" && domain.GradePromptAfterFollowUp(l, rules, now)
		return nil
	})
	if err != nil {
		return nil, wrapInternal(err, "log follow-up")
	}
	return out, nil
}

// ChangeGrade implements domain.LeadService.
func (db *DB) ChangeGrade(ctx context.Context, by int64, ref domain.LeadRef, g domain.Grade, confirmed bool) (*domain.GradeChanged, error) {
	out := &domain.GradeChanged{}
	err := db.InTx(ctx, func(ctx context.Context) error {
		s, err := db.StaffByID(ctx, by)
		if err != nil {
			return err
		}
		l, err := db.workableLead(ctx, s, ref)
		if err != nil {
			return err
		}
		if g, err = domain.ParseGrade(string(g), domain.SettableGrades); err != nil {
			return err
		}
		if err := domain.CanChangeGrade(l); err != nil {
			return err
		}
		out.Lead, out.Before = l, l.Grade
		if g.NeedsConfirm() && !confirmed && g != l.Grade {
			out.Confirm = g
			return nil
		}
		st := db.Stores.Of(l.StoreID)
		l.SetGrade(g, db.now(), st.Rules.Leads, st.Calendar)
		if err := db.recordChange(ctx, l, s.ID, domain.EventGrade, string(out.Before), string(g), domain.WhyManual); err != nil {
			return err
		}
		return db.UpdateLead(ctx, l)
	})
	if err != nil {
		return nil, wrapInternal(err, "change grade")
	}
	return out, nil
}

// ReopenLead implements domain.LeadService.
func (db *DB) ReopenLead(ctx context.Context, by int64, ref domain.LeadRef, g domain.Grade) (*domain.LeadReopened, error) {
	out := &domain.LeadReopened{}
	err := db.InTx(ctx, func(ctx context.Context) error {
		s, err := db.StaffByID(ctx, by)
		if err != nil {
			return err
		}
		l, err := db.visibleLead(ctx, s, ref)
		if err != nil {
			return err
		}
		if err := domain.CanReopen(s, l); err != nil {
			return err
		}
		out.Lead, out.Before = l, l.Grade
		if g == "" {
			return nil
		}
		if g, err = domain.ParseGrade(string(g), domain.ReopenGrades); err != nil {
			return err
		}
		st := db.Stores.Of(l.StoreID)
		l.Reopen(g, db.now(), st.Rules.Leads, st.Calendar)
		if err := db.recordChange(ctx, l, s.ID, domain.EventGrade, string(out.Before), string(g), domain.WhyReopen); err != nil {
			return err
		}
		if err := db.UpdateLead(ctx, l); err != nil {
			return err // another open lead of the customer: err.lead_exists
		}
		out.Reopened = true
		if out.Owner, err = db.StaffByID(ctx, l.OwnerID); err != nil {
			return err
		}
		out.Notify = domain.Tellable(out.Owner, s.ID)
		// The supervisors approve lost leads (R1.6): one reopened by someone
		// else (a manager) is news to them, as a reopening by a visit is.
		sups, err := db.reachable(ctx, l.StoreID, domain.RoleSupervisor)
		if err != nil {
			return err
		}
		for _, sup := range domain.InDepartmentOrAll(sups, out.Owner.Department) {
			if sup.ID != s.ID && sup.ID != out.Owner.ID {
				out.Supervisors = append(out.Supervisors, sup)
			}
		}
		return nil
	})
	if err != nil {
		return nil, wrapInternal(err, "reopen lead")
	}
	return out, nil
}

// MyLeads implements domain.LeadService.
func (db *DB) MyLeads(ctx context.Context, by int64, offset, limit int) ([]*domain.Lead, int, error) {
	var list []*domain.Lead
	var total int
	err := db.InTx(ctx, func(ctx context.Context) error {
		var err error
		list, total, err = db.LeadsByOwner(ctx, by, offset, limit)
		return err
	})
	if err != nil {
		return nil, 0, wrapInternal(err, "my leads")
	}
	return list, total, nil
}

// TodayLeads implements domain.LeadService.
func (db *DB) TodayLeads(ctx context.Context, by int64, limit int) ([]*domain.Lead, error) {
	var list []*domain.Lead
	err := db.InTx(ctx, func(ctx context.Context) error {
		s, err := db.StaffByID(ctx, by)
		if err != nil {
			return err
		}
		cal := db.Stores.Of(s.StoreID).Calendar
		list, err = db.DueLeads(ctx, by, cal.StartOfDay(db.now()).AddDate(0, 0, 1), limit)
		return err
	})
	if err != nil {
		return nil, wrapInternal(err, "today's leads")
	}
	return list, nil
}

// SetLeadDetail implements domain.LeadService.
func (db *DB) SetLeadDetail(ctx context.Context, by, id, visit int64, d domain.LeadDetail) (*domain.LeadDetailSet, error) {
	out := &domain.LeadDetailSet{}
	err := db.InTx(ctx, func(ctx context.Context) error {
		s, err := db.StaffByID(ctx, by)
		if err != nil {
			return err
		}
		if !domain.MayTellLeadDetail(s) {
			return domain.Errorkf(domain.EFORBIDDEN, "err.forbidden", nil, "staff %d may not tell lead details", by)
		}
		if out.Lead, err = db.LeadInStore(ctx, s.StoreID, id); err != nil {
			return err
		}
		if visit != 0 {
			v, err := db.VisitByID(ctx, visit)
			if err != nil {
				return err
			}
			if v.LeadID != id {
				return errVisitNotFound(visit)
			}
			out.Visit = v
		}
		if err := d.Apply(out.Lead); err != nil {
			return err
		}
		return db.UpdateLead(ctx, out.Lead)
	})
	if err != nil {
		return nil, wrapInternal(err, "set detail of lead %d", id)
	}
	return out, nil
}
