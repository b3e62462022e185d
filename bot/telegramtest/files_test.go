package telegramtest

import (
	"bytes"
	"encoding/json"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// pollUpdates fetches what is queued, as the bot's first getUpdates would.
func pollUpdates(t *testing.T, s *Server) []models.Update {
	t.Helper()
	status, r := post(t, s, "getUpdates", map[string]string{"timeout": "0"})
	var ups []models.Update
	if status != 200 || json.Unmarshal(r.Result, &ups) != nil {
		t.Fatalf("getUpdates: %d %s", status, r.Description)
	}
	return ups
}

// download fetches a file the way the library's FileDownloadLink does.
func download(t *testing.T, link string) (int, []byte, string) {
	t.Helper()
	resp, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, body, resp.Header.Get("Content-Type")
}

func testJPEG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := 0; x < w; x++ {
		img.Set(x, x*h/w, color.RGBA{200, 30, 30, 255})
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestUserSendsDocument(t *testing.T) {
	emu := newEmu(t, Options{})
	u := emu.User(80, "Li", "li", "zh")
	client := newClient(t, emu)
	ctx := ctxTimeout(t)
	content := []byte("VIN,model\n1M8GDM9AXKP042788,coach\n")
	emu.SendDocument(u, "到港清单.csv", "", content)

	ups := pollUpdates(t, emu)
	if len(ups) != 1 || ups[0].Message == nil || ups[0].Message.Document == nil {
		t.Fatalf("updates %+v", ups)
	}
	m := ups[0].Message
	d := m.Document
	if d.FileName != "到港清单.csv" || d.MimeType != "text/csv" || d.FileSize != int64(len(content)) ||
		!strings.HasPrefix(d.FileID, "BQAC") || d.FileUniqueID == "" || m.Text != "" || m.Chat.ID != u.ID {
		t.Fatalf("document %+v in %+v", d, m)
	}
	// The chat is open: the bot may answer.
	if _, err := client.SendMessage(ctx, &bot.SendMessageParams{ChatID: u.ID, Text: "收到"}); err != nil {
		t.Fatal(err)
	}

	f, err := client.GetFile(ctx, &bot.GetFileParams{FileID: d.FileID})
	if err != nil || f.FileID != d.FileID || f.FileUniqueID != d.FileUniqueID || f.FileSize != int64(len(content)) || !strings.HasPrefix(f.FilePath, "documents/") || !strings.HasSuffix(f.FilePath, ".csv") {
		t.Fatalf("getFile %+v %v", f, err)
	}
	again, _ := client.GetFile(ctx, &bot.GetFileParams{FileID: d.FileID})
	if again.FilePath != f.FilePath {
		t.Errorf("file_path changed: %s, %s", f.FilePath, again.FilePath)
	}
	status, body, typ := download(t, client.FileDownloadLink(f))
	if status != 200 || !bytes.Equal(body, content) || typ != "text/csv" {
		t.Fatalf("download: %d %q %s", status, body, typ)
	}

	// The bot may pass the user's file on by its file_id.
	fwd, err := client.SendDocument(ctx, &bot.SendDocumentParams{ChatID: u.ID, Document: &models.InputFileString{Data: d.FileID}})
	if err != nil || fwd.Document.FileID != d.FileID {
		t.Fatalf("resend: %+v %v", fwd, err)
	}
	if data, ok := emu.FileData(d.FileID); !ok || !bytes.Equal(data, content) {
		t.Fatal("FileData")
	}

	emu.SendDocument(u, "scan.pdf", "application/pdf", []byte("%PDF-1.4 ..."))
	if ups := pollUpdates(t, emu); ups[len(ups)-1].Message.Document.MimeType != "application/pdf" {
		t.Fatalf("explicit mime %+v", ups[len(ups)-1].Message.Document)
	}
}

func TestUserSendsPhoto(t *testing.T) {
	emu := newEmu(t, Options{})
	u := emu.User(81, "Wang", "", "zh")
	client := newClient(t, emu)
	ctx := ctxTimeout(t)
	photo := testJPEG(t, 1000, 600)
	emu.SendFile(u, InFile{Photo: true, Data: photo, Caption: "LVGBE40K08G123456 铭牌"})

	m := pollUpdates(t, emu)[0].Message
	if m.Caption != "LVGBE40K08G123456 铭牌" || m.Document != nil {
		t.Fatalf("message %+v", m)
	}
	// 90, 320 and 800 pixel copies, then the photo itself.
	want := [][2]int{{90, 54}, {320, 192}, {800, 480}, {1000, 600}}
	if len(m.Photo) != len(want) {
		t.Fatalf("%d sizes: %+v", len(m.Photo), m.Photo)
	}
	ids := map[string]bool{}
	for i, p := range m.Photo {
		if p.Width != want[i][0] || p.Height != want[i][1] || p.FileSize <= 0 || !strings.HasPrefix(p.FileID, "AgAC") || ids[p.FileUniqueID] {
			t.Errorf("size %d: %+v", i, p)
		}
		ids[p.FileUniqueID] = true
		f, err := client.GetFile(ctx, &bot.GetFileParams{FileID: p.FileID})
		if err != nil || !strings.HasPrefix(f.FilePath, "photos/") || f.FileSize != int64(p.FileSize) {
			t.Fatalf("getFile %d: %+v %v", i, f, err)
		}
		status, body, typ := download(t, client.FileDownloadLink(f))
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(body))
		if status != 200 || typ != "image/jpeg" || len(body) != p.FileSize || err != nil || cfg.Width != p.Width || cfg.Height != p.Height {
			t.Errorf("download %d: %d %s %d bytes %+v %v", i, status, typ, len(body), cfg, err)
		}
		if i == len(want)-1 && !bytes.Equal(body, photo) {
			t.Error("the largest size is not the photo sent")
		}
	}
	// The bot may reply to the photo, as to any message.
	if _, err := client.SendMessage(ctx, &bot.SendMessageParams{ChatID: u.ID, Text: "VIN 已识别",
		ReplyParameters: &models.ReplyParameters{MessageID: m.ID}}); err != nil {
		t.Fatal(err)
	}

	// A photo wider than 2560 pixels ends with its 2560 copy; a small one
	// is one size.
	emu.SendPhoto(u, testJPEG(t, 3000, 100))
	emu.SendPhoto(u, testJPEG(t, 60, 40))
	ups := pollUpdates(t, emu)
	big, small := ups[len(ups)-2].Message.Photo, ups[len(ups)-1].Message.Photo
	if top := big[len(big)-1]; len(big) != 5 || top.Width != 2560 || top.Height != 85 {
		t.Errorf("big photo sizes %+v", big)
	}
	if len(small) != 1 || small[0].Width != 60 {
		t.Errorf("small photo sizes %+v", small)
	}
}

func TestGetFileRefusals(t *testing.T) {
	emu := newEmu(t, Options{})
	u := emu.User(82, "Zhao", "", "zh")
	client := newClient(t, emu)
	ctx := ctxTimeout(t)
	emu.SendDocument(u, "ok.txt", "", []byte("small"))
	emu.SendDocument(u, "video.mp4", "video/mp4", make([]byte, 20<<20+1))
	emu.SendDocument(u, "edge.bin", "", make([]byte, 20<<20))
	ups := pollUpdates(t, emu)
	ok, big, edge := ups[0].Message.Document, ups[1].Message.Document, ups[2].Message.Document
	if big.FileSize != 20<<20+1 {
		t.Fatalf("big document %+v", big)
	}

	_, err := client.GetFile(ctx, &bot.GetFileParams{FileID: big.FileID})
	wantAPIError(t, err, "Bad Request: file is too big")
	if _, err := client.GetFile(ctx, &bot.GetFileParams{FileID: edge.FileID}); err != nil {
		t.Errorf("exactly 20 MB: %v", err)
	}
	_, err = client.GetFile(ctx, &bot.GetFileParams{FileID: "BQACAgIAAxkBAAEmu999999"})
	wantAPIError(t, err, "Bad Request: invalid file_id")
	status, r := post(t, emu, "getFile", map[string]string{})
	if status != 400 || r.Description != "Bad Request: invalid file_id" {
		t.Errorf("no file_id: %d %s", status, r.Description)
	}
	// A file the bot sent by URL was never downloaded by the emulator.
	emu.OpenChat(u)
	byURL, err := client.SendDocument(ctx, &bot.SendDocumentParams{ChatID: u.ID, Document: &models.InputFileString{Data: "https://files.example/a.pdf"}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = client.GetFile(ctx, &bot.GetFileParams{FileID: byURL.Document.FileID})
	wantAPIError(t, err, "Bad Request: wrong file_id or the file is temporarily unavailable")

	f, err := client.GetFile(ctx, &bot.GetFileParams{FileID: ok.FileID})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path   string
		status int
	}{
		{"/file/bot" + emu.Token() + "/" + f.FilePath, 200},
		{"/file/bot999:WRONG/" + f.FilePath, 401},
		{"/file/bot" + emu.Token() + "/documents/file_999.txt", 404},
		{"/file/bot" + emu.Token() + "/", 404},
		{"/file/bot" + emu.Token(), 404},
	} {
		status, body, _ := download(t, emu.URL()+c.path)
		if status != c.status {
			t.Errorf("%s: %d %s", c.path, status, body)
		}
		if status != 200 {
			var r rawReply
			if json.Unmarshal(body, &r) != nil || r.OK || r.ErrorCode != status {
				t.Errorf("%s: body %s", c.path, body)
			}
		}
	}
	resp, err := http.Post(emu.URL()+"/file/bot"+emu.Token()+"/"+f.FilePath, "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("POST download: %d", resp.StatusCode)
	}
}
