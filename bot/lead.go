package bot

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/dealerbot/dealerbot/domain"
)

// leadStore is what the lead commands need of storage.
type leadStore interface {
	CreateLead(ctx context.Context, l *domain.Lead) error
	LeadByID(ctx context.Context, id int64) (*domain.Lead, error)
	LeadByPhone(ctx context.Context, phone string) (*domain.Lead, error)
	UpdateLead(ctx context.Context, l *domain.Lead) error
	FindLeads(ctx context.Context, text string, onlyOwner, preferOwner int64, limit int) ([]*domain.Lead, error)
	LeadsByOwner(ctx context.Context, ownerID int64, offset, limit int) ([]*domain.Lead, int, error)
	DueLeads(ctx context.Context, ownerID int64, before time.Time, limit int) ([]*domain.Lead, error)
	AddFollowUp(ctx context.Context, f *domain.FollowUp) error
	FollowUps(ctx context.Context, leadID int64, limit int) ([]domain.FollowUp, error)
	CreateVisit(ctx context.Context, v *domain.Visit) error
	VisitByID(ctx context.Context, id int64) (*domain.Visit, error)
	SetVisitLeft(ctx context.Context, id int64, at time.Time) (bool, error)
	Visits(ctx context.Context, leadID int64, limit int) ([]domain.Visit, error)
	SaveDialog(ctx context.Context, d domain.Dialog) error
	DialogByChat(ctx context.Context, chatID int64) (*domain.Dialog, error)
	DeleteDialog(ctx context.Context, chatID int64) error
}

// Who works leads.
var (
	leadWorkers = []domain.Role{domain.RoleTelesales, domain.RoleConsultant, domain.RoleSupervisor, domain.RoleManager}
	leadViewers = []domain.Role{domain.RoleTelesales, domain.RoleConsultant, domain.RoleSupervisor, domain.RoleManager, domain.RoleGM, domain.RoleService}
)

// registerLeads adds the lead commands and their buttons.
func (b *Bot) registerLeads() {
	b.Register(Command{Name: "lead", Roles: leadWorkers, Handler: b.handleLead})
	b.Register(Command{Name: "show", Roles: leadViewers, Handler: b.handleShow})
	b.Register(Command{Name: "find", Roles: leadViewers, Handler: b.handleFind})
	b.Register(Command{Name: "fu", Roles: leadWorkers, Handler: b.handleFollowUp})
	b.Register(Command{Name: "grade", Roles: leadWorkers, Handler: b.handleGrade})
	b.Register(Command{Name: "lost", Roles: leadWorkers, Handler: b.handleLost})
	b.Register(Command{Name: "reopen", Roles: reopeners, Handler: b.handleReopen})
	b.Register(Command{Name: "leads", Roles: leadWorkers, Handler: b.handleLeads})
	b.Register(Command{Name: "today", Roles: leadWorkers, Handler: b.handleToday})
	b.Register(Command{Name: "visit", Roles: []domain.Role{domain.RoleReception, domain.RoleConsultant, domain.RoleSupervisor}, Handler: b.handleVisit})
	b.RegisterCallback(Callback{Prefix: "dlg", Handler: b.handleDialogButton})
	b.RegisterCallback(Callback{Prefix: "lead", Roles: leadViewers, Handler: b.handleLeadButton})
	b.RegisterCallback(Callback{Prefix: "leads", Roles: leadWorkers, Handler: b.handleLeadsPage})
	b.RegisterCallback(Callback{Prefix: "lost", Roles: []domain.Role{domain.RoleSupervisor, domain.RoleManager, domain.RoleGM}, Handler: b.handleLostDecision})
	b.RegisterCallback(Callback{Prefix: "visit", Roles: []domain.Role{domain.RoleReception, domain.RoleConsultant, domain.RoleSupervisor}, Handler: b.handleVisitLeft})
	b.RegisterCallback(Callback{Prefix: "walkin", Roles: []domain.Role{domain.RoleReception, domain.RoleConsultant, domain.RoleSupervisor}, Handler: b.handleWalkIn})
}

