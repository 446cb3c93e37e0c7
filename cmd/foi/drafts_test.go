package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"foi/lifecycle"
)

// draftsEnv is a campaign of two requests sent on Monday 2 March 2026;
// Trust 01 refuses on the Tuesday, and the schedule drafts the review of
// the refusal, with its grounds still to write.
func draftsEnv(t *testing.T) (*env, int64) {
	t.Helper()
	e := newEnv(t, envOptions{extra: "schedule:\n  review_after_refusal: draft\n"})
	e.must("authorities", "import", e.writeFile("trusts.csv", trustsCSV(2)))
	e.must("--now", "2026-02-27T10:00", "campaign", "new", "LXP7", "--title", "Band 7 roles",
		"--letter", e.writeFile("letter.txt", letter), "--authorities", "all")
	e.must("--now", "2026-03-02T10:00", "send", "LXP7")
	for _, m := range e.mail.Received() {
		if m.To[0] == "foi@trust01.nhs.test" {
			e.mail.Deliver("INBOX", replyTo(m.Data, t, 1, "The information is exempt under section 40(2) and is withheld."), time.Now())
		}
	}
	e.must("--now", "2026-03-03T10:30", "sync")
	e.must("--now", "2026-03-03T10:40", "mark", "LXP7-001", "refused")
	e.must("--now", "2026-03-03T11:00", "tick")
	return e, onlyDraft(t, e, "LXP7-001")
}

func onlyDraft(t *testing.T, e *env, ref string) int64 {
	t.Helper()
	var list []struct {
		ID  int64
		Ref string
	}
	if err := json.Unmarshal([]byte(e.must("drafts", "--json")), &list); err != nil {
		t.Fatal(err)
	}
	for _, d := range list {
		if d.Ref == ref {
			return d.ID
		}
	}
	t.Fatalf("no draft for %s in %+v", ref, list)
	return 0
}

type shownDraft struct {
	State        string
	To           string
	Subject      string
	Body         string
	Placeholders []struct{ Line int }
}

func showDraftJSON(t *testing.T, e *env, id int64) shownDraft {
	t.Helper()
	var d shownDraft
	if err := json.Unmarshal([]byte(e.must("drafts", "show", fmt.Sprint(id), "--json")), &d); err != nil {
		t.Fatal(err)
	}
	return d
}

const editedReview = `Dear Trust 01 NHS Foundation Trust,

Please carry out an internal review of your refusal of request LXP7-001.

Job titles and pay bands are not personal data: section 40(2) does not apply.

Yours faithfully,
LXP Revolution
`

