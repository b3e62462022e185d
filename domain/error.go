package domain

import (
	"errors"
	"fmt"
)

// Error codes. The bot turns each into a reply; only EINTERNAL is logged as a fault.
const (
	ECONFLICT    = "conflict"
	EFORBIDDEN   = "forbidden"
	EINTERNAL    = "internal"
	EINVALID     = "invalid"
	ENOTFOUND    = "not_found"
	EUNAVAILABLE = "unavailable"
)

// Error is the one error type the layers exchange. Key names an entry of the
// bot's message catalogue (so the user reads it in their own language) and
// Args fills it; Message is the English text for logs and for callers that
// have no catalogue (the CLI).
type Error struct {
	Code    string
	Key     string
	Args    []any
	Message string
}

// Error implements the error interface.
func (e *Error) Error() string {
	return fmt.Sprintf("dealerbot error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and an English message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Errorkf returns an *Error that also names a catalogue key and its arguments.
func Errorkf(code, key string, args []any, format string, fargs ...any) *Error {
	return &Error{Code: code, Key: key, Args: args, Message: fmt.Sprintf(format, fargs...)}
}

// ErrorCode returns the code of the *Error in err's chain, EINTERNAL for any
// other error and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the English message of the *Error in err's chain, or
// "Internal error." for any other error.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}
