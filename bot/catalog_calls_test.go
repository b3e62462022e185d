package bot

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/dealerbot/dealerbot/domain"
)

// TestCatalog_CallsGiveEveryArgument reads the bot's own source: a call
// that names a catalogue text by a literal key must pass at least as many
// arguments after it as the text has verbs. T renders a missing argument
// as empty (so a domain error's text still reads), which hid a headline
// with its subject missing: "已录入车辆 （在途）。" for /car add. A call
// spreading a slice (args...) is not judged.
func TestCatalog_CallsGiveEveryArgument(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") || strings.HasPrefix(name, "messages") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			c, ok := n.(*ast.CallExpr)
			if !ok || c.Ellipsis.IsValid() {
				return true
			}
			if sel, ok := c.Fun.(*ast.SelectorExpr); ok {
				if pkg, ok := sel.X.(*ast.Ident); ok && (pkg.Name == "errors" || pkg.Name == "fmt") {
					return true // an error's own text, not a key
				}
			}
			for i, a := range c.Args {
				lit, ok := a.(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					continue
				}
				key, err := strconv.Unquote(lit.Value)
				if err != nil {
					continue
				}
				text, ok := messages[domain.LangZH][key]
				if !ok {
					continue
				}
				checked++
				verbs := len(verbRE.FindAllString(strings.ReplaceAll(text, "%%", ""), -1))
				if given := len(c.Args) - i - 1; given < verbs {
					t.Errorf("%s: %q has %d verbs, the call passes %d", fset.Position(lit.Pos()), key, verbs, given)
				}
			}
			return true
		})
	}
	if checked < 100 {
		t.Fatalf("only %d calls with a literal key found: the test reads the wrong files", checked)
	}
}
