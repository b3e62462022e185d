package telegramtest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

func TestSetMyCommandsValidation(t *testing.T) {
	emu := newEmu(t, Options{})
	client := newClient(t, emu)
	ctx := ctxTimeout(t)
	set := func(cmds []models.BotCommand, scope models.BotCommandScope, lang string) error {
		_, err := client.SetMyCommands(ctx, &bot.SetMyCommandsParams{Commands: cmds, Scope: scope, LanguageCode: lang})
		return err
	}
	one := func(cmd, desc string) []models.BotCommand {
		return []models.BotCommand{{Command: cmd, Description: desc}}
	}
	var hundredOne []models.BotCommand
	for i := 0; i < 101; i++ {
		hundredOne = append(hundredOne, models.BotCommand{Command: fmt.Sprintf("c%d", i), Description: "d"})
	}
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"uppercase", set(one("Start", "Start"), nil, ""), "Bad Request: BOT_COMMAND_INVALID"},
		{"leading slash", set(one("/start", "Start"), nil, ""), "Bad Request: BOT_COMMAND_INVALID"},
		{"hyphen", set(one("my-cars", "Cars"), nil, ""), "Bad Request: BOT_COMMAND_INVALID"},
		{"33 chars", set(one(strings.Repeat("a", 33), "x"), nil, ""), "Bad Request: BOT_COMMAND_INVALID"},
		{"empty description", set(one("start", ""), nil, ""), "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID"},
		{"257 description", set(one("start", strings.Repeat("d", 257)), nil, ""), "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID"},
		{"101 commands", set(hundredOne, nil, ""), "Bad Request: BOT_COMMANDS_TOO_MUCH"},
		{"bad language", set(one("start", "Start"), nil, "rus"), "Bad Request: invalid language code specified"},
		{"unknown chat scope", set(one("start", "Start"), &models.BotCommandScopeChat{ChatID: 12345}, ""), "Bad Request: chat not found"},
	}
	for _, tc := range cases {
		if tc.err == nil || !strings.Contains(tc.err.Error(), tc.want) {
			t.Errorf("%s: got %v, want %q", tc.name, tc.err, tc.want)
		}
	}
	if err := set(one(strings.Repeat("a", 32), strings.Repeat("d", 256)), nil, ""); err != nil {
		t.Fatalf("limits are inclusive: %v", err)
	}
	if emu.Calls("setMyCommands") != 1 {
		t.Fatalf("calls %d", emu.Calls("setMyCommands"))
	}
}

func TestCommandsPerScopeAndLanguage(t *testing.T) {
	emu := newEmu(t, Options{})
	client := newClient(t, emu)
	ctx := ctxTimeout(t)
	manager := chatWith(emu, 80)
	g := emu.NewGroup(-900, "Managers")
	set := func(scope models.BotCommandScope, lang string, cmds ...string) {
		t.Helper()
		var list []models.BotCommand
		for _, c := range cmds {
			list = append(list, models.BotCommand{Command: c, Description: "about " + c})
		}
		if _, err := client.SetMyCommands(ctx, &bot.SetMyCommandsParams{Commands: list, Scope: scope, LanguageCode: lang}); err != nil {
			t.Fatal(err)
		}
	}
	names := func(cmds []models.BotCommand) string {
		var out []string
		for _, c := range cmds {
			out = append(out, c.Command)
		}
		return strings.Join(out, ",")
	}
	set(nil, "", "start", "help")
	set(&models.BotCommandScopeDefault{}, "ru", "start", "pomosh")
	set(&models.BotCommandScopeAllPrivateChats{}, "", "cars")
	set(&models.BotCommandScopeChat{ChatID: manager.ID}, "", "start", "leads", "stats")
	set(&models.BotCommandScopeChatAdministrators{ChatID: g.ID}, "", "report")

	checks := []struct {
		scope models.BotCommandScope
		lang  string
		want  string
	}{
		{nil, "", "start,help"},
		{&models.BotCommandScopeDefault{}, "", "start,help"},
		{&models.BotCommandScopeDefault{}, "ru", "start,pomosh"},
		{&models.BotCommandScopeAllPrivateChats{}, "", "cars"},
		{&models.BotCommandScopeAllPrivateChats{}, "ru", ""},
		{&models.BotCommandScopeAllGroupChats{}, "", ""},
		{&models.BotCommandScopeChat{ChatID: manager.ID}, "", "start,leads,stats"},
		{&models.BotCommandScopeChatAdministrators{ChatID: g.ID}, "", "report"},
	}
	for i, c := range checks {
		if got := names(emu.Commands(c.scope, c.lang)); got != c.want {
			t.Errorf("check %d: Commands = %q, want %q", i, got, c.want)
		}
		got, err := client.GetMyCommands(ctx, &bot.GetMyCommandsParams{Scope: c.scope, LanguageCode: c.lang})
		if err != nil || names(got) != c.want {
			t.Errorf("check %d: getMyCommands = %q %v, want %q", i, names(got), err, c.want)
		}
	}
	if _, err := client.DeleteMyCommands(ctx, &bot.DeleteMyCommandsParams{Scope: &models.BotCommandScopeChat{ChatID: manager.ID}}); err != nil {
		t.Fatal(err)
	}
	if emu.Commands(&models.BotCommandScopeChat{ChatID: manager.ID}, "") != nil {
		t.Fatal("deleteMyCommands did not delete")
	}
	set(nil, "") // an empty list deletes too
	if emu.Commands(nil, "") != nil {
		t.Fatal("empty setMyCommands did not delete")
	}
	_, err := client.SetMyCommands(ctx, &bot.SetMyCommandsParams{
		Commands: []models.BotCommand{{Command: "x", Description: "x"}},
		Scope:    &models.BotCommandScopeChatAdministrators{ChatID: manager.ID},
	})
	wantAPIError(t, err, "Bad Request: can't use scope chat_administrators in a private chat")
}
