package telegramtest

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/go-telegram/bot/models"
)

// maxDownloadBytes is the largest file a bot may fetch: getFile refuses
// bigger ones ("file is too big"), although users may send them.
const maxDownloadBytes = 20 << 20

// photoSides are the longest sides of the sizes Telegram makes of a photo
// a user sends (its "s", "m", "x", "y" and "w" sizes).
var photoSides = []int{90, 320, 800, 1280, 2560}

// InFile is a file a user sends the bot.
type InFile struct {
	// Photo makes it a photo (an array of sizes); otherwise a document.
	Photo bool
	// Name and MimeType describe a document; MimeType defaults from the
	// name, then from the content. Photos have neither, as on Telegram.
	Name, MimeType string
	Data           []byte
	Caption        string
}

// SendDocument queues a "message" update in which the user sends the bot a
// file as a document, like SendText, and returns the update id. The
// message's document has file_id, file_unique_id, file_name, mime_type and
// file_size; the bot fetches the bytes with getFile and the download route.
func (s *Server) SendDocument(from User, name, mimeType string, data []byte) int {
	return s.SendFile(from, InFile{Name: name, MimeType: mimeType, Data: data})
}

// SendPhoto queues a "message" update in which the user sends the bot a
// photo (JPEG, or any image Go decodes). Like Telegram, the message carries
// an array of sizes, smallest first: scaled-down JPEG copies for each of
// 90, 320, 800 and 1280 (2560) pixels below the photo's longest side, and
// last the photo itself with the bytes the user sent (Telegram would
// recompress them; a test reads back exactly what it sent). A photo over
// 2560 pixels ends with its 2560-pixel copy instead.
func (s *Server) SendPhoto(from User, jpegBytes []byte) int {
	return s.SendFile(from, InFile{Photo: true, Data: jpegBytes})
}

// SendFile queues a document or photo message from the user in their
// private chat, with an optional caption. It panics on an empty file or a
// photo that is not an image, which are test bugs (Telegram's apps never
// send them).
func (s *Server) SendFile(from User, f InFile) int {
	if len(f.Data) == 0 {
		panic("telegramtest: SendFile: empty file")
	}
	var sizes []*fileState
	if f.Photo {
		var err error
		if sizes, err = photoSizes(f.Data); err != nil {
			panic(fmt.Sprintf("telegramtest: SendPhoto: %v", err))
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.registerLocked(from)
	if c.blocked {
		c.open = true
		s.setBlockedLocked(c, false)
	}
	c.open = true
	fromModel := from.Model()
	msg := &models.Message{From: &fromModel, Chat: c.chat, Date: int(s.now().Unix()), Caption: f.Caption}
	var doc, largest *fileState
	if f.Photo {
		for _, size := range sizes {
			fs := s.newFileLocked("photo")
			fs.view.Data, fs.view.Size = size.view.Data, size.view.Size
			fs.view.Width, fs.view.Height, fs.view.MimeType = size.view.Width, size.view.Height, "image/jpeg"
			s.files[fs.view.FileID] = fs
			msg.Photo = append(msg.Photo, fs.photoSizes()...)
			largest = fs
		}
	} else {
		doc = s.newFileLocked("document")
		doc.view.Name, doc.view.Data, doc.view.Size = f.Name, append([]byte(nil), f.Data...), len(f.Data)
		doc.view.MimeType = f.MimeType
		if doc.view.MimeType == "" {
			doc.view.MimeType = mime.TypeByExtension(path.Ext(f.Name))
		}
		if doc.view.MimeType == "" {
			doc.view.MimeType = http.DetectContentType(f.Data)
		}
		doc.view.MimeType, _, _ = strings.Cut(doc.view.MimeType, ";")
		s.files[doc.view.FileID] = doc
		msg.Document = doc.document()
	}
	s.storeIncomingLocked(c, msg)
	sm := c.msgs[msg.ID]
	sm.view.Text, sm.view.Plain = f.Caption, f.Caption
	if doc != nil {
		sm.view.Document = doc.view.clone()
	}
	if largest != nil {
		sm.view.Photo = largest.view.clone()
	}
	return int(s.enqueueLocked(models.Update{Message: msg}))
}

// photoSizes decodes a photo and makes its sizes, smallest first; only the
// Data, Size, Width and Height of the results are set.
func photoSizes(data []byte) ([]*fileState, error) {
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("not an image: %w", err)
	}
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	long := max(w, h)
	var out []*fileState
	for _, side := range photoSides {
		if side >= long {
			break
		}
		sw, sh := max(w*side/long, 1), max(h*side/long, 1)
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, scaleNearest(img, sw, sh), &jpeg.Options{Quality: 87}); err != nil {
			return nil, err
		}
		out = append(out, &fileState{view: File{Data: buf.Bytes(), Size: buf.Len(), Width: sw, Height: sh}})
	}
	if long <= photoSides[len(photoSides)-1] {
		out = append(out, &fileState{view: File{Data: append([]byte(nil), data...), Size: len(data), Width: w, Height: h}})
	}
	return out, nil
}

