package telegramtest

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/png"
	"strings"
	"testing"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

func TestSendDocumentRoundTrip(t *testing.T) {
	emu := newEmu(t, Options{})
	u := chatWith(emu, 70)
	client := newClient(t, emu)
	ctx := ctxTimeout(t)
	content := []byte("date,car,price\n2025-03-01,Camry,30000\n")
	m, err := client.SendDocument(ctx, &bot.SendDocumentParams{
		ChatID:    u.ID,
		Document:  &models.InputFileUpload{Filename: "report.csv", Data: bytes.NewReader(content)},
		Caption:   "<b>Sales</b> for March &amp; April",
		ParseMode: models.ParseModeHTML,
	})
	if err != nil {
		t.Fatal(err)
	}
	d := m.Document
	if d == nil || d.FileName != "report.csv" || d.FileSize != int64(len(content)) || d.FileID == "" || d.FileUniqueID == "" || d.MimeType != "text/csv" {
		t.Fatalf("document %+v", d)
	}
	if m.Caption != "Sales for March & April" || len(m.CaptionEntities) != 1 || m.Text != "" {
		t.Fatalf("caption %q %+v", m.Caption, m.CaptionEntities)
	}
	stored, _ := emu.LastMessage(u.ID)
	if stored.Document == nil || !bytes.Equal(stored.Document.Data, content) || stored.Plain != "Sales for March & April" {
		t.Fatalf("stored %+v", stored)
	}
	if data, ok := emu.FileData(d.FileID); !ok || !bytes.Equal(data, content) {
		t.Fatal("FileData")
	}

	// Re-sending by file_id reuses the file.
	again, err := client.SendDocument(ctx, &bot.SendDocumentParams{ChatID: u.ID, Document: &models.InputFileString{Data: d.FileID}})
	if err != nil || again.Document.FileID != d.FileID {
		t.Fatalf("by file_id: %+v %v", again, err)
	}
	byURL, err := client.SendDocument(ctx, &bot.SendDocumentParams{ChatID: u.ID, Document: &models.InputFileString{Data: "https://files.example/price.pdf"}})
	if err != nil || byURL.Document.FileName != "price.pdf" {
		t.Fatalf("by URL: %+v %v", byURL, err)
	}
	if last, _ := emu.LastMessage(u.ID); last.Document.URL != "https://files.example/price.pdf" || last.Document.Data != nil {
		t.Fatalf("url document %+v", last.Document)
	}

	rejects := []struct {
		p    *bot.SendDocumentParams
		want string
	}{
		{&bot.SendDocumentParams{ChatID: u.ID, Document: &models.InputFileString{Data: "no-such-file-id"}}, "Bad Request: wrong file identifier/HTTP URL specified"},
		{&bot.SendDocumentParams{ChatID: u.ID, Document: &models.InputFileUpload{Filename: "empty.txt", Data: bytes.NewReader(nil)}}, "Bad Request: file must be non-empty"},
		{&bot.SendDocumentParams{ChatID: u.ID, Document: &models.InputFileString{Data: d.FileID}, Caption: "<i>x", ParseMode: models.ParseModeHTML}, `Can't find end tag corresponding to start tag "i"`},
		{&bot.SendDocumentParams{ChatID: u.ID, Document: &models.InputFileString{Data: d.FileID}, Caption: strings.Repeat("c", 1025)}, "Bad Request: message caption is too long"},
		{&bot.SendDocumentParams{ChatID: int64(99999), Document: &models.InputFileString{Data: d.FileID}}, "Bad Request: chat not found"},
	}
	for _, tc := range rejects {
		_, err := client.SendDocument(ctx, tc.p)
		wantAPIError(t, err, tc.want)
	}
	if n := len(emu.Messages(u.ID)); n != 3 {
		t.Fatalf("%d messages stored", n)
	}
	status, r := post(t, emu, "sendDocument", map[string]string{"chat_id": "70"})
	if status != 400 || r.Description != "Bad Request: there is no document in the request" {
		t.Fatalf("missing document: %d %q", status, r.Description)
	}
	_, err = client.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: u.ID, MessageID: m.ID, Text: "x"})
	wantAPIError(t, err, "Bad Request: there is no text in the message to edit")
}

