package storage

import (
	"context"
	"fmt"
	"strings"

	"github.com/dealerbot/dealerbot/domain"
)

// storage implements the complaint service (R2.1–R2.8).
var _ domain.ComplaintService = (*DB)(nil)

// RegisterComplaint implements domain.ComplaintService.
func (db *DB) RegisterComplaint(ctx context.Context, c domain.Complaint, ownerName string) (*domain.ComplaintRegistered, error) {
	var out *domain.ComplaintRegistered
	err := db.InTx(ctx, func(ctx context.Context) error {
		registrar, err := db.StaffByID(ctx, c.RegisteredBy)
		if err != nil {
			return err
		}
		// The complaint is the registering person's store's (R2.3: the
		// departments, people and calendar that handle it).
		st := db.Stores.Of(registrar.StoreID)
		if err := c.Validate(st.Rules.Complaints.Departments); err != nil {
			return err
		}
		c.StoreID = registrar.StoreID
		owner, err := db.complaintOwner(ctx, ownerName, c.Department, registrar)
		if err != nil {
			return err
		}
		now := db.now()
		c.OwnerID, c.Status, c.CreatedAt, c.OpenedAt = owner.ID, domain.ComplaintOpen, now, now
		if id, err := db.complaintLead(ctx, c.StoreID, c.Phone); err != nil {
			return err
		} else if id != 0 {
			c.LeadID = id
		}
		if err := db.CreateComplaint(ctx, &c); err != nil {
			return err
		}
		if err := db.AddComplaintAction(ctx, &domain.ComplaintAction{ComplaintID: c.ID, StaffID: registrar.ID,
			Kind: domain.ActionRegistered, Note: c.Description}); err != nil {
			return err
		}
		v, err := db.complaintView(ctx, &c)
		if err != nil {
			return err
		}
		out = &domain.ComplaintRegistered{View: v, Registrar: registrar, Owner: owner, Notify: domain.Tellable(owner, registrar.ID)}
		out.Opinion, out.OpinionAsked = c.OpinionDue(st.Rules.Complaints, st.Calendar)
		return nil
	})
	if err != nil {
		return nil, wrapInternal(err, "register complaint")
	}
	return out, nil
}

// complaintOwner is the staff member named (of the registrar's store,
// active and on Telegram), or the default owner of the department among
// the store's supervisors (domain.DefaultComplaintOwner).
func (db *DB) complaintOwner(ctx context.Context, name, dept string, registrar *domain.Staff) (*domain.Staff, error) {
	if name != "" {
		s, err := db.StaffByName(ctx, registrar.StoreID, name)
		if err != nil {
			return nil, err
		}
		if err := domain.CheckComplaintOwner(s); err != nil {
			return nil, domain.Errorkf(domain.EINVALID, "err.staff_not_found", []any{name}, "owner not on Telegram")
		}
		return s, nil
	}
	sups, err := db.StaffWithRole(ctx, registrar.StoreID, domain.RoleSupervisor)
	if err != nil {
		return nil, err
	}
	return domain.DefaultComplaintOwner(domain.Reachable(sups), dept, registrar), nil
}

// complaintLead is the id of the store's lead with phone (the open one,
// else the newest closed one), 0 when the store has none: a complaint
// links only a lead of its own store.
func (db *DB) complaintLead(ctx context.Context, store int64, phone string) (int64, error) {
	var ids []int64
	err := db.conn(ctx).Model(&leadRow{}).Where("store_id = ? AND phone = ?", store, phone).
		Order("CASE WHEN grade IN "+leadOpenGrades+" THEN 0 ELSE 1 END, created_at DESC, id DESC").
		Limit(1).Pluck("id", &ids).Error
	if err != nil {
		return 0, formatError(fmt.Errorf("lead of complaint by phone: %w", err))
	}
	if len(ids) == 0 {
		return 0, nil
	}
	return ids[0], nil
}

