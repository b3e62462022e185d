package bot

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/go-telegram/bot/models"

	"github.com/dealerbot/dealerbot/domain"
)

// createComplaint checks a draft and registers it.
func (b *Bot) createComplaint(ctx context.Context, r *Request, d complaintDraft) error {
	c, err := b.draftComplaint(r, d)
	if err != nil {
		return err
	}
	return b.storeComplaint(ctx, r, c, d.Owner)
}

// draftComplaint turns a draft into a checked complaint, writing nothing:
// the dialogue asks its last step again on a bad answer. The departments
// are the requester's store's, where the complaint is registered.
func (b *Bot) draftComplaint(r *Request, d complaintDraft) (*domain.Complaint, error) {
	channel, err := domain.ParseComplaintChannel(d.Channel)
	if err != nil {
		return nil, err
	}
	subject, err := domain.ParseSubject(d.Subject)
	if err != nil {
		return nil, err
	}
	c := &domain.Complaint{Customer: d.Customer, Phone: d.Phone, Channel: channel, Subject: subject, Department: d.Department,
		Description: d.Description, Model: d.Model, ProblemType: d.Problem, ProblemAt: d.When, VIN: d.VIN, Appraisal: d.Appraisal,
		RegisteredBy: r.Staff.ID}
	if err := c.Validate(r.Store().Rules.Complaints.Departments); err != nil {
		return nil, err
	}
	return c, nil
}

// storeComplaint registers a checked complaint (its owner named, else
// the department's supervisor, R2.3) and answers with the card; the owner
// the service names and whoever owes the manager's opinion get theirs.
func (b *Bot) storeComplaint(ctx context.Context, r *Request, c *domain.Complaint, ownerName string) error {
	out, err := b.opts.Complaints.RegisterComplaint(ctx, *c, ownerName)
	if err != nil {
		return err
	}
	v := out.View
	if to := out.Notify; to != nil {
		key := fmt.Sprintf("cmp-card:%d:%d", v.Complaint.ID, b.now().Unix())
		if err := b.pushCard(ctx, key, domain.CardComplaint, to, v, T(to.Lang, "cmp.assigned")); err != nil {
			return err
		}
	}
	if err := b.replyComplaintCard(ctx, r, v, r.T("cmp.created", v.Complaint.ID, out.Owner.Name)); err != nil {
		return err
	}
	if out.OpinionAsked {
		return b.pushOpinionAsked(ctx, v, out.Opinion)
	}
	return nil
}

// complaintCard renders a complaint with its deadlines, on its store's
// calendar and in its store's time zone.
func (b *Bot) complaintCard(ctx context.Context, lang domain.Lang, v *domain.ComplaintView) string {
	c := v.Complaint
	st := b.complaintStore(c)
	r := &Request{Lang: lang, bot: b}
	lines := []string{T(lang, "cmp.card", c.ID, c.Customer, c.Phone, T(lang, "cmpch."+string(c.Channel)), T(lang, "subject."+string(c.Subject)),
		c.Department, r.staffName(ctx, c.OwnerID), T(lang, "cmpst."+c.Status))}
	if c.Subject == domain.SubjectProduct {
		lines = append(lines, T(lang, "cmp.product", c.Model, c.ProblemType, c.ProblemAt, c.VIN))
	}
	lines = append(lines, T(lang, "cmp.desc", clip(c.Description, 1000)))
	now := b.now()
	for _, d := range c.AllDeadlines(st.Rules.Complaints, st.Calendar) {
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
		lines = append(lines, T(lang, "cmp.deadline", T(lang, "dl."+d.Kind), b.complaintTime(c, d.Due), Raw(state)))
	}
	lines = append(lines, b.complaintActionLines(ctx, lang, c, v.Actions)...)
	return strings.Join(lines, "\n")
}

// complaintAct is an action waiting for its text.
type complaintAct struct {
	ID    int64
	Act   string
	Valid *bool `json:",omitempty"`
}

