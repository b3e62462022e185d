package bot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/dealerbot/dealerbot/bot/printlayout"
	"github.com/dealerbot/dealerbot/domain"
)

// The monthly stocktake (R3.3): a manager opens and closes it
// (/stocktake, /stocktake close), staff confirm cars on the lot (/seen VIN
// or its last 6, or a photo of the VIN barcode), a manager clears the
// exceptions (/clear N reason). The rules are domain.StocktakeService's.

// maxExceptionLines is how many exceptions a closing names in its message;
// the rest are counted (the .xlsx has them all).
const maxExceptionLines = 60

// registerStocktake adds /stocktake, /seen and /clear.
func (b *Bot) registerStocktake() {
	b.Register(Command{Name: "stocktake", Roles: []domain.Role{domain.RoleManager}, Handler: b.handleStocktake})
	b.Register(Command{Name: "seen", Roles: domain.StocktakeCounters, Handler: b.handleSeen})
	b.Register(Command{Name: "clear", Roles: []domain.Role{domain.RoleManager}, Handler: b.handleClear})
}

// handleStocktake is /stocktake (open), /stocktake close, /stocktake
// report (the last closed one's .xlsx again).
func (b *Bot) handleStocktake(ctx context.Context, r *Request) error {
	f := r.Fields()
	switch {
	case len(f) == 0:
		out, err := b.opts.Stocktakes.OpenStocktake(ctx, r.Staff.ID)
		if err != nil {
			return err
		}
		r.Reply(ctx, "stocktake.opened", out.Count.Ledger)
		return nil
	case len(f) == 1 && (strings.EqualFold(f[0], "close") || f[0] == "结束"):
		res, err := b.opts.Stocktakes.CloseStocktake(ctx, r.Staff.ID)
		if err != nil {
			return err
		}
		b.reply(ctx, r.ChatID, b.stocktakeClosedText(r, res))
		return b.pushStocktakeXLSX(ctx, r, res, "closed")
	case len(f) == 1 && (strings.EqualFold(f[0], "report") || f[0] == "报告"):
		res, err := b.opts.Stocktakes.LastStocktake(ctx, r.Staff.ID)
		if err != nil {
			return err
		}
		return b.pushStocktakeXLSX(ctx, r, res, "report")
	}
	return errUsage
}

// handleSeen is /seen VIN | last 6: one car confirmed, with the running count.
func (b *Bot) handleSeen(ctx context.Context, r *Request) error {
	f := r.Fields()
	if len(f) != 1 {
		return errUsage
	}
	out, err := b.opts.Stocktakes.ConfirmSeen(ctx, r.Staff.ID, f[0])
	if err != nil {
		return err
	}
	b.reply(ctx, r.ChatID, seenText(r, out, ""))
	return nil
}

// seenFromPhoto counts a VIN read from a photo's barcode at the store's
// open stocktake. A photo captioned /seen is always a confirmation; an
// uncaptioned one is while the sender's store has a stocktake open (the
// lot walk is when people photograph VIN labels); otherwise it is not
// handled here and opens the car's card as before.
func (b *Bot) seenFromPhoto(ctx context.Context, r *Request, vin string) (bool, error) {
	caption := ""
	if r.Message != nil {
		caption = strings.ToLower(strings.TrimSpace(r.Message.Caption))
	}
	explicit := strings.HasPrefix(caption, "/seen") || strings.HasPrefix(caption, "盘")
	if !explicit && caption != "" || !domain.MayCountStock(r.Staff) {
		return false, nil
	}
	out, err := b.opts.Stocktakes.ConfirmSeen(ctx, r.Staff.ID, vin)
	var de *domain.Error
	if !explicit && errors.As(err, &de) && de.Key == "err.stocktake_none" {
		return false, nil
	}
	if err != nil {
		return true, err
	}
	b.reply(ctx, r.ChatID, seenText(r, out, r.T("barcode.read", vin)))
	return true, nil
}

