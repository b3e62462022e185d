package bot

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/go-telegram/bot/models"

	"github.com/dealerbot/dealerbot/domain"
)

// Who handles complaints: anyone registers one; the owner and those above
// act on it; the service centre surveys the customer (R2.3, R2.7).
var complaintStaff = []domain.Role{domain.RoleTelesales, domain.RoleConsultant, domain.RoleReception, domain.RoleSupervisor, domain.RoleManager, domain.RoleGM, domain.RoleService, domain.RoleAdmin, domain.RoleStockKeeper}

// registerComplaints adds /complaint, /complaints and the card's buttons.
func (b *Bot) registerComplaints() {
	b.Register(Command{Name: "complaint", Roles: complaintStaff, Handler: b.handleComplaint})
	b.Register(Command{Name: "complaints", Roles: complaintStaff, Handler: b.handleComplaints})
	b.RegisterCallback(Callback{Prefix: "cmp", Roles: complaintStaff, Handler: b.handleComplaintButton})
}

// complaintDraft is a complaint as typed: the one-line form and the
// dialogue's answers.
type complaintDraft struct {
	Customer, Phone, Channel, Subject, Department, Description string
	Model, Problem, When, VIN, Owner                           string
	Appraisal                                                  bool
}

// handleComplaint registers a complaint: in one line
// (/complaint 王石 13800138000 现场 服务 销售部 [鉴定] [车型=… 问题=… 时间=… VIN=… 负责人=…] 描述),
// or step by step with /complaint alone; /complaint 12 opens complaint
// 12's card.
func (b *Bot) handleComplaint(ctx context.Context, r *Request) error {
	if r.Args == "" {
		if !isPrivate(r.Message) {
			return errUsage
		}
		return b.ask(ctx, r, "cmp", complaintDraft{}, r.T("cmp.ask_customer"))
	}
	f := r.Fields()
	// /complaint 12 opens complaint 12's card.
	if len(f) == 1 {
		if id, ok := parseComplaintID(f[0]); ok {
			return b.showComplaint(ctx, r, id)
		}
	}
	// The customer may be an existing lead: /complaint #17 现场 服务 …
	if len(f) > 0 && strings.HasPrefix(f[0], "#") {
		l, err := b.lookupLeadAny(ctx, f[0])
		if err != nil {
			return err
		}
		f = append([]string{l.Name, l.Phone}, f[1:]...)
	}
	if len(f) < 6 {
		return errUsage
	}
	d := complaintDraft{Customer: f[0], Phone: f[1], Channel: f[2], Subject: f[3], Department: f[4]}
	var words []string
	for _, w := range f[5:] {
		k, v, kv := strings.Cut(w, "=")
		switch {
		case w == "鉴定" || strings.EqualFold(w, "appraisal"):
			d.Appraisal = true
		case kv && (k == "车型" || k == "model"):
			d.Model = v
		case kv && (k == "问题" || k == "problem"):
			d.Problem = v
		case kv && (k == "时间" || k == "when"):
			d.When = v
		case kv && strings.EqualFold(k, "vin"):
			d.VIN = strings.ToUpper(v)
		case kv && (k == "负责人" || k == "owner"):
			d.Owner = v
		default:
			words = append(words, w)
		}
	}
	d.Description = strings.Join(words, " ")
	return b.createComplaint(ctx, r, d)
}

// complaintSteps is the guided dialogue's order: each step's question and,
// for fixed choices, its buttons. Product questions only for a product.
var complaintSteps = []string{"customer", "phone", "channel", "subject", "model", "problem", "when", "vin", "appraisal", "department", "description"}