// handleComplaintButton: cmp:<act>:<id>[:<arg>]. The service says whether
// the presser may take the act now; the text is asked for next.
func (b *Bot) handleComplaintButton(ctx context.Context, r *Request) error {
	parts := strings.Split(r.Args, ":")
	if len(parts) < 2 {
		return domain.Errorkf(domain.ENOTFOUND, "callback.stale", nil, "bad complaint button")
	}
	id, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil {
		return domain.Errorkf(domain.ENOTFOUND, "callback.stale", nil, "bad complaint id")
	}
	act := parts[0]
	if act == "take" {
		out, err := b.opts.Complaints.TakeOverComplaint(ctx, id, r.Staff.ID)
		if err != nil {
			return err
		}
		return b.tellReassigned(ctx, r, out)
	}
	v, err := b.opts.Complaints.CheckComplaintAct(ctx, id, r.Staff.ID, act)
	if err != nil {
		return err
	}
	switch act {
	case "sat":
		if len(parts) != 3 {
			return domain.Errorkf(domain.ECONFLICT, "cmp.not_closing", nil, "not waiting for a survey")
		}
		return b.ask(ctx, r, "csat", complaintAct{ID: id, Act: parts[2]}, r.T("cmp.ask_survey_note"))
	case "re":
		return b.ask(ctx, r, "creassign", id, r.T("cmp.ask_owner"))
	case domain.ActClose:
		b.replyMarkup(ctx, r.ChatID, r.T("cmp.ask_validity", v.Complaint.ID), inlineKeyboard([]models.InlineKeyboardButton{
			{Text: r.T("cmpbtn.valid"), CallbackData: "cmp:cv:" + parts[1] + ":1"},
			{Text: r.T("cmpbtn.invalid"), CallbackData: "cmp:cv:" + parts[1] + ":0"},
		}))
		return nil
	case "cv":
		if len(parts) != 3 {
			return domain.Errorkf(domain.ENOTFOUND, "callback.stale", nil, "bad validity")
		}
		valid := parts[2] == "1"
		return b.ask(ctx, r, "cact", complaintAct{ID: id, Act: domain.ActClose, Valid: &valid}, r.T("cmp.ask_close_summary"))
	}
	return b.ask(ctx, r, "cact", complaintAct{ID: id, Act: act}, r.T("cmp.ask_text", r.T("cmpbtn."+act), v.Complaint.ID))
}

// complaintActText applies an action with its text, logged with the time.
func (b *Bot) complaintActText(ctx context.Context, r *Request, d *domain.Dialog, text string) error {
	var a complaintAct
	if err := b.endDialog(ctx, r, d, &a); err != nil {
		return err
	}
	out, err := b.opts.Complaints.ActOnComplaint(ctx, domain.ComplaintAct{ComplaintID: a.ID, StaffID: r.Staff.ID, Act: a.Act,
		Note: text, Valid: a.Valid})
	if err != nil {
		return err
	}
	v := out.View
	if err := b.refreshComplaintCards(ctx, v); err != nil {
		return err
	}
	if a.Act != domain.ActClose {
		return b.replyComplaintCard(ctx, r, v, r.T("cmp.logged", r.T("cmpbtn."+a.Act)))
	}
	// The service centre gets the satisfaction card (R2.7).
	for _, s := range out.Surveyors {
		headline := T(s.Lang, "cmp.survey", v.Complaint.ID, r.Staff.Name, clip(out.Act.Note, 300))
		if err := b.pushCard(ctx, fmt.Sprintf("cmp-survey:%d:%d:%d", v.Complaint.ID, s.ID, b.now().Unix()), domain.CardSurvey, s, v, headline); err != nil {
			return err
		}
	}
	b.reply(ctx, r.ChatID, r.T("cmp.closing", v.Complaint.ID))
	return nil
}

