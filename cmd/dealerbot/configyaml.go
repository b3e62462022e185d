package main

import (
	"bytes"
	"encoding"
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // the store's time zone loads even where the system has no zoneinfo

	"go.yaml.in/yaml/v3"

	"github.com/dealerbot/dealerbot/domain"
)

// This file turns yaml.v3's line-only decoding errors into messages that
// name the dotted config key, so a bad config says exactly what to fix.

// configEnvError is a fault in an environment variable: it names the
// variable, not the file.
type configEnvError struct{ name, msg string }

func (e *configEnvError) Error() string { return e.name + ": " + e.msg }

// configFileError lists the faults found loading one file, one a line,
// each prefixed with the file's name.
type configFileError struct {
	file string
	errs []error
}

func inConfigFile(file string, err error) error {
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	return &configFileError{file, errs}
}

func (e *configFileError) Error() string {
	lines := make([]string, len(e.errs))
	for i, err := range e.errs {
		var env *configEnvError
		if e.file == "" || errors.As(err, &env) {
			lines[i] = err.Error()
		} else {
			lines[i] = e.file + ": " + err.Error()
		}
	}
	return strings.Join(lines, "\n")
}

func (e *configFileError) Unwrap() []error { return e.errs }

// configKeyError is a fault at one key of the file.
type configKeyError struct {
	path string // dotted key, "" when none could be found
	line int    // 0 when unknown
	msg  string
}

func (e *configKeyError) Error() string {
	switch {
	case e.path != "":
		return fmt.Sprintf("%s (line %d): %s", e.path, e.line, e.msg)
	case e.line != 0:
		return fmt.Sprintf("line %d: %s", e.line, e.msg)
	}
	return e.msg
}

// decodeConfigYAML lays the YAML document over cfg, refusing unknown keys.
// yaml.v3 names only a line in its errors; each is rewritten to name the
// dotted key found at that line in an index of the parsed node tree.
func decodeConfigYAML(data []byte, cfg *Config) error {
	var doc, next yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil // an empty file keeps every default
		}
		return errors.New(strings.TrimPrefix(err.Error(), "yaml: "))
	}
	switch err := dec.Decode(&next); {
	case errors.Is(err, io.EOF):
	case err != nil:
		return errors.New(strings.TrimPrefix(err.Error(), "yaml: "))
	default:
		return fmt.Errorf("line %d: a second YAML document starts here; the file must hold only one", next.Line)
	}

	keys := indexConfigKeys(&doc)
	faults := keys.floatsIntoInts()
	strict := yaml.NewDecoder(bytes.NewReader(data))
	strict.KnownFields(true)
	if err := strict.Decode(cfg); err != nil {
		faults = append(faults, keys.explain(err)...)
	}
	slices.SortStableFunc(faults, func(a, b *configKeyError) int { return a.line - b.line })
	// A number too big for an int is both a float and a yaml.v3 error.
	faults = slices.CompactFunc(faults, func(a, b *configKeyError) bool { return *a == *b })
	errs := make([]error, len(faults))
	for i, f := range faults {
		errs[i] = f
	}
	return errors.Join(errs...)
}

// configKey is one key (or list item) of the file and the Go type its value
// decodes into.
type configKey struct {
	path   string       // "rules.rota.max_off_per_day", "store.working_days[2]"
	name   string       // the key as written; "" for a list item
	line   int          // the line of the key or list item
	value  *yaml.Node   // its value
	typ    reflect.Type // nil when the key matches no setting
	parent reflect.Type // the type that holds the key
}

type configKeys []configKey

func indexConfigKeys(doc *yaml.Node) configKeys {
	var keys configKeys
	keys.add(doc, reflect.TypeFor[Config](), "")
	return keys
}

