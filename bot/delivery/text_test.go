package delivery

import (
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"
)

// units counts independently of TelegramLen: encode and count.
func units(s string) int { return len(utf16.Encode([]rune(s))) }

func TestTelegramLen_EmojiCountTwice(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
	}{
		{"abc", 3}, {"客户", 2}, {"👍", 2}, {"好的👍😊🚗", 8}, {"", 0},
	} {
		if got := TelegramLen(tc.in); got != tc.want || got != units(tc.in) {
			t.Errorf("TelegramLen(%q) = %d, want %d", tc.in, got, tc.want)
		}
	}
}

func TestSplitText_CountsUTF16(t *testing.T) {
	t.Run("lines", func(t *testing.T) {
		line := strings.Repeat("客户回复：好的👍😊🚗", 10) + "\n" // 100 characters, 130 units
		text := strings.Repeat(line, 35)                // 3,535 characters, 4,585 units
		if n := utf8.RuneCountInString(text); n > MaxMessageLen {
			t.Fatalf("the text needs fewer than 4096 characters, has %d", n)
		}
		parts := SplitText(text, MaxMessageLen)
		if len(parts) != 2 {
			t.Fatalf("%d parts, want 2", len(parts))
		}
		for _, p := range parts {
			if n := units(p); n > MaxMessageLen {
				t.Errorf("a part of %d units", n)
			}
		}
		if got := strings.Join(parts, "\n") + "\n"; got != text {
			t.Error("text lost or changed")
		}
	})
	t.Run("one line", func(t *testing.T) {
		text := strings.Repeat("😀", 3000) // 6,000 units
		parts := SplitText(text, MaxMessageLen)
		if len(parts) != 2 || units(parts[0]) != MaxMessageLen || strings.Join(parts, "") != text {
			t.Fatalf("%d parts of %d, %d units", len(parts), units(parts[0]), units(parts[len(parts)-1]))
		}
		for _, p := range parts {
			if !utf8.ValidString(p) {
				t.Fatal("an emoji cut in two")
			}
		}
	})
	t.Run("odd limit", func(t *testing.T) {
		// A cut that would land inside a surrogate pair moves before it.
		parts := SplitText("a"+strings.Repeat("😀", 10), 6)
		if len(parts) != 4 || parts[0] != "a😀😀" || units(parts[1]) != 6 {
			t.Fatalf("parts %q", parts)
		}
	})
}

func TestClip_CountsUTF16(t *testing.T) {
	answer := strings.Repeat("好的👍", 60) // 180 characters, 240 units
	got := Clip(answer, MaxCallbackAnswerLen)
	if n := units(got); n > MaxCallbackAnswerLen || !strings.HasSuffix(got, "…") || !utf8.ValidString(got) {
		t.Fatalf("clipped to %d units: %q", n, got)
	}
	if Clip("👍👍", 4) != "👍👍" || Clip("👍👍👍", 4) != "👍…" {
		t.Fatalf("Clip(👍👍👍, 4) = %q", Clip("👍👍👍", 4))
	}
}
