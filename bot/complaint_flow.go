package bot

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/dealerbot/dealerbot/domain"
)

// createComplaint checks a draft, picks the owner (named, else the first
// supervisor, R2.3), stores it and sends the owner the card.
func (b *Bot) createComplaint(ctx context.Context, r *Request, d complaintDraft) error {
	c, err := b.draftComplaint(r, d)
	if err != nil {
		return err
	}
	return b.storeComplaint(ctx, r, c, d.Owner)
}

// draftComplaint turns a draft into a checked complaint, writing nothing.
func (b *Bot) draftComplaint(r *Request, d complaintDraft) (*domain.Complaint, error) {
	channel, err := domain.ParseComplaintChannel(d.Channel)
	if err != nil {
		return nil, err
	}
	subject, err := domain.ParseSubject(d.Subject)
	if err != nil {
		return nil, err
	}
	now := b.now()
	c := &domain.Complaint{Customer: d.Customer, Phone: d.Phone, Channel: channel, Subject: subject, Department: d.Department,
		Description: d.Description, Model: d.Model, ProblemType: d.Problem, ProblemAt: d.When, VIN: d.VIN, Appraisal: d.Appraisal,
		RegisteredBy: r.Staff.ID, Status: domain.ComplaintOpen, CreatedAt: now, OpenedAt: now}
	if err := c.Validate(b.opts.Rules.Complaints.Departments); err != nil {
		return nil, err
	}
	return c, nil
}

// storeComplaint gives a checked complaint its owner, stores it and
// answers with the card.
func (b *Bot) storeComplaint(ctx context.Context, r *Request, c *domain.Complaint, ownerName string) error {
	cs, err := b.complaints()
	if err != nil {
		return err
	}
	now := b.now()
	owner, err := b.complaintOwner(ctx, r, ownerName, c.Department)
	if err != nil {
		return err
	}
	c.OwnerID = owner.ID
	if l, err := b.store.LeadByPhone(ctx, c.Phone); err == nil {
		c.LeadID = l.ID
	}
	if err := cs.CreateComplaint(ctx, c); err != nil {
		return err
	}
	if err := cs.AddComplaintAction(ctx, &domain.ComplaintAction{ComplaintID: c.ID, StaffID: r.Staff.ID, Kind: "registered", Note: c.Description}); err != nil {
		return err
	}
	if owner.ID != r.Staff.ID && owner.Enrolled() {
		if err := b.pushCard(ctx, fmt.Sprintf("cmp-card:%d:%d", c.ID, now.Unix()), domain.CardComplaint, owner, c, T(owner.Lang, "cmp.assigned")); err != nil {
			return err
		}
	}
	if err := b.replyComplaintCard(ctx, r, c, r.T("cmp.created", c.ID, owner.Name)); err != nil {
		return err
	}
	return b.askOpinions(ctx, c)
}

// complaintOwner is the named owner, or the department's supervisor (R2.3;
// the first supervisor when the department has none), or the caller.
func (b *Bot) complaintOwner(ctx context.Context, r *Request, name, dept string) (*domain.Staff, error) {
	if name != "" {
		s, err := b.store.StaffByName(ctx, name)
		if err != nil {
			return nil, err
		}
		if !s.Active || !s.Enrolled() {
			// Reminders could not reach them.
			return nil, domain.Errorkf(domain.EINVALID, "err.staff_not_found", []any{name}, "owner not on Telegram")
		}
		return s, nil
	}
	sups, err := b.inDepartment(ctx, domain.RoleSupervisor, dept)
	if err != nil {
		return nil, err
	}
	if len(sups) > 0 {
		sort.Slice(sups, func(i, j int) bool { return sups[i].ID < sups[j].ID })
		return sups[0], nil
	}
	return r.Staff, nil
}

