package telegramtest

import (
	"bytes"
	"fmt"
	"image"
	_ "image/gif" // photo uploads are checked by decoding their header
	_ "image/jpeg"
	_ "image/png"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/go-telegram/bot/models"
)

// Telegram's upload limits for bots.
const (
	maxDocumentBytes = 50 << 20
	maxPhotoBytes    = 10 << 20
)

// fileState is a file the emulator has seen; its file_id can be reused.
type fileState struct {
	kind string // "document" or "photo"
	view File
	path string // file_path, given out by the first getFile
}

func (f *fileState) document() *models.Document {
	return &models.Document{
		FileID: f.view.FileID, FileUniqueID: f.view.UniqueID,
		FileName: f.view.Name, MimeType: f.view.MimeType, FileSize: int64(f.view.Size),
	}
}

// photoSizes returns a single size: the emulator does not make thumbnails.
func (f *fileState) photoSizes() []models.PhotoSize {
	return []models.PhotoSize{{
		FileID: f.view.FileID, FileUniqueID: f.view.UniqueID,
		Width: f.view.Width, Height: f.view.Height, FileSize: f.view.Size,
	}}
}

func handleSendDocument(s *Server, c *call) (any, *apiError) { return s.sendMedia(c, "document") }

func handleSendPhoto(s *Server, c *call) (any, *apiError) { return s.sendMedia(c, "photo") }

// sendMedia implements sendDocument and sendPhoto: same chat checks as
// sendMessage, an optional caption (≤1024 after parsing) and the file as a
// multipart upload, an "attach://name" reference, a known file_id or an
// HTTP URL.
func (s *Server) sendMedia(c *call, kind string) (any, *apiError) {
	chat, aerr := s.resolveSendChatLocked(c.p.str("chat_id"))
	if aerr != nil {
		return nil, aerr
	}
	file, aerr := s.inputFileLocked(c.p, kind)
	if aerr != nil {
		return nil, aerr
	}
	caption, aerr := formatText(c.p.str("caption"), c.p.str("parse_mode"), c.p.str("caption_entities"), true)
	if aerr != nil {
		return nil, aerr
	}
	mk, aerr := parseReplyMarkup(c.p.str("reply_markup"))
	if aerr != nil {
		return nil, aerr
	}
	replyTo, aerr := s.resolveReplyLocked(chat, c.p)
	if aerr != nil {
		return nil, aerr
	}
	if aerr := s.checkLimitsLocked(chat, c.p.bool("allow_paid_broadcast")); aerr != nil {
		return nil, aerr
	}
	out := outgoing{text: caption, markup: mk, replyTo: replyTo}
	if kind == "photo" {
		out.photo = file
	} else {
		out.document = file
	}
	sm := s.storeBotMessageLocked(chat, out)
	s.recordSendLocked(c.name, sm, c.p.bool("allow_paid_broadcast"))
	c.emit(sentEvent(EventSent, sm))
	return sm.api, nil
}

// inputFileLocked resolves the InputFile argument named after the kind. A
// new file gets its ids here but is registered only when the send commits.
func (s *Server) inputFileLocked(p *params, kind string) (*fileState, *apiError) {
	up := p.files[kind]
	if up == nil {
		ref := strings.TrimSpace(p.str(kind))
		switch {
		case ref == "":
			return nil, badRequest("there is no %s in the request", kind)
		case strings.HasPrefix(ref, "attach://"):
			if up = p.files[strings.TrimPrefix(ref, "attach://")]; up == nil {
				return nil, badRequest("there is no %s in the request", kind)
			}
		case s.files[ref] != nil:
			known := s.files[ref]
			if known.kind != kind {
				return nil, badRequest("wrong file identifier/HTTP URL specified")
			}
			return known, nil
		default:
			return s.urlFileLocked(ref, kind)
		}
	}
	return s.uploadFileLocked(up, kind)
}

func (s *Server) uploadFileLocked(up *upload, kind string) (*fileState, *apiError) {
	if len(up.data) == 0 {
		return nil, badRequest("file must be non-empty")
	}
	limit := maxDocumentBytes
	if kind == "photo" {
		limit = maxPhotoBytes
	}
	if len(up.data) > limit {
		return nil, badRequest("file is too big")
	}
	f := s.newFileLocked(kind)
	f.view.Name = up.name
	f.view.Data = append([]byte(nil), up.data...)
	f.view.Size = len(up.data)
	f.view.MimeType = mime.TypeByExtension(path.Ext(up.name))
	if f.view.MimeType == "" {
		f.view.MimeType = http.DetectContentType(up.data)
	}
	f.view.MimeType, _, _ = strings.Cut(f.view.MimeType, ";")
	if kind == "photo" {
		// Telegram recompresses photos and rejects what is not an image.
		cfg, _, err := image.DecodeConfig(bytes.NewReader(up.data))
		if err != nil {
			return nil, badRequest("IMAGE_PROCESS_FAILED")
		}
		if cfg.Width+cfg.Height > 10000 || cfg.Width > 20*cfg.Height || cfg.Height > 20*cfg.Width {
			return nil, badRequest("PHOTO_INVALID_DIMENSIONS")
		}
		f.view.Width, f.view.Height = cfg.Width, cfg.Height
	}
	return f, nil
}

// urlFileLocked accepts an http(s) URL without downloading it (tests have no
// network); anything else is an unknown file_id, which Telegram rejects.
func (s *Server) urlFileLocked(ref, kind string) (*fileState, *apiError) {
	u, err := url.Parse(ref)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, badRequest("wrong file identifier/HTTP URL specified")
	}
	f := s.newFileLocked(kind)
	f.view.URL = ref
	f.view.Name = path.Base(u.Path)
	f.view.MimeType = mime.TypeByExtension(path.Ext(u.Path))
	f.view.MimeType, _, _ = strings.Cut(f.view.MimeType, ";")
	return f, nil
}

// newFileLocked allocates ids that look like Telegram's (documents start
// with "BQAC", photos with "AgAC") so that code sniffing them still works.
func (s *Server) newFileLocked(kind string) *fileState {
	s.lastFile++
	prefix := "BQAC"
	if kind == "photo" {
		prefix = "AgAC"
	}
	return &fileState{kind: kind, view: File{
		FileID:   fmt.Sprintf("%sAgIAAxkBAAEmu%06d", prefix, s.lastFile),
		UniqueID: fmt.Sprintf("AQADemu%06d", s.lastFile),
	}}
}

// FileData returns the bytes of a file the bot uploaded, by file_id.
func (s *Server) FileData(fileID string) ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.files[fileID]
	if f == nil || f.view.Data == nil {
		return nil, false
	}
	return append([]byte(nil), f.view.Data...), true
}
