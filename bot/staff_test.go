package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/dealerbot/dealerbot/bot"
	"github.com/dealerbot/dealerbot/domain"
)

func TestEnrolment_ByInvite(t *testing.T) {
	h := newHarness(t)
	admin := h.enroll("王经理", "manager,admin", "zh")

	got := h.reply(admin, "/invite 陈顾问 consultant")
	contains(t, got, "陈顾问", "销售顾问", "https://t.me/"+h.emu.BotUsername()+"?start=", "2026-11-29 09:30")
	code := codeRE.FindStringSubmatch(got)
	if code == nil {
		t.Fatalf("no invite link in %q", got)
	}

	t.Run("OK", func(t *testing.T) {
		chen := h.user("Chen", "zh-hans")
		got := h.reply(chen, "/start "+code[1])
		contains(t, got, "欢迎", "陈顾问", "示例4S店", "销售顾问")
		s, err := h.db.StaffByTelegramID(context.Background(), chen.ID)
		if err != nil || s.Name != "陈顾问" {
			t.Fatalf("staff %+v, %v", s, err)
		}
		// The menu holds the consultant's commands and nothing of the admin's.
		menu := h.emu.Commands(&models.BotCommandScopeChat{ChatID: chen.ID}, "")
		names := commandNames(menu)
		contains(t, names, "help", "lang")
		lacks(t, names, "invite", "deactivate", "staff")
		// Once enrolled, /start just greets.
		contains(t, h.reply(chen, "/start"), "陈顾问")
	})
	t.Run("ErrCodeReused", func(t *testing.T) {
		other := h.user("Mallory", "zh")
		contains(t, h.reply(other, "/start "+code[1]), "已使用")
		if _, err := h.db.StaffByTelegramID(context.Background(), other.ID); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Fatalf("reused code enrolled someone: %v", err)
		}
	})
	t.Run("ErrCodeExpired", func(t *testing.T) {
		inv := h.reply(admin, "/invite 刘顾问 consultant")
		c := codeRE.FindStringSubmatch(inv)[1]
		h.advance(48*time.Hour + time.Second)
		contains(t, h.reply(h.user("Liu", "zh"), "/start "+c), "过期")
	})
	t.Run("ErrCodeUnknown", func(t *testing.T) {
		for _, junk := range []string{"/start hello", "/start AAAAAAAAAAAAAAAA", "/start " + strings.Repeat("x", 200)} {
			contains(t, h.reply(h.user("X", "zh"), junk), "邀请码无效")
		}
	})
}

func commandNames(cmds []models.BotCommand) string {
	var names []string
	for _, c := range cmds {
		names = append(names, c.Command)
	}
	return strings.Join(names, " ")
}

func TestStranger_Refused(t *testing.T) {
	h := newHarness(t)
	h.enroll("王经理", "manager,admin", "zh")
	stranger := h.user("Eve", "en")
	for _, text := range []string{"/help", "/staff", "/invite Eve admin", "/nosuch", "hello", "/start"} {
		got := h.reply(stranger, text)
		if got != bot.T(domain.LangEN, "refuse.stranger") {
			t.Errorf("%q answered %q", text, got)
		}
	}
	if menu := h.emu.Commands(&models.BotCommandScopeChat{ChatID: stranger.ID}, ""); len(menu) != 0 {
		t.Errorf("stranger has a menu: %v", menu)
	}
	if menu := h.emu.Commands(nil, ""); len(menu) != 0 {
		t.Errorf("default menu shows commands to strangers: %v", menu)
	}
	all, _ := h.db.ListStaff(context.Background(), true)
	if len(all) != 1 {
		t.Errorf("a stranger's /invite wrote: %d staff", len(all))
	}
}

func TestRoles_ConsultantRefusedManagerCommand(t *testing.T) {
	h := newHarness(t)
	h.enroll("王经理", "manager,admin", "zh")
	chen := h.enroll("陈顾问", "consultant", "zh")

	contains(t, h.reply(chen, "/staff"), "无权", "/staff", "部门经理")
	contains(t, h.reply(chen, "/invite 李四 admin"), "无权", "管理员")
	if _, err := h.db.StaffByName(context.Background(), 1, "李四"); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Fatalf("refused /invite wrote a record: %v", err)
	}
	help := h.reply(chen, "/help")
	contains(t, help, "/help", "/lang")
	lacks(t, help, "/invite", "/staff", "/deactivate")
}

