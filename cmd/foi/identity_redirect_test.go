package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// Issue 13 through the command line: an identity challenge keeps the clock
// running and foi reply --template identity writes the answer; a redirect
// is offered by foi show and applied by foi redirect only with --yes; the
// review deadline a letter states is shown beside the statutory one.
func TestIdentityChallengeRedirectAndReviewDeadline(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	setupCampaign(t, e, 3)
	e.must("--now", "2026-03-02T10:00", "send", "LXP7")
	sent := map[string][]byte{}
	for _, m := range e.mail.Received() {
		sent[subjectRef.FindStringSubmatch(header(t, m.Data, "Subject"))[1]] = m.Data
	}
	reply := func(ref, extra, body string) []byte {
		return []byte(fmt.Sprintf("From: FOI <%s>\r\nTo: campaign@foi.test\r\nSubject: RE: Freedom of Information request [%s]\r\n"+
			"Message-ID: <%s-%d@nhs.test>\r\nIn-Reply-To: %s\r\nDate: Wed, 4 Mar 2026 10:00:00 +0000\r\n%s\r\n%s",
			strings.Trim(header(t, sent[ref], "To"), "<>"), ref, strings.ToLower(ref), time.Now().UnixNano(), header(t, sent[ref], "Message-Id"), extra, body))
	}
	e.mail.Deliver("INBOX", reply("LXP7-001", "", "Dear Collective,\r\n\r\nBefore we can process your request we require the real name of the individual making it.\r\n"), time.Now())
	e.mail.Deliver("INBOX", reply("LXP7-002", "Auto-Submitted: auto-replied\r\n",
		"This mailbox is no longer monitored.\r\n\r\nPlease send Freedom of Information requests to new.foi@trust02.nhs.test.\r\n"), time.Now())
	e.mail.Deliver("INBOX", reply("LXP7-003", "", "Dear Requester,\r\n\r\nPlease find below the information requested: the Trust employs 4 LXPs.\r\n\r\n"+
		"If you are dissatisfied with our decision to refuse or withhold information you may ask for an internal review within two months of this response.\r\n"+
		"You may then complain to the Information Commissioner.\r\n"), time.Now())
	e.must("--now", "2026-03-04T11:00", "sync")

	st := status(t, e)
	if st["LXP7-001"].State != "sent" || st["LXP7-002"].State != "sent" {
		t.Errorf("states %s and %s after an identity challenge and a redirect, want both still sent (the clock runs on)", st["LXP7-001"].State, st["LXP7-002"].State)
	}
	if st["LXP7-003"].State != "responded" {
		t.Errorf("LXP7-003 is %s after a successful answer, want responded", st["LXP7-003"].State)
	}

	show := e.must("--now", "2026-03-04T11:00", "show", "LXP7-001")
	if !strings.Contains(show, "identity challenge") || !strings.Contains(show, "foi reply LXP7-001 --template identity") || !strings.Contains(show, "s.8(1)(b)") {
		t.Errorf("foi show LXP7-001 does not offer the identity reply:\n%s", show)
	}
	e.must("--now", "2026-03-04T11:05", "reply", "LXP7-001", "--template", "identity", "--draft")
	var drafts []struct {
		ID  int64
		Ref string
	}
	if err := json.Unmarshal([]byte(e.must("drafts", "--json")), &drafts); err != nil || len(drafts) != 1 {
		t.Fatalf("drafts: %v %+v, want the identity letter", err, drafts)
	}
	letter := e.must("drafts", "show", fmt.Sprint(drafts[0].ID))
	for _, want := range []string{"Section 8(1)(b) of the Freedom of Information Act 2000", "Recognising a request made under",
		"the FOIA (section 8)", "LXP Revolution", "the applicant remains the organisation"} {
		if !strings.Contains(letter, want) {
			t.Errorf("the identity letter lacks %q:\n%s", want, letter)
		}
	}

	show = e.must("--now", "2026-03-04T11:00", "show", "LXP7-002")
	if !strings.Contains(show, "new.foi@trust02.nhs.test") || !strings.Contains(show, "foi redirect LXP7-002") {
		t.Errorf("foi show LXP7-002 does not offer the new address:\n%s", show)
	}
	plan := e.must("--now", "2026-03-04T11:10", "redirect", "LXP7-002")
	if !strings.Contains(plan, "LXP7-002") || !strings.Contains(plan, "--yes") {
		t.Errorf("foi redirect without --yes:\n%s", plan)
	}
	if show := e.must("show", "LXP7-002"); !strings.Contains(show, "<foi@trust02.nhs.test>") {
		t.Errorf("foi redirect without --yes changed the address:\n%s", show)
	}
	done := e.must("--now", "2026-03-04T11:10", "redirect", "LXP7-002", "--yes")
	if !strings.Contains(done, "letters now go to new.foi@trust02.nhs.test") {
		t.Errorf("foi redirect --yes: %s", done)
	}
	show = e.must("show", "LXP7-002")
	if !strings.Contains(show, "<new.foi@trust02.nhs.test>") || strings.Contains(show, "A reply asks us to write") {
		t.Errorf("after foi redirect --yes, foi show:\n%s", show)
	}
	if code, _, stderr := e.foi("redirect", "LXP7-002", "not an address", "--yes"); code == 0 || !strings.Contains(stderr, "not an email address") {
		t.Errorf("foi redirect with a bad address: exit %d %q", code, stderr)
	}

	show = e.must("--now", "2026-03-04T11:00", "show", "LXP7-003")
	if !strings.Contains(show, "Ask for an internal review by") || !strings.Contains(show, "the authority's letter says within two months (by Mon 4 May 2026): keep to the earlier") {
		t.Errorf("foi show LXP7-003 does not give both review deadlines:\n%s", show)
	}
}