// complaintCard renders a complaint with its deadlines.
func (b *Bot) complaintCard(ctx context.Context, lang domain.Lang, c *domain.Complaint) string {
	r := &Request{Lang: lang, bot: b}
	lines := []string{T(lang, "cmp.card", c.ID, c.Customer, c.Phone, T(lang, "cmpch."+string(c.Channel)), T(lang, "subject."+string(c.Subject)),
		c.Department, r.staffName(ctx, c.OwnerID), T(lang, "cmpst."+c.Status))}
	if c.Subject == domain.SubjectProduct {
		lines = append(lines, T(lang, "cmp.product", c.Model, c.ProblemType, c.ProblemAt, c.VIN))
	}
	lines = append(lines, T(lang, "cmp.desc", clip(c.Description, 1000)))
	now := b.now()
	for _, d := range c.AllDeadlines(b.opts.Rules.Complaints, b.opts.Calendar) {
		if c.Status == domain.ComplaintClosed && !d.Done {
			continue
		}
		state := T(lang, "cmp.dl_left", ago(lang, d.Due.Sub(now)))
		switch {
		case d.Met():
			state = T(lang, "cmp.dl_met")
		case d.Done:
			state = T(lang, "cmp.dl_late")
		case now.After(d.Due):
			state = T(lang, "cmp.dl_over", ago(lang, now.Sub(d.Due)))
		}
		lines = append(lines, T(lang, "cmp.deadline", T(lang, "dl."+d.Kind), b.formatTime(d.Due), Raw(state)))
	}
	lines = append(lines, b.complaintActionLines(ctx, lang, c)...)
	return strings.Join(lines, "\n")
}

// complaintAct is an action waiting for its text.
type complaintAct struct {
	ID    int64
	Act   string
	Valid *bool `json:",omitempty"`
}

// handleComplaintButton: cmp:<act>:<id>[:<arg>].
func (b *Bot) handleComplaintButton(ctx context.Context, r *Request) error {
	parts := strings.Split(r.Args, ":")
	if len(parts) < 2 {
		return domain.Errorkf(domain.ENOTFOUND, "callback.stale", nil, "bad complaint button")
	}
	id, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil {
		return domain.Errorkf(domain.ENOTFOUND, "callback.stale", nil, "bad complaint id")
	}
	cs, err := b.complaints()
	if err != nil {
		return err
	}
	c, err := cs.ComplaintByID(ctx, id)
	if err != nil {
		return err
	}
	act := parts[0]
	switch act {
	case "sat":
		if !r.Staff.Roles.Has(domain.RoleService) {
			return domain.Errorkf(domain.EFORBIDDEN, "err.forbidden", nil, "not the service centre")
		}
		if c.Status != domain.ComplaintClosing || len(parts) != 3 {
			return domain.Errorkf(domain.ECONFLICT, "cmp.not_closing", nil, "not waiting for a survey")
		}
		return b.ask(ctx, r, "csat", complaintAct{ID: id, Act: parts[2]}, r.T("cmp.ask_survey_note"))
	case "take":
		if !r.Staff.Roles.HasAny(rulers...) || c.Status != domain.ComplaintOpen {
			return domain.Errorkf(domain.EFORBIDDEN, "err.forbidden", nil, "may not take over")
		}
		return b.reassignComplaint(ctx, r, c, r.Staff)
	case "re":
		if !r.Staff.Roles.HasAny(rulers...) || c.Status != domain.ComplaintOpen {
			return domain.Errorkf(domain.EFORBIDDEN, "err.forbidden", nil, "may not reassign")
		}
		return b.ask(ctx, r, "creassign", id, r.T("cmp.ask_owner"))
	}
	if c.Status != domain.ComplaintOpen {
		return domain.Errorkf(domain.ECONFLICT, "cmp.not_open", []any{c.ID}, "complaint %d is %s", c.ID, c.Status)
	}
	if err := b.mayAct(ctx, r.Staff, c, act); err != nil {
		return err
	}
	switch act {
	case "close":
		if c.FirstReplyAt == nil && c.SolutionAt == nil {
			return domain.Errorkf(domain.EINVALID, "err.close_no_reply", []any{c.ID}, "no reply recorded")
		}
		b.replyMarkup(ctx, r.ChatID, r.T("cmp.ask_validity", c.ID), inlineKeyboard([]models.InlineKeyboardButton{
			{Text: r.T("cmpbtn.valid"), CallbackData: "cmp:cv:" + parts[1] + ":1"},
			{Text: r.T("cmpbtn.invalid"), CallbackData: "cmp:cv:" + parts[1] + ":0"},
		}))
		return nil
	case "cv":
		if len(parts) != 3 {
			return domain.Errorkf(domain.ENOTFOUND, "callback.stale", nil, "bad validity")
		}
		valid := parts[2] == "1"
		return b.ask(ctx, r, "cact", complaintAct{ID: id, Act: "close", Valid: &valid}, r.T("cmp.ask_close_summary"))
	case "reply", "contact", "progress", "solution", "appraisal", "result", "opinion":
		return b.ask(ctx, r, "cact", complaintAct{ID: id, Act: act}, r.T("cmp.ask_text", r.T("cmpbtn."+act), c.ID))
	}
	return domain.Errorkf(domain.ENOTFOUND, "callback.stale", nil, "bad complaint action %q", act)
}

