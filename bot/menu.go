package bot

import (
	"context"
	"log/slog"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/dealerbot/dealerbot/domain"
)

// The command menu (the "/" button) is set per staff chat, so each person
// sees only the commands of their roles, in their language. Strangers get
// no menu at all: the default scope stays empty.

// menuFor builds the menu entries of a staff member.
func (b *Bot) menuFor(s *domain.Staff) []models.BotCommand {
	var cmds []models.BotCommand
	for _, c := range b.allowed(s) {
		cmds = append(cmds, models.BotCommand{Command: c.Name, Description: stripTags(c.desc(s.Lang, s))})
	}
	return cmds
}

// publishCommands sets a staff member's menu in their private chat.
func (b *Bot) publishCommands(ctx context.Context, s *domain.Staff) {
	if !s.Enrolled() {
		return
	}
	params := &tgbot.SetMyCommandsParams{
		Commands: b.menuFor(s),
		Scope:    &models.BotCommandScopeChat{ChatID: s.TelegramID},
	}
	afterCommit(ctx, func(ctx context.Context) {
		if _, err := b.api.SetMyCommands(ctx, params); err != nil {
			b.log.Warn("set commands", slog.Int64("staff_id", s.ID), slog.Any("error", err))
		}
	})
}

// clearCommands removes the menu of a chat (a deactivated member's).
func (b *Bot) clearCommands(ctx context.Context, chatID int64) {
	afterCommit(ctx, func(ctx context.Context) {
		_, err := b.api.DeleteMyCommands(ctx, &tgbot.DeleteMyCommandsParams{
			Scope: &models.BotCommandScopeChat{ChatID: chatID},
		})
		if err != nil {
			b.log.Warn("delete commands", slog.Int64("chat_id", chatID), slog.Any("error", err))
		}
	})
}

// PublishMenus sets the menu of every enrolled, active staff member; run at
// start so that a new release's commands reach everyone.
func (b *Bot) PublishMenus(ctx context.Context, staff []*domain.Staff) {
	for _, s := range staff {
		if s.Active {
			b.publishCommands(ctx, s)
		}
	}
}