// handleLead logs a lead: with arguments in one line
// (/lead 王石 13800138000 轩逸 H 来电 [换购] [# notes]), without by asking.
func (b *Bot) handleLead(ctx context.Context, r *Request) error {
	if r.Args == "" {
		if !isPrivate(r.Message) {
			return errUsage
		}
		if err := b.startDialog(ctx, r, "lead", "name", leadDraft{}); err != nil {
			return err
		}
		b.replyMarkup(ctx, r.ChatID, r.T("lead.ask_name"), inlineKeyboard([]models.InlineKeyboardButton{cancelButton(r.Lang)}))
		return nil
	}
	text, notes, _ := strings.Cut(r.Args, "#")
	f := strings.Fields(text)
	if len(f) != 5 && len(f) != 6 {
		return errUsage
	}
	d := leadDraft{Name: f[0], Phone: f[1], Model: f[2], Grade: f[3], Source: f[4], Notes: strings.TrimSpace(notes)}
	if len(f) == 6 {
		if !isTradeIn(f[5]) {
			return errUsage
		}
		d.TradeIn = true
	}
	return b.createLead(ctx, r, d)
}

func isTradeIn(s string) bool {
	switch strings.ToLower(s) {
	case "换购", "置换", "tradein", "trade-in":
		return true
	}
	return false
}

// leadDraft is a lead as typed, before it is checked: the one-line form and
// the dialogue's stored answers.
type leadDraft struct {
	Name, Phone, Model, Grade, Source, Notes string
	TradeIn                                  bool
}

// createLead checks a draft and stores the lead, owned by the caller.
func (b *Bot) createLead(ctx context.Context, r *Request, d leadDraft) error {
	grade, err := domain.ParseGrade(d.Grade, append([]domain.Grade{domain.GradeN}, domain.SettableGrades...))
	if err != nil {
		return err
	}
	src, err := domain.ParseSource(d.Source)
	if err != nil {
		return err
	}
	l := &domain.Lead{Name: d.Name, Phone: d.Phone, Model: d.Model, Grade: grade, Source: src, TradeIn: d.TradeIn,
		Notes: d.Notes, OwnerID: r.Staff.ID, Pool: domain.StartPool(src, r.Staff.Roles), CreatedAt: b.now()}
	if err := l.ValidateNew(); err != nil {
		return err
	}
	other, err := b.store.LeadByPhone(ctx, l.Phone)
	switch {
	case err != nil && domain.ErrorCode(err) != domain.ENOTFOUND:
		return err
	case err != nil:
	case other.Grade.Open() && other.OwnerID == r.Staff.ID:
		return domain.Errorkf(domain.ECONFLICT, "err.lead_exists", []any{other.ID, r.Staff.Name}, "lead exists")
	case other.Grade.Open():
		// Someone else's customer: no duplicate, a collision case (R1.14).
		return b.openCollision(ctx, r, other, src)
	case other.Grade.Reopenable():
		// The same customer again: the record is reopened, not doubled.
		return b.pointToClosed(ctx, r, other)
	default:
		l.Returning = true // delivered before: a returning customer (R1.2)
	}
	l.Reschedule(b.opts.Rules.Leads, b.opts.Calendar)
	if err := b.store.CreateLead(ctx, l); err != nil {
		return err
	}
	return b.replyCard(ctx, r, l, "lead.created")
}

// leadDialogText takes the typed answer of the /lead dialogue's step.
func (b *Bot) leadDialogText(ctx context.Context, r *Request, dl *domain.Dialog, text string) error {
	var d leadDraft
	if err := json.Unmarshal([]byte(dl.Data), &d); err != nil {
		return err
	}
	cancel := []models.InlineKeyboardButton{cancelButton(r.Lang)}
	switch dl.Step {
	case "name":
		name, err := domain.NormalizeCustomerName(text)
		if err != nil {
			b.replyMarkup(ctx, r.ChatID, b.errorText(ctx, r, err)+"\n"+r.T("lead.ask_name"), inlineKeyboard(cancel))
			return nil
		}
		d.Name = name
		b.replyMarkup(ctx, r.ChatID, r.T("lead.ask_phone", name), inlineKeyboard(cancel))
		return b.startDialog(ctx, r, "lead", "phone", d)
	case "phone":
		phone, err := domain.NormalizePhone(text)
		if err != nil {
			b.replyMarkup(ctx, r.ChatID, b.errorText(ctx, r, err)+"\n"+r.T("lead.ask_phone", d.Name), inlineKeyboard(cancel))
			return nil
		}
		if other, err := b.store.LeadByPhone(ctx, phone); err == nil && other.Grade.Open() && other.OwnerID == r.Staff.ID {
			b.reply(ctx, r.ChatID, r.T("err.lead_exists", other.ID, r.Staff.Name))
			return b.store.DeleteDialog(ctx, r.ChatID)
		} else if err == nil && other.Grade.Reopenable() {
			if err := b.store.DeleteDialog(ctx, r.ChatID); err != nil {
				return err
			}
			return b.pointToClosed(ctx, r, other)
		}
		d.Phone = phone
		b.replyMarkup(ctx, r.ChatID, r.T("lead.ask_model"), inlineKeyboard(cancel))
		return b.startDialog(ctx, r, "lead", "model", d)
	case "model":
		d.Model = strings.TrimSpace(text)
		if probe := (domain.Lead{Name: d.Name, Phone: d.Phone, Model: d.Model, Source: domain.SourceOther}); probe.Validate() != nil {
			b.replyMarkup(ctx, r.ChatID, b.errorText(ctx, r, probe.Validate())+"\n"+r.T("lead.ask_model"), inlineKeyboard(cancel))
			return nil
		}
		b.replyMarkup(ctx, r.ChatID, r.T("lead.ask_grade"), gradeKeyboard(r.Lang, "dlg:", true))
		return b.startDialog(ctx, r, "lead", "grade", d)
	case "grade", "source":
		// A typed choice works as well as a button.
		return b.leadDialogChoice(ctx, r, dl, strings.TrimSpace(text))
	}
	return b.store.DeleteDialog(ctx, r.ChatID)
}

