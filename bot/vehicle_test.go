package bot_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/oned"
	"github.com/makiuchi-d/gozxing/qrcode"
	"github.com/xuri/excelize/v2"

	"github.com/dealerbot/dealerbot/storage/storagetest"
)

// xlsxOf writes rows as the first sheet of a workbook.
func xlsxOf(tb testing.TB, rows [][]string) []byte {
	tb.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, row := range rows {
		for j, v := range row {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
			if err := f.SetCellValue("Sheet1", cell, v); err != nil {
				tb.Fatal(err)
			}
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// barcodePhoto is a JPEG "photo": the barcode on a white 800×600 page.
func barcodePhoto(tb testing.TB, text string, format gozxing.BarcodeFormat) []byte {
	tb.Helper()
	var m *gozxing.BitMatrix
	var err error
	if format == gozxing.BarcodeFormat_QR_CODE {
		m, err = qrcode.NewQRCodeWriter().Encode(text, format, 240, 240, nil)
	} else {
		m, err = oned.NewCode128Writer().Encode(text, format, 480, 100, nil)
	}
	if err != nil {
		tb.Fatal(err)
	}
	page := image.NewRGBA(image.Rect(0, 0, 800, 600))
	draw.Draw(page, page.Bounds(), &image.Uniform{color.White}, image.Point{}, draw.Src)
	draw.Draw(page, m.Bounds().Add(image.Pt(150, 200)), m, image.Point{}, draw.Src)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, page, &jpeg.Options{Quality: 85}); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// TestR3_1_ImportToStockEndToEnd: a stock keeper sends the dispatch list,
// sees the preview naming the broken row, imports with one tap (a second
// tap imports nothing), and takes a car through arrival and inspection
// into stock; a failed inspection tells the manager.
func TestR3_1_ImportToStockEndToEnd(t *testing.T) {
	h := newHarness(t)
	keeper := h.enroll("库管员小周", "stock_keeper", "zh")
	boss := h.enroll("王经理", "manager", "zh")
	sheet := append(storagetest.DispatchSheet(0, 3), []string{"4", storagetest.WrongVIN(3), "轩逸", "舒适版", "白", "E3", "C3"})
	msgs := h.sayIn(keeper, keeper.ID, func() int {
		return h.emu.SendDocument(keeper, "发车清单.xlsx", "", xlsxOf(t, sheet))
	})
	if len(msgs) != 1 {
		t.Fatalf("preview: %v", plains(msgs))
	}
	contains(t, msgs[0].Plain, "共 4 行，可导入 3 行，拒绝 1 行", "第 5 行 "+storagetest.WrongVIN(3), "校验位")
	if got := h.press(keeper, "导入 3 行"); len(got) == 0 || !strings.Contains(got[len(got)-1].Plain, "已导入 3 辆车") {
		t.Fatalf("import: %v", plains(got))
	}
	if ans := h.popup(keeper, "导入 3 行"); !strings.Contains(ans, "已经导入过了") {
		t.Fatalf("second tap: %q", ans)
	}

	vin := storagetest.VIN(1)
	contains(t, h.reply(keeper, "/car "+vin[11:]), vin, "天籁 舒适版 白", "状态：在途", "库管员小周")
	got := h.press(keeper, "→ 已到店待检")
	contains(t, got[len(got)-1].Plain, "已改为“已到店待检”", "库龄：0 天")

	contains(t, h.reply(keeper, "/pdi "+vin+" fail 3,7 缺三角警示牌"), "检查不合格（2 项）", "已通知 1 位部门经理")
	contains(t, h.lastText(boss), vin, "随车工具和资料（缺三角警示牌）", "库管员小周")
	contains(t, h.reply(keeper, "/pdi "+vin+" ok E1 C9"), "合格证与随车资料不一致")
	contains(t, h.reply(keeper, "/pdi "+vin[11:]+" ok E1 C1"), "到店检查合格，已入库", "状态：在库", "PDI：")

	stock := h.say(keeper, "/stock")
	contains(t, stock[0].Plain, "库存 1 辆", "天籁 舒适版 白：在库 1", "在途 2")
	if len(stock[0].Buttons) != 1 || !strings.HasPrefix(stock[0].Buttons[0][0].Text, vin[11:]) {
		t.Fatalf("stock buttons %+v", stock[0].Buttons)
	}
	got = h.press(keeper, stock[0].Buttons[0][0].Text)
	contains(t, got[len(got)-1].Plain, vin, "状态：在库")

	// A seller sees the card and reserves; only the ledger's keepers add cars.
	seller := h.enroll("陈顾问", "consultant", "zh")
	h.reply(seller, "/car "+vin)
	got = h.press(seller, "预留 7 天")
	contains(t, got[len(got)-1].Plain, "状态：已预留", "预留至")
	contains(t, h.reply(seller, "/car add "+storagetest.VIN(50)+" 轩逸 舒适版 白"), "您无权执行此操作")
}

func TestR3_1_CarAddByHand(t *testing.T) {
	h := newHarness(t)
	keeper := h.enroll("库管员小周", "stock_keeper", "zh")
	contains(t, h.reply(keeper, "/car add "+storagetest.VIN(7)+" 轩逸 舒适版 白 E7"), "已录入车辆 "+storagetest.VIN(7)+"（在途）", "状态：在途", "E7")
	wrong := storagetest.WrongVIN(8)
	contains(t, h.reply(keeper, "/car add "+wrong+" 轩逸 舒适版 白"), "校验位（第 9 位）是 "+wrong[8:9]+"，按其余各位应为 "+storagetest.VIN(8)[8:9])
	contains(t, h.reply(keeper, "/car add "+storagetest.VIN(7)+" 轩逸 舒适版 白"), "已在本店台账中")
	contains(t, h.reply(keeper, "/car "+storagetest.VIN(9)), "本店台账中没有车辆")
}

func TestR3_1_FilesRefused(t *testing.T) {
	h := newHarness(t)
	keeper := h.enroll("库管员小周", "stock_keeper", "zh")
	big := make([]byte, 30<<20)
	msgs := h.sayIn(keeper, keeper.ID, func() int { return h.emu.SendDocument(keeper, "大清单.xlsx", "", big) })
	contains(t, msgs[0].Plain, "30.0 MB", "20.0 MB")
	if n := h.emu.Calls("getFile"); n != 0 {
		t.Errorf("getFile called %d times for a 30 MB file", n)
	}
	msgs = h.sayIn(keeper, keeper.ID, func() int { return h.emu.SendDocument(keeper, "清单.txt", "", []byte("VIN,车型\n")) })
	contains(t, msgs[0].Plain, "“清单.txt”不是 Excel 表格")
	msgs = h.sayIn(keeper, keeper.ID, func() int { return h.emu.SendDocument(keeper, "坏.xlsx", "", []byte("not a zip")) })
	contains(t, msgs[0].Plain, "无法作为 Excel 表格读取")
	msgs = h.sayIn(keeper, keeper.ID, func() int {
		return h.emu.SendDocument(keeper, "无表头.xlsx", "", xlsxOf(t, [][]string{{"a", "b"}, {"1", "2"}}))
	})
	contains(t, msgs[0].Plain, "没有表头")
}

func TestR3_1_BarcodePhoto(t *testing.T) {
	h := newHarness(t)
	keeper := h.enroll("库管员小周", "stock_keeper", "zh")
	h.reply(keeper, "/car add "+storagetest.VIN(1)+" 轩逸 舒适版 白")
	qr := barcodePhoto(t, "合格证编号:WAC0001;车辆识别代号:"+storagetest.VIN(1)+";", gozxing.BarcodeFormat_QR_CODE)
	msgs := h.sayIn(keeper, keeper.ID, func() int { return h.emu.SendPhoto(keeper, qr) })
	contains(t, msgs[0].Plain, "从条码读到 VIN "+storagetest.VIN(1), "状态：在途")
	c128 := barcodePhoto(t, storagetest.VIN(2), gozxing.BarcodeFormat_CODE_128)
	msgs = h.sayIn(keeper, keeper.ID, func() int { return h.emu.SendPhoto(keeper, c128) })
	contains(t, msgs[0].Plain, "不在本店台账中", "/car add "+storagetest.VIN(2))
}

// TestR3_1_PreviewOfManyBrokenRows: a list with hundreds of broken rows
// still answers in one message within Telegram's 4096, naming the first
// rows and counting the rest.
func TestR3_1_PreviewOfManyBrokenRows(t *testing.T) {
	h := newHarness(t)
	keeper := h.enroll("库管员小周", "stock_keeper", "zh")
	sheet := storagetest.DispatchSheet(0, 2)
	for i := 0; i < 600; i++ {
		sheet = append(sheet, []string{"x", storagetest.WrongVIN(100 + i), "轩逸"})
	}
	msgs := h.sayIn(keeper, keeper.ID, func() int { return h.emu.SendDocument(keeper, "长清单.xlsx", "", xlsxOf(t, sheet)) })
	if len(msgs) != 1 {
		t.Fatalf("%d messages", len(msgs))
	}
	contains(t, msgs[0].Plain, "可导入 2 行，拒绝 600 行", "第 4 行", "……另有 ")
	lacks(t, msgs[0].Plain, "第 603 行")
	if len(msgs[0].Buttons) != 1 || msgs[0].Buttons[0][0].Text != "导入 2 行" {
		t.Fatalf("buttons %+v", msgs[0].Buttons)
	}
}

// TestStores_R3_1_CarOfAnotherStoreNotFound: a car in one store's ledger
// is "not found" to another store's staff, by VIN and by its last six,
// and its import preview cannot be taken from there.
func TestStores_R3_1_CarOfAnotherStoreNotFound(t *testing.T) {
	h := newHarness(t)
	keeper := h.enroll("库管员小周", "stock_keeper", "zh")
	h.reply(keeper, "/car add "+storagetest.VIN(1)+" 轩逸 舒适版 白")
	b := storagetest.AddStore(t, h.db, "b", "Asia/Shanghai")
	other := h.enroll("B店经理", "manager", "zh")
	s, err := h.db.StaffByName(context.Background(), h.db.Stores.Default().ID, "B店经理")
	if err != nil {
		t.Fatal(err)
	}
	if err := h.db.ExecRaw(context.Background(), "UPDATE staff SET store_id = ? WHERE id = ?", b.ID, s.ID); err != nil {
		t.Fatal(err)
	}
	contains(t, h.reply(other, "/car "+storagetest.VIN(1)), "本店台账中没有车辆 "+storagetest.VIN(1))
	contains(t, h.reply(other, "/car "+storagetest.VIN(1)[11:]), "台账中没有 VIN 后 6 位为")
	contains(t, h.reply(other, "/car add "+storagetest.VIN(1)+" 轩逸 舒适版 白"), "集团另一家门店的台账中")
	contains(t, h.reply(other, "/stock"), "库存 0 辆（在途 0")
}
