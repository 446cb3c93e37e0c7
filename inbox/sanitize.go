// Cleaning decoded text: single display lines, body text, and file names that
// are safe to show.

package inbox

import (
	"path"
	"strings"
	"unicode"
	"unicode/utf8"
)

// cleanLine makes s a single line for display: control characters and runs of
// white space become one space. max > 0 shortens the result to max runes.
func cleanLine(s string, max int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	space := false
	n := 0
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) || isBidiControl(r) {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
			n++
		}
		if max > 0 && n >= max {
			break
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

// cleanText normalises a body: valid UTF-8, LF line ends, no NUL.
func cleanText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.ReplaceAll(s, "\x00", "")
}

func isBidiControl(r rune) bool {
	return (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069) || r == 0x200E || r == 0x200F || r == 0x061C
}

// SanitizeName makes a file name from a message safe to show: it removes
// control, format and bidirectional-override characters, replaces path
// separators, and shortens very long names keeping the extension. The result
// is for display only and must never be used as a path.
func SanitizeName(name string) string {
	name = strings.ToValidUTF8(name, "\uFFFD")
	var b strings.Builder
	for _, r := range name {
		switch {
		case r == '/' || r == '\\':
			b.WriteByte('_')
		case r == '\t' || r == '\n' || r == '\r':
			b.WriteByte(' ')
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || isBidiControl(r):
			// dropped
		default:
			b.WriteRune(r)
		}
	}
	s := strings.Join(strings.Fields(b.String()), " ")
	if strings.Trim(s, ".") == "" {
		return strings.Repeat("_", len(s))
	}
	if utf8.RuneCountInString(s) > maxNameRunes {
		ext := path.Ext(s)
		if utf8.RuneCountInString(ext) > 16 {
			ext = ""
		}
		r := []rune(strings.TrimSuffix(s, ext))
		s = string(r[:maxNameRunes-utf8.RuneCountInString(ext)]) + ext
	}
	return s
}