// scaleNearest resizes by nearest neighbour: thumbnails need to exist and
// be images of the right size, not to look good.
func scaleNearest(src image.Image, w, h int) image.Image {
	b := src.Bounds()
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			dst.Set(x, y, src.At(b.Min.X+x*b.Dx()/w, b.Min.Y+y*b.Dy()/h))
		}
	}
	return dst
}

// handleGetFile implements getFile: the file's ids, size and a file_path
// for the download route. Telegram refuses files over 20 MB to bots, and
// file_ids it does not know. A file the bot sent by URL has no content
// here (the emulator downloads nothing), so it answers as Telegram does for
// a file it cannot fetch.
func handleGetFile(s *Server, c *call) (any, *apiError) {
	f := s.files[strings.TrimSpace(c.p.str("file_id"))]
	switch {
	case f == nil:
		return nil, badRequest("invalid file_id")
	case f.view.Data == nil:
		return nil, badRequest("wrong file_id or the file is temporarily unavailable")
	case f.view.Size > maxDownloadBytes:
		return nil, badRequest("file is too big")
	}
	if f.path == "" {
		dir, ext := "documents", path.Ext(f.view.Name)
		if f.kind == "photo" {
			dir, ext = "photos", ".jpg"
		}
		s.lastPath++
		f.path = dir + "/file_" + strconv.Itoa(s.lastPath) + ext
		if s.paths == nil {
			s.paths = map[string]*fileState{}
		}
		s.paths[f.path] = f
	}
	return models.File{FileID: f.view.FileID, FileUniqueID: f.view.UniqueID, FileSize: int64(f.view.Size), FilePath: f.path}, nil
}

// serveFile implements the download route, GET /file/bot<token>/<file_path>,
// for paths that getFile gave out. A wrong token is 401 and any other
// path 404, with Telegram's JSON error bodies.
func (s *Server) serveFile(w http.ResponseWriter, r *http.Request, rest string) {
	token, filePath, ok := strings.Cut(rest, "/")
	switch {
	case !ok || filePath == "" || (r.Method != http.MethodGet && r.Method != http.MethodHead):
		s.writeReply(w, nil, errNotFound)
		return
	case token != s.opts.Token:
		s.writeReply(w, nil, errUnauthorized)
		return
	}
	s.beginActivity("download")
	defer s.endActivity("download")
	s.mu.Lock()
	f := s.paths[filePath]
	var data []byte
	var typ string
	if f != nil {
		data, typ = f.view.Data, f.view.MimeType
	}
	s.mu.Unlock()
	if f == nil {
		s.writeReply(w, nil, errNotFound)
		return
	}
	if d := s.takeDownloadDelay(); d > 0 {
		select {
		case <-time.After(d):
		case <-r.Context().Done():
			return
		}
	}
	if typ == "" {
		typ = "application/octet-stream"
	}
	w.Header().Set("Content-Type", typ)
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	if r.Method == http.MethodGet {
		_, _ = w.Write(data)
	}
}
