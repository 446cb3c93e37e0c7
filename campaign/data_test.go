package campaign

import (
	"testing"
	"time"

	"foi/lifecycle"
	"foi/store"
)

// TestDataLaw: the letters get the request's own law — the store's, else
// (a request Create has not stored yet) the campaign's, else the
// authority's jurisdiction — and an extension only where the law has one.
func TestDataLaw(t *testing.T) {
	now := time.Date(2026, 4, 1, 10, 0, 0, 0, London())
	for _, tc := range []struct {
		name                string
		requestLaw, campLaw string
		jurisdiction        string
		state               lifecycle.State
		law                 string
		extended            bool
	}{
		{"the store's law", "eir", "eir", "foia", lifecycle.Sent, "eir", false},
		{"the store's law, in any case", " EISR ", "", "foisa", lifecycle.Sent, "eisr", false},
		{"not stored: the campaign's", "", "eir", "foia", lifecycle.Draft, "eir", false},
		{"not stored: the authority's", "", "", "foisa", lifecycle.Draft, "foisa", false},
		{"extended under FOIA s.10(3)", "foia", "", "foia", lifecycle.Extended, "foia", true},
		{"extended under EIR reg. 7(1)", "eir", "eir", "foia", lifecycle.Extended, "eir", true},
		{"FOISA has no extension", "foisa", "", "foisa", lifecycle.Extended, "foisa", false},
	} {
		c := store.Campaign{Slug: "LXP7", Title: "Band 7 roles", Law: tc.campLaw}
		r := store.Request{Ref: "LXP7-004", State: tc.state, Law: tc.requestLaw,
			Authority: store.Authority{Name: "Beta", Jurisdiction: tc.jurisdiction}}
		d := Data(c, r, now)
		if d.Request.Law != tc.law || d.Request.Extended != tc.extended {
			t.Errorf("%s: Data gives law %q, extended %v, want %q, %v", tc.name, d.Request.Law, d.Request.Extended, tc.law, tc.extended)
		}
	}
}
