package domain

import "testing"

func TestParseLang(t *testing.T) {
	for in, want := range map[string]Lang{"zh": LangZH, "zh-hans": LangZH, "EN": LangEN, "en-US": LangEN} {
		if got, ok := ParseLang(in); !ok || got != want {
			t.Errorf("ParseLang(%q) = %q, %v", in, got, ok)
		}
	}
	if _, ok := ParseLang("fr"); ok {
		t.Error("fr accepted")
	}
	if LangFromTelegram("ru") != LangZH || LangFromTelegram("en") != LangEN {
		t.Error("LangFromTelegram default wrong")
	}
}