// complaintActText applies an action with its text, logged with the time.
func (b *Bot) complaintActText(ctx context.Context, r *Request, d *domain.Dialog, text string) error {
	var a complaintAct
	if err := b.endDialog(ctx, r, d, &a); err != nil {
		return err
	}
	if text = strings.TrimSpace(text); text == "" {
		return domain.Errorkf(domain.EINVALID, "err.note_empty", nil, "empty")
	}
	cs, err := b.complaints()
	if err != nil {
		return err
	}
	c, err := cs.ComplaintByID(ctx, a.ID)
	if err != nil {
		return err
	}
	if c.Status != domain.ComplaintOpen {
		return domain.Errorkf(domain.ECONFLICT, "cmp.not_open", []any{c.ID}, "not open")
	}
	if err := b.mayAct(ctx, r.Staff, c, a.Act); err != nil {
		return err
	}
	now := b.now()
	t := &now
	switch a.Act {
	case "reply":
		if c.FirstReplyAt == nil {
			c.FirstReplyAt = t
		}
	case "contact":
		if c.ContactedAt == nil {
			c.ContactedAt = t
		}
		if c.FirstReplyAt == nil {
			c.FirstReplyAt = t
		}
	case "progress":
		for _, d := range c.Deadlines(b.opts.Rules.Complaints, b.opts.Calendar) {
			if d.Kind == domain.DeadlineProgress && now.After(d.Due) {
				// Late: the cycle moves on, the miss is kept for the register.
				if err := cs.AddComplaintAction(ctx, &domain.ComplaintAction{ComplaintID: c.ID, StaffID: r.Staff.ID, Kind: actionMissedProg, At: now}); err != nil {
					return err
				}
			}
		}
		c.LastProgressAt = t
	case "solution":
		c.SolutionAt = t
		if c.FirstReplyAt == nil {
			c.FirstReplyAt = t
		}
	case "appraisal":
		c.Appraisal = true
	case "result":
		c.ResultAt = t
	case "opinion":
		c.OpinionAt = t
	case "close":
		if c.FirstReplyAt == nil && c.SolutionAt == nil {
			return domain.Errorkf(domain.EINVALID, "err.close_no_reply", []any{c.ID}, "no reply recorded")
		}
		c.Status, c.Valid = domain.ComplaintClosing, a.Valid
	default:
		return domain.Errorkf(domain.ENOTFOUND, "callback.stale", nil, "bad action")
	}
	if err := cs.UpdateComplaint(ctx, c); err != nil {
		return err
	}
	if err := cs.AddComplaintAction(ctx, &domain.ComplaintAction{ComplaintID: c.ID, StaffID: r.Staff.ID, Kind: a.Act, Note: text, At: now}); err != nil {
		return err
	}
	if err := b.refreshComplaintCards(ctx, c); err != nil {
		return err
	}
	if a.Act == "close" {
		return b.askSurvey(ctx, r, c, text)
	}
	return b.replyComplaintCard(ctx, r, c, r.T("cmp.logged", r.T("cmpbtn."+a.Act)))
}

