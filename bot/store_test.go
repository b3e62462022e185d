package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/bot/telegramtest"
	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

// enrollIn is enroll into store.
func (h *harness) enrollIn(store *domain.Store, name, roles, lang string) telegramtest.User {
	h.t.Helper()
	rs, err := domain.ParseRoles(roles)
	if err != nil {
		h.t.Fatal(err)
	}
	_, inv, err := h.db.InviteStaffIn(context.Background(), store.ID, name, rs, 48*time.Hour)
	if err != nil {
		h.t.Fatal(err)
	}
	u := h.user(name, lang)
	if got := h.reply(u, "/start "+inv.Code); !strings.Contains(got, name) || !strings.Contains(got, store.Name) {
		h.t.Fatalf("enrol %s in %s: %q", name, store.Code, got)
	}
	return u
}

// TestStores_GroupRoleSwitchesStoreInChat: a group GM sees its store and
// one button per store, switches with a button or /store CODE, and then
// acts in that store (/help names it, /staff lists its people); an unknown
// code answers with the known ones; a store's own people may not switch.
func TestStores_GroupRoleSwitchesStoreInChat(t *testing.T) {
	h := newHarness(t)
	main := h.db.Stores.Default()
	east := storagetest.AddStore(t, h.db, "east", "Asia/Urumqi")
	ggm := h.enroll("集团王总", "group_gm", "zh")
	seller := h.enroll("陈顾问", "consultant", "zh")
	h.enrollIn(east, "东店李顾问", "consultant", "zh")

	got := h.say(ggm, "/store")
	if len(got) != 1 {
		t.Fatalf("/store: %v", plains(got))
	}
	contains(t, got[0].Plain, "当前门店：main "+main.Name)
	var labels []string
	for _, row := range got[0].Buttons {
		for _, b := range row {
			labels = append(labels, b.Text)
		}
	}
	if strings.Join(labels, "|") != "✓ main · "+main.Name+"|east · "+east.Name {
		t.Fatalf("buttons %q", labels)
	}
	contains(t, strings.Join(plains(h.press(ggm, "east · "+east.Name)), "\n"), "已切换到门店 east "+east.Name, "当前门店：east")
	if s, err := h.db.StaffByName(context.Background(), east.ID, "集团王总"); err != nil {
		t.Fatalf("group gm not in east after the button: %v", err)
	} else if s.StoreID != east.ID {
		t.Fatalf("store %d", s.StoreID)
	}
	contains(t, h.reply(ggm, "/help"), east.Name, "/store")
	staff := h.reply(ggm, "/staff")
	contains(t, staff, "东店李顾问")
	lacks(t, staff, "陈顾问 ")

	contains(t, h.reply(ggm, "/store east"), "您已在门店 east")
	contains(t, h.reply(ggm, "/store west"), "没有代码为“west”的门店。门店代码：main, east")
	contains(t, h.reply(ggm, "/store MAIN"), "已切换到门店 main")
	lacks(t, h.reply(ggm, "/staff"), "东店李顾问")

	contains(t, h.reply(seller, "/store east"), "您无权使用 /store")
}

// TestStores_InviteIntoTheInvitersStore: an admin of a store invites into
// that store; the invitee's welcome names it.
func TestStores_InviteIntoTheInvitersStore(t *testing.T) {
	h := newHarness(t)
	east := storagetest.AddStore(t, h.db, "east", "Asia/Urumqi")
	admin := h.enrollIn(east, "东店管理员", "admin", "zh")
	m := codeRE.FindStringSubmatch(h.reply(admin, "/invite 赵顾问 consultant"))
	if m == nil {
		t.Fatal("no invite link")
	}
	zhao := h.user("赵顾问", "zh")
	contains(t, h.reply(zhao, "/start "+m[1]), "赵顾问", east.Name)
	if s, err := h.db.StaffByName(context.Background(), east.ID, "赵顾问"); err != nil || s.StoreID != east.ID {
		t.Fatalf("invitee %+v, %v", s, err)
	}
	// The default store's admin does not find east's people.
	mainAdmin := h.enroll("总店管理员", "admin", "zh")
	contains(t, h.reply(mainAdmin, "/deactivate 赵顾问"), "找不到员工 赵顾问")
}
