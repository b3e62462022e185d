package jobs

import (
	"go/build"
	"strings"
	"testing"
)

// TestImportsOnlyDomainAndCron keeps the layering of issue 11: a job
// calls a service and hands the outcomes to a notifier it declares, so
// the package (and its tests, which use fakes) imports neither the chat
// layer nor the store.
func TestImportsOnlyDomainAndCron(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	const module = "github.com/dealerbot/dealerbot/"
	allowed := map[string]bool{module + "domain": true, "github.com/robfig/cron/v3": true}
	for _, list := range []struct {
		what    string
		imports []string
	}{
		{"package", pkg.Imports},
		{"tests", append(pkg.TestImports, pkg.XTestImports...)},
	} {
		for _, path := range list.imports {
			std := !strings.Contains(strings.SplitN(path, "/", 2)[0], ".")
			if !std && !allowed[path] {
				t.Errorf("jobs %s import %s; want only domain, cron and the standard library", list.what, path)
			}
		}
	}
}
