package domain

import "context"

// ComplaintService registers complaints and carries them through their
// handling (R2.1–R2.8): the owner's acts, take-over and reassignment, the
// close and the service centre's survey; the weekly register is
// RegisterService's. Each method is one transaction, or joins the
// caller's; who may do what is checked inside (MayActOnComplaint,
// MayReassignComplaint, MaySurveyComplaint, CanSeeComplaint). A complaint
// belongs to a store (Complaint.StoreID): its departments, rules and
// calendar are that store's, and everyone it names or tells — owner,
// managers, service centre — is of that store. A member acts only inside
// their own store (a group role inside the store it chose): a complaint
// of another store is ENOTFOUND (err.complaint_not_found), as if it did
// not exist. An unknown staff id is ENOTFOUND (err.staff_not_found).
type ComplaintService interface {
	// RegisterComplaint registers c in the store of c.RegisteredBy:
	// validates it against that store's departments, gives it its owner
	// (ownerName, of the store, active and on Telegram; else
	// DefaultComplaintOwner among the store's supervisors), links the
	// store's lead with its phone, stores it open, created now, and logs
	// its registration by c.RegisteredBy.
	// EINVALID (Complaint.Validate's keys; err.staff_not_found for an owner
	// not on Telegram), ENOTFOUND (err.staff_not_found).
	RegisterComplaint(ctx context.Context, c Complaint, ownerName string) (*ComplaintRegistered, error)

	// ComplaintFor returns complaint id as viewerID may see it
	// (CanSeeComplaint). ENOTFOUND (err.complaint_not_found), EFORBIDDEN
	// (err.forbidden).
	ComplaintFor(ctx context.Context, id, viewerID int64) (*ComplaintView, error)

	// ComplaintView returns complaint id with what its cards show, for a
	// message the chat layer is about to send (a chaser's alarm).
	// ENOTFOUND (err.complaint_not_found).
	ComplaintView(ctx context.Context, id int64) (*ComplaintView, error)

	// ListComplaints returns the complaints f selects that viewerID lists,
	// of the viewer's store only (f.StoreID is set to it): all for
	// SeesAllComplaints, else their own; the nearest deadline first
	// (SortByNextDeadline at now).
	ListComplaints(ctx context.Context, viewerID int64, f ComplaintFilter) ([]*Complaint, error)

	// CheckComplaintAct returns complaint id if staffID may take act on it
	// now: the check made when a button is pressed, before the text is
	// asked for. act is an act (MayActOnComplaint), "take" or "re"
	// (MayReassignComplaint) or "sat" (MaySurveyComplaint). ENOTFOUND
	// (err.complaint_not_found; callback.stale for an unknown act),
	// ECONFLICT (cmp.not_open, cmp.not_closing), EFORBIDDEN
	// (err.forbidden), EINVALID (err.close_no_reply).
	CheckComplaintAct(ctx context.Context, id, staffID int64, act string) (*ComplaintView, error)

	// ActOnComplaint logs a (an act with its text) at now and applies it
	// (Complaint.Apply); a close also needs the service centre for its
	// survey. ENOTFOUND (err.complaint_not_found, callback.stale,
	// err.no_service), ECONFLICT (cmp.not_open), EFORBIDDEN (err.forbidden),
	// EINVALID (err.note_empty, err.close_no_reply).
	ActOnComplaint(ctx context.Context, a ComplaintAct) (*ComplaintActed, error)

	// TakeOverComplaint makes byID the owner of complaint id (R2.3).
	// ENOTFOUND (err.complaint_not_found), EFORBIDDEN (err.forbidden),
	// EINVALID (err.staff_not_found: not on Telegram).
	TakeOverComplaint(ctx context.Context, id, byID int64) (*ComplaintReassigned, error)

	// ReassignComplaint gives complaint id to the staff member named
	// toName, by byID (R2.3). ENOTFOUND (err.staff_not_found,
	// err.complaint_not_found), EFORBIDDEN (err.forbidden), EINVALID
	// (err.staff_not_found: not on Telegram).
	ReassignComplaint(ctx context.Context, id, byID int64, toName string) (*ComplaintReassigned, error)

	// SurveyComplaint records the service centre's answer (code s, n or d)
	// with its note at now (Complaint.Survey) and settles the survey
	// cards. ENOTFOUND (err.complaint_not_found, callback.stale),
	// EFORBIDDEN (err.forbidden), ECONFLICT (cmp.not_closing).
	SurveyComplaint(ctx context.Context, id, staffID int64, code, note string) (*ComplaintSurveyed, error)

	// RememberComplaintCard keeps a message that shows a complaint, so it
	// is edited in place as the complaint moves; a key kept before is left
	// as it is. ENOTFOUND (err.complaint_not_found).
	RememberComplaintCard(ctx context.Context, card ComplaintCard) error
}

