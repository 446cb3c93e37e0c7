package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// Issue 14, finding 4: a reference that does not exist is said so, with
// where to look, not as the store's "request PSW-999: store: not found".
func TestNotFoundSaysWhereToLook(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	setupCampaign(t, e, 2)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"show", "PSW-999"}, "foi: no request PSW-999; `foi status` lists them\n"},
		{[]string{"mark", "psw-999", "refused"}, "foi: no request PSW-999; `foi status` lists them\n"},
		{[]string{"status", "PSW"}, "foi: no campaign PSW; `foi campaign list` lists them\n"},
		{[]string{"campaign", "archive", "PSW"}, "foi: no campaign PSW; `foi campaign list` lists them\n"},
		{[]string{"authorities", "remove", "Nowhere Trust"}, "foi: no authority Nowhere Trust; `foi authorities list` lists them\n"},
		{[]string{"assign", "999", "LXP7-001"}, "foi: no message 999; `foi unmatched` lists the replies waiting to be filed\n"},
		{[]string{"drafts", "show", "99"}, "foi: no letter 99; `foi drafts` lists the drafts waiting\n"},
		{[]string{"approve", "99"}, "foi: no letter 99; `foi drafts` lists the drafts waiting\n"},
	} {
		code, _, stderr := e.foi(tc.args...)
		if code != 1 || stderr != tc.want {
			t.Errorf("foi %s: exit %d, %q; want 1, %q", strings.Join(tc.args, " "), code, stderr, tc.want)
		}
	}
	// And a campaign made twice is said so, with what to do.
	code, _, stderr := e.foi("campaign", "new", "lxp7", "--title", "Again", "--letter", e.writeFile("letter.txt", letter), "--authorities", "all")
	if want := "foi: there is a campaign LXP7 already: choose another SLUG (`foi campaign list` lists them), or remove that one with `foi campaign remove LXP7` if it was made by mistake\n"; code != 1 || stderr != want {
		t.Errorf("campaign new twice: exit %d, %q; want %q", code, stderr, want)
	}
}

// Issue 14, finding 5: what has sent nothing can be removed; what has sent
// is archived (kept, hidden from new campaigns, status and the board); both
// are logged.
func TestRemoveAndArchive(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	setupCampaign(t, e, 3)
	e.must("send", "LXP7", "--limit", "1") // LXP7-001 goes; 002 and 003 wait

	// An authority a letter went to cannot be removed: it is archived.
	code, _, stderr := e.foi("authorities", "remove", "Trust 01")
	if code != 1 || !strings.Contains(stderr, "LXP7-001 has letters or replies") || !strings.Contains(stderr, "foi authorities archive") {
		t.Errorf("remove a written-to authority: exit %d, %q; want a refusal pointing to archive", code, stderr)
	}
	// One imported by mistake, in the campaign but never written to: removed
	// with its request.
	out := e.must("authorities", "remove", "Trust 02 NHS Foundation Trust")
	if !strings.Contains(out, "Removed Trust 02 NHS Foundation Trust and its unsent 1 request LXP7-002") {
		t.Errorf("remove: %q", out)
	}
	if _, ok := status(t, e)["LXP7-002"]; ok {
		t.Error("LXP7-002 is still in the campaign after its authority was removed")
	}
	e.must("authorities", "archive", "Trust 01")
	list := e.must("authorities", "list")
	if strings.Contains(list, "Trust 01 NHS") && !strings.Contains(list, "Archived (left out of new campaigns): Trust 01 NHS Foundation Trust.") || strings.Contains(list, "Trust 02") {
		t.Errorf("authorities list after remove and archive:\n%s", list)
	}
	// --authorities all leaves the archived one out.
	e.must("campaign", "new", "NEXT", "--title", "Next", "--letter", e.writeFile("letter2.txt", letter), "--authorities", "all")
	var rows []statusJSON
	json.Unmarshal([]byte(e.must("status", "NEXT", "--json")), &rows)
	if len(rows) != 1 || !strings.HasPrefix(rows[0].Authority, "Trust 03") {
		t.Errorf("new campaign of all after archiving Trust 01: %+v, want Trust 03 alone", rows)
	}

	// A campaign that sent nothing is removed; one that sent is archived.
	out = e.must("campaign", "remove", "next")
	if !strings.Contains(out, "Removed campaign NEXT and its 1 request") {
		t.Errorf("campaign remove: %q", out)
	}
	if code, _, stderr := e.foi("campaign", "remove", "LXP7"); code != 1 || !strings.Contains(stderr, "LXP7-001 has letters or replies") || !strings.Contains(stderr, "foi campaign archive LXP7") {
		t.Errorf("remove a campaign that sent: exit %d, %q", code, stderr)
	}
	// Archiving stops what was waiting to go: a draft follow-up is cancelled.
	e.must("reply", "LXP7-001", "--template", "clarification", "--draft")
	if out := e.must("campaign", "archive", "LXP7"); !strings.Contains(out, "and its 1 letter waiting to go will not.") {
		t.Errorf("campaign archive: %q", out)
	}
	if out := e.must("drafts"); !strings.Contains(out, "No drafts waiting") {
		t.Errorf("drafts after archiving the campaign:\n%s", out)
	}
	if out := e.must("status"); strings.Contains(out, "LXP7-001") {
		t.Errorf("status lists an archived campaign:\n%s", out)
	}
	if st := status(t, e); st["LXP7-001"].State != "sent" {
		t.Errorf("status LXP7 after archiving: %+v, want LXP7-001 still there, sent", st)
	}
	if out := e.must("campaign", "list"); !strings.Contains(out, "No campaigns yet") || !strings.Contains(out, "Archived (`foi status SLUG` still shows them): LXP7.") {
		t.Errorf("campaign list:\n%s", out)
	}
	if code, _, stderr := e.foi("campaign", "archive", "LXP7"); code != 1 || !strings.Contains(stderr, "archived already") {
		t.Errorf("archive twice: exit %d, %q", code, stderr)
	}
	// Every removal and archive is in the log, with who did it.
	st := openStore(t, e)
	log, err := st.Removals(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, r := range log {
		kinds = append(kinds, r.Kind+" "+r.Subject+" by "+r.Actor)
	}
	want := "authority_removed Trust 02 NHS Foundation Trust by user|authority_archived Trust 01 NHS Foundation Trust by user|campaign_removed NEXT by user|campaign_archived LXP7 by user"
	if got := strings.Join(kinds, "|"); got != want {
		t.Errorf("removals log = %s\nwant %s", got, want)
	}
}

// The campaign command's own usage lists every subcommand (it once omitted
// schedule).
func TestCampaignUsageListsSubcommands(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	code, _, stderr := e.foi("campaign")
	if code != 2 {
		t.Errorf("foi campaign: exit %d, want 2", code)
	}
	_, help, _ := runPlain(t, "help", "campaign")
	for _, sub := range []string{"new", "preview", "schedule", "questions", "list", "remove", "archive"} {
		if !strings.Contains(stderr, sub) {
			t.Errorf("foi campaign says %q, without %s", stderr, sub)
		}
		if !strings.Contains(help, "foi campaign "+sub) {
			t.Errorf("foi help campaign has no `foi campaign %s`", sub)
		}
	}
}