// mayAct says whether s may take act on c: the owner and those above
// (R2.3); the manager's opinion only whoever owes it and the general
// manager (R2.4).
func (b *Bot) mayAct(ctx context.Context, s *domain.Staff, c *domain.Complaint, act string) error {
	if act == "opinion" {
		_, managers, err := b.opinionGivers(ctx, c)
		if err != nil {
			return err
		}
		if !domain.CanGiveOpinion(s, c, managers) {
			return domain.Errorkf(domain.EFORBIDDEN, "err.forbidden", nil, "not the department manager")
		}
		return nil
	}
	if !domain.CanActOnComplaint(s, c) {
		return domain.Errorkf(domain.EFORBIDDEN, "err.forbidden", nil, "neither owner nor above")
	}
	return nil
}

// askSurvey sends the service centre the satisfaction card (R2.7).
func (b *Bot) askSurvey(ctx context.Context, r *Request, c *domain.Complaint, summary string) error {
	svc, err := b.staffWithAnyRole(ctx, domain.RoleService)
	if err != nil {
		return err
	}
	if len(svc) == 0 {
		return domain.Errorkf(domain.ENOTFOUND, "err.no_service", nil, "no service centre staff")
	}
	for _, s := range svc {
		headline := T(s.Lang, "cmp.survey", c.ID, r.Staff.Name, clip(summary, 300))
		if err := b.pushCard(ctx, fmt.Sprintf("cmp-survey:%d:%d:%d", c.ID, s.ID, b.now().Unix()), domain.CardSurvey, s, c, headline); err != nil {
			return err
		}
	}
	b.reply(ctx, r.ChatID, r.T("cmp.closing", c.ID))
	return nil
}

// surveyText records the satisfaction: satisfied or neutral closes it,
// dissatisfied reopens it to the owner with fresh deadlines (R2.7).
func (b *Bot) surveyText(ctx context.Context, r *Request, d *domain.Dialog, text string) error {
	var a complaintAct
	if err := b.endDialog(ctx, r, d, &a); err != nil {
		return err
	}
	cs, err := b.complaints()
	if err != nil {
		return err
	}
	c, err := cs.ComplaintByID(ctx, a.ID)
	if err != nil {
		return err
	}
	if c.Status != domain.ComplaintClosing {
		return domain.Errorkf(domain.ECONFLICT, "cmp.not_closing", nil, "not waiting for a survey")
	}
	now := b.now()
	sat := map[string]string{"s": domain.Satisfied, "n": domain.Neutral, "d": domain.Dissatisfied}[a.Act]
	if sat == "" {
		return domain.Errorkf(domain.ENOTFOUND, "callback.stale", nil, "bad satisfaction")
	}
	c.Satisfaction = sat
	if sat == domain.Dissatisfied {
		// Keep how this round went for the weekly register (R2.8), then
		// start a fresh one.
		c.Status = domain.ComplaintOpen
		round := roundOutcomes(c, b.opts.Rules.Complaints, b.opts.Calendar, now)
		if err := cs.AddComplaintAction(ctx, &domain.ComplaintAction{ComplaintID: c.ID, StaffID: r.Staff.ID, Kind: actionRound, Note: round, At: now}); err != nil {
			return err
		}
		c.OpenedAt, c.Valid = now, nil
		c.FirstReplyAt, c.ContactedAt, c.SolutionAt, c.OpinionAt, c.ResultAt, c.LastProgressAt = nil, nil, nil, nil, nil, nil
	} else {
		c.Status, c.ClosedAt = domain.ComplaintClosed, &now
	}
	if err := cs.UpdateComplaint(ctx, c); err != nil {
		return err
	}
	if err := cs.AddComplaintAction(ctx, &domain.ComplaintAction{ComplaintID: c.ID, StaffID: r.Staff.ID, Kind: "survey:" + sat, Note: strings.TrimSpace(text), At: now}); err != nil {
		return err
	}
	// Every card shows the answer; the survey cards lose their buttons
	// and are settled.
	if err := b.refreshComplaintCards(ctx, c); err != nil {
		return err
	}
	cards, err := cs.ComplaintCards(ctx, c.ID)
	if err != nil {
		return err
	}
	for _, card := range cards {
		if card.Kind == domain.CardSurvey {
			if err := cs.DeleteComplaintCard(ctx, card.ID); err != nil {
				return err
			}
		}
	}
	if sat == domain.Dissatisfied {
		if err := b.askOpinions(ctx, c); err != nil {
			return err
		}
	}
	owner, err := b.store.StaffByID(ctx, c.OwnerID)
	if err == nil && owner.Enrolled() {
		key := fmt.Sprintf("cmp-survey-result:%d:%d", c.ID, now.Unix())
		if sat == domain.Dissatisfied {
			err = b.pushCard(ctx, key, domain.CardComplaint, owner, c, T(owner.Lang, "cmp.reopened", c.ID, clip(text, 300)))
		} else {
			err = b.Push(ctx, key, owner.TelegramID, owner.ID, T(owner.Lang, "cmp.closed", c.ID, T(owner.Lang, "sat."+sat)), nil)
		}
		if err != nil {
			return err
		}
	}
	b.reply(ctx, r.ChatID, r.T("cmp.survey_ok", c.ID, r.T("sat."+sat)))
	return nil
}

