package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// Issue 14, finding 8: references follow the CSV's order, counts are words,
// an empty list says so, and preview says which header is set at sending.
func TestReferencesInCSVOrderAndWords(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	csv := "name,email,jurisdiction,tags,short_name\n" +
		"Zeta Trust,foi@zeta.nhs.test,foia,mh,\n" +
		"Alpha Trust,foi@alpha.nhs.test,foia,mh,\n" +
		"Mid Trust,foi@mid.nhs.test,foia,mh,\n"
	e.must("authorities", "import", e.writeFile("trusts.csv", csv))
	e.must("campaign", "new", "PSW", "--title", "T", "--letter", e.writeFile("letter.txt", letter), "--authorities", "all")
	var rows []statusJSON
	if err := json.Unmarshal([]byte(e.must("status", "PSW", "--json")), &rows); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rows {
		got = append(got, r.Ref+"="+r.Authority)
	}
	if want := "PSW-001=Zeta Trust PSW-002=Alpha Trust PSW-003=Mid Trust"; strings.Join(got, " ") != want {
		t.Errorf("references = %s, want %s (the CSV's order)", strings.Join(got, " "), want)
	}
	// A list of names keeps its own order.
	out := e.must("campaign", "new", "PSWR", "--title", "T", "--letter", e.writeFile("letter.txt", letter), "--authorities", "Mid Trust")
	if !strings.Contains(out, "Campaign PSWR created: 1 request (PSWR-001).") {
		t.Errorf("campaign new of one: %q, want \"1 request (PSWR-001)\"", out)
	}

	// Preview: stdout is the letter's bytes; stderr says Date is set when
	// it is sent.
	code, stdout, stderr := e.foi("campaign", "preview", "PSW", "PSW-002")
	if code != 0 || !strings.Contains(stderr, "the Date header is fixed when a letter is sent") || strings.Contains(stdout, "fixed when") || !strings.Contains(stdout, "Date: ") {
		t.Errorf("preview: exit %d, stderr %q, stdout starts %q", code, stderr, firstLine(stdout))
	}
	e.must("send", "PSW", "--limit", "1")
	if _, _, stderr := e.foi("campaign", "preview", "PSW", "PSW-001"); strings.Contains(stderr, "Date header") {
		t.Errorf("preview of a letter already stored (its Date fixed) still says it is set at sending: %q", stderr)
	}
}

func TestEmptyListsSaySo(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"authorities", "list"}, "No authorities yet: add them with `foi authorities import FILE.csv`.\n"},
		{[]string{"campaign", "list"}, "No campaigns yet: create one with `foi campaign new`.\n"},
		{[]string{"status"}, "No requests yet: create a campaign with `foi campaign new`.\n"},
		{[]string{"drafts"}, "No drafts waiting for approval.\n"},
		{[]string{"unmatched"}, "No replies waiting to be filed: every reply found its request.\n"},
	} {
		if out := e.must(tc.args...); out != tc.want {
			t.Errorf("foi %s on an empty store = %q, want %q", strings.Join(tc.args, " "), out, tc.want)
		}
	}
	// Counts in words: one problem is "1 problem".
	if got := count(1, "reply", "replies") + ", " + count(2, "reply", "replies") + ", " + count(0, "file", "files"); got != "1 reply, 2 replies, 0 files" {
		t.Errorf("count = %q", got)
	}
}
