package telegramtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
)

// maxRequestBytes caps a request body. Telegram accepts 50 MB documents, so
// the cap sits a little above that.
const maxRequestBytes = 64 << 20

// params is a request's arguments, flattened the way the Bot API sees them:
// every argument is a string (nested objects are JSON text), plus uploaded
// files by form-field name.
type params struct {
	values map[string]string
	files  map[string]*upload
}

// upload is one multipart file part.
type upload struct {
	name string
	data []byte
}

// parseParams accepts every encoding the real Bot API accepts: query string,
// application/x-www-form-urlencoded, application/json and multipart/form-data
// (which go-telegram/bot always uses). Body values override query values.
func parseParams(r *http.Request) (*params, *apiError) {
	p := &params{values: map[string]string{}, files: map[string]*upload{}}
	for k, v := range r.URL.Query() {
		if len(v) > 0 {
			p.values[k] = v[0]
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxRequestBytes))
	if err != nil {
		return nil, badRequest("can't read request body: %v", err)
	}
	// go-telegram/bot sends a parameterless call (getMe) as an empty body
	// labelled multipart/form-data; Telegram treats that as no arguments.
	if len(bytes.TrimSpace(body)) == 0 {
		return p, nil
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "multipart/form-data":
		if err := r.ParseMultipartForm(8 << 20); err != nil {
			return nil, badRequest("can't parse multipart/form-data request: %v", err)
		}
		defer func() { _ = r.MultipartForm.RemoveAll() }()
		for k, v := range r.MultipartForm.Value {
			if len(v) > 0 {
				p.values[k] = v[0]
			}
		}
		for k, fhs := range r.MultipartForm.File {
			if len(fhs) == 0 {
				continue
			}
			f, err := fhs[0].Open()
			if err != nil {
				return nil, badRequest("can't read uploaded file %q: %v", k, err)
			}
			data, err := io.ReadAll(f)
			_ = f.Close()
			if err != nil {
				return nil, badRequest("can't read uploaded file %q: %v", k, err)
			}
			p.files[k] = &upload{name: fhs[0].Filename, data: data}
		}
	case "application/x-www-form-urlencoded":
		if err := r.ParseForm(); err != nil {
			return nil, badRequest("can't parse form request: %v", err)
		}
		for k, v := range r.PostForm {
			if len(v) > 0 {
				p.values[k] = v[0]
			}
		}
	case "application/json":
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(body, &obj); err != nil {
			return nil, badRequest("can't parse JSON request body: %v", err)
		}
		for k, raw := range obj {
			if v, ok := jsonArgument(raw); ok {
				p.values[k] = v
			}
		}
	}
	return p, nil
}

// jsonArgument turns one JSON body field into the string form the form
// encodings produce: strings unquoted, objects/arrays/numbers as JSON text.
// null counts as absent, as it does on Telegram.
func jsonArgument(raw json.RawMessage) (string, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return "", false
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err == nil {
			return s, true
		}
	}
	return string(raw), true
}

func (p *params) str(name string) string { return p.values[name] }

func (p *params) has(name string) bool {
	_, ok := p.values[name]
	return ok
}

// int64 parses an integer argument. Telegram treats an unparsable number as
// 0 (and then fails with a domain error such as "message not found"), so
// the emulator does the same instead of inventing a type error.
func (p *params) int64(name string) int64 {
	v, err := strconv.ParseInt(strings.TrimSpace(p.values[name]), 10, 64)
	if err != nil {
		return 0
	}
	return v
}

func (p *params) int(name string) int { return int(p.int64(name)) }

// bool accepts the spellings the Bot API accepts: true/false and 1/0.
func (p *params) bool(name string) bool {
	switch strings.ToLower(strings.TrimSpace(p.values[name])) {
	case "true", "1":
		return true
	}
	return false
}

// apiError is a Telegram error reply; code doubles as the HTTP status.
type apiError struct {
	code       int
	desc       string
	retryAfter int
}

func badRequest(format string, args ...any) *apiError {
	return &apiError{code: http.StatusBadRequest, desc: "Bad Request: " + fmt.Sprintf(format, args...)}
}

func forbidden(desc string) *apiError {
	return &apiError{code: http.StatusForbidden, desc: "Forbidden: " + desc}
}

func tooManyRequests(retryAfter int) *apiError {
	return &apiError{
		code:       http.StatusTooManyRequests,
		desc:       fmt.Sprintf("Too Many Requests: retry after %d", retryAfter),
		retryAfter: retryAfter,
	}
}

var (
	errUnauthorized = &apiError{code: http.StatusUnauthorized, desc: "Unauthorized"}
	errNotFound     = &apiError{code: http.StatusNotFound, desc: "Not Found"}
)

type replyParameters struct {
	RetryAfter int `json:"retry_after,omitempty"`
}

type apiReply struct {
	OK          bool             `json:"ok"`
	Result      json.RawMessage  `json:"result,omitempty"`
	ErrorCode   int              `json:"error_code,omitempty"`
	Description string           `json:"description,omitempty"`
	Parameters  *replyParameters `json:"parameters,omitempty"`
}

// writeReply sends the Telegram JSON envelope. Errors use the error code as
// HTTP status, like Telegram, because some clients look only at the status.
func (s *Server) writeReply(w http.ResponseWriter, result json.RawMessage, aerr *apiError) {
	w.Header().Set("Content-Type", "application/json")
	if aerr == nil {
		body, _ := json.Marshal(apiReply{OK: true, Result: result})
		_, _ = w.Write(body)
		return
	}
	rep := apiReply{ErrorCode: aerr.code, Description: aerr.desc}
	if aerr.retryAfter > 0 {
		rep.Parameters = &replyParameters{RetryAfter: aerr.retryAfter}
	}
	if aerr.code == http.StatusTooManyRequests {
		s.mu.Lock()
		s.served429++
		s.mu.Unlock()
	}
	body, _ := json.Marshal(rep)
	w.WriteHeader(aerr.code)
	_, _ = w.Write(body)
}