// complaintView reads what c's cards show and who of c's store may give
// its opinion.
func (db *DB) complaintView(ctx context.Context, c *domain.Complaint) (*domain.ComplaintView, error) {
	acts, err := db.ComplaintActions(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	cards, err := db.ComplaintCards(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	managers, err := db.StaffWithRole(ctx, c.StoreID, domain.RoleManager)
	if err != nil {
		return nil, err
	}
	managers = domain.Reachable(managers)
	givers := domain.OpinionGivers(c, managers)
	if len(givers) == 0 {
		gms, err := db.StaffWithRole(ctx, c.StoreID, domain.RoleGM)
		if err != nil {
			return nil, err
		}
		givers = domain.Reachable(gms)
	}
	return &domain.ComplaintView{Complaint: c, Actions: acts, Cards: cards, Managers: managers, OpinionGivers: givers}, nil
}

// complaintViewIn reads complaint id of store and its view; a complaint
// of another store is ENOTFOUND (err.complaint_not_found).
func (db *DB) complaintViewIn(ctx context.Context, store, id int64) (*domain.ComplaintView, error) {
	c, err := db.complaintIn(ctx, store, id)
	if err != nil {
		return nil, err
	}
	return db.complaintView(ctx, c)
}

// ComplaintFor implements domain.ComplaintService.
func (db *DB) ComplaintFor(ctx context.Context, id, viewerID int64) (*domain.ComplaintView, error) {
	var out *domain.ComplaintView
	err := db.InTx(ctx, func(ctx context.Context) error {
		viewer, err := db.StaffByID(ctx, viewerID)
		if err != nil {
			return err
		}
		v, err := db.complaintViewIn(ctx, viewer.StoreID, id)
		if err != nil {
			return err
		}
		if !domain.CanSeeComplaint(viewer, v.Complaint, v.Actions) {
			return domain.Errorkf(domain.EFORBIDDEN, "err.forbidden", nil, "not involved in complaint %d", id)
		}
		out = v
		return nil
	})
	if err != nil {
		return nil, wrapInternal(err, "complaint %d for staff %d", id, viewerID)
	}
	return out, nil
}

// ComplaintView implements domain.ComplaintService.
func (db *DB) ComplaintView(ctx context.Context, id int64) (*domain.ComplaintView, error) {
	var out *domain.ComplaintView
	err := db.InTx(ctx, func(ctx context.Context) error {
		c, err := db.ComplaintByID(ctx, id)
		if err != nil {
			return err
		}
		out, err = db.complaintView(ctx, c)
		return err
	})
	if err != nil {
		return nil, wrapInternal(err, "view complaint %d", id)
	}
	return out, nil
}

// ListComplaints implements domain.ComplaintService.
func (db *DB) ListComplaints(ctx context.Context, viewerID int64, f domain.ComplaintFilter) ([]*domain.Complaint, error) {
	var out []*domain.Complaint
	err := db.InTx(ctx, func(ctx context.Context) error {
		viewer, err := db.StaffByID(ctx, viewerID)
		if err != nil {
			return err
		}
		f.StoreID = viewer.StoreID
		if !domain.SeesAllComplaints(viewer) {
			f.OwnerID = viewer.ID
		}
		if out, err = db.Complaints(ctx, f); err != nil {
			return err
		}
		st := db.Stores.Of(viewer.StoreID)
		domain.SortByNextDeadline(out, st.Rules.Complaints, st.Calendar, db.now())
		return nil
	})
	if err != nil {
		return nil, wrapInternal(err, "list complaints for staff %d", viewerID)
	}
	return out, nil
}

// CheckComplaintAct implements domain.ComplaintService.
func (db *DB) CheckComplaintAct(ctx context.Context, id, staffID int64, act string) (*domain.ComplaintView, error) {
	var out *domain.ComplaintView
	err := db.InTx(ctx, func(ctx context.Context) error {
		s, err := db.StaffByID(ctx, staffID)
		if err != nil {
			return err
		}
		v, err := db.complaintViewIn(ctx, s.StoreID, id)
		if err != nil {
			return err
		}
		switch {
		case act == "sat":
			err = domain.MaySurveyComplaint(s, v.Complaint)
		case act == "take" || act == "re":
			err = domain.MayReassignComplaint(s, v.Complaint)
		default:
			err = domain.MayActOnComplaint(s, v.Complaint, act, v.Managers)
			if err == nil && act != "cv" && !domain.IsComplaintAct(act) {
				err = domain.Errorkf(domain.ENOTFOUND, "callback.stale", nil, "bad complaint action %q", act)
			}
		}
		out = v
		return err
	})
	if err != nil {
		return nil, wrapInternal(err, "check %s on complaint %d", act, id)
	}
	return out, nil
}

// ActOnComplaint implements domain.ComplaintService.
func (db *DB) ActOnComplaint(ctx context.Context, a domain.ComplaintAct) (*domain.ComplaintActed, error) {
	if a.Note = strings.TrimSpace(a.Note); a.Note == "" {
		return nil, domain.Errorkf(domain.EINVALID, "err.note_empty", nil, "empty")
	}
	var out *domain.ComplaintActed
	err := db.InTx(ctx, func(ctx context.Context) error {
		actor, err := db.StaffByID(ctx, a.StaffID)
		if err != nil {
			return err
		}
		v, err := db.complaintViewIn(ctx, actor.StoreID, a.ComplaintID)
		if err != nil {
			return err
		}
		c := v.Complaint
		if err := domain.MayActOnComplaint(actor, c, a.Act, v.Managers); err != nil {
			return err
		}
		now := db.now()
		st := db.Stores.Of(c.StoreID)
		missed, err := c.Apply(a.Act, a.Valid, st.Rules.Complaints, st.Calendar, now)
		if err != nil {
			return err
		}
		out = &domain.ComplaintActed{Act: a, Actor: actor}
		if a.Act == domain.ActClose {
			// The store's own service centre surveys the customer (R2.7).
			svc, err := db.StaffWithRole(ctx, c.StoreID, domain.RoleService)
			if err != nil {
				return err
			}
			if out.Surveyors = domain.Reachable(svc); len(out.Surveyors) == 0 {
				return domain.Errorkf(domain.ENOTFOUND, "err.no_service", nil, "no service centre staff")
			}
		}
		if missed {
			if err := db.AddComplaintAction(ctx, &domain.ComplaintAction{ComplaintID: c.ID, StaffID: actor.ID,
				Kind: domain.ActionMissedProgress, At: now}); err != nil {
				return err
			}
		}
		if err := db.UpdateComplaint(ctx, c); err != nil {
			return err
		}
		if err := db.AddComplaintAction(ctx, &domain.ComplaintAction{ComplaintID: c.ID, StaffID: actor.ID, Kind: a.Act,
			Note: a.Note, At: now}); err != nil {
			return err
		}
		out.View, err = db.complaintView(ctx, c)
		return err
	})
	if err != nil {
		return nil, wrapInternal(err, "%s on complaint %d", a.Act, a.ComplaintID)
	}
	return out, nil
}

// TakeOverComplaint implements domain.ComplaintService.
func (db *DB) TakeOverComplaint(ctx context.Context, id, byID int64) (*domain.ComplaintReassigned, error) {
	return db.reassignComplaint(ctx, id, byID, func(ctx context.Context, by *domain.Staff) (*domain.Staff, error) {
		return by, nil
	})
}

// ReassignComplaint implements domain.ComplaintService: the new owner is
// of the reassigner's store, which is the complaint's.
func (db *DB) ReassignComplaint(ctx context.Context, id, byID int64, toName string) (*domain.ComplaintReassigned, error) {
	return db.reassignComplaint(ctx, id, byID, func(ctx context.Context, by *domain.Staff) (*domain.Staff, error) {
		return db.StaffByName(ctx, by.StoreID, strings.TrimSpace(toName))
	})
}

// reassignComplaint gives complaint id to whoever to names, in one
// transaction: the change, its logged action and who must hear of it.
func (db *DB) reassignComplaint(ctx context.Context, id, byID int64,
	to func(ctx context.Context, by *domain.Staff) (*domain.Staff, error)) (*domain.ComplaintReassigned, error) {
	var out *domain.ComplaintReassigned
	err := db.InTx(ctx, func(ctx context.Context) error {
		by, err := db.StaffByID(ctx, byID)
		if err != nil {
			return err
		}
		c, err := db.complaintIn(ctx, by.StoreID, id)
		if err != nil {
			return err
		}
		owner, err := to(ctx, by)
		if err != nil {
			return err
		}
		if err := domain.MayReassignComplaint(by, c); err != nil {
			return err
		}
		if err := domain.CheckComplaintOwner(owner); err != nil {
			return err
		}
		from := c.OwnerID
		c.OwnerID = owner.ID
		if err := db.UpdateComplaint(ctx, c); err != nil {
			return err
		}
		former, ferr := db.StaffByID(ctx, from)
		if err := db.AddComplaintAction(ctx, &domain.ComplaintAction{ComplaintID: c.ID, StaffID: by.ID, Kind: domain.ActionOwner,
			Note: fmt.Sprintf("%s → %s", db.staffName(ctx, from), owner.Name)}); err != nil {
			return err
		}
		v, err := db.complaintView(ctx, c)
		if err != nil {
			return err
		}
		out = &domain.ComplaintReassigned{View: v, By: by, To: owner, Notify: domain.Tellable(owner, by.ID)}
		// The former owner hears it is no longer theirs.
		if ferr == nil && from != owner.ID {
			out.Former = domain.Tellable(former, by.ID)
		}
		return nil
	})
	if err != nil {
		return nil, wrapInternal(err, "reassign complaint %d", id)
	}
	return out, nil
}

// SurveyComplaint implements domain.ComplaintService.
func (db *DB) SurveyComplaint(ctx context.Context, id, staffID int64, code, note string) (*domain.ComplaintSurveyed, error) {
	var out *domain.ComplaintSurveyed
	err := db.InTx(ctx, func(ctx context.Context) error {
		s, err := db.StaffByID(ctx, staffID)
		if err != nil {
			return err
		}
		c, err := db.complaintIn(ctx, s.StoreID, id)
		if err != nil {
			return err
		}
		if err := domain.MaySurveyComplaint(s, c); err != nil {
			return err
		}
		sat, err := domain.ParseSatisfaction(code)
		if err != nil {
			return err
		}
		now := db.now()
		st := db.Stores.Of(c.StoreID)
		round, err := c.Survey(sat, st.Rules.Complaints, st.Calendar, now)
		if err != nil {
			return err
		}
		if c.Status == domain.ComplaintOpen {
			// Keep how this round went for the weekly register (R2.8).
			if err := db.AddComplaintAction(ctx, &domain.ComplaintAction{ComplaintID: c.ID, StaffID: s.ID, Kind: domain.ActionRound,
				Note: round, At: now}); err != nil {
				return err
			}
		}
		if err := db.UpdateComplaint(ctx, c); err != nil {
			return err
		}
		note = strings.TrimSpace(note)
		if err := db.AddComplaintAction(ctx, &domain.ComplaintAction{ComplaintID: c.ID, StaffID: s.ID,
			Kind: domain.ActionSurvey + ":" + sat, Note: note, At: now}); err != nil {
			return err
		}
		v, err := db.complaintView(ctx, c)
		if err != nil {
			return err
		}
		// The survey cards are settled: they are rewritten once more (from
		// v.Cards) and not again.
		for _, card := range v.Cards {
			if card.Kind == domain.CardSurvey {
				if err := db.DeleteComplaintCard(ctx, card.ID); err != nil {
					return err
				}
			}
		}
		out = &domain.ComplaintSurveyed{View: v, Satisfaction: sat, Note: note}
		if owner, err := db.StaffByID(ctx, c.OwnerID); err == nil {
			out.Notify = domain.Tellable(owner, s.ID)
		}
		if out.Reopened() {
			out.Opinion, out.OpinionAsked = c.OpinionDue(st.Rules.Complaints, st.Calendar)
		}
		return nil
	})
	if err != nil {
		return nil, wrapInternal(err, "survey complaint %d", id)
	}
	return out, nil
}

// RememberComplaintCard implements domain.ComplaintService.
func (db *DB) RememberComplaintCard(ctx context.Context, card domain.ComplaintCard) error {
	return db.AddComplaintCard(ctx, &card)
}

// staffName is a staff member's name, or "#id" when they are gone: the
// register still shows whose a complaint was.
func (db *DB) staffName(ctx context.Context, id int64) string {
	s, err := db.StaffByID(ctx, id)
	if err != nil {
		return fmt.Sprintf("#%d", id)
	}
	return s.Name
}
