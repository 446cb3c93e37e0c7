// Package textsafe makes text that came in the mail safe to print to a
// terminal: a reply's body, subject or sender could otherwise carry escape
// sequences that blink, retitle the window, hide text or make OSC-8 links.
//
// Terminal keeps newlines and tabs and drops every other control character
// (C0, DEL and the C1 range, which some terminals read as CSI), and turns
// bytes that are not UTF-8 into U+FFFD. It does not touch printable text,
// so what is left reads as it was written. CheckLine is the stricter rule
// for text that becomes one line of a letter or a header (names, addresses):
// it refuses what Terminal would drop. The package holds no state; its
// functions are safe for concurrent use.
package textsafe

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Terminal returns s without the control characters a terminal acts on:
// everything below U+0020 but newline and tab, U+007F, and U+0080 to
// U+009F. Invalid UTF-8 becomes U+FFFD.
func Terminal(s string) string {
	clean := true
	for _, r := range s {
		if control(r) || r == utf8.RuneError {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s { // ranging over invalid UTF-8 yields U+FFFD
		if !control(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func control(r rune) bool {
	return (r < 0x20 && r != '\n' && r != '\t') || (r >= 0x7f && r <= 0x9f)
}

// Writer passes what is written to it through Terminal. Each Write must
// hold whole characters, as each call of fmt.Fprintf does.
type Writer struct{ W io.Writer }

// NewWriter returns a Writer printing to w.
func NewWriter(w io.Writer) *Writer { return &Writer{W: w} }

// Write writes Terminal(p) to the underlying writer and reports all of p
// written.
func (w *Writer) Write(p []byte) (int, error) {
	if _, err := io.WriteString(w.W, Terminal(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}

// CheckLine reports why s cannot stand as one line of a letter or a mail
// header (a name, an address, a title): it must be valid UTF-8 with no
// control characters at all, not even a tab or a newline. The error says
// what and where, for the caller to prefix with the field's name.
func CheckLine(s string) error {
	for i, r := range s {
		switch {
		case r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD"):
			return fmt.Errorf("not valid UTF-8 (byte %d): save it as UTF-8", i)
		case r < 0x20 || (r >= 0x7f && r <= 0x9f):
			return fmt.Errorf("has a control character (%U at byte %d): it must be one line of plain text", r, i)
		}
	}
	return nil
}
