package domain

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// DefaultStoreCode is the code of the store a single-store configuration
// runs, and of store 1, which holds every record written before a database
// knew of stores.
const DefaultStoreCode = "main"

// Store is one dealership of the group (a 4S store): its code, its name as
// staff see it, its own calendar and regulation numbers (the group's, with
// the store's overrides), and the group chat its rosters go to (0: none).
// ID is the database's, set once the store is registered.
type Store struct {
	ID          int64
	Code        string
	Name        string
	Calendar    *Calendar
	Rules       Rules
	GroupChatID int64
}

var storeCodeRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,31}$`)

// CheckStoreCode checks a store code: 1–32 of a-z, 0-9, _ and -, starting
// with a letter or digit. Codes are typed in /store and on the command
// line, so they are short and lower case.
func CheckStoreCode(code string) error {
	if !storeCodeRE.MatchString(code) {
		return Errorkf(EINVALID, "err.store_code_bad", []any{code},
			"store code %q: use 1-32 of a-z, 0-9, _ and -, starting with a letter or digit", code)
	}
	return nil
}

// Stores is the group's stores, in configuration order; the first is the
// default (a single-store setup has only it).
type Stores struct {
	list   []*Store
	byID   map[int64]*Store
	byCode map[string]*Store
}

// NewStores checks the stores (at least one; codes valid and distinct;
// each with a calendar) and indexes them by code and, once set, by ID.
func NewStores(list ...*Store) (*Stores, error) {
	if len(list) == 0 {
		return nil, fmt.Errorf("stores: at least one store is required")
	}
	s := &Stores{byID: make(map[int64]*Store, len(list)), byCode: make(map[string]*Store, len(list))}
	for i, st := range list {
		if err := CheckStoreCode(st.Code); err != nil {
			return nil, fmt.Errorf("stores[%d].code: %s", i, ErrorMessage(err))
		}
		if _, dup := s.byCode[st.Code]; dup {
			return nil, fmt.Errorf("stores[%d].code: %q is used by another store", i, st.Code)
		}
		if st.Calendar == nil {
			return nil, fmt.Errorf("stores[%d]: store %q has no calendar", i, st.Code)
		}
		s.byCode[st.Code] = st
		if st.ID != 0 {
			s.byID[st.ID] = st
		}
	}
	s.list = slices.Clone(list)
	return s, nil
}

// All returns the stores in configuration order.
func (s *Stores) All() []*Store { return s.list }

// Len is how many stores the group has.
func (s *Stores) Len() int { return len(s.list) }

// Default is the first store: the one a single-store setup runs.
func (s *Stores) Default() *Store { return s.list[0] }

// ByID returns the store with the database id, nil if none.
func (s *Stores) ByID(id int64) *Store { return s.byID[id] }

// Of returns the store with the database id, or the default store for an
// id no store has (0 for a record of no store). Callers that must not
// guess use ByID.
func (s *Stores) Of(id int64) *Store {
	if st := s.byID[id]; st != nil {
		return st
	}
	return s.Default()
}

// ByCode returns the store with code, or an EINVALID error that names the
// code and the known ones (err.store_unknown).
func (s *Stores) ByCode(code string) (*Store, error) {
	code = strings.ToLower(strings.TrimSpace(code))
	if st := s.byCode[code]; st != nil {
		return st, nil
	}
	return nil, Errorkf(EINVALID, "err.store_unknown", []any{code, s.Codes()},
		"unknown store %q (known: %s)", code, s.Codes())
}

// Codes lists the store codes, comma-separated, in configuration order.
func (s *Stores) Codes() string {
	codes := make([]string, len(s.list))
	for i, st := range s.list {
		codes[i] = st.Code
	}
	return strings.Join(codes, ", ")
}

// Reindex rebuilds the id index after the stores' IDs were set.
func (s *Stores) Reindex() {
	s.byID = make(map[int64]*Store, len(s.list))
	for _, st := range s.list {
		if st.ID != 0 {
			s.byID[st.ID] = st
		}
	}
}