// seenText answers a confirmation: what car, and the running count.
func seenText(r *Request, out *domain.StocktakeSeen, headline string) string {
	var lines []string
	if headline != "" {
		lines = append(lines, headline)
	}
	switch {
	case out.Vehicle == nil:
		lines = append(lines, r.T("stocktake.seen_unknown", out.VIN))
	case !domain.CountsAtStocktake(out.Vehicle.State):
		lines = append(lines, r.T("stocktake.seen_unexpected", out.VIN, out.Vehicle.Model, r.T("vstate."+string(out.Vehicle.State))))
	case out.Again:
		lines = append(lines, r.T("stocktake.seen_again", out.VIN, vehicleLabel(out.Vehicle)))
	default:
		lines = append(lines, r.T("stocktake.seen", out.VIN, vehicleLabel(out.Vehicle)))
	}
	lines = append(lines, countText(r, out.Count))
	return strings.Join(lines, "\n")
}

// vehicleLabel is "天籁 舒适版 白".
func vehicleLabel(v *domain.Vehicle) string {
	return strings.Join(strings.Fields(v.Model+" "+v.Trim+" "+v.Colour), " ")
}

// countText is "已盘 37/52", with the cars outside the ledger when any.
func countText(r *Request, c domain.StocktakeCount) string {
	if c.Unexpected > 0 {
		return r.T("stocktake.count_extra", c.Seen, c.Ledger, c.Unexpected)
	}
	return r.T("stocktake.count", c.Seen, c.Ledger)
}

// stocktakeClosedText renders a closing: the count and every exception
// with the number /clear takes, within one message.
func (b *Bot) stocktakeClosedText(r *Request, res *domain.StocktakeResult) string {
	var sb strings.Builder
	sb.WriteString(r.T("stocktake.closed", countText(r, res.Count)))
	if len(res.Exceptions) == 0 {
		sb.WriteString("\n" + r.T("stocktake.clean"))
		return sb.String()
	}
	sb.WriteString("\n" + r.T("stocktake.exceptions", len(res.Exceptions)))
	shown := 0
	for _, e := range res.Exceptions {
		line := "\n" + exceptionLine(r, e)
		if shown == maxExceptionLines || textUnits(sb.String()+line) > previewBudget {
			break
		}
		sb.WriteString(line)
		shown++
	}
	if more := len(res.Exceptions) - shown; more > 0 {
		sb.WriteString("\n" + r.T("vlist.more", more))
	}
	sb.WriteString("\n\n" + r.T("stocktake.clear_hint"))
	return sb.String()
}

// exceptionLine is "#12 未盘到 LSV…000002 奇骏（已到店待检）".
func exceptionLine(r *Request, e domain.StocktakeException) string {
	what := e.Model
	if e.State != "" {
		what = strings.TrimSpace(what + r.T("stocktake.in_state", r.T("vstate."+string(e.State))))
	}
	return r.T("stocktake.exception", e.ID, r.T("stocktake.kind_"+string(e.Kind)), e.VIN, dash(what))
}

// handleClear is /clear N reason: a manager clears one exception.
func (b *Bot) handleClear(ctx context.Context, r *Request) error {
	num, reason, _ := strings.Cut(strings.TrimSpace(r.Args), " ")
	id, err := strconv.ParseInt(strings.TrimPrefix(num, "#"), 10, 64)
	if err != nil || id <= 0 {
		return errUsage
	}
	out, err := b.opts.Stocktakes.ClearException(ctx, r.Staff.ID, id, reason)
	if err != nil {
		return err
	}
	r.Reply(ctx, "stocktake.cleared", out.Exception.ID, out.Exception.VIN, out.Exception.Reason, out.Remaining)
	if out.Result != nil {
		return b.pushStocktakeXLSX(ctx, r, out.Result, "final")
	}
	return nil
}