// complaintDialogText takes the answer to the current step (typed, or a
// pressed choice routed here by handleDialogButton) and asks the next.
func (b *Bot) complaintDialogText(ctx context.Context, r *Request, dl *domain.Dialog, text string) error {
	var d complaintDraft
	if err := json.Unmarshal([]byte(dl.Data), &d); err != nil {
		return err
	}
	text = strings.TrimSpace(text)
	step := dl.Step
	if step == "" {
		step = "customer"
	}
	again := func(err error) error {
		b.replyMarkup(ctx, r.ChatID, b.errorText(ctx, r, err)+"\n"+b.complaintQuestion(r, step), b.complaintChoices(r, step))
		return nil
	}
	// Each answer is checked here, by the rule the finished complaint is
	// checked with, and a bad one is asked again: the answers so far stay.
	var err error
	switch step {
	case "customer":
		d.Customer, err = domain.NormalizeCustomerName(text)
	case "phone":
		d.Phone, err = domain.NormalizePhone(text)
	case "channel":
		var c domain.ComplaintChannel
		c, err = domain.ParseComplaintChannel(text)
		d.Channel = string(c)
	case "subject":
		var s domain.Subject
		s, err = domain.ParseSubject(text)
		d.Subject = string(s)
	case "model":
		d.Model, err = domain.NormalizeComplaintModel(text)
	case "problem":
		d.Problem, err = domain.CheckComplaintDetail(text)
	case "when":
		d.When, err = domain.CheckComplaintDetail(text)
	case "vin":
		d.VIN = ""
		if text != "-" && text != "skip" {
			d.VIN, err = domain.NormalizeVIN(text)
		}
	case "appraisal":
		d.Appraisal, err = domain.ParseAppraisal(text)
	case "department":
		d.Department, err = text, domain.CheckDepartment(text, r.Store().Rules.Complaints.Departments)
	case "description":
		if d.Description, err = domain.NormalizeComplaintText(text); err != nil {
			return again(err)
		}
		c, err := b.draftComplaint(r, d)
		if err != nil {
			return again(err)
		}
		if err := b.store.DeleteDialog(ctx, r.ChatID); err != nil {
			return err
		}
		return b.storeComplaint(ctx, r, c, d.Owner)
	}
	if err != nil {
		return again(err)
	}
	next := nextComplaintStep(step, d)
	if err := b.startDialog(ctx, r, "cmp", next, d); err != nil {
		return err
	}
	b.replyMarkup(ctx, r.ChatID, b.complaintQuestion(r, next), b.complaintChoices(r, next))
	return nil
}

// nextComplaintStep skips the product questions for a service complaint.
func nextComplaintStep(step string, d complaintDraft) string {
	for i, s := range complaintSteps {
		if s != step {
			continue
		}
		next := complaintSteps[i+1]
		if d.Subject != string(domain.SubjectProduct) && (next == "model" || next == "problem" || next == "when" || next == "vin") {
			return "appraisal"
		}
		return next
	}
	return "description"
}

func (b *Bot) complaintQuestion(r *Request, step string) string {
	return r.T("cmp.ask_" + step)
}

// complaintChoices are the buttons of a step with fixed choices.
func (b *Bot) complaintChoices(r *Request, step string) models.ReplyMarkup {
	var row []models.InlineKeyboardButton
	choice := func(label, value string) {
		row = append(row, models.InlineKeyboardButton{Text: label, CallbackData: "dlg:" + value})
	}
	switch step {
	case "channel":
		for _, c := range domain.ComplaintChannels {
			choice(r.T("cmpch."+string(c)), string(c))
		}
	case "subject":
		choice(r.T("subject.service"), "service")
		choice(r.T("subject.product"), "product")
	case "vin":
		choice(r.T("cmpbtn.skip"), "skip")
	case "appraisal":
		choice(r.T("cmpbtn.yes"), "yes")
		choice(r.T("cmpbtn.no"), "no")
	case "department":
		// The registering person's store's departments: the complaint
		// will be that store's.
		for _, d := range r.Store().Rules.Complaints.Departments {
			choice(d, d)
		}
	}
	var rows [][]models.InlineKeyboardButton
	for len(row) > 4 {
		rows, row = append(rows, row[:4]), row[4:]
	}
	if len(row) > 0 {
		rows = append(rows, row)
	}
	rows = append(rows, []models.InlineKeyboardButton{cancelButton(r.Lang)})
	return &models.InlineKeyboardMarkup{InlineKeyboard: rows}
}
