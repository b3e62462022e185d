package bot

import (
	"context"
	"errors"
	"fmt"

	"github.com/dealerbot/dealerbot/bot/chart"
	"github.com/dealerbot/dealerbot/domain"
)

// /report and the scheduled summaries (issue 15): the service computes the
// figures and settles who sees what (domain.ReportService); this file sends
// them as a chart with a caption and a workbook (report_view.go).

// reportRoles may ask for a report: everyone with figures of their own
// (telesales, consultants, reception), the store's rulers and the group.
var reportRoles = []domain.Role{
	domain.RoleTelesales, domain.RoleConsultant, domain.RoleReception,
	domain.RoleSupervisor, domain.RoleManager, domain.RoleGM, domain.RoleService,
	domain.RoleGroupGM, domain.RoleGroupService,
}

// registerReport adds /report.
func (b *Bot) registerReport() {
	b.Register(Command{Name: "report", Roles: reportRoles, Handler: b.handleReport})
}

// handleReport answers /report [day|week|month|2026-11|2026-11-30]
// [store|group|consultant NAME|me]: the chart with its caption, then the
// workbook; an empty report is said in one line instead.
func (b *Bot) handleReport(ctx context.Context, r *Request) error {
	now := b.now()
	st := r.Store()
	q, err := domain.ParseReportQuery(r.Args, now, st.Calendar)
	if err != nil {
		return err
	}
	rep, err := b.opts.Reports.Report(ctx, r.Staff.ID, q)
	if err != nil {
		return err
	}
	if rep.Empty() {
		r.Reply(ctx, "report.empty", rep.Period.Label())
		return nil
	}
	msgs, err := reportMessagesFor(r.ChatID, r.Staff.ID, r.Lang, st.Rules, rep)
	if err != nil {
		return err
	}
	for _, m := range msgs {
		if err := b.replyFile(ctx, m); err != nil {
			return err
		}
	}
	return nil
}

// replyFile queues m (a photo or a document) as an answer to the update
// being handled: keyed by the update, so a redelivered update is the same
// answer, and waited for like the update's other replies.
func (b *Bot) replyFile(ctx context.Context, m domain.OutboxMessage) error {
	fx := effectsFrom(ctx)
	if fx == nil {
		return fmt.Errorf("reply outside an update to chat %d", m.ChatID)
	}
	fx.replies++
	m.Key = fmt.Sprintf("upd:%d:%d", fx.updateID, fx.replies)
	m.Priority = domain.PriorityReply
	keys, err := b.enqueue(ctx, m, nil)
	if err != nil {
		return err
	}
	fx.keys = append(fx.keys, keys...)
	return nil
}

// NotifyReports sends each scheduled summary (jobs.ReportSummaries) to its
// reader: the chart with its caption and the workbook, keyed by the
// summary's key (reader and period), so a rerun sends nothing twice. An
// empty report is not sent. Each report is drawn before its two messages
// are queued, each in the outbox's own transaction (or the caller's):
// drawing takes about 0.2 s, too long to hold a transaction for.
func (b *Bot) NotifyReports(ctx context.Context, sums []domain.ReportSummary) error {
	for _, s := range sums {
		if s.To == nil || s.To.TelegramID == 0 || s.Report == nil || s.Report.Empty() {
			continue
		}
		msgs, err := reportMessagesFor(s.To.TelegramID, s.To.ID, s.To.Lang, b.StoreOf(s.To).Rules, s.Report)
		if err != nil {
			return fmt.Errorf("report %s: %w", s.Key, err)
		}
		for i, m := range msgs {
			m.Key = s.Key + []string{":chart", ":xlsx"}[i]
			if _, err := b.enqueue(ctx, m, nil); err != nil {
				return fmt.Errorf("report %s: %w", s.Key, err)
			}
		}
	}
	return nil
}

// reportMessagesFor are the report's two messages to chatID: the chart
// as a photo with its caption (the caption alone when no figure of the
// report is one the chart draws), then the workbook. Their keys are the
// caller's to set.
func reportMessagesFor(chatID, staffID int64, lang domain.Lang, rules domain.Rules, rep *domain.Report) ([]domain.OutboxMessage, error) {
	v := reportView{lang: lang, rules: rules, rep: rep}
	first := domain.OutboxMessage{ChatID: chatID, StaffID: staffID, Text: v.Caption(), Priority: domain.PriorityPush}
	png, err := v.Chart()
	switch {
	case errors.Is(err, chart.ErrEmpty):
		// Figures the chart does not draw (the ungraded, rest days, demo
		// use …): the caption goes as a message of its own.
	case err != nil:
		return nil, fmt.Errorf("report chart: %w", err)
	default:
		first.FileName, first.File, first.Photo = "report.png", png, true
	}
	book, err := v.Workbook()
	if err != nil {
		return nil, err
	}
	return []domain.OutboxMessage{first,
		{ChatID: chatID, StaffID: staffID, Text: T(lang, "report.file", v.title()), FileName: v.FileName(), File: book, Priority: domain.PriorityPush},
	}, nil
}