// leadDialogChoice takes a grade or source, pressed or typed.
func (b *Bot) leadDialogChoice(ctx context.Context, r *Request, dl *domain.Dialog, choice string) error {
	var d leadDraft
	if err := json.Unmarshal([]byte(dl.Data), &d); err != nil {
		return err
	}
	switch dl.Step {
	case "grade":
		if _, err := domain.ParseGrade(choice, append([]domain.Grade{domain.GradeN}, domain.SettableGrades...)); err != nil {
			b.replyMarkup(ctx, r.ChatID, b.errorText(ctx, r, err), gradeKeyboard(r.Lang, "dlg:", true))
			return nil
		}
		d.Grade = choice
		b.replyMarkup(ctx, r.ChatID, r.T("lead.ask_source"), sourceKeyboard(r.Lang))
		return b.startDialog(ctx, r, "lead", "source", d)
	case "source":
		if _, err := domain.ParseSource(choice); err != nil {
			b.replyMarkup(ctx, r.ChatID, b.errorText(ctx, r, err), sourceKeyboard(r.Lang))
			return nil
		}
		d.Source = choice
		if err := b.store.DeleteDialog(ctx, r.ChatID); err != nil {
			return err
		}
		return b.createLead(ctx, r, d)
	}
	return domain.Errorkf(domain.ENOTFOUND, "callback.stale", nil, "step %s takes no choice", dl.Step)
}

// lookupLead finds the lead a command names, by id (17, #17) or phone, and
// checks the caller may see it.
func (b *Bot) lookupLead(ctx context.Context, r *Request, ref string) (*domain.Lead, error) {
	ref = strings.TrimPrefix(strings.TrimSpace(ref), "#")
	var l *domain.Lead
	var err error
	if domain.LooksLikePhone(ref) {
		phone, perr := domain.NormalizePhone(ref)
		if perr != nil {
			return nil, perr
		}
		l, err = b.store.LeadByPhone(ctx, phone)
	} else {
		id, perr := strconv.ParseInt(ref, 10, 64)
		if perr != nil || id <= 0 {
			return nil, domain.Errorkf(domain.EINVALID, "err.lead_ref", []any{ref}, "%q is neither a lead id nor a phone", ref)
		}
		l, err = b.store.LeadByID(ctx, id)
	}
	if err != nil {
		return nil, err
	}
	if !domain.CanSeeLead(r.Staff, l) {
		return nil, domain.Errorkf(domain.EFORBIDDEN, "err.lead_not_yours", []any{l.ID}, "lead %d is not the caller's", l.ID)
	}
	return l, nil
}

// lookupWorkable is lookupLead for changes: the caller must work the lead
// and it must still be open.
func (b *Bot) lookupWorkable(ctx context.Context, r *Request, ref string) (*domain.Lead, error) {
	l, err := b.lookupLead(ctx, r, ref)
	if err != nil {
		return nil, err
	}
	if !domain.CanWorkLead(r.Staff, l) {
		return nil, domain.Errorkf(domain.EFORBIDDEN, "err.lead_not_yours", []any{l.ID}, "lead %d is not the caller's", l.ID)
	}
	if !l.Grade.Open() {
		return nil, domain.Errorkf(domain.EINVALID, "err.lead_closed", []any{l.ID, string(l.Grade)}, "lead %d is closed", l.ID)
	}
	return l, nil
}

