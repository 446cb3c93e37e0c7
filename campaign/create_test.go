package campaign

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestCreateRefusesUnsendable: a letter template that is not UTF-8, or a
// requester that cannot stand in a From line, would freeze letters into
// the campaign that can never be sent; Create refuses them, naming the
// template's line or the config key, and stores nothing (issue 9,
// findings 7 and 8).
func TestCreateRefusesUnsendable(t *testing.T) {
	st := exampleStore(t)
	ctx := context.Background()
	good := Requester{Name: "LXP Revolution", Email: "campaign@lxp.test"}
	letter := "Dear {{.Authority.Name}},\n\nPlease send the numbers.\n\nYours,\n{{.Requester.Name}}\n"
	for _, tc := range []struct {
		name   string
		letter string
		who    Requester
		want   string
	}{
		{"latin-1 letter", "Dear {{.Authority.Name}},\n\nPlease send \xa3 figures.\n\n{{.Requester.Name}}\n", good, "template letter.txt: line 3, byte 13: not valid UTF-8"},
		{"CR/LF in the name", letter, Requester{Name: "LXP\r\nBcc: victim@x.test", Email: good.Email}, "requester.name"},
		{"escape in the organisation", letter, Requester{Name: good.Name, Organisation: "LXP\x1b[5m", Email: good.Email}, "requester.organisation"},
	} {
		spec := Spec{Slug: "BAD", Title: "Bad", LetterName: "letter.txt", Letter: tc.letter, Selector: "all"}
		_, err := Create(ctx, st, spec, tc.who, time.Now(), newSeeded())
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Create = %v, want an error saying %q", tc.name, err, tc.want)
		}
		if cs, _ := st.Campaigns(ctx); len(cs) != 0 {
			t.Errorf("%s: a campaign was stored", tc.name)
		}
	}
}
