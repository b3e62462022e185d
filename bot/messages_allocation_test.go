package bot

import (
	"strings"
	"testing"

	"github.com/dealerbot/dealerbot/domain"
)

// TestR4_5_CatalogNamesAllocationErrors checks that every refusal of
// allocation and delivery reads as a sentence in both languages, and that
// every delivery checklist item has a name.
func TestR4_5_CatalogNamesAllocationErrors(t *testing.T) {
	errs := []error{domain.CheckDelivery(nil), domain.CheckDelivery(domain.DeliveryChecklist{"wash": true})}
	_, err := domain.ParseDeliverySatisfaction("good")
	errs = append(errs, err)
	_, err = domain.CheckQueueJump(domain.AllocOrder{}, domain.Vehicle{}, nil)
	errs = append(errs, err)
	_, err = domain.Reallocate(domain.Allocation{}, nil)
	errs = append(errs, err)
	for _, err := range errs {
		de := err.(*domain.Error)
		for _, lang := range []domain.Lang{domain.LangZH, domain.LangEN} {
			if got := T(lang, de.Key, de.Args...); got == de.Key || strings.Contains(got, "%!") {
				t.Errorf("%s %s: %q", lang, de.Key, got)
			}
		}
	}
	for _, it := range domain.DeliveryItems {
		for _, lang := range []domain.Lang{domain.LangZH, domain.LangEN} {
			if _, ok := messages[lang]["ditem."+string(it)]; !ok {
				t.Errorf("%s: no ditem.%s", lang, it)
			}
		}
	}
}
