package bot

import "github.com/dealerbot/dealerbot/domain"

// cleanupMessages are the texts of the month-end clean-up (R1.13).
var cleanupMessages = map[domain.Lang]map[string]string{
	domain.LangZH: {},
	domain.LangEN: {},
}
