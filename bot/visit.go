package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/go-telegram/bot/models"

	"github.com/dealerbot/dealerbot/domain"
)

// The visit register (R1.11): every showroom visit is recorded with
// arrival, departure, first or returning, and the consultant; 24 hours
// later the consultant is asked for the lead's grade (jobs/visit.go).

// handleVisit registers a visit: /visit 13800138000 [first|return].
func (b *Bot) handleVisit(ctx context.Context, r *Request) error {
	f := r.Fields()
	if len(f) == 0 {
		return errUsage
	}
	// The phone may be typed with spaces: /visit 138 0013 8000 first.
	kind := ""
	switch strings.ToLower(f[len(f)-1]) {
	case "first", "首次", "新":
		kind, f = "first", f[:len(f)-1]
	case "return", "再次", "老":
		kind, f = "return", f[:len(f)-1]
	}
	ref := strings.Join(f, "")
	if ref == "" {
		return errUsage
	}
	// Whoever greets the customer registers the visit, whoever owns the lead
	// (R1.11, R1.14.2): the lookup skips the owner check and answers only
	// the visit card.
	l, err := b.leadForVisit(ctx, ref)
	if domain.ErrorCode(err) == domain.ENOTFOUND && domain.LooksLikePhone(ref) {
		// A new walk-in: offer to log them at once (R1.12).
		if phone, perr := domain.NormalizePhone(ref); perr == nil {
			b.replyMarkup(ctx, r.ChatID, b.errorText(ctx, r, err)+"\n"+r.T("visit.walkin_offer"),
				inlineKeyboard([]models.InlineKeyboardButton{{Text: r.T("btn.walkin"), CallbackData: "walkin:" + phone}}))
			return nil
		}
	}
	if err != nil {
		return err
	}
	return b.registerVisit(ctx, r, l, kind)
}

// registerVisit registers the visit of lead l (kind: first, return or ""
// to tell from the register) and answers the visit card: a lost customer's
// lead reopens, telesales hears of their customer, another consultant's
// customer opens a collision.
func (b *Bot) registerVisit(ctx context.Context, r *Request, l *domain.Lead, kind string) error {
	reopened := false
	if domain.ReopensOnVisit(l.Grade) {
		if err := b.reopenOnVisit(ctx, r, l); err != nil {
			return err
		}
		reopened = true
	}
	if !l.Grade.Open() {
		return domain.Errorkf(domain.EINVALID, "err.lead_closed", []any{l.ID, string(l.Grade)}, "lead closed")
	}
	prior, err := b.store.Visits(ctx, l.ID, 1)
	if err != nil {
		return err
	}
	first := len(prior) == 0
	if kind != "" {
		first = kind == "first"
	}
	consultant := l.OwnerID
	if r.Staff.Roles.Has(domain.RoleConsultant) {
		consultant = r.Staff.ID
	}
	v, err := b.recordVisit(ctx, l, r.Staff.ID, consultant, first)
	if err != nil {
		return err
	}
	telesalesLead, invited, err := b.arrival(ctx, l, r.Staff, v)
	if err != nil {
		return err
	}
	text := r.T("visit.card", l.Name, showPhone(r, l.Phone), Raw(b.visitLine(ctx, r, *v)))
	switch {
	case invited:
		text += "\n" + r.T("visit.invited", r.staffName(ctx, l.OwnerID))
	case telesalesLead:
		text += "\n" + r.T("visit.telesales_lead", r.staffName(ctx, l.OwnerID))
	}
	if reopened {
		text += "\n" + r.T("visit.reopened", l.ID, r.staffName(ctx, l.OwnerID))
	}
	b.replyMarkup(ctx, r.ChatID, text, inlineKeyboard([]models.InlineKeyboardButton{{Text: r.T("btn.left"), CallbackData: "visit:left:" + strconv.FormatInt(v.ID, 10)}}))
	if domain.GradePromptAfterFollowUp(l, b.opts.Rules.Leads, b.now()) && domain.CanWorkLead(r.Staff, l) {
		// The visit was the third contact of the first week (R1.4).
		b.replyMarkup(ctx, r.ChatID, r.T("grade.prompt", l.FollowUps), gradeKeyboard(r.Lang, "lead:sg:"+strconv.FormatInt(l.ID, 10)+":", false))
	}
	if !reopened && !telesalesLead && r.Staff.Roles.Has(domain.RoleConsultant) && l.OwnerID != r.Staff.ID {
		// Another consultant's customer: serve them, and let the supervisor
		// rule who keeps them (R1.14.3–4).
		return b.openCollision(ctx, r, l, domain.SourceWalkIn)
	}
	return nil
}

