package bot

import (
	"context"
	"fmt"

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
	key := fmt.Sprintf("report-ask:%s:%s:%d:%d", rep.Scope, rep.Period.Key(), r.ChatID, now.Unix())
	if fx := effectsFrom(ctx); fx != nil {
		// Two requests in one second are two answers; a redelivered
		// update is the same one.
		key += fmt.Sprintf(":u%d", fx.updateID)
	}
	return b.pushReport(ctx, key, r.ChatID, r.Staff.ID, r.Lang, st.Rules, rep)
}

// NotifyReports sends each scheduled summary (jobs.ReportSummaries) to its
// reader: the chart with its caption and the workbook, keyed by the
// summary's key (reader and period), so a rerun sends nothing twice. An
// empty report is not sent. Call it in a transaction.
func (b *Bot) NotifyReports(ctx context.Context, sums []domain.ReportSummary) error {
	for _, s := range sums {
		if s.To == nil || s.To.TelegramID == 0 || s.Report == nil || s.Report.Empty() {
			continue
		}
		rules := b.StoreOf(s.To).Rules
		if err := b.pushReport(ctx, s.Key, s.To.TelegramID, s.To.ID, s.To.Lang, rules, s.Report); err != nil {
			return fmt.Errorf("report %s: %w", s.Key, err)
		}
	}
	return nil
}

// pushReport queues the report's chart (key:chart) and workbook
// (key:xlsx), in that order, to chatID.
func (b *Bot) pushReport(ctx context.Context, key string, chatID, staffID int64, lang domain.Lang, rules domain.Rules, rep *domain.Report) error {
	v := reportView{lang: lang, rules: rules, rep: rep}
	png, err := v.Chart()
	if err != nil {
		return fmt.Errorf("report chart: %w", err)
	}
	book, err := v.Workbook()
	if err != nil {
		return err
	}
	if err := b.PushPhoto(ctx, key+":chart", chatID, staffID, "report.png", png, v.Caption()); err != nil {
		return err
	}
	return b.PushDocument(ctx, key+":xlsx", chatID, staffID, v.FileName(), book, T(lang, "report.file", v.title()))
}