func TestSendPhoto(t *testing.T) {
	emu := newEmu(t, Options{})
	u := chatWith(emu, 71)
	client := newClient(t, emu)
	ctx := ctxTimeout(t)
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 64, 48))); err != nil {
		t.Fatal(err)
	}
	m, err := client.SendPhoto(ctx, &bot.SendPhotoParams{
		ChatID: u.ID, Photo: &models.InputFileUpload{Filename: "camry.png", Data: bytes.NewReader(buf.Bytes())}, Caption: "Camry",
		ReplyMarkup: inlineKB([]models.InlineKeyboardButton{{Text: "Book", CallbackData: "book"}}),
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Photo) != 1 || m.Photo[0].Width != 64 || m.Photo[0].Height != 48 || m.Caption != "Camry" || m.ReplyMarkup == nil {
		t.Fatalf("photo message %+v", m)
	}
	stored, _ := emu.LastMessage(u.ID)
	if stored.Photo == nil || !bytes.Equal(stored.Photo.Data, buf.Bytes()) || stored.Buttons[0][0].Data != "book" {
		t.Fatalf("stored %+v", stored)
	}
	_, err = client.SendPhoto(ctx, &bot.SendPhotoParams{ChatID: u.ID, Photo: &models.InputFileUpload{Filename: "x.png", Data: strings.NewReader("not an image")}})
	wantAPIError(t, err, "Bad Request: IMAGE_PROCESS_FAILED")
	// A photo's file_id is not a document.
	_, err = client.SendDocument(ctx, &bot.SendDocumentParams{ChatID: u.ID, Document: &models.InputFileString{Data: m.Photo[0].FileID}})
	wantAPIError(t, err, "Bad Request: wrong file identifier/HTTP URL specified")
}

// pngHeader is a PNG's signature and IHDR chunk for a w×h image, padded to
// size bytes: all image.DecodeConfig reads, so the limits can be tried
// without encoding a huge picture.
func pngHeader(w, h uint32, size int) []byte {
	ihdr := make([]byte, 0, 25)
	ihdr = binary.BigEndian.AppendUint32(ihdr, 13)
	body := []byte("IHDR")
	body = binary.BigEndian.AppendUint32(body, w)
	body = binary.BigEndian.AppendUint32(body, h)
	body = append(body, 8, 2, 0, 0, 0) // 8-bit RGB, deflate, no filter, no interlace
	ihdr = append(ihdr, body...)
	ihdr = binary.BigEndian.AppendUint32(ihdr, crc32.ChecksumIEEE(body))
	out := append([]byte("\x89PNG\r\n\x1a\n"), ihdr...)
	if size > len(out) {
		out = append(out, make([]byte, size-len(out))...)
	}
	return out
}

// TestSendPhoto_TelegramLimits: a photo is at most 10 MB, its width and
// height add up to at most 10000 and neither side is more than 20 times
// the other; the edges themselves pass.
func TestSendPhoto_TelegramLimits(t *testing.T) {
	emu := newEmu(t, Options{})
	u := chatWith(emu, 72)
	client := newClient(t, emu)
	ctx := ctxTimeout(t)
	cases := []struct {
		name string
		data []byte
		want string // "" accepted
	}{
		{"sides add to 10000", pngHeader(5000, 5000, 0), ""},
		{"sides add to 10001", pngHeader(5001, 5000, 0), "Bad Request: PHOTO_INVALID_DIMENSIONS"},
		{"20:1", pngHeader(2000, 100, 0), ""},
		{"1:20", pngHeader(100, 2000, 0), ""},
		{"21:1", pngHeader(2100, 100, 0), "Bad Request: PHOTO_INVALID_DIMENSIONS"},
		{"1:21", pngHeader(100, 2100, 0), "Bad Request: PHOTO_INVALID_DIMENSIONS"},
		{"10 MB", pngHeader(1080, 1920, 10<<20), ""},
		{"10 MB and a byte", pngHeader(1080, 1920, 10<<20+1), "Bad Request: file is too big"},
	}
	sent := 0
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, err := client.SendPhoto(ctx, &bot.SendPhotoParams{ChatID: u.ID, Photo: &models.InputFileUpload{Filename: "p.png", Data: bytes.NewReader(tc.data)}})
			if tc.want != "" {
				wantAPIError(t, err, tc.want)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			sent++
			cfg, _, _ := image.DecodeConfig(bytes.NewReader(tc.data))
			if m.Photo[0].Width != cfg.Width || m.Photo[0].Height != cfg.Height || m.Photo[0].FileSize != len(tc.data) {
				t.Fatalf("photo %+v", m.Photo[0])
			}
		})
	}
	if n := len(emu.Messages(u.ID)); n != sent {
		t.Fatalf("%d messages stored for %d accepted photos", n, sent)
	}
}