func (ks *configKeys) add(n *yaml.Node, t reflect.Type, path string) {
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			ks.add(c, t, path)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			var ft reflect.Type
			switch t.Kind() {
			case reflect.Struct:
				ft = configFields(t)[k.Value]
			case reflect.Map:
				ft = t.Elem()
			}
			p := k.Value
			if path != "" {
				p = path + "." + k.Value
			}
			*ks = append(*ks, configKey{path: p, name: k.Value, line: k.Line, value: v, typ: ft, parent: t})
			if ft != nil {
				ks.add(v, ft, p)
			}
		}
	case yaml.SequenceNode:
		if t.Kind() != reflect.Slice && t.Kind() != reflect.Array {
			return
		}
		for i, item := range n.Content {
			p := fmt.Sprintf("%s[%d]", path, i)
			*ks = append(*ks, configKey{path: p, line: item.Line, value: item, typ: t.Elem(), parent: t})
			ks.add(item, t.Elem(), p)
		}
	}
}

// configFields maps the keys a struct accepts to the types they decode into.
func configFields(t reflect.Type) map[string]reflect.Type {
	fields := make(map[string]reflect.Type, t.NumField())
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if !f.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		fields[name] = f.Type
	}
	return fields
}

var (
	configYAMLLineRE    = regexp.MustCompile(`^line (\d+): (.*)$`)
	configYAMLUnknownRE = regexp.MustCompile(`^field (.*) not found in type `)
	configYAMLTwiceRE   = regexp.MustCompile(`^mapping key (".*") already defined at line (\d+)$`)
	configYAMLCannotRE  = regexp.MustCompile("^cannot unmarshal !!\\w+(?: `(.*)`)? into (.+)$")
	configTextType      = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// explain rewrites a yaml.v3 decoding error as faults at their keys.
func (ks configKeys) explain(err error) []*configKeyError {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		// A TextUnmarshaler's error (a bad "HH:MM") stops decoding with no
		// line: find the value that gives it.
		for _, k := range ks {
			if k.typ == nil || k.value.Kind != yaml.ScalarNode || !reflect.PointerTo(k.typ).Implements(configTextType) {
				continue
			}
			u := reflect.New(k.typ).Interface().(encoding.TextUnmarshaler)
			if e := u.UnmarshalText([]byte(k.value.Value)); e != nil && e.Error() == err.Error() {
				return []*configKeyError{{k.path, k.value.Line, e.Error()}}
			}
		}
		return []*configKeyError{{msg: strings.TrimPrefix(err.Error(), "yaml: ")}}
	}
	faults := make([]*configKeyError, 0, len(te.Errors))
	for _, msg := range te.Errors {
		faults = append(faults, ks.explainLine(msg))
	}
	return faults
}

func (ks configKeys) explainLine(msg string) *configKeyError {
	m := configYAMLLineRE.FindStringSubmatch(msg)
	if m == nil {
		return &configKeyError{msg: msg}
	}
	line, _ := strconv.Atoi(m[1])
	rest := m[2]
	if u := configYAMLUnknownRE.FindStringSubmatch(rest); u != nil {
		if k := ks.keyAt(line, u[1]); k != nil {
			return &configKeyError{k.path, line, k.unknownMsg()}
		}
		return &configKeyError{line: line, msg: fmt.Sprintf("unknown key %q", u[1])}
	}
	if u := configYAMLTwiceRE.FindStringSubmatch(rest); u != nil {
		name, _ := strconv.Unquote(u[1])
		if k := ks.keyAt(line, name); k != nil {
			return &configKeyError{k.path, line, "set a second time (first at line " + u[2] + "); keep one"}
		}
	}
	if u := configYAMLCannotRE.FindStringSubmatch(rest); u != nil {
		if u[2] == reflect.TypeFor[Config]().String() {
			return &configKeyError{line: line, msg: "the file must be a set of sections such as store: and database:"}
		}
		if k := ks.valueAt(line, u[2], u[1]); k != nil {
			return &configKeyError{k.path, line, fmt.Sprintf("cannot use %s as %s%s", k.shown(), describeConfigType(k.typ), k.quoteHint())}
		}
	}
	for _, k := range ks {
		if k.line == line {
			return &configKeyError{k.path, line, rest}
		}
	}
	return &configKeyError{line: line, msg: rest}
}

