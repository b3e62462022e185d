package bot

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/go-telegram/bot/models"

	"github.com/dealerbot/dealerbot/domain"
)

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
	b.Register(Command{Name: "reopen", Roles: domain.ReopenerRoles, Handler: b.handleReopen})
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

// leadDraft is a lead as typed: the one-line form and the dialogue's
// stored answers.
type leadDraft = domain.LeadDraft

// createLead logs a draft as the caller's lead: created, or a collision
// case over someone else's customer, or the customer's closed lead
// pointed to.
func (b *Bot) createLead(ctx context.Context, r *Request, d leadDraft) error {
	out, err := b.opts.Leads.AddLead(ctx, r.Staff.ID, d)
	switch {
	case err != nil:
		return err
	case out.Collision != nil:
		return b.collisionOpened(ctx, r, out.Collision)
	case out.Closed != nil:
		return b.pointToClosed(ctx, r, out.Closed)
	}
	return b.replyCard(ctx, r, out.Lead, "lead.created")
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
		use, err := b.opts.Leads.LeadPhone(ctx, r.Staff.ID, phone)
		switch {
		case err != nil:
			return err
		case use.Mine != nil:
			b.reply(ctx, r.ChatID, r.T("err.lead_exists", use.Mine.ID, r.Staff.Name))
			return b.store.DeleteDialog(ctx, r.ChatID)
		case use.Closed != nil:
			if err := b.store.DeleteDialog(ctx, r.ChatID); err != nil {
				return err
			}
			return b.pointToClosed(ctx, r, use.Closed)
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

// lookupLead finds the lead a command names, by id (17, #17) or phone,
// if the caller may see it.
func (b *Bot) lookupLead(ctx context.Context, r *Request, ref string) (*domain.Lead, error) {
	lr, err := domain.ParseLeadRef(ref)
	if err != nil {
		return nil, err
	}
	return b.opts.Leads.ShowLead(ctx, r.Staff.ID, lr)
}

// lookupWorkable is lookupLead for changes: the caller must work the lead
// and it must still be open.
func (b *Bot) lookupWorkable(ctx context.Context, r *Request, ref string) (*domain.Lead, error) {
	lr, err := domain.ParseLeadRef(ref)
	if err != nil {
		return nil, err
	}
	return b.opts.Leads.WorkLead(ctx, r.Staff.ID, lr)
}

// lookupLeadAny finds a lead of the caller's store (the staff member on
// ctx) by id or phone for whoever deals with the customer (a visit, a
// complaint), without the owner check.
func (b *Bot) lookupLeadAny(ctx context.Context, ref string) (*domain.Lead, error) {
	lr, err := domain.ParseLeadRef(ref)
	if err != nil {
		return nil, err
	}
	s := staffFrom(ctx)
	if s == nil {
		return nil, domain.Errorf(domain.EINTERNAL, "lead look-up without a staff member")
	}
	return b.opts.Leads.CustomerLead(ctx, s.ID, lr)
}

// handleShow answers the lead card: /show 17 or /show 13800138000; a
// group role looking up a phone also gets the customer's leads in the
// other stores, to read.
func (b *Bot) handleShow(ctx context.Context, r *Request) error {
	if r.Args == "" {
		return errUsage
	}
	lr, err := domain.ParseLeadRef(r.Args)
	if err != nil {
		return err
	}
	found, err := b.opts.Leads.LookupLead(ctx, r.Staff.ID, lr)
	if err != nil {
		return err
	}
	if found.Lead != nil {
		if err := b.replyCard(ctx, r, found.Lead, ""); err != nil {
			return err
		}
	}
	if len(found.Elsewhere) > 0 {
		b.reply(ctx, r.ChatID, strings.Join(elsewhereLines(r, found.Elsewhere), "\n"))
	}
	return nil
}

// elsewhereLines lists other stores' leads under their heading, each
// labelled with its store's code.
func elsewhereLines(r *Request, list []domain.LeadElsewhere) []string {
	lines := []string{r.T("find.elsewhere")}
	for _, e := range list {
		lines = append(lines, r.T("lead.elsewhere", e.StoreCode, e.LeadID, e.Name, string(e.Grade), e.Owner))
	}
	return lines
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
	found, err := b.opts.Leads.SearchLeads(ctx, r.Staff.ID, q, 20)
	if err != nil {
		return err
	}
	if len(found.Leads) == 0 && len(found.Elsewhere) == 0 {
		b.reply(ctx, r.ChatID, r.T("find.none", q))
		return nil
	}
	var lines []string
	if len(found.Leads) > 0 {
		lines = append(lines, r.T("find.header", len(found.Leads), q))
	}
	var rows [][]models.InlineKeyboardButton
	for _, l := range found.Leads {
		lines = append(lines, b.leadLine(ctx, r, l))
		if len(rows) < 10 {
			rows = append(rows, []models.InlineKeyboardButton{{Text: "#" + strconv.FormatInt(l.ID, 10) + " " + l.Name, CallbackData: "lead:show:" + strconv.FormatInt(l.ID, 10)}})
		}
	}
	if len(found.Elsewhere) > 0 {
		if len(lines) > 0 {
			lines = append(lines, "")
		}
		lines = append(lines, elsewhereLines(r, found.Elsewhere)...)
	}
	if len(rows) == 0 { // only other stores' leads, which have no buttons
		b.reply(ctx, r.ChatID, strings.Join(lines, "\n"))
		return nil
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
