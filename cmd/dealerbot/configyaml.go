package main

import (
	"bytes"
	"encoding"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // the store's time zone loads even where the system has no zoneinfo

	"go.yaml.in/yaml/v3"

	"github.com/dealerbot/dealerbot/domain"
)

// This file reads the config file so that each fault names its dotted key
// and its line, and the whole file's faults are reported at once.

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

// decodeConfigYAML lays the YAML document over cfg. yaml.v3 gives every
// node of the document its line, but names only a line in its decoding
// errors, as text; so the node tree is first walked beside cfg's type,
// which knows each node's dotted key, and every key that matches no
// setting, is set twice or holds a value its setting cannot take is
// reported at its key and line. Only a document without such faults is
// decoded into cfg.
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

	var faults []error
	checkConfigNode(&doc, reflect.TypeFor[Config](), configKey{}, &faults)
	if len(faults) > 0 {
		return errors.Join(faults...)
	}
	if err := doc.Decode(cfg); err != nil { // the walk found no fault: not expected
		return errors.New(strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if root := doc.Content[0]; root.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(root.Content); i += 2 {
			cfg.storeSet = cfg.storeSet || root.Content[i].Value == "store"
		}
	}
	return nil
}

// configKey is where a value sits in the file.
type configKey struct {
	path   string       // "rules.rota.max_off_per_day", "store.working_days[2]"; "" for the whole file
	name   string       // the key as written; "" for a list item
	parent reflect.Type // the type that holds the key
}

// checkConfigNode walks n, the value at k, which decodes into a t, and
// adds to faults what yaml.v3 would refuse or silently get wrong, each at
// its key and line.
func checkConfigNode(n *yaml.Node, t reflect.Type, k configKey, faults *[]error) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == reflect.TypeFor[RuleOverrides]() { // a store's rules: the rules section's keys
		t = reflect.TypeFor[domain.Rules]()
	}
	switch {
	case n.Kind == yaml.DocumentNode:
		for _, c := range n.Content {
			checkConfigNode(c, t, k, faults)
		}
	case n.Kind == yaml.AliasNode:
		a := *n.Alias
		a.Line = n.Line // a fault in "*name" is reported where it is used
		checkConfigNode(&a, t, k, faults)
	case n.Kind == yaml.MappingNode && (t.Kind() == reflect.Struct && !isConfigScalar(t) || t.Kind() == reflect.Map):
		checkConfigMapping(n, t, k, faults)
	case n.Kind == yaml.SequenceNode && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array):
		for i, item := range n.Content {
			checkConfigNode(item, t.Elem(), configKey{path: fmt.Sprintf("%s[%d]", k.path, i), parent: t}, faults)
		}
	case t.Kind() == reflect.Interface:
		// anything goes
	default:
		if msg := checkConfigValue(n, t, k); msg != "" {
			if k.path == "" {
				msg = "the file must be a set of sections such as store: and database:"
			}
			*faults = append(*faults, &configKeyError{k.path, n.Line, msg})
		}
	}
}

// checkConfigMapping checks a mapping's keys and their values.
func checkConfigMapping(n *yaml.Node, t reflect.Type, k configKey, faults *[]error) {
	var fields map[string]reflect.Type
	if t.Kind() == reflect.Struct {
		fields = configFields(t)
	}
	seen := make(map[string]int, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		kn, vn := n.Content[i], n.Content[i+1]
		if kn.ShortTag() == "!!merge" { // "<<: *defaults" lays an anchored mapping here
			checkConfigNode(vn, t, k, faults)
			continue
		}
		key := configKey{path: kn.Value, name: kn.Value, parent: t}
		if k.path != "" {
			key.path = k.path + "." + kn.Value
		}
		if first, ok := seen[kn.Value]; ok {
			*faults = append(*faults, &configKeyError{key.path, kn.Line, fmt.Sprintf("set a second time (first at line %d); keep one", first)})
			continue
		}
		seen[kn.Value] = kn.Line
		if fields == nil { // a map's key
			checkConfigNode(vn, t.Elem(), key, faults)
			continue
		}
		ft, ok := fields[kn.Value]
		if !ok {
			*faults = append(*faults, &configKeyError{key.path, kn.Line, key.unknownMsg()})
			continue
		}
		checkConfigNode(vn, ft, key, faults)
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

// isConfigScalar tells the structs written as one value, such as a
// ClockTime's "09:00".
func isConfigScalar(t reflect.Type) bool {
	return reflect.PointerTo(t).Implements(reflect.TypeFor[encoding.TextUnmarshaler]())
}

// checkConfigValue decodes n alone into a new t, as yaml.v3 would decode
// it in place, and explains why it cannot be used; "" when it can.
func checkConfigValue(n *yaml.Node, t reflect.Type, k configKey) string {
	err := n.Decode(reflect.New(t).Interface())
	var te *yaml.TypeError
	switch {
	case err != nil && !errors.As(err, &te):
		return err.Error() // a TextUnmarshaler's, such as a bad "HH:MM"
	case err != nil,
		// yaml.v3 would cut a fraction silently: 2.5 becomes 2.
		n.Kind == yaml.ScalarNode && n.ShortTag() == "!!float" && describeConfigType(t) == "a whole number":
		return fmt.Sprintf("cannot use %s as %s%s", k.shown(n), describeConfigType(t), quoteHint(n, t))
	}
	return ""
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

// shown is the value n at k as an error message may repeat it: never the
// DSN.
func (k *configKey) shown(n *yaml.Node) string {
	switch {
	case n.Kind == yaml.SequenceNode:
		return "a list"
	case n.Kind == yaml.MappingNode:
		return "a set of keys"
	case k.path == "database.dsn":
		return "this value"
	}
	return strconv.Quote(n.Value)
}

// quoteHint suggests unquoting a quoted value meant for a setting of type
// t that is not text.
func quoteHint(n *yaml.Node, t reflect.Type) string {
	if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 && t.Kind() != reflect.String {
		return " (remove the quotes)"
	}
	return ""
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
