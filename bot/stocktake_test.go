package bot_test

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	"github.com/xuri/excelize/v2"

	"github.com/dealerbot/dealerbot/bot/printlayout"
	"github.com/dealerbot/dealerbot/bot/printlayout/printlayouttest"
	"github.com/dealerbot/dealerbot/bot/telegramtest"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

// arrive adds a car by hand and marks it arrived from its card.
func (h *harness) arrive(keeper telegramtest.User, i int) {
	h.t.Helper()
	h.reply(keeper, "/car add "+storagetest.VIN(i)+" 轩逸 舒适版 白 E"+storagetest.VIN(i)[11:])
	if got := h.press(keeper, "→ 已到店待检"); len(got) == 0 || !strings.Contains(got[len(got)-1].Plain, "已到店待检") {
		h.t.Fatalf("arrive %d: %v", i, plains(got))
	}
}

// sayAll is say that also waits for the pushes (documents) the update
// queued.
func (h *harness) sayAll(u telegramtest.User, text string) []telegramtest.Message {
	h.t.Helper()
	before := 0
	if m, ok := h.emu.LastMessage(u.ID); ok {
		before = m.ID
	}
	h.say(u, text)
	h.waitOutboxEmpty(10 * time.Second)
	var out []telegramtest.Message
	for _, m := range h.emu.Messages(u.ID) {
		if m.ID > before {
			out = append(out, m)
		}
	}
	return out
}

// documentIn returns the last document the bot sent to a chat.
func documentIn(t *testing.T, msgs []telegramtest.Message) telegramtest.Message {
	t.Helper()
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].Document != nil {
			return msgs[i]
		}
	}
	t.Fatalf("no document among %v", plains(msgs))
	return telegramtest.Message{}
}

// TestR3_3_StocktakeEndToEnd: the manager opens the stocktake, a
// consultant confirms cars by the last six characters and by a photo of
// the VIN barcode, a stock keeper finds a car the ledger lacks; closing
// lists the missing and the unexpected car, only the manager clears them,
// and the result arrives as an .xlsx that reads back.
func TestR3_3_StocktakeEndToEnd(t *testing.T) {
	h := newHarness(t)
	keeper := h.enroll("库管员小周", "stock_keeper", "zh")
	boss := h.enroll("王经理", "manager", "zh")
	seller := h.enroll("陈顾问", "consultant", "zh")
	for i := 1; i <= 3; i++ {
		h.arrive(keeper, i)
	}
	h.reply(keeper, "/car add "+storagetest.VIN(4)+" 天籁 舒适版 黑") // in transit: not expected
	vin := storagetest.VIN

	contains(t, h.reply(seller, "/seen "+vin(1)[11:]), "没有进行中的盘点")
	contains(t, h.reply(seller, "/stocktake"), "您无权使用 /stocktake")
	contains(t, h.reply(boss, "/stocktake"), "盘点已开始", "应在店车辆 3 辆")
	contains(t, h.reply(boss, "/stocktake"), "已有一次盘点正在进行")

	contains(t, h.reply(seller, "/seen "+vin(1)[11:]), vin(1), "轩逸 舒适版 白", "已盘 1/3")
	photo := barcodePhoto(t, vin(2), gozxing.BarcodeFormat_CODE_128)
	msgs := h.sayIn(seller, seller.ID, func() int { return h.emu.SendPhoto(seller, photo) })
	if len(msgs) != 1 {
		t.Fatalf("photo: %v", plains(msgs))
	}
	contains(t, msgs[0].Plain, "从条码读到 VIN "+vin(2), "已盘 2/3")
	contains(t, h.reply(keeper, "/seen "+vin(2)), "已盘过（只计一次）", "已盘 2/3")
	contains(t, h.reply(keeper, "/seen "+vin(100)), "不在本店台账中", "已盘 2/3，账外 1 辆")
	contains(t, h.reply(keeper, "/seen 999999"), "没有 VIN 后 6 位为 999999")

	msgs = h.sayAll(boss, "/stocktake close")
	if len(msgs) != 2 {
		t.Fatalf("close: %v", plains(msgs))
	}
	contains(t, msgs[0].Plain, "盘点结束", "已盘 2/3，账外 1 辆", "异常 2 条", "未盘到 "+vin(3), "账外 "+vin(100))
	doc := documentIn(t, msgs)
	if !strings.HasSuffix(doc.Document.Name, ".xlsx") || !strings.Contains(doc.Plain, "异常 2 条，未处理 2 条") {
		t.Fatalf("document %q: %q", doc.Document.Name, doc.Plain)
	}
	nums := regexp.MustCompile(`#(\d+) (未盘到|账外)`).FindAllStringSubmatch(msgs[0].Plain, -1)
	if len(nums) != 2 {
		t.Fatalf("exception numbers in %q", msgs[0].Plain)
	}
	contains(t, h.reply(seller, "/seen "+vin(3)[11:]), "没有进行中的盘点")

	// Only a manager clears, and only with a reason.
	contains(t, h.reply(seller, "/clear "+nums[0][1]+" 找到了"), "您无权使用 /clear")
	contains(t, h.reply(boss, "/clear "+nums[0][1]), "请写明处理原因")
	contains(t, h.reply(boss, "/clear "+nums[0][1]+" 在维修站喷漆"), "已处理：在维修站喷漆", "还剩 1 条")
	contains(t, h.reply(boss, "/clear "+nums[0][1]+" 再来"), "已经处理过了")
	msgs = h.sayAll(boss, "/clear "+nums[1][1]+" 客户寄存车辆")
	contains(t, msgs[0].Plain, "还剩 0 条")
	final := documentIn(t, msgs)
	contains(t, final.Plain, "未处理 0 条")

	f, err := excelize.OpenReader(bytes.NewReader(final.Document.Data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); len(got) != 2 || got[0] != "车辆" || got[1] != "异常" {
		t.Fatalf("sheets %v", got)
	}
	cars, _ := f.GetRows("车辆")
	exc, _ := f.GetRows("异常")
	if len(cars) != 5 || len(exc) != 3 {
		t.Fatalf("cars %v\nexceptions %v", cars, exc)
	}
	// Both sheets print as forms.
	printlayouttest.Check(t, f, "车辆", printlayout.Header{}, 5, 8)
	printlayouttest.Check(t, f, "异常", printlayout.Header{}, 3, 7)
	sheet := ""
	for _, r := range append(cars, exc...) {
		sheet += strings.Join(r, "|") + "\n"
	}
	contains(t, sheet, vin(1)+"|轩逸|舒适版|白|已到店待检|已盘|陈顾问|", vin(3)+"|轩逸|舒适版|白|已到店待检|未盘到",
		vin(100)+"|||||账外|库管员小周", "未盘到|"+vin(3)+"|轩逸|王经理|", "|在维修站喷漆", "账外|"+vin(100)+"||王经理|", "|客户寄存车辆")

	// With no stocktake open a barcode photo opens the card again.
	msgs = h.sayIn(seller, seller.ID, func() int { return h.emu.SendPhoto(seller, photo) })
	contains(t, msgs[0].Plain, "从条码读到 VIN "+vin(2), "状态：已到店待检")
	if got := documentIn(t, h.sayAll(boss, "/stocktake report")); !bytes.Equal(got.Document.Data, final.Document.Data) && got.Document.Name != final.Document.Name {
		t.Fatalf("report %q", got.Document.Name)
	}
}