// surveyText records the satisfaction: satisfied or neutral closes it,
// dissatisfied reopens it to the owner with fresh deadlines (R2.7).
func (b *Bot) surveyText(ctx context.Context, r *Request, d *domain.Dialog, text string) error {
	var a complaintAct
	if err := b.endDialog(ctx, r, d, &a); err != nil {
		return err
	}
	out, err := b.opts.Complaints.SurveyComplaint(ctx, a.ID, r.Staff.ID, a.Act, text)
	if err != nil {
		return err
	}
	v, c, sat := out.View, out.View.Complaint, out.Satisfaction
	// Every card shows the answer; the survey cards lose their buttons.
	if err := b.refreshComplaintCards(ctx, v); err != nil {
		return err
	}
	if out.OpinionAsked {
		if err := b.pushOpinionAsked(ctx, v, out.Opinion); err != nil {
			return err
		}
	}
	if owner := out.Notify; owner != nil {
		key := fmt.Sprintf("cmp-survey-result:%d:%d", c.ID, b.now().Unix())
		if out.Reopened() {
			err = b.pushCard(ctx, key, domain.CardComplaint, owner, v, T(owner.Lang, "cmp.reopened", c.ID, clip(text, 300)))
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
	out, err := b.opts.Complaints.ReassignComplaint(ctx, id, r.Staff.ID, text)
	if err != nil {
		return err
	}
	return b.tellReassigned(ctx, r, out)
}

// tellReassigned rewrites the cards, tells the former owner it is no
// longer theirs and gives the new owner the card, as the service says.
func (b *Bot) tellReassigned(ctx context.Context, r *Request, out *domain.ComplaintReassigned) error {
	v, c, to := out.View, out.View.Complaint, out.To
	if err := b.refreshComplaintCards(ctx, v); err != nil {
		return err
	}
	if former := out.Former; former != nil {
		text := T(former.Lang, "cmp.owner_moved", c.ID, r.Staff.Name, to.Name)
		if err := b.Push(ctx, fmt.Sprintf("cmp-owner-from:%d:%d:%d", c.ID, former.ID, b.now().Unix()), former.TelegramID, former.ID, text, nil); err != nil {
			return err
		}
	}
	if n := out.Notify; n != nil {
		if err := b.pushCard(ctx, fmt.Sprintf("cmp-owner:%d:%d:%d", c.ID, n.ID, b.now().Unix()), domain.CardComplaint, n, v, T(n.Lang, "cmp.assigned")); err != nil {
			return err
		}
	}
	return b.replyComplaintCard(ctx, r, v, r.T("cmp.owner_set", c.ID, to.Name))
}

// complaintsShown is how many complaints /complaints lists: one message.
const complaintsShown = 30

// handleComplaints lists open complaints, nearest deadline first: mine, or
// for a manager or the service centre all, filtered by department and status.
func (b *Bot) handleComplaints(ctx context.Context, r *Request) error {
	// The list is of the requester's store (the service sees to it), on
	// its departments and calendar.
	st := r.Store()
	f := domain.ComplaintFilter{Statuses: []string{domain.ComplaintOpen, domain.ComplaintClosing}, Limit: 500}
	for _, w := range r.Fields() {
		switch {
		case w == domain.ComplaintOpen || w == domain.ComplaintClosing || w == domain.ComplaintClosed:
			f.Statuses = []string{w}
		case slices.Contains(st.Rules.Complaints.Departments, w):
			f.Department = w
		default:
			return errUsage
		}
	}
	list, err := b.opts.Complaints.ListComplaints(ctx, r.Staff.ID, f)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		b.reply(ctx, r.ChatID, r.T("cmp.none"))
		return nil
	}
	lines := []string{r.T("cmp.list_header", len(list))}
	if len(list) > complaintsShown {
		lines = append(lines, r.T("cmp.list_more", complaintsShown, len(list), st.Rules.Complaints.Departments[0]))
	}
	for _, c := range list[:min(len(list), complaintsShown)] {
		next := r.T("cmpst." + c.Status)
		if d, ok := c.Next(st.Rules.Complaints, st.Calendar); ok {
			next = r.T("cmp.list_due", r.T("dl."+d.Kind), b.complaintTime(c, d.Due))
		}
		lines = append(lines, r.T("cmp.list_line", c.ID, c.Customer, c.Department, r.staffName(ctx, c.OwnerID), Raw(next)))
	}
	b.reply(ctx, r.ChatID, strings.Join(lines, "\n"))
	return nil
}

// NotifyComplaintAlarms queues the chaser's reminders and escalations
// (R2.4) to their recipients: a reminder with the card, an escalation with
// the buttons to take over or reassign (R2.3). Call it in a transaction.
func (b *Bot) NotifyComplaintAlarms(ctx context.Context, alarms []domain.ComplaintAlarm) error {
	for _, a := range alarms {
		c, d := a.Complaint, a.Deadline
		v, err := b.opts.Complaints.ComplaintView(ctx, c.ID)
		if err != nil {
			return err
		}
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
			if err := b.pushCard(ctx, key, kind, p, v, headline); err != nil {
				return err
			}
		}
	}
	return nil
}