// handleShow answers the lead card: /show 17 or /show 13800138000.
func (b *Bot) handleShow(ctx context.Context, r *Request) error {
	if r.Args == "" {
		return errUsage
	}
	l, err := b.lookupLead(ctx, r, r.Args)
	if err != nil {
		return err
	}
	return b.replyCard(ctx, r, l, "")
}

// handleFind lists leads by name or phone fragment, the caller's first.
func (b *Bot) handleFind(ctx context.Context, r *Request) error {
	if strings.TrimSpace(r.Args) == "" {
		return errUsage
	}
	q, err := domain.NormalizeSearch(r.Args)
	if err != nil {
		return err
	}
	only := r.Staff.ID
	if domain.SeesAllLeads(r.Staff) {
		only = 0
	}
	found, err := b.store.FindLeads(ctx, q, only, r.Staff.ID, 20)
	if err != nil {
		return err
	}
	if len(found) == 0 {
		b.reply(ctx, r.ChatID, r.T("find.none", q))
		return nil
	}
	lines := []string{r.T("find.header", len(found), q)}
	var rows [][]models.InlineKeyboardButton
	for _, l := range found {
		lines = append(lines, b.leadLine(ctx, r, l))
		if len(rows) < 10 {
			rows = append(rows, []models.InlineKeyboardButton{{Text: "#" + strconv.FormatInt(l.ID, 10) + " " + l.Name, CallbackData: "lead:show:" + strconv.FormatInt(l.ID, 10)}})
		}
	}
	b.replyMarkup(ctx, r.ChatID, strings.Join(lines, "\n"), &models.InlineKeyboardMarkup{InlineKeyboard: rows})
	return nil
}

// staffName is a staff member's name, or "#id" when unknown.
func (b *Bot) staffName(ctx context.Context, id int64) string {
	s, err := b.store.StaffByID(ctx, id)
	if err != nil {
		return "#" + strconv.FormatInt(id, 10)
	}
	return s.Name
}

// staffName is Bot.staffName remembered for the request: a list names the
// same few people many times.
func (r *Request) staffName(ctx context.Context, id int64) string {
	if r.Staff != nil && r.Staff.ID == id {
		return r.Staff.Name
	}
	if name, ok := r.names[id]; ok {
		return name
	}
	if r.names == nil {
		r.names = map[int64]string{}
	}
	r.names[id] = r.bot.staffName(ctx, id)
	return r.names[id]
}

func inlineKeyboard(rows ...[]models.InlineKeyboardButton) *models.InlineKeyboardMarkup {
	return &models.InlineKeyboardMarkup{InlineKeyboard: rows}
}

// gradeKeyboard offers the grades as buttons with data prefix+grade.
func gradeKeyboard(lang domain.Lang, prefix string, withNew bool) *models.InlineKeyboardMarkup {
	var row []models.InlineKeyboardButton
	grades := domain.SettableGrades
	if withNew {
		grades = append([]domain.Grade{domain.GradeN}, grades[:4]...)
	}
	for _, g := range grades {
		row = append(row, models.InlineKeyboardButton{Text: T(lang, "grade.btn."+string(g)), CallbackData: prefix + string(g)})
	}
	rows := [][]models.InlineKeyboardButton{row}
	if prefix == "dlg:" {
		rows = append(rows, []models.InlineKeyboardButton{cancelButton(lang)})
	}
	return &models.InlineKeyboardMarkup{InlineKeyboard: rows}
}

// sourceKeyboard offers the sources of R1.1.
func sourceKeyboard(lang domain.Lang) *models.InlineKeyboardMarkup {
	var rows [][]models.InlineKeyboardButton
	var row []models.InlineKeyboardButton
	for _, s := range domain.Sources {
		row = append(row, models.InlineKeyboardButton{Text: T(lang, "source."+string(s)), CallbackData: "dlg:" + string(s)})
		if len(row) == 4 {
			rows, row = append(rows, row), nil
		}
	}
	rows = append(rows, row, []models.InlineKeyboardButton{cancelButton(lang)})
	return &models.InlineKeyboardMarkup{InlineKeyboard: rows}
}