// ComplaintAct is an act on a complaint as the chat takes it: the act,
// its text, and for a close the validity (R2.1).
type ComplaintAct struct {
	ComplaintID int64
	StaffID     int64
	Act         string
	Note        string
	Valid       *bool
}

// ComplaintView is a complaint with what its cards show and who may act
// on it: its logged actions (the latest action's id versions an edit),
// the messages that show it, the reachable managers (CanGiveOpinion) and
// who owes the manager's opinion (the department's managers, else every
// manager, else the general managers).
type ComplaintView struct {
	Complaint     *Complaint
	Actions       []ComplaintAction
	Cards         []ComplaintCard
	Managers      []*Staff
	OpinionGivers []*Staff
}

// Version is the id of the latest logged action.
func (v *ComplaintView) Version() int64 {
	var n int64
	for _, a := range v.Actions {
		n = max(n, a.ID)
	}
	return n
}

// MayGiveOpinion reports whether s may give the manager's opinion.
func (v *ComplaintView) MayGiveOpinion(s *Staff) bool {
	return CanGiveOpinion(s, v.Complaint, v.Managers)
}

// ComplaintRegistered is what RegisterComplaint did: the complaint, who
// registered it, its owner, whom to Notify with the owner's card (the
// owner unless they registered it or cannot be told: Tellable; nil when
// nobody), and for a service complaint the opinion deadline its givers
// are asked for (OpinionAsked false: none).
type ComplaintRegistered struct {
	View         *ComplaintView
	Registrar    *Staff
	Owner        *Staff
	Notify       *Staff
	Opinion      Deadline
	OpinionAsked bool
}

// ComplaintActed is what ActOnComplaint did: the act, the complaint after
// it (its cards to be rewritten), who acted, and on a close the service
// centre who must get the survey card.
type ComplaintActed struct {
	Act       ComplaintAct
	View      *ComplaintView
	Actor     *Staff
	Surveyors []*Staff
}

// ComplaintReassigned is what a take-over or reassignment did: who did it,
// the new owner, whom to Notify with the owner's card (the new owner
// unless they did it themselves: Tellable; nil otherwise), and the former
// owner when they must hear it is no longer theirs (Tellable, and not the
// new owner; nil otherwise).
type ComplaintReassigned struct {
	View   *ComplaintView
	By     *Staff
	To     *Staff
	Notify *Staff
	Former *Staff
}

// ComplaintSurveyed is what SurveyComplaint did: the satisfaction, its
// note, the complaint (closed, or reopened to its owner), the cards it
// had (the survey cards among them, now settled), whom to Notify of the
// answer (the owner unless they surveyed it themselves or cannot be told:
// Tellable; nil when nobody), and on a reopening the opinion deadline
// asked for again.
type ComplaintSurveyed struct {
	View         *ComplaintView
	Satisfaction string
	Note         string
	Notify       *Staff
	Opinion      Deadline
	OpinionAsked bool
}

// Reopened reports whether the survey reopened the complaint.
func (s *ComplaintSurveyed) Reopened() bool { return s.Satisfaction == Dissatisfied }
