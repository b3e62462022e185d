package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/storage/storagetest"
)

// TestR3_1_SlowDownloadBlocksNoOtherChat: a dispatch list whose download
// takes seconds is fetched outside the update's transaction, so on SQLite
// (one writer) other chats' updates, writes included, are answered
// meanwhile; the list's preview follows once the file is in, applied once.
func TestR3_1_SlowDownloadBlocksNoOtherChat(t *testing.T) {
	h := newHarness(t)
	keeper := h.enroll("库管员小周", "stock_keeper", "zh")
	seller := h.enroll("陈顾问", "consultant", "zh")
	const delay = 3 * time.Second
	h.emu.DelayDownloads(1, delay)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	start := time.Now()
	doc := h.emu.SendDocument(keeper, "发车清单.xlsx", "", xlsxOf(t, storagetest.DispatchSheet(0, 3)))
	time.Sleep(300 * time.Millisecond) // the document's update is in its download
	for _, text := range []string{"/stock", "/lang en", "/stock"} {
		t0 := time.Now()
		if err := h.bot.WaitHandled(ctx, int64(h.emu.SendText(seller, text))); err != nil {
			t.Fatal(err)
		}
		if took := time.Since(t0); took > delay/3 {
			t.Fatalf("%s took %s while another chat's file downloaded", text, took)
		}
	}
	if time.Since(start) > delay {
		t.Fatalf("the other chat's answers came after the download (%s)", time.Since(start))
	}
	if err := h.bot.WaitHandled(ctx, int64(doc)); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took < delay {
		t.Fatalf("preview after %s, before the download's %s", took, delay)
	}
	var previews int
	for _, m := range h.emu.Messages(keeper.ID) {
		if strings.Contains(m.Plain, "可导入 3 行") {
			previews++
		}
	}
	if previews != 1 || h.emu.Calls("getFile") != 1 {
		t.Fatalf("%d previews, %d getFile calls; want one each", previews, h.emu.Calls("getFile"))
	}
}
