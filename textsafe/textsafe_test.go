package textsafe

import (
	"fmt"
	"strings"
	"testing"
)

func TestTerminal(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"Dear campaigner,\n\tthe answer is attached.", "Dear campaigner,\n\tthe answer is attached."},
		{"\x1b[5mblink\x1b[0m", "[5mblink[0m"},
		{"\x1b]8;;https://evil.test\x07click\x1b]8;;\x07", "]8;;https://evil.testclick]8;;"},
		{"carriage\rreturn", "carriagereturn"},
		{"bell\x07 del\x7f", "bell del"},
		{"c1 \u009b31m csi", "c1 31m csi"},
		{"bad \xff\xfe utf-8", "bad \ufffd\ufffd utf-8"},
		{"£ café — 日本", "£ café — 日本"},
		{"", ""},
	} {
		if got := Terminal(tc.in); got != tc.want {
			t.Errorf("Terminal(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestWriter(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	fmt.Fprintf(NewWriter(&b), "Subject: %s\n", "hi\x1b[2J")
	if got, want := b.String(), "Subject: hi[2J\n"; got != want {
		t.Errorf("Writer wrote %q, want %q", got, want)
	}
}

func TestCheckLine(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want string // in the error; "" for none
	}{
		{"LXP Revolution", ""},
		{"Ysbyty Gwynedd – Bwrdd Iechyd Prifysgol Betsi Cadwaladr", ""},
		{"literal \ufffd is fine", ""},
		{"Evil\r\nBcc: victim@example.test", "U+000D at byte 4"},
		{"Tab\there", "U+0009"},
		{"Esc\x1b[5m", "U+001B"},
		{"C1\u0085", "U+0085"},
		{"Trust \xff name", "not valid UTF-8 (byte 6)"},
	} {
		err := CheckLine(tc.in)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("CheckLine(%q) = %v, want nil", tc.in, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("CheckLine(%q) = %v, want an error saying %q", tc.in, err, tc.want)
		}
	}
}
