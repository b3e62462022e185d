package storage

import (
	"context"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

// The visit register (domain.VisitService): each public method one
// transaction over visit.go's helpers; the arrival notice and the
// collision a visit causes are the appointment and collision services',
// joined in the same transaction.

var _ domain.VisitService = (*DB)(nil)

// visitNote is the follow-up note a visit is logged with (the Chinese
// catalogue's visit.note: the record is the store's, in its language).
const visitNote = "到店"

// RegisterVisit implements domain.VisitService.
func (db *DB) RegisterVisit(ctx context.Context, by int64, ref domain.LeadRef, kind string) (*domain.VisitRegistered, error) {
	var out *domain.VisitRegistered
	err := db.InTx(ctx, func(ctx context.Context) error {
		s, err := db.StaffByID(ctx, by)
		if err != nil {
			return err
		}
		l, err := db.leadByRef(ctx, s.StoreID, ref)
		if err != nil {
			return err
		}
		out, err = db.registerVisit(ctx, s, l, kind)
		return err
	})
	if err != nil {
		return nil, wrapInternal(err, "register visit")
	}
	return out, nil
}

// registerVisit registers registrar's visit of lead l (kind first, return
// or "" to tell from the register): a lost customer's lead reopens,
// telesales hear of their customer, another consultant's customer opens a
// collision.
func (db *DB) registerVisit(ctx context.Context, registrar *domain.Staff, l *domain.Lead, kind string) (*domain.VisitRegistered, error) {
	out := &domain.VisitRegistered{Lead: l, Registrar: registrar}
	if domain.ReopensOnVisit(l.Grade) {
		var err error
		if out.Reopened, err = db.reopenOnVisit(ctx, registrar, l); err != nil {
			return nil, err
		}
	}
	if !l.Grade.Open() {
		return nil, domain.Errorkf(domain.EINVALID, "err.lead_closed", []any{l.ID, string(l.Grade)}, "lead closed")
	}
	consultant := l.OwnerID
	if registrar.Roles.Has(domain.RoleConsultant) {
		consultant = registrar.ID
	}
	v, err := db.recordVisit(ctx, l, registrar.ID, consultant, kind)
	if err != nil {
		return nil, err
	}
	out.Visit = v
	if out.Arrival, err = db.NoticeArrival(ctx, l.ID, registrar.ID, v.ID); err != nil {
		return nil, err
	}
	out.GradePrompt = domain.GradePromptAfterFollowUp(l, db.Stores.Of(l.StoreID).Rules.Leads, db.now()) && domain.CanWorkLead(registrar, l)
	telesales := out.Arrival.Telesales || out.Arrival.Notify != nil
	if out.Reopened == nil && !telesales && registrar.Roles.Has(domain.RoleConsultant) && l.OwnerID != registrar.ID {
		// Another consultant's customer: serve them, and let the supervisor
		// rule who keeps them (R1.14.3–4).
		if out.Collision, err = db.OpenCollision(ctx, l.ID, registrar.ID, domain.SourceWalkIn); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// reopenOnVisit reopens a lost (or unreachable) customer's lead who came
// back (R1.11, R1.12): new grade N, to the consultant who registers the
// visit or else the former owner (telesales keep theirs, R1.14.2), every
// change on the lead's history.
func (db *DB) reopenOnVisit(ctx context.Context, registrar *domain.Staff, l *domain.Lead) (*domain.VisitReopened, error) {
	out := &domain.VisitReopened{Was: l.Grade, FormerOwner: l.OwnerID}
	if err := db.recordChange(ctx, l, registrar.ID, domain.EventGrade, string(out.Was), string(domain.GradeN), domain.WhyReturned); err != nil {
		return nil, err
	}
	st := db.Stores.Of(l.StoreID)
	l.Reopen(domain.GradeN, db.now(), st.Rules.Leads, st.Calendar)
	owner, err := db.StaffByID(ctx, domain.ReopenOwner(registrar, l))
	if err != nil {
		return nil, err
	}
	if err := db.moveLead(ctx, l, registrar.ID, owner.ID, domain.PoolOf(owner.Roles), domain.WhyReturned); err != nil {
		return nil, err
	}
	out.Owner = owner
	out.TellOwner = owner.ID != registrar.ID && owner.Active && owner.Enrolled()
	sups, err := db.reachable(ctx, l.StoreID, domain.RoleSupervisor)
	if err != nil {
		return nil, err
	}
	out.Supervisors = domain.InDepartmentOrAll(sups, owner.Department)
	return out, nil
}

// recordVisit registers a visit (kind first, return, or "": first when the
// lead has none yet) and counts it as a contact: it is logged as a
// follow-up and restarts the interval.
func (db *DB) recordVisit(ctx context.Context, l *domain.Lead, registrar, consultant int64, kind string) (*domain.Visit, error) {
	first := kind == domain.VisitFirst
	if kind == "" {
		prior, err := db.Visits(ctx, l.ID, 1)
		if err != nil {
			return nil, err
		}
		first = len(prior) == 0
	}
	now := db.now()
	v := &domain.Visit{StoreID: l.StoreID, LeadID: l.ID, RegisteredBy: registrar, ConsultantID: consultant, First: first, ArrivedAt: now}
	if err := db.CreateVisit(ctx, v); err != nil {
		return nil, err
	}
	before := l.Grade
	st := db.Stores.Of(l.StoreID)
	l.LogFollowUp(now, "", st.Rules.Leads, st.Calendar)
	if err := db.AddFollowUp(ctx, &domain.FollowUp{LeadID: l.ID, StaffID: registrar, Channel: domain.ChannelVisit,
		Note: visitNote, At: now, GradeBefore: before, GradeAfter: l.Grade}); err != nil {
		return nil, err
	}
	return v, db.UpdateLead(ctx, l)
}

// DepartVisit implements domain.VisitService.
func (db *DB) DepartVisit(ctx context.Context, by, id int64) (*domain.VisitDeparted, error) {
	out := &domain.VisitDeparted{}
	err := db.InTx(ctx, func(ctx context.Context) error {
		s, err := db.StaffByID(ctx, by)
		if err != nil {
			return err
		}
		if _, err := db.visitInStore(ctx, s.StoreID, id); err != nil {
			return err
		}
		changed, err := db.SetVisitLeft(ctx, id, db.now())
		if err != nil {
			return err
		}
		if !changed {
			return domain.Errorkf(domain.ECONFLICT, "visit.already_left", nil, "visit %d closed already", id)
		}
		if out.Visit, err = db.VisitByID(ctx, id); err != nil {
			return err
		}
		out.Lead, err = db.LeadByID(ctx, out.Visit.LeadID)
		return err
	})
	if err != nil {
		return nil, wrapInternal(err, "visit departure")
	}
	return out, nil
}

// walkInLine is who is first in the day's reception line when the
// registrar is not a consultant, who takes the walk-in themselves (0
// then): the first in line gets the customer (R5.3). Nobody in line is
// visit.walkin_nobody.
func (db *DB) walkInLine(ctx context.Context, registrar *domain.Staff) (int64, error) {
	if registrar.Roles.Has(domain.RoleConsultant) {
		return 0, nil
	}
	first, err := db.FirstInLine(ctx, registrar.StoreID)
	if err != nil {
		return 0, err
	}
	if first == 0 {
		return 0, domain.Errorkf(domain.EINVALID, "visit.walkin_nobody", nil, "nobody in the reception line")
	}
	return first, nil
}

// StartWalkIn implements domain.VisitService.
func (db *DB) StartWalkIn(ctx context.Context, by int64, phone string) (*domain.VisitRegistered, error) {
	var out *domain.VisitRegistered
	err := db.InTx(ctx, func(ctx context.Context) error {
		s, err := db.StaffByID(ctx, by)
		if err != nil {
			return err
		}
		if l, err := db.LeadInStoreByPhone(ctx, s.StoreID, phone); err == nil {
			out, err = db.registerVisit(ctx, s, l, "") // logged meanwhile
			return err
		} else if domain.ErrorCode(err) != domain.ENOTFOUND {
			return err
		}
		// Nobody to take the customer: say so before reception types anything.
		_, err = db.walkInLine(ctx, s)
		return err
	})
	if err != nil {
		return nil, wrapInternal(err, "start walk-in")
	}
	return out, nil
}

// WalkIn implements domain.VisitService.
func (db *DB) WalkIn(ctx context.Context, by int64, w domain.WalkIn) (*domain.WalkedIn, error) {
	out := &domain.WalkedIn{}
	err := db.InTx(ctx, func(ctx context.Context) error {
		s, err := db.StaffByID(ctx, by)
		if err != nil {
			return err
		}
		l := &domain.Lead{StoreID: s.StoreID, Name: w.Name, Phone: w.Phone, Model: w.Model, Grade: domain.GradeN,
			Source: domain.SourceWalkIn, Pool: domain.PoolShowroom, CreatedAt: db.now()}
		if err := l.Validate(); err != nil {
			out.Again = err
			return nil
		}
		if other, err := db.LeadInStoreByPhone(ctx, s.StoreID, l.Phone); err == nil {
			out.Lead = other
			out.Visit, err = db.registerVisit(ctx, s, other, "") // logged meanwhile
			return err
		} else if domain.ErrorCode(err) != domain.ENOTFOUND {
			return err
		}
		first, err := db.walkInLine(ctx, s)
		if domain.ErrorCode(err) == domain.EINVALID {
			// The line emptied while reception typed: asked again, so the
			// model sent again logs the customer once someone is on duty.
			out.Again = err
			return nil
		} else if err != nil {
			return err
		}
		owner, err := db.StaffByID(ctx, domain.VisitOwner(s, first))
		if err != nil {
			return err
		}
		l.OwnerID, l.Pool = owner.ID, domain.StartPool(l.Source, owner.Roles)
		st := db.Stores.Of(l.StoreID)
		l.Reschedule(st.Rules.Leads, st.Calendar)
		if err := db.CreateLead(ctx, l); err != nil {
			return err
		}
		if first != 0 {
			// They took the customer: to the back of the line (R5.3).
			if err := db.TookWalkIn(ctx, owner.ID); err != nil {
				return err
			}
		}
		out.Lead, out.Owner, out.New = l, owner, true
		out.Told = owner.ID != s.ID && owner.Enrolled()
		out.Visit, err = db.registerVisit(ctx, s, l, domain.VisitFirst)
		return err
	})
	if err != nil {
		return nil, wrapInternal(err, "walk-in")
	}
	return out, nil
}

// GradePrompts implements domain.VisitService.
func (db *DB) GradePrompts(ctx context.Context, arrivedBefore time.Time, limit int) (*domain.VisitGradePrompts, error) {
	out := &domain.VisitGradePrompts{}
	err := db.InTx(ctx, func(ctx context.Context) error {
		visits, err := db.VisitsToPrompt(ctx, arrivedBefore, limit)
		if err != nil {
			return err
		}
		out.Visits = len(visits)
		for _, v := range visits {
			if err := db.MarkVisitPrompted(ctx, v.ID); err != nil {
				return err
			}
			l, err := db.LeadInStore(ctx, v.StoreID, v.LeadID)
			if err != nil {
				return err
			}
			if !l.Grade.Open() {
				continue
			}
			c, err := db.StaffByID(ctx, v.ConsultantID)
			if err != nil || !c.Active || !c.Enrolled() {
				continue
			}
			out.Prompts = append(out.Prompts, domain.VisitGradePrompt{Visit: v, Lead: l, Consultant: c})
		}
		return nil
	})
	if err != nil {
		return nil, wrapInternal(err, "visit grade prompts")
	}
	return out, nil
}

// NextGradePrompt implements domain.VisitService.
func (db *DB) NextGradePrompt(ctx context.Context) (time.Time, bool, error) {
	visits, err := db.VisitsToPrompt(ctx, time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC), 1)
	if err != nil || len(visits) == 0 {
		return time.Time{}, false, err
	}
	return visits[0].ArrivedAt, true, nil
}