// reopenOnVisit reopens a lost (or unreachable) customer's lead who came
// back (R1.11, R1.12): new grade N, to the consultant who registers the
// visit or else the former owner (telesales keep theirs, R1.14.2), every
// change on the lead's history; the supervisors and a new owner who did
// not register it are told.
func (b *Bot) reopenOnVisit(ctx context.Context, r *Request, l *domain.Lead) error {
	was, formerOwner := l.Grade, l.OwnerID
	if err := b.recordChange(ctx, l, r.Staff.ID, domain.EventGrade, string(was), string(domain.GradeN), domain.WhyReturned); err != nil {
		return err
	}
	l.Reopen(domain.GradeN, b.now(), b.opts.Rules.Leads, b.opts.Calendar)
	owner, err := b.store.StaffByID(ctx, domain.ReopenOwner(r.Staff, l))
	if err != nil {
		return err
	}
	if err := b.moveLead(ctx, l, r.Staff.ID, owner.ID, domain.PoolOf(owner.Roles), domain.WhyReturned); err != nil {
		return err
	}
	if owner.ID != r.Staff.ID && owner.Active && owner.Enrolled() {
		if err := b.Push(ctx, fmt.Sprintf("reopened:%d:%d", l.ID, b.now().Unix()), owner.TelegramID, owner.ID,
			T(owner.Lang, "visit.reopened_owner", l.ID, l.Name, string(was), r.Staff.Name), nil); err != nil {
			return err
		}
	}
	sups, err := b.inDepartment(ctx, domain.RoleSupervisor, owner.Department)
	if err != nil {
		return err
	}
	for _, s := range sups {
		if err := b.Push(ctx, fmt.Sprintf("reopened-sup:%d:%d:%d", l.ID, s.ID, b.now().Unix()), s.TelegramID, s.ID,
			T(s.Lang, "visit.reopened_sup", l.ID, l.Name, string(was), b.staffName(ctx, formerOwner), r.Staff.Name, owner.Name), nil); err != nil {
			return err
		}
	}
	return nil
}

// recordVisit registers a visit and counts it as a contact: it is logged
// as a follow-up and restarts the interval.
func (b *Bot) recordVisit(ctx context.Context, l *domain.Lead, registrar, consultant int64, first bool) (*domain.Visit, error) {
	now := b.now()
	v := &domain.Visit{LeadID: l.ID, RegisteredBy: registrar, ConsultantID: consultant, First: first, ArrivedAt: now}
	if err := b.store.CreateVisit(ctx, v); err != nil {
		return nil, err
	}
	before := l.Grade
	l.LogFollowUp(now, "", b.opts.Rules.Leads, b.opts.Calendar)
	if err := b.store.AddFollowUp(ctx, &domain.FollowUp{LeadID: l.ID, StaffID: registrar, Channel: domain.ChannelVisit,
		Note: T(domain.LangZH, "visit.note"), At: now, GradeBefore: before, GradeAfter: l.Grade}); err != nil {
		return nil, err
	}
	return v, b.store.UpdateLead(ctx, l)
}

// lookupLeadAny finds a lead by id or phone for whoever deals with the
// customer (a visit, a complaint), without the owner check.
func (b *Bot) lookupLeadAny(ctx context.Context, ref string) (*domain.Lead, error) {
	return b.leadForVisit(ctx, ref)
}

