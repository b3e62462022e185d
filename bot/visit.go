package bot

import (
	"context"
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
	var l *domain.Lead
	var err error
	// Whoever greets the customer registers the visit, whoever owns the lead
	// (R1.11, R1.14.2): the lookup skips the owner check and answers only
	// the visit card.
	l, err = b.leadForVisit(ctx, ref)
	if err != nil {
		return err
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
	b.replyMarkup(ctx, r.ChatID, text, inlineKeyboard([]models.InlineKeyboardButton{{Text: r.T("btn.left"), CallbackData: "visit:left:" + strconv.FormatInt(v.ID, 10)}}))
	if domain.GradePromptAfterFollowUp(l, b.opts.Rules.Leads, b.now()) && domain.CanWorkLead(r.Staff, l) {
		// The visit was the third contact of the first week (R1.4).
		b.replyMarkup(ctx, r.ChatID, r.T("grade.prompt", l.FollowUps), gradeKeyboard(r.Lang, "lead:sg:"+strconv.FormatInt(l.ID, 10)+":", false))
	}
	if !telesalesLead && r.Staff.Roles.Has(domain.RoleConsultant) && l.OwnerID != r.Staff.ID {
		// Another consultant's customer: serve them, and let the supervisor
		// rule who keeps them (R1.14.3–4).
		return b.openCollision(ctx, r, l, domain.SourceWalkIn)
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
