package bot

import (
	"context"
	"encoding/json"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/dealerbot/dealerbot/domain"
)

// A dialogue is a short guided conversation in one private chat: the /lead
// questions, or a note awaited after a button press. Its state is stored
// (domain.Dialog), so a restart in the middle loses nothing; a dialogue left
// alone for dialogTTL is forgotten.

const dialogTTL = time.Hour

// dialogStep handles the text a dialogue is waiting for.
type dialogStep func(ctx context.Context, r *Request, d *domain.Dialog, text string) error

// dialogKinds are the dialogues, by Kind.
func (b *Bot) dialogKinds() map[string]dialogStep {
	return map[string]dialogStep{
		"lead":      b.leadDialogText,
		"fu":        b.followUpNoteText,
		"lost":      b.lostReasonText,
		"reject":    b.rejectReasonText,
		"oreject":   b.orderRejectText,
		"aljreject": b.jumpRejectText,
		"order":     b.orderDialogText,
		"decline":   b.declineReasonText,
		"cnote":     b.collisionNoteText,
		"cmp":       b.complaintDialogText,
		"cact":      b.complaintActText,
		"csat":      b.surveyText,
		"creassign": b.reassignText,
		"walkin":    b.walkInText,
		"tdout":     b.checkoutText,
		"tdphoto":   b.checkoutPhotoText,
	}
}

// startDialog stores a dialogue for the request's chat (a step of the
// current one).
func (b *Bot) startDialog(ctx context.Context, r *Request, kind, step string, data any) error {
	raw, err := json.Marshal(data)
	if err != nil {
		return err
	}
	return b.store.SaveDialog(ctx, domain.Dialog{ChatID: r.ChatID, StaffID: r.Staff.ID, Kind: kind, Step: step, Data: string(raw)})
}

// ask starts a new dialogue with a question, in the presser's private
// chat: a button pressed in a group gets its answer in private, where plain
// messages reach the bot. A dialogue of another kind in progress is
// replaced, and the person is told, so no answer lands in the wrong one.
func (b *Bot) ask(ctx context.Context, r *Request, kind string, data any, question string) error {
	pr := *r
	if r.Message != nil && !isPrivate(r.Message) && r.From != nil {
		pr.ChatID = r.From.ID
	}
	old, err := b.dialog(ctx, &pr)
	if err != nil {
		return err
	}
	if err := b.startDialog(ctx, &pr, kind, "", data); err != nil {
		return err
	}
	if old != nil && (old.Kind != kind || old.Data != mustJSON(data)) {
		question = pr.T("dlg.replaced") + "\n" + question
	}
	b.replyMarkup(ctx, pr.ChatID, question, inlineKeyboard([]models.InlineKeyboardButton{cancelButton(r.Lang)}))
	return nil
}

func mustJSON(v any) string {
	raw, _ := json.Marshal(v)
	return string(raw)
}

// dialog returns the chat's live dialogue of this person, or nil.
func (b *Bot) dialog(ctx context.Context, r *Request) (*domain.Dialog, error) {
	d, err := b.store.DialogByChat(ctx, r.ChatID)
	switch {
	case domain.ErrorCode(err) == domain.ENOTFOUND:
		return nil, nil
	case err != nil:
		return nil, err
	case d.StaffID != r.Staff.ID || b.now().Sub(d.UpdatedAt) > dialogTTL:
		return nil, b.store.DeleteDialog(ctx, r.ChatID)
	}
	return d, nil
}

// onDialogText feeds a plain message to the chat's dialogue; handled is
// false when there is none.
func (b *Bot) onDialogText(ctx context.Context, r *Request, text string) (handled bool, err error) {
	d, err := b.dialog(ctx, r)
	if err != nil || d == nil {
		return false, err
	}
	step := b.dialogKinds()[d.Kind]
	if step == nil {
		return false, b.store.DeleteDialog(ctx, r.ChatID)
	}
	// If the step fails, its writes roll back, the dialogue with them: the
	// failure answer then ends it, so it does not catch every later message.
	if fx := effectsFrom(ctx); fx != nil {
		fx.dropDialog = r.ChatID
	}
	return true, step(ctx, r, d, text)
}

// cancelButton is the Cancel button every dialogue step carries.
func cancelButton(lang domain.Lang) models.InlineKeyboardButton {
	return models.InlineKeyboardButton{Text: T(lang, "btn.cancel"), CallbackData: "dlg:x"}
}

// handleDialogButton handles dlg:… presses: a fixed choice of the current
// step, or Cancel.
func (b *Bot) handleDialogButton(ctx context.Context, r *Request) error {
	d, err := b.dialog(ctx, r)
	if err != nil {
		return err
	}
	if d == nil {
		return domain.Errorkf(domain.ENOTFOUND, "callback.stale", nil, "no dialogue")
	}
	if r.Args == "x" {
		if err := b.store.DeleteDialog(ctx, r.ChatID); err != nil {
			return err
		}
		b.reply(ctx, r.ChatID, r.T("dlg.cancelled"))
		return nil
	}
	switch d.Kind {
	case "lead":
		return b.leadDialogChoice(ctx, r, d, r.Args)
	case "cmp":
		return b.complaintDialogText(ctx, r, d, r.Args)
	}
	return domain.Errorkf(domain.ENOTFOUND, "callback.stale", nil, "no choice in dialogue %s", d.Kind)
}

// endDialog ends the chat's dialogue and decodes its data into v: the
// start of every answer to a question asked with ask.
func (b *Bot) endDialog(ctx context.Context, r *Request, d *domain.Dialog, v any) error {
	if err := json.Unmarshal([]byte(d.Data), v); err != nil {
		return err
	}
	return b.store.DeleteDialog(ctx, r.ChatID)
}