func TestHelp_ListsOnlyTheCallersCommands(t *testing.T) {
	h := newHarness(t)
	admin := h.enroll("王经理", "manager,admin", "zh")
	sup := h.enroll("李主管", "supervisor", "zh")
	contains(t, h.reply(admin, "/help"), "/invite", "/deactivate", "/staff", "部门经理、管理员")
	help := h.reply(sup, "/help")
	contains(t, help, "/staff")
	lacks(t, help, "/invite", "/deactivate")
}

func TestPanic_AnsweredAndStillServing(t *testing.T) {
	h := newHarness(t, bot.Command{Name: "boom", Handler: func(context.Context, *bot.Request) error {
		var m map[string]int
		m["x"]++ // a nil-map write: a real bug, not a staged error
		return nil
	}})
	chen := h.enroll("陈顾问", "consultant", "zh")
	contains(t, h.reply(chen, "/boom"), "出错了")
	contains(t, h.reply(chen, "/help"), "/lang")
}

func TestLang_SwitchesTexts(t *testing.T) {
	h := newHarness(t)
	chen := h.enroll("陈顾问", "consultant", "zh")
	contains(t, h.reply(chen, "/help"), "您可用的命令")

	if got := h.reply(chen, "/lang en"); got != "Language set to English." {
		t.Fatalf("/lang en answered %q", got)
	}
	help := h.reply(chen, "/help")
	contains(t, help, "Your commands", "consultant", "Switch language")
	lacks(t, help, "您可用的命令")
	menu := h.emu.Commands(&models.BotCommandScopeChat{ChatID: chen.ID}, "")
	if len(menu) == 0 || menu[0].Description != "List your commands" {
		t.Errorf("menu not republished in English: %v", menu)
	}
	contains(t, h.reply(chen, "/lang fr"), "/lang zh")
	contains(t, h.reply(chen, "/lang zh"), "中文")
}

func TestLang_StartsFromTelegramLanguage(t *testing.T) {
	h := newHarness(t)
	admin := h.enroll("Wang", "admin", "en")
	contains(t, h.reply(admin, "/help"), "Your commands")
}

func TestHTML_UserValuesEscaped(t *testing.T) {
	h := newHarness(t)
	admin := h.enroll("王经理", "manager,admin", "zh")
	// The emulator rejects raw < and & like Telegram; the reply arriving at
	// all proves the name was escaped.
	got := h.reply(admin, "/invite A<b>&C consultant")
	contains(t, got, "A<b>&C")
	contains(t, h.reply(admin, "/staff"), "A<b>&C")
}

func TestDeactivate_BlocksAtOnce(t *testing.T) {
	h := newHarness(t)
	admin := h.enroll("王经理", "manager,admin", "zh")
	chen := h.enroll("陈顾问", "consultant", "zh")

	contains(t, h.reply(admin, "/deactivate 陈顾问"), "已停用", "陈顾问")
	if got := h.reply(chen, "/help"); got != bot.T(domain.LangZH, "refuse.stranger") {
		t.Fatalf("deactivated staff got %q", got)
	}
	if menu := h.emu.Commands(&models.BotCommandScopeChat{ChatID: chen.ID}, ""); len(menu) != 0 {
		t.Errorf("deactivated staff keeps a menu: %v", menu)
	}
	contains(t, h.reply(admin, "/deactivate 陈顾问"), "已是停用")
	contains(t, h.reply(admin, "/deactivate 王经理"), "不能停用自己")
	contains(t, h.reply(admin, "/deactivate 无名氏"), "找不到员工")
	contains(t, h.reply(admin, "/staff"), "陈顾问", "已停用")

	// Re-inviting brings them back with a new code.
	code := codeRE.FindStringSubmatch(h.reply(admin, "/invite 陈顾问 consultant"))[1]
	contains(t, h.reply(chen, "/start "+code), "欢迎")
}