// TestDraftsShowEditApprove reads a draft, replaces its text from a file,
// reads it again, approves it and checks that the SMTP server received the
// edited text under the draft's Message-ID; then editing the approved
// letter is refused.
func TestDraftsShowEditApprove(t *testing.T) {
	t.Parallel()
	e, id := draftsEnv(t)
	ids := fmt.Sprint(id)

	if list := e.must("drafts"); !strings.Contains(list, "foi drafts show ID") || !strings.Contains(list, "GROUNDS") {
		t.Errorf("foi drafts does not point to show or name what is to fill in:\n%s", list)
	}
	before := showDraftJSON(t, e, id)
	show := e.must("drafts", "show", ids)
	for _, want := range []string{
		"Draft " + ids + ": review_after_refusal for LXP7-001 (Trust 01 NHS Foundation Trust)",
		"It waits for your approval",
		"To fill in before it can go:",
		fmt.Sprintf("  line %d: [GROUNDS: replace this line", before.Placeholders[0].Line),
		"--grounds",
		"\nTo: foi@trust01.nhs.test\n",
		"\nSubject: " + before.Subject + "\n",
	} {
		if !strings.Contains(show, want) {
			t.Errorf("drafts show lacks %q:\n%s", want, show)
		}
	}
	if !strings.HasSuffix(show, "\n\n"+before.Body) || !strings.Contains(before.Body, "[GROUNDS:") {
		t.Errorf("drafts show does not end with the body exactly as stored:\n%s\nbody:\n%s", show, before.Body)
	}

	st := openStore(t, e)
	item, err := st.OutboxItem(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	out := e.must("--now", "2026-03-03T11:02", "drafts", "edit", ids, "--file", e.writeFile("review.txt", editedReview))
	if !strings.Contains(out, "edited") || strings.Contains(out, "placeholder") {
		t.Errorf("drafts edit said:\n%s", out)
	}
	after := e.must("drafts", "show", ids)
	if !strings.HasSuffix(after, "\n\n"+editedReview) || strings.Contains(after, "GROUNDS") || strings.Contains(after, "To fill in") {
		t.Errorf("drafts show after the edit:\n%s\nwant it to end with:\n%s", after, editedReview)
	}
	edited, err := st.OutboxItem(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	if edited.MessageID != item.MessageID || edited.SHA256 == item.SHA256 {
		t.Errorf("after the edit: Message-ID %s (was %s), bytes %s (were %s): want the same Message-ID, new bytes", edited.MessageID, item.MessageID, edited.SHA256, item.SHA256)
	}
	r, err := st.Request(t.Context(), "LXP7-001")
	if err != nil {
		t.Fatal(err)
	}
	evs, err := st.Events(t.Context(), r.ID)
	if err != nil {
		t.Fatal(err)
	}
	var recorded bool
	for _, ev := range evs {
		if ev.Kind == lifecycle.EventEdited && ev.Actor == "user" {
			recorded = true
		}
	}
	if !recorded {
		t.Errorf("no edited event by the user in %+v", evs)
	}
	if again := e.must("drafts", "edit", ids, "--file", e.writeFile("same.txt", editedReview)); !strings.Contains(again, "unchanged") {
		t.Errorf("editing to the same text: %s", again)
	}

	// Approved and sent: the server receives exactly the edited text.
	e.must("--now", "2026-03-03T11:05", "approve", ids)
	if code, _, stderr := e.foi("drafts", "edit", ids, "--file", e.writeFile("late.txt", "Too late.\n")); code != 1 || !strings.Contains(stderr, "no longer a draft, so it cannot be edited") || !strings.Contains(stderr, "approved") {
		t.Errorf("editing an approved letter: exit %d, stderr %q; want refused", code, stderr)
	}
	e.must("--now", "2026-03-03T11:06", "tick")
	var got []byte
	for _, m := range e.mail.Received() {
		if strings.Trim(header(t, m.Data, "Message-Id"), "<>") == item.MessageID {
			got = m.Data
		}
	}
	if got == nil {
		t.Fatalf("the review %s was not sent; the server has %d letters", item.MessageID, len(e.mail.Received()))
	}
	if b := strings.ReplaceAll(body(t, got), "\r\n", "\n"); strings.TrimRight(b, "\n") != strings.TrimRight(editedReview, "\n") {
		t.Errorf("the server received the body:\n%q\nwant the edited text:\n%q", b, editedReview)
	}
	if code, _, stderr := e.foi("drafts", "edit", ids, "--file", e.writeFile("late.txt", "Too late.\n")); code != 1 || !strings.Contains(stderr, "It was sent at") {
		t.Errorf("editing a sent letter: exit %d, stderr %q; want refused", code, stderr)
	}
	if sent := e.must("drafts", "show", ids); !strings.HasPrefix(sent, "Letter "+ids+":") || !strings.Contains(sent, "It was sent at") {
		t.Errorf("drafts show of the sent letter:\n%s", sent)
	}
}

// TestDraftsEditRefusals: a discarded draft cannot be edited, approved or
// discarded again; an empty text and a missing draft are refused; the
// commands take their arguments.
func TestDraftsEditRefusals(t *testing.T) {
	t.Parallel()
	e, id := draftsEnv(t)
	ids := fmt.Sprint(id)
	if code, _, stderr := e.foi("drafts", "edit", ids, "--file", e.writeFile("empty.txt", "\n \n")); code != 1 || !strings.Contains(stderr, "empty") {
		t.Errorf("an empty text: exit %d %q", code, stderr)
	}
	if d := showDraftJSON(t, e, id); !strings.Contains(d.Body, "[GROUNDS:") {
		t.Errorf("the refused edit changed the draft:\n%s", d.Body)
	}
	e.must("discard", ids)
	for _, args := range [][]string{
		{"drafts", "edit", ids, "--file", e.writeFile("new.txt", "New text.\n")},
		{"approve", ids},
		{"discard", ids},
	} {
		if code, _, stderr := e.foi(args...); code != 1 || !strings.Contains(stderr, "no longer a draft") || !strings.Contains(stderr, "discarded") {
			t.Errorf("foi %s on a discarded draft: exit %d %q", strings.Join(args, " "), code, stderr)
		}
	}
	if code, _, stderr := e.foi("drafts", "show", "999"); code != 1 || !strings.Contains(stderr, "no letter 999") {
		t.Errorf("drafts show 999: exit %d %q", code, stderr)
	}
	for _, args := range [][]string{{"drafts", "show"}, {"drafts", "frobnicate", ids}, {"drafts", "show", ids, "--file", "x"}, {"drafts", "edit", "seven"}} {
		if code, _, _ := e.foi(args...); code != 2 {
			t.Errorf("foi %s: exit %d, want a usage error", strings.Join(args, " "), code)
		}
	}
}

// TestDraftsEditInEditor edits a draft in $VISUAL, which wins over
// $EDITOR. Not parallel: it sets the environment.
func TestDraftsEditInEditor(t *testing.T) {
	t.Setenv("VISUAL", `sed -i 's/^\[GROUNDS:.*\]$/Pay bands are not personal data./'`)
	t.Setenv("EDITOR", "false")
	e, id := draftsEnv(t)
	e.must("drafts", "edit", fmt.Sprint(id))
	d := showDraftJSON(t, e, id)
	if !strings.Contains(d.Body, "\nPay bands are not personal data.\n") || strings.Contains(d.Body, "GROUNDS") || len(d.Placeholders) != 0 {
		t.Errorf("after editing in $VISUAL the body is:\n%s", d.Body)
	}
	if !strings.Contains(e.must("drafts", "show", fmt.Sprint(id)), "It waits for your approval") {
		t.Error("the edited draft is no longer waiting for approval")
	}
}