// pushStocktakeXLSX sends a stocktake's result as a document to the
// requester, once per stocktake and occasion (closed, final) or request.
func (b *Bot) pushStocktakeXLSX(ctx context.Context, r *Request, res *domain.StocktakeResult, occasion string) error {
	st := r.Store()
	data, err := StocktakeXLSX(r.Lang, st, res)
	if err != nil {
		return err
	}
	key := fmt.Sprintf("stocktake:%d:%s:%d", res.Stocktake.ID, occasion, r.ChatID)
	if occasion == "report" {
		key += fmt.Sprintf(":%d", b.now().UnixNano())
		if fx := effectsFrom(ctx); fx != nil {
			key = fmt.Sprintf("stocktake:%d:report:%d:u%d", res.Stocktake.ID, r.ChatID, fx.updateID)
		}
	}
	day := res.Stocktake.OpenedAt.In(st.Calendar.Location).Format("20060102")
	name := fmt.Sprintf("%s_%s_%s.xlsx", r.T("stocktake.file"), st.Code, day)
	caption := r.T("stocktake.caption", st.Name, res.Stocktake.OpenedAt.In(st.Calendar.Location).Format("2006-01-02"),
		countText(r, res.Count), len(res.Exceptions), res.Uncleared())
	return b.PushDocument(ctx, key, r.ChatID, r.Staff.ID, name, data, caption)
}

// StocktakeXLSX writes a stocktake's result: a sheet of every car with
// whether, by whom and when it was seen, and a sheet of the exceptions
// with who cleared them and why.
func StocktakeXLSX(lang domain.Lang, st *domain.Store, res *domain.StocktakeResult) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	cars, exc := T(lang, "stocktake.sheet_cars"), T(lang, "stocktake.sheet_exceptions")
	if err := f.SetSheetName("Sheet1", cars); err != nil {
		return nil, err
	}
	if _, err := f.NewSheet(exc); err != nil {
		return nil, err
	}
	loc := st.Calendar.Location
	at := func(t interface{ IsZero() bool }, s string) string {
		if t.IsZero() {
			return ""
		}
		return s
	}
	rows := [][]any{{T(lang, "vcol.vin"), T(lang, "vcol.model"), T(lang, "vcol.trim"), T(lang, "vcol.colour"),
		T(lang, "stocktake.col_state"), T(lang, "stocktake.col_result"), T(lang, "stocktake.col_by"), T(lang, "stocktake.col_at")}}
	for _, l := range res.Lines {
		state := ""
		if l.State != "" {
			state = T(lang, "vstate."+string(l.State))
		}
		result := "stocktake.result_seen"
		switch {
		case !l.Expected:
			result = "stocktake.result_extra"
		case l.SeenBy == "":
			result = "stocktake.result_missing"
		}
		rows = append(rows, []any{l.VIN, l.Model, l.Trim, l.Colour, state, T(lang, result), l.SeenBy,
			at(l.SeenAt, l.SeenAt.In(loc).Format(domain.MinuteLayout))})
	}
	if err := putRows(f, cars, rows); err != nil {
		return nil, err
	}
	rows = [][]any{{T(lang, "stocktake.col_no"), T(lang, "stocktake.col_kind"), T(lang, "vcol.vin"), T(lang, "vcol.model"),
		T(lang, "stocktake.col_cleared_by"), T(lang, "stocktake.col_cleared_at"), T(lang, "stocktake.col_reason")}}
	for _, e := range res.Exceptions {
		rows = append(rows, []any{e.ID, T(lang, "stocktake.kind_"+string(e.Kind)), e.VIN, e.Model, res.Names[e.ClearedBy],
			at(e.ClearedAt, e.ClearedAt.In(loc).Format(domain.MinuteLayout)), e.Reason})
	}
	if err := putRows(f, exc, rows); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, fmt.Errorf("stocktake %d xlsx: %w", res.Stocktake.ID, err)
	}
	return buf.Bytes(), nil
}

// putRows writes rows from A1 down, the first a header, and lays the
// sheet out to print (printlayout).
func putRows(f *excelize.File, sheet string, rows [][]any) error {
	for i, row := range rows {
		cell, err := excelize.CoordinatesToCellName(1, i+1)
		if err != nil {
			return err
		}
		if err := f.SetSheetRow(sheet, cell, &row); err != nil {
			return fmt.Errorf("sheet %s row %d: %w", sheet, i+1, err)
		}
	}
	return printlayout.Apply(f, sheet, printlayout.Header{})
}
