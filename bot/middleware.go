package bot

import (
	"context"
	"errors"
	"log/slog"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/dealerbot/dealerbot/bot/delivery"
	"github.com/dealerbot/dealerbot/domain"
)

// Delivery (bot/delivery) runs each chat's updates in order, recovers
// panics and logs each update; handle then runs resolveStaff and dispatch
// inside the update's transaction.

type staffKey struct{}

// resolveStaff puts the active staff member who sent the update on the
// context; strangers and deactivated staff get none.
func (b *Bot) resolveStaff(next tgbot.HandlerFunc) tgbot.HandlerFunc {
	return func(ctx context.Context, api *tgbot.Bot, upd *models.Update) {
		if u := updateSender(upd); u != nil && !u.IsBot {
			s, err := b.opts.Staff.StaffByTelegramID(ctx, u.ID)
			switch {
			case err == nil && s.Active:
				ctx = context.WithValue(ctx, staffKey{}, s)
				if fx := effectsFrom(ctx); fx != nil {
					fx.lang = s.Lang
				}
			case err != nil && domain.ErrorCode(err) != domain.ENOTFOUND:
				b.log.Error("resolve staff", slog.Int64("update_id", upd.ID), slog.Any("error", err))
				fail(ctx, err, "")
				return
			}
		}
		next(ctx, api, upd)
	}
}

// staffFrom returns the staff member on ctx, or nil for a stranger.
func staffFrom(ctx context.Context) *domain.Staff {
	s, _ := ctx.Value(staffKey{}).(*domain.Staff)
	return s
}

// langOf is the staff member's language, or a stranger's Telegram language.
func langOf(ctx context.Context, upd *models.Update) domain.Lang {
	if s := staffFrom(ctx); s != nil && s.Lang != "" {
		return s.Lang
	}
	if u := updateSender(upd); u != nil {
		return domain.LangFromTelegram(u.LanguageCode)
	}
	return domain.LangZH
}

func updateSender(upd *models.Update) *models.User {
	switch {
	case upd.Message != nil:
		return upd.Message.From
	case upd.CallbackQuery != nil:
		return &upd.CallbackQuery.From
	case upd.EditedMessage != nil:
		return upd.EditedMessage.From
	}
	return nil
}

// updateChat is the chat an update belongs to (delivery.UpdateChat).
func updateChat(upd *models.Update) (int64, bool) { return delivery.UpdateChat(upd) }

// errUsage makes the bot answer with the command's usage line.
var errUsage = errors.New("usage")
