package main

import (
	"os"
	"strings"
	"testing"
)

// twoStores is a group of two stores in two time zones: east overrides
// one rule and has its own group chat.
const twoStores = `
stores:
  - code: bj01
    name: 北京店
    time_zone: Asia/Shanghai
    group_chat_id: -1001
  - code: wlmq
    name: 乌鲁木齐店
    time_zone: Asia/Urumqi
    opening_hours: "10:00-19:00"
    group_chat_id: -1002
    rules:
      leads:
        morning_push: "09:00"
rules:
  leads:
    morning_push: "08:15"
`

// TestStores_ConfigTwoStoresLoad: a two-store config gives two stores
// with their codes, time zones and group chats; a store's rules override
// applies to that store only, over the group's rules.
func TestStores_ConfigTwoStoresLoad(t *testing.T) {
	cfg, err := LoadConfig(mustWriteConfig(t, twoStores), configEnv(nil))
	if err != nil {
		t.Fatal(err)
	}
	stores := cfg.StoreList()
	if stores.Len() != 2 || stores.Codes() != "bj01, wlmq" {
		t.Fatalf("stores %s", stores.Codes())
	}
	bj, _ := stores.ByCode("bj01")
	wl, _ := stores.ByCode("wlmq")
	if bj.Name != "北京店" || bj.Calendar.Location.String() != "Asia/Shanghai" || bj.GroupChatID != -1001 {
		t.Fatalf("bj01 %+v", bj)
	}
	if wl.Name != "乌鲁木齐店" || wl.Calendar.Location.String() != "Asia/Urumqi" || wl.GroupChatID != -1002 || wl.Calendar.Open != 10*60 {
		t.Fatalf("wlmq %+v, calendar %+v", wl, wl.Calendar)
	}
	if got := bj.Rules.Leads.MorningPush; got.String() != "08:15" {
		t.Fatalf("bj01 morning push %s, want the group's 08:15", got)
	}
	if got := wl.Rules.Leads.MorningPush; got.String() != "09:00" {
		t.Fatalf("wlmq morning push %s, want its own 09:00", got)
	}
	if cfg.Rules.Leads.MorningPush.String() != "08:15" {
		t.Fatalf("the group's rules changed: %s", cfg.Rules.Leads.MorningPush)
	}
}

// TestStores_ConfigErrorsNameTheKey: what is wrong about stores is named
// by its key (and line, for a key the file has).
func TestStores_ConfigErrorsNameTheKey(t *testing.T) {
	for _, tc := range []struct{ name, yaml, want string }{
		{"StoreWithStores", "store:\n  name: x\n" + twoStores, "store: a group lists every store under stores:"},
		{"UnknownRulesKey", strings.Replace(twoStores, `morning_push: "09:00"`, `morning_push: "09:00"`+"\n        xxx: 1", 1),
			"stores[1].rules.leads.xxx (line 15): unknown key"},
		{"BadCode", strings.Replace(twoStores, "code: wlmq", "code: Wl Mq", 1), "stores[1].code"},
		{"DuplicateCode", strings.Replace(twoStores, "code: wlmq", "code: bj01", 1), "stores[1].code"},
		{"MissingCode", strings.Replace(twoStores, "code: wlmq", "code: \"\"", 1), "stores[1].code: required"},
		{"GroupChatWithStores", "telegram:\n  group_chat_id: -5\n" + twoStores, "telegram.group_chat_id: with stores:"},
		{"BadTimeZone", strings.Replace(twoStores, "Asia/Urumqi", "Mars/Base", 1), "stores[1].time_zone"},
		{"BadRuleValue", strings.Replace(twoStores, `morning_push: "09:00"`, `morning_push: "25:00"`, 1), "stores[1].rules.leads.morning_push"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadConfig(mustWriteConfig(t, tc.yaml), configEnv(nil))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

// TestStores_ConfigExampleStoresLoad: the commented stores: example of
// config.example.yaml, uncommented, is a valid group.
func TestStores_ConfigExampleStoresLoad(t *testing.T) {
	raw, err := os.ReadFile("../../config.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	_, example, _ := strings.Cut(string(raw), "\n# stores:\n")
	block := []string{"stores:"}
	for _, line := range strings.Split(example, "\n") {
		if !strings.HasPrefix(line, "#   ") {
			break
		}
		block = append(block, strings.TrimPrefix(line, "# "))
	}
	cfg, err := LoadConfig(mustWriteConfig(t, strings.Join(block, "\n")+"\n"), configEnv(nil))
	if err != nil {
		t.Fatalf("%v\n%s", err, strings.Join(block, "\n"))
	}
	if cfg.StoreList().Codes() != "bj01, wlmq" {
		t.Fatalf("stores %s", cfg.StoreList().Codes())
	}
}
