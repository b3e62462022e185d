// Package domain holds the bot's nouns: their types, validation, rules (pure
// functions of their inputs and now) and the <Noun>Service interfaces that
// storage implements and the bot, jobs, CLI and tests call. A service method
// returns an outcome that says what happened and who must be told, never a
// Telegram text. It imports only the standard library.
package domain
