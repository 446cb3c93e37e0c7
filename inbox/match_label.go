package inbox

// Finding the labels of authority references ("Our ref:", "FOI reference
// number") quickly. authorityLabel begins with an optional word, so Go's
// regexp tries it at every byte of a reply, and that was the dearest
// pattern of a sync's matching (issue 12). Every label holds "ref",
// "request" or "case", so matchAuthorityLabels looks for those words with
// strings.Index, tries the label itself there, anchored (labelAt), and then
// looks back for the optional word. It finds what
// authorityLabel.FindAllStringSubmatchIndex finds, match for match:
//
//   - a match's label starts at one of those words, with a word boundary
//     before it unless the optional word and its spaces come first;
//   - the optional word, when there is one, is the letters just before the
//     label's run of spaces, with a word boundary before them, and it is
//     taken whenever it is there (the pattern tries it first). A word that
//     is also a label's start ("case", "request") cannot have both readings
//     at once: as a label it is followed by "number" or "id", which start
//     no label;
//   - matches do not overlap: the search goes on after each one, and an
//     optional word that starts before the previous match ends is not taken;
//   - (?i) folds two letters outside ASCII into the label's letters (ſ into
//     s, the Kelvin sign into k): a text holding either is searched with
//     the pattern itself.
//
// TestAuthorityLabelsSame and FuzzAuthorityLabels compare the two.

import (
	"math"
	"regexp"
	"strings"
)

// labelAt matches a label at the start of a string.
var labelAt = regexp.MustCompile(`(?i)^` + labelCore)

// labelWordSet is labelWords as a set.
var labelWordSet = map[string]bool{"our": true, "your": true, "my": true, "foi": true, "foisa": true, "eir": true,
	"case": true, "request": true, "the": true, "this": true, "its": true, "a": true}

// matchAuthorityLabels returns, for each label in text, what
// authorityLabel.FindAllStringSubmatchIndex gives of its whole match and of
// the optional word's group: start, end, and the group's start and end (-1
// when absent).
func matchAuthorityLabels(text string) [][4]int {
	if strings.Contains(text, "\u017f") || strings.Contains(text, "\u212a") {
		var out [][4]int
		for _, loc := range authorityLabel.FindAllStringSubmatchIndex(text, -1) {
			out = append(out, [4]int{loc[0], loc[1], loc[2], loc[3]})
		}
		return out
	}
	lower := asciiLower(text)
	var out [][4]int
	prevEnd := 0
	const none = math.MaxInt
	next := [3]int{-1, -1, -1} // the next "ref", "request", "case" at or after from (none: no more)
	for from := 0; ; {
		c := none
		for i, w := range [3]string{"ref", "request", "case"} {
			if next[i] < from {
				next[i] = none
				if j := strings.Index(lower[from:], w); j >= 0 {
					next[i] = from + j
				}
			}
			c = min(c, next[i])
		}
		if c == none {
			return out
		}
		from = c + 1
		loc := labelAt.FindStringIndex(text[c:])
		if loc == nil {
			continue
		}
		m := [4]int{c, c + loc[1], -1, -1}
		if ws := spacesBefore(text, c); ws < c {
			ps := ws
			for ps > prevEnd && isASCIILetter(text[ps-1]) {
				ps--
			}
			if ps < ws && labelWordSet[lower[ps:ws]] && (ps == 0 || !isWordByte(text[ps-1])) {
				m[0], m[2], m[3] = ps, ps, c
			}
		}
		if m[2] < 0 && c > 0 && isWordByte(text[c-1]) {
			continue // no word boundary before the label
		}
		out = append(out, m)
		prevEnd = m[1]
		from = m[1]
	}
}

// spacesBefore returns the start of the run of \s bytes (space, tab, line
// feed, form feed, carriage return) that ends at i.
func spacesBefore(s string, i int) int {
	for i > 0 && strings.IndexByte(" \t\n\f\r", s[i-1]) >= 0 {
		i--
	}
	return i
}

// asciiLower is s with its ASCII capitals lowered, byte for byte.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func isASCIILetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