// reassignText takes the new owner's name.
func (b *Bot) reassignText(ctx context.Context, r *Request, d *domain.Dialog, text string) error {
	var id int64
	if err := b.endDialog(ctx, r, d, &id); err != nil {
		return err
	}
	to, err := b.store.StaffByName(ctx, strings.TrimSpace(text))
	if err != nil {
		return err
	}
	cs, err := b.complaints()
	if err != nil {
		return err
	}
	c, err := cs.ComplaintByID(ctx, id)
	if err != nil {
		return err
	}
	if !r.Staff.Roles.HasAny(rulers...) || c.Status != domain.ComplaintOpen {
		return domain.Errorkf(domain.EFORBIDDEN, "err.forbidden", nil, "may not reassign")
	}
	return b.reassignComplaint(ctx, r, c, to)
}

// reassignComplaint gives the complaint a new owner, who gets the card.
func (b *Bot) reassignComplaint(ctx context.Context, r *Request, c *domain.Complaint, to *domain.Staff) error {
	if !to.Active || !to.Enrolled() {
		return domain.Errorkf(domain.EINVALID, "err.staff_not_found", []any{to.Name}, "not an active member on Telegram")
	}
	from := c.OwnerID
	c.OwnerID = to.ID
	cs, err := b.complaints()
	if err != nil {
		return err
	}
	if err := cs.UpdateComplaint(ctx, c); err != nil {
		return err
	}
	if err := cs.AddComplaintAction(ctx, &domain.ComplaintAction{ComplaintID: c.ID, StaffID: r.Staff.ID, Kind: "owner",
		Note: fmt.Sprintf("%s → %s", b.staffName(ctx, from), to.Name)}); err != nil {
		return err
	}
	if err := b.refreshComplaintCards(ctx, c); err != nil {
		return err
	}
	// The former owner hears it is no longer theirs.
	if former, err := b.store.StaffByID(ctx, from); err == nil && from != to.ID && from != r.Staff.ID && former.Active && former.Enrolled() {
		text := T(former.Lang, "cmp.owner_moved", c.ID, r.Staff.Name, to.Name)
		if err := b.Push(ctx, fmt.Sprintf("cmp-owner-from:%d:%d:%d", c.ID, from, b.now().Unix()), former.TelegramID, former.ID, text, nil); err != nil {
			return err
		}
	}
	if to.ID != r.Staff.ID && to.Enrolled() {
		if err := b.pushCard(ctx, fmt.Sprintf("cmp-owner:%d:%d:%d", c.ID, to.ID, b.now().Unix()), domain.CardComplaint, to, c, T(to.Lang, "cmp.assigned")); err != nil {
			return err
		}
	}
	return b.replyComplaintCard(ctx, r, c, r.T("cmp.owner_set", c.ID, to.Name))
}

