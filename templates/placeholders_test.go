package templates

import (
	"reflect"
	"testing"
)

func TestPlaceholders(t *testing.T) {
	t.Parallel()
	review := "Dear Trust,\n\nI ask for a review.\n\n[GROUNDS: replace this line with why you think the refusal is wrong, before approving]\n\nYours,\n"
	for _, tc := range []struct {
		body string
		want []Placeholder
	}{
		{"Dear Trust,\n\nNothing to fill.\n", nil},
		{review, []Placeholder{{Line: 5, Mark: "GROUNDS", Text: "[GROUNDS: replace this line with why you think the refusal is wrong, before approving]"}}},
		{"We mean:\n  [CLARIFICATION: write what you mean here, before sending]\n", []Placeholder{{Line: 2, Mark: "CLARIFICATION", Text: "[CLARIFICATION: write what you mean here, before sending]"}}},
		{"Because [GROUNDS: why] and\n[CLARIFICATION: what]", []Placeholder{{1, "GROUNDS", "Because [GROUNDS: why] and"}, {2, "CLARIFICATION", "[CLARIFICATION: what]"}}},
		{"[grounds: lower case is the person's own text]", nil},
	} {
		if got := Placeholders(tc.body); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Placeholders(%q) = %+v, want %+v", tc.body, got, tc.want)
		}
	}
	if !HasPlaceholder(review, "GROUNDS") || HasPlaceholder(review, "CLARIFICATION") || !HasPlaceholder(review, "") {
		t.Errorf("HasPlaceholder(review letter) is wrong")
	}
}

func TestFillPlaceholders(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ body, text, want string }{
		{"A\n[GROUNDS: why]\nB", "  Pay bands are not personal data. ", "A\nPay bands are not personal data.\nB"},
		{"A\n  [CLARIFICATION: what]\nB", "Band 7 and above.", "A\nBand 7 and above.\nB"},
		{"A\nB", "text", "A\nB"},
	} {
		if got := FillPlaceholders(tc.body, tc.text); got != tc.want {
			t.Errorf("FillPlaceholders(%q, %q) = %q, want %q", tc.body, tc.text, got, tc.want)
		}
	}
}