func TestGroup_CommandWithBotName(t *testing.T) {
	h := newHarness(t)
	chen := h.enroll("陈顾问", "consultant", "zh")
	stranger := h.user("Eve", "zh")
	g := h.emu.NewGroup(-100200300, "销售群")
	in := func(u telegramOrUser, text string) []string {
		return plains(h.sayIn(u, g.ID, func() int { return h.emu.SendTextInGroup(u, g.ID, text) }))
	}
	if got := in(chen, "/help@"+h.emu.BotUsername()); len(got) != 1 || !strings.Contains(got[0], "/lang") {
		t.Errorf("/help@bot in group: %v", got)
	}
	if got := in(chen, "/help@some_other_bot"); len(got) != 0 {
		t.Errorf("command for another bot answered: %v", got)
	}
	if got := in(chen, "good morning"); len(got) != 0 {
		t.Errorf("group chatter answered: %v", got)
	}
	if got := in(stranger, "/help"); len(got) != 0 {
		t.Errorf("stranger in group answered: %v", got)
	}
}

func TestBadInput(t *testing.T) {
	h := newHarness(t)
	admin := h.enroll("王经理", "manager,admin", "zh")
	t.Run("UnknownCommand", func(t *testing.T) {
		contains(t, h.reply(admin, "/frobnicate"), "/help")
	})
	t.Run("Usage", func(t *testing.T) {
		contains(t, h.reply(admin, "/invite"), "用法：/invite", "例如：/invite 李娜 销售顾问")
		contains(t, h.reply(admin, "/invite 李娜"), "用法")
		contains(t, h.reply(admin, "/deactivate"), "用法")
	})
	t.Run("BadRole", func(t *testing.T) {
		contains(t, h.reply(admin, "/invite 李娜 boss"), "boss", "销售顾问")
	})
	t.Run("LongName", func(t *testing.T) {
		contains(t, h.reply(admin, "/invite "+strings.Repeat("长", 40)+" consultant"), "32")
	})
	t.Run("OverlongInput", func(t *testing.T) {
		contains(t, h.reply(admin, "/invite "+strings.Repeat("x", 3000)+" consultant"), "32")
		contains(t, h.reply(admin, "/invite "+strings.Repeat("x", 20000)+" consultant"), "用法")
	})
	t.Run("PlainText", func(t *testing.T) {
		contains(t, h.reply(admin, "hello"), "/help")
	})
	t.Run("StickerAndJoinIgnoredOrHinted", func(t *testing.T) {
		sticker := models.Update{Message: &models.Message{
			From: &models.User{ID: admin.ID, FirstName: "王"}, Chat: models.Chat{ID: admin.ID, Type: models.ChatTypePrivate},
			Date: int(testStart.Unix()), Sticker: &models.Sticker{FileID: "s1", FileUniqueID: "u1", Type: "regular", Width: 1, Height: 1},
		}}
		got := plains(h.sayIn(admin, admin.ID, func() int { return h.emu.SendUpdate(sticker) }))
		if len(got) != 1 || !strings.Contains(got[0], "/help") {
			t.Errorf("sticker answered %v", got)
		}
		g := h.emu.NewGroup(-100999, "群")
		join := models.Update{Message: &models.Message{
			From: &models.User{ID: admin.ID, FirstName: "王"}, Chat: g, Date: int(testStart.Unix()),
			NewChatMembers: []models.User{{ID: 77, FirstName: "New"}},
		}}
		if got := h.sayIn(admin, g.ID, func() int { return h.emu.SendUpdate(join) }); len(got) != 0 {
			t.Errorf("group join answered %v", plains(got))
		}
	})
}

// telegramOrUser keeps the group helper's signature readable.
type telegramOrUser = telegramtestUser

// TestRoles_UnknownRoleListsNamesInTheReadersLanguage: a mistyped role is
// answered with the roles a Chinese reader can type (the parser takes the
// Chinese names), and in English with the codes.
func TestRoles_UnknownRoleListsNamesInTheReadersLanguage(t *testing.T) {
	h := newHarness(t)
	zh := h.enroll("王经理", "manager,admin", "zh")
	got := h.reply(zh, "/invite 陈顾问 老板")
	contains(t, got, "没有“老板”这个角色", "电销员、销售顾问、展厅接待、销售主管、部门经理、总经理、客服中心、管理员")
	lacks(t, got, "telesales", "consultant")
	contains(t, h.reply(zh, "/invite 陈顾问 销售顾问"), "陈顾问")
	en := h.enroll("Wang", "admin", "en")
	contains(t, h.reply(en, "/invite Chen boss"), "There is no role “boss”", "telesales,consultant,reception")
}