// leadForVisit finds a lead by phone or id without the owner check.
func (b *Bot) leadForVisit(ctx context.Context, ref string) (*domain.Lead, error) {
	ref = strings.TrimPrefix(ref, "#")
	if domain.LooksLikePhone(ref) {
		phone, err := domain.NormalizePhone(ref)
		if err != nil {
			return nil, err
		}
		return b.store.LeadByPhone(ctx, phone)
	}
	id, err := strconv.ParseInt(ref, 10, 64)
	if err != nil || id <= 0 {
		return nil, domain.Errorkf(domain.EINVALID, "err.lead_ref", []any{ref}, "%q is neither a lead id nor a phone", ref)
	}
	return b.store.LeadByID(ctx, id)
}

// handleVisitLeft records the departure: visit:left:<id>; the card updates.
func (b *Bot) handleVisitLeft(ctx context.Context, r *Request) error {
	idText, ok := strings.CutPrefix(r.Args, "left:")
	id, err := strconv.ParseInt(idText, 10, 64)
	if !ok || err != nil {
		return domain.Errorkf(domain.ENOTFOUND, "callback.stale", nil, "bad visit button")
	}
	v, err := b.store.VisitByID(ctx, id)
	if err != nil {
		return err
	}
	changed, err := b.store.SetVisitLeft(ctx, id, b.now())
	if err != nil {
		return err
	}
	if !changed {
		return domain.Errorkf(domain.ECONFLICT, "visit.already_left", nil, "visit %d closed already", id)
	}
	if v, err = b.store.VisitByID(ctx, v.ID); err != nil {
		return err
	}
	l, err := b.store.LeadByID(ctx, v.LeadID)
	if err != nil {
		return err
	}
	return b.edit(ctx, r, r.T("visit.card", l.Name, showPhone(r, l.Phone), Raw(b.visitLine(ctx, r, *v))), nil)
}

// PushVisitGradePrompt asks the visit's consultant for the lead's grade a
// day after the visit, with the grades as buttons. Call it in a transaction.
func (b *Bot) PushVisitGradePrompt(ctx context.Context, v domain.Visit) error {
	l, err := b.store.LeadByID(ctx, v.LeadID)
	if err != nil || !l.Grade.Open() {
		return err
	}
	c, err := b.store.StaffByID(ctx, v.ConsultantID)
	if err != nil || !c.Active || !c.Enrolled() {
		return nil
	}
	text := T(c.Lang, "visit.grade_prompt", l.ID, l.Name, b.formatTime(v.ArrivedAt), string(l.Grade))
	return b.Push(ctx, fmt.Sprintf("visitgrade:%d", v.ID), c.TelegramID, c.ID, text,
		gradeKeyboard(c.Lang, "lead:sg:"+strconv.FormatInt(l.ID, 10)+":", false))
}

// walkInDraft is a walk-in being logged from the visit register.
type walkInDraft struct {
	Phone, Name string
}

// handleWalkIn starts logging the walk-in /visit did not know:
// walkin:<phone> asks the name, then the model (walkInText).
func (b *Bot) handleWalkIn(ctx context.Context, r *Request) error {
	phone, err := domain.NormalizePhone(r.Args)
	if err != nil {
		return domain.Errorkf(domain.ENOTFOUND, "callback.stale", nil, "bad walk-in button")
	}
	if l, err := b.store.LeadByPhone(ctx, phone); err == nil {
		return b.registerVisit(ctx, r, l, "") // logged meanwhile
	} else if domain.ErrorCode(err) != domain.ENOTFOUND {
		return err
	}
	// Nobody to take the customer: say so before reception types anything.
	if _, err := b.walkInLine(ctx, r); err != nil {
		return err
	}
	return b.ask(ctx, r, "walkin", walkInDraft{Phone: phone}, r.T("visit.walkin_name", phone))
}