// handleComplaints lists open complaints, nearest deadline first: mine, or
// for a manager or the service centre all, filtered by department and status.
func (b *Bot) handleComplaints(ctx context.Context, r *Request) error {
	cs, err := b.complaints()
	if err != nil {
		return err
	}
	f := domain.ComplaintFilter{Statuses: []string{domain.ComplaintOpen, domain.ComplaintClosing}, Limit: 500}
	if !r.Staff.Roles.HasAny(seesAllComplaints...) {
		f.OwnerID = r.Staff.ID
	}
	for _, w := range r.Fields() {
		switch {
		case w == domain.ComplaintOpen || w == domain.ComplaintClosing || w == domain.ComplaintClosed:
			f.Statuses = []string{w}
		case contains(b.opts.Rules.Complaints.Departments, w):
			f.Department = w
		default:
			return errUsage
		}
	}
	list, err := cs.Complaints(ctx, f)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		b.reply(ctx, r.ChatID, r.T("cmp.none"))
		return nil
	}
	far := b.now().AddDate(100, 0, 0)
	due := func(c *domain.Complaint) time.Time {
		if d, ok := c.Next(b.opts.Rules.Complaints, b.opts.Calendar); ok {
			return d.Due
		}
		return far
	}
	sort.SliceStable(list, func(i, j int) bool { return due(list[i]).Before(due(list[j])) })
	lines := []string{r.T("cmp.list_header", len(list))}
	for _, c := range list[:min(len(list), 30)] {
		next := r.T("cmpst." + c.Status)
		if d, ok := c.Next(b.opts.Rules.Complaints, b.opts.Calendar); ok {
			next = r.T("cmp.list_due", r.T("dl."+d.Kind), b.formatTime(d.Due))
		}
		lines = append(lines, r.T("cmp.list_line", c.ID, c.Customer, c.Department, r.staffName(ctx, c.OwnerID), Raw(next)))
	}
	b.reply(ctx, r.ChatID, strings.Join(lines, "\n"))
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// NotifyComplaintAlarms queues the chaser's reminders and escalations
// (R2.4) to their recipients: a reminder with the card, an escalation with
// the buttons to take over or reassign (R2.3). Call it in a transaction.
func (b *Bot) NotifyComplaintAlarms(ctx context.Context, alarms []domain.ComplaintAlarm) error {
	for _, a := range alarms {
		c, d := a.Complaint, a.Deadline
		for _, p := range a.Recipients {
			kind, key, headline := domain.CardComplaint, "cmp-remind", ""
			if a.Reminder() {
				headline = T(p.Lang, "cmp.remind", T(p.Lang, "dl."+d.Kind), c.ID, ago(p.Lang, d.Due.Sub(b.now())))
			} else {
				kind, key = domain.CardEscalation, "cmp-esc"
				headline = T(p.Lang, "cmp.escalated", c.ID, T(p.Lang, "dl."+d.Kind), ago(p.Lang, b.now().Sub(d.Due)), b.staffName(ctx, c.OwnerID))
			}
			// Keyed by the deadline, its due time and the person, not by
			// the step: a new owner (taken over, reassigned) gets their own
			// reminder, the steps count from them, and nobody hears of the
			// same breach twice.
			key = fmt.Sprintf("%s:%d:%s:%d:%d", key, c.ID, d.Kind, d.Due.Unix(), p.ID)
			if err := b.pushCard(ctx, key, kind, p, c, headline); err != nil {
				return err
			}
		}
	}
	return nil
}
