package inbox

import (
	"reflect"
	"strings"
	"testing"
)

// labelsByPattern is what matchAuthorityLabels must equal.
func labelsByPattern(text string) [][4]int {
	var out [][4]int
	for _, loc := range authorityLabel.FindAllStringSubmatchIndex(text, -1) {
		out = append(out, [4]int{loc[0], loc[1], loc[2], loc[3]})
	}
	return out
}

// labelCases reach each rule of matchAuthorityLabels: the optional word
// taken, refused (no boundary, not in the list, inside the previous match),
// words that are labels too, no boundary before a label, spaces and line
// ends, case, the two letters (?i) folds from outside ASCII.
var labelCases = []string{
	"Our ref: FOI/23/0456", "our   reference number is: 4521", "OUR\n\nREF 77", "Your ref LXP7-004, our ref FOI-9",
	"request ref 12", "request number 5 ref 6", "request request number 7", "case case number 8", "the case number: C-1",
	"xour ref 1", "9our ref 2", "_our ref 3", "éour ref 4", "data ref 5", "ref.a ref 6", "ref our ref 7", "foisa ref 8", "its ref 9",
	"preferred", "prefix ref", "reference", "Ref", "ref", "re", "", "requests for case ids", "a ref", " a ref", "a\tref\f:",
	"FOI Ref: 23-0456 (ref: 99)", "Request ID: 4521\nCase number 77", "the reference no. 12", "REFERENCE NUM. 3",
	"requeſt number 5", "\u212aref our ref 6", "ourref 1", "our-ref 2", "our ref-ref 3", "caseref 4", "(ref: x9)",
}

func TestAuthorityLabelsSame(t *testing.T) {
	texts := append([]string{}, labelCases...)
	for name, raw := range corpusMessages(t) {
		m, _ := Parse(raw)
		texts = append(texts, m.Subject, m.Text, m.HTML, unquoted(m.Text), name)
	}
	for _, text := range texts {
		if got, want := matchAuthorityLabels(text), labelsByPattern(text); !reflect.DeepEqual(got, want) {
			t.Errorf("matchAuthorityLabels(%q) = %v, want %v", cut(text, 200), got, want)
		}
	}
}

// FuzzAuthorityLabels: on any text the fast search finds what the pattern
// finds.
//
//	go test ./inbox -run '^$' -fuzz '^FuzzAuthorityLabels$' -fuzztime 1m
func FuzzAuthorityLabels(f *testing.F) {
	for _, c := range labelCases {
		f.Add(c)
	}
	f.Add(strings.Repeat("our ref ", 20))
	f.Fuzz(func(t *testing.T, text string) {
		if got, want := matchAuthorityLabels(text), labelsByPattern(text); !reflect.DeepEqual(got, want) {
			t.Errorf("matchAuthorityLabels(%q) = %v, want %v", text, got, want)
		}
	})
}
