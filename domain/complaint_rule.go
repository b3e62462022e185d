package domain

import "time"

// ComplaintAction is one step taken on a complaint — a reply, a contact, a
// progress report, a survey — logged with who and when.
type ComplaintAction struct {
	ID          int64
	ComplaintID int64
	StaffID     int64
	Kind        string
	Note        string
	At          time.Time
}

// Kinds of complaint card: the card itself (owner, opinion, reminder), an
// escalation (take over / reassign) and a survey (R2.7).
const (
	CardComplaint  = "card"
	CardEscalation = "esc"
	CardSurvey     = "survey"
)

// ComplaintCard is a message that shows a complaint to someone, kept so
// that it is edited in place as the complaint moves: the outbox key of the
// message and the headline it opened with.
type ComplaintCard struct {
	ID          int64
	ComplaintID int64
	StaffID     int64
	Kind        string
	Key         string
	Headline    string
	CreatedAt   time.Time
}

// ComplaintFilter selects complaints for lists and the register.
type ComplaintFilter struct {
	OwnerID     int64    // 0: any owner
	Department  string   // "": any department
	Statuses    []string // empty: any status
	CreatedFrom time.Time
	CreatedTo   time.Time // created in [CreatedFrom, CreatedTo); a zero bound is none
	Limit       int       // not positive: all
}

// OpinionGivers are who owes the department manager's opinion on c
// (R2.4), out of the managers: those of c's department, or every manager
// when the department has none.
func OpinionGivers(c *Complaint, managers []*Staff) []*Staff {
	var mine []*Staff
	for _, m := range managers {
		if m.Roles.Has(RoleManager) && m.Department == c.Department {
			mine = append(mine, m)
		}
	}
	if len(mine) > 0 {
		return mine
	}
	for _, m := range managers {
		if m.Roles.Has(RoleManager) {
			mine = append(mine, m)
		}
	}
	return mine
}

// CanGiveOpinion says whether s may give the manager's opinion on c: one
// of its OpinionGivers, or the general manager above them (R2.3, R2.4).
func CanGiveOpinion(s *Staff, c *Complaint, managers []*Staff) bool {
	if s.Roles.Has(RoleGM) {
		return true
	}
	for _, m := range OpinionGivers(c, managers) {
		if m.ID == s.ID {
			return true
		}
	}
	return false
}

// OpinionOwnerRoles are the roles answerable for the opinion deadline: a
// late opinion escalates above the department manager, to the general
// manager.
var OpinionOwnerRoles = Roles{RoleManager}

// CanSeeComplaint says whether s may open c's card: those involved — its
// owner, who registered it, whoever acted on it — and the supervisors,
// managers, general manager and service centre.
func CanSeeComplaint(s *Staff, c *Complaint, actions []ComplaintAction) bool {
	if s.ID == c.OwnerID || s.ID == c.RegisteredBy || s.Roles.HasAny(RoleSupervisor, RoleManager, RoleGM, RoleService) {
		return true
	}
	for _, a := range actions {
		if a.StaffID == s.ID {
			return true
		}
	}
	return false
}

// CanActOnComplaint says whether a staff member may act on a complaint:
// its owner and those above (R2.3).
func CanActOnComplaint(s *Staff, c *Complaint) bool {
	return s.ID == c.OwnerID || s.Roles.HasAny(RoleSupervisor, RoleManager, RoleGM)
}