// keyAt finds the key written name at line.
func (ks configKeys) keyAt(line int, name string) *configKey {
	for i := range ks {
		if ks[i].line == line && ks[i].name == name {
			return &ks[i]
		}
	}
	return nil
}

// valueAt finds the value at line that yaml.v3 could not decode into the
// type named into, shown as it appears in yaml.v3's message (maybe cut
// short with "..."); lacking an exact match, the innermost value there.
func (ks configKeys) valueAt(line int, into, shown string) *configKey {
	var last *configKey
	for i := range ks {
		k := &ks[i]
		if k.typ == nil || k.value.Line != line {
			continue
		}
		cut, short := strings.CutSuffix(shown, "...")
		same := shown == "" || k.value.Value == shown || short && strings.HasPrefix(k.value.Value, cut)
		if k.typ.String() == into && same {
			return k
		}
		last = k
	}
	return last
}

// unknownMsg explains a key that matches no setting.
func (k *configKey) unknownMsg() string {
	if k.path == "telegram.token" {
		return "the bot token is not read from the file; remove this key and export " + envTelegramToken
	}
	if s := closestConfigKey(k.name, k.parent); s != "" {
		return "unknown key; did you mean " + s + "?"
	}
	return "unknown key"
}

// shown is the value as an error message may repeat it: never the DSN.
func (k *configKey) shown() string {
	switch {
	case k.value.Kind == yaml.SequenceNode:
		return "a list"
	case k.value.Kind == yaml.MappingNode:
		return "a set of keys"
	case k.path == "database.dsn":
		return "this value"
	}
	return strconv.Quote(k.value.Value)
}

func (k *configKey) quoteHint() string {
	if k.value.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 && k.typ.Kind() != reflect.String {
		return " (remove the quotes)"
	}
	return ""
}

// floatsIntoInts reports numbers with a fraction given for whole-number
// settings, which yaml.v3 would silently cut (2.5 becomes 2).
func (ks configKeys) floatsIntoInts() []*configKeyError {
	var faults []*configKeyError
	for _, k := range ks {
		if k.typ == nil || k.value.Kind != yaml.ScalarNode || k.value.ShortTag() != "!!float" ||
			describeConfigType(k.typ) != "a whole number" {
			continue
		}
		faults = append(faults, &configKeyError{k.path, k.value.Line, fmt.Sprintf("cannot use %s as a whole number", k.shown())})
	}
	return faults
}

// describeConfigType names what a setting of type t takes, for messages.
func describeConfigType(t reflect.Type) string {
	switch t {
	case reflect.TypeFor[time.Duration]():
		return "a duration such as 50s, 30m or 72h"
	case reflect.TypeFor[domain.ClockTime]():
		return "a time of day such as 09:00"
	}
	switch t.Kind() {
	case reflect.Struct, reflect.Map:
		return "a set of keys"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "text"
	}
	return t.String()
}

// closestConfigKey suggests the key of struct t that name was probably
// meant to be: one or two typing slips away, and not a guess at a short name.
func closestConfigKey(name string, t reflect.Type) string {
	if t == nil || t.Kind() != reflect.Struct {
		return ""
	}
	best, bestD := "", 3
	for cand := range configFields(t) {
		d := configEditDistance(strings.ToLower(name), strings.ToLower(cand))
		if 2*d < len(name) && (d < bestD || d == bestD && cand < best) {
			best, bestD = cand, d
		}
	}
	return best
}

// configEditDistance counts the insertions, deletions, substitutions and
// swaps of neighbours that turn a into b (optimal string alignment).
func configEditDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}