// walkInLine is who is first in the day's reception line when the
// registrar is not a consultant, who takes the walk-in themselves (0
// then): the first in line gets the customer (R5.3). Nobody in line is
// visit.walkin_nobody.
func (b *Bot) walkInLine(ctx context.Context, r *Request) (int64, error) {
	if r.Staff.Roles.Has(domain.RoleConsultant) {
		return 0, nil
	}
	first, err := b.opts.Reception.FirstInLine(ctx)
	if err != nil {
		return 0, err
	}
	if first == 0 {
		return 0, domain.Errorkf(domain.EINVALID, "visit.walkin_nobody", nil, "nobody in the reception line")
	}
	return first, nil
}

// walkInText takes the walk-in's name, then their model, and logs the lead
// with its visit: grade N, source walk-in, in the showroom pool, owned by
// the consultant registering it or else the first in the reception line,
// who is told (R1.11, R1.12, R5.3).
func (b *Bot) walkInText(ctx context.Context, r *Request, dl *domain.Dialog, text string) error {
	var d walkInDraft
	if err := json.Unmarshal([]byte(dl.Data), &d); err != nil {
		return err
	}
	cancel := inlineKeyboard([]models.InlineKeyboardButton{cancelButton(r.Lang)})
	if dl.Step == "" {
		name, err := domain.NormalizeName(text)
		if err != nil {
			b.replyMarkup(ctx, r.ChatID, b.errorText(ctx, r, err)+"\n"+r.T("visit.walkin_name", d.Phone), cancel)
			return nil
		}
		d.Name = name
		b.replyMarkup(ctx, r.ChatID, r.T("visit.walkin_model", name), cancel)
		return b.startDialog(ctx, r, "walkin", "model", d)
	}
	l := &domain.Lead{Name: d.Name, Phone: d.Phone, Model: strings.TrimSpace(text), Grade: domain.GradeN,
		Source: domain.SourceWalkIn, Pool: domain.PoolShowroom, CreatedAt: b.now()}
	if err := l.Validate(); err != nil {
		b.replyMarkup(ctx, r.ChatID, b.errorText(ctx, r, err)+"\n"+r.T("visit.walkin_model", d.Name), cancel)
		return nil
	}
	if other, err := b.store.LeadByPhone(ctx, l.Phone); err == nil {
		if err := b.store.DeleteDialog(ctx, r.ChatID); err != nil {
			return err
		}
		return b.registerVisit(ctx, r, other, "") // logged meanwhile
	} else if domain.ErrorCode(err) != domain.ENOTFOUND {
		return err
	}
	first, err := b.walkInLine(ctx, r)
	if domain.ErrorCode(err) == domain.EINVALID {
		// The line emptied while reception typed: the dialogue stays, with
		// the name, so the model sent again logs the customer once someone
		// is on duty.
		b.replyMarkup(ctx, r.ChatID, b.errorText(ctx, r, err)+"\n"+r.T("visit.walkin_model", d.Name), cancel)
		return nil
	} else if err != nil {
		return err
	}
	if err := b.store.DeleteDialog(ctx, r.ChatID); err != nil {
		return err
	}
	owner, err := b.store.StaffByID(ctx, domain.VisitOwner(r.Staff, first))
	if err != nil {
		return err
	}
	l.OwnerID, l.Pool = owner.ID, domain.StartPool(l.Source, owner.Roles)
	l.Reschedule(b.opts.Rules.Leads, b.opts.Calendar)
	if err := b.store.CreateLead(ctx, l); err != nil {
		return err
	}
	if first != 0 {
		// They took the customer: to the back of the line (R5.3).
		if err := b.opts.Reception.TookWalkIn(ctx, owner.ID); err != nil {
			return err
		}
	}
	if owner.ID != r.Staff.ID && owner.Enrolled() {
		if err := b.Push(ctx, fmt.Sprintf("walkin:%d", l.ID), owner.TelegramID, owner.ID,
			T(owner.Lang, "visit.walkin_assigned", l.ID, l.Name, l.Phone, l.Model, r.Staff.Name), nil); err != nil {
			return err
		}
	}
	return b.registerVisit(ctx, r, l, "first")
}
