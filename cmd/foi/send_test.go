package main

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-smtp"
)

const letter = `Dear {{.Authority.Name}},

Please tell us about Band 7 roles.

Please quote our reference {{.Request.Ref}}.

Yours faithfully,
{{.Requester.Name}}
`

func setupCampaign(t *testing.T, e *env, n int) {
	t.Helper()
	e.must("authorities", "import", e.writeFile("trusts.csv", trustsCSV(n)))
	e.must("campaign", "new", "LXP7", "--title", "Band 7 roles", "--letter", e.writeFile("letter.txt", letter), "--authorities", "all")
}

type statusJSON struct {
	Ref       string `json:"ref"`
	Authority string `json:"authority"`
	State     string `json:"state"`
	SentAt    string `json:"sent_at"`
	Due       string `json:"due"`
	LastError string `json:"last_error"`
}

func status(t *testing.T, e *env) map[string]statusJSON {
	t.Helper()
	var rows []statusJSON
	if err := json.Unmarshal([]byte(e.must("status", "LXP7", "--json")), &rows); err != nil {
		t.Fatal(err)
	}
	out := map[string]statusJSON{}
	for _, r := range rows {
		out[r.Ref] = r
	}
	return out
}

var subjectRef = regexp.MustCompile(`\[(LXP7-\d{3})\]`)

func TestSendCampaignOf55(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	setupCampaign(t, e, 55)

	var sum struct{ Sent, Failed, Retried int }
	if err := json.Unmarshal([]byte(e.must("send", "LXP7", "--json")), &sum); err != nil {
		t.Fatal(err)
	}
	if sum.Sent != 55 || sum.Failed != 0 {
		t.Fatalf("summary = %+v, want 55 sent, 0 failed", sum)
	}
	got := e.mail.Received()
	if len(got) != 55 {
		t.Fatalf("server received %d messages, want 55", len(got))
	}
	ids := map[string]bool{}
	refs := map[string]bool{}
	for _, m := range got {
		if len(m.To) != 1 {
			t.Fatalf("recipients %v, want one", m.To)
		}
		n := strings.TrimSuffix(strings.TrimPrefix(m.To[0], "foi@trust"), ".nhs.test")
		subj := header(t, m.Data, "Subject")
		ref := subjectRef.FindStringSubmatch(subj)
		if ref == nil {
			t.Fatalf("subject %q has no [LXP7-NNN]", subj)
		}
		refs[ref[1]] = true
		wantSubject := fmt.Sprintf("Freedom of Information request [%s]: Band 7 roles", ref[1])
		if subj != wantSubject {
			t.Errorf("subject = %q, want %q", subj, wantSubject)
		}
		// References follow the authorities' sorted names: Trust NN is LXP7-0NN.
		if want := "LXP7-0" + n; ref[1] != want {
			t.Errorf("letter to %s has ref %s, want %s", m.To[0], ref[1], want)
		}
		salutation := fmt.Sprintf("Dear Trust %s NHS Foundation Trust,", n)
		if b := body(t, m.Data); !strings.HasPrefix(b, salutation) || !strings.Contains(b, "reference "+ref[1]) {
			t.Errorf("letter to %s begins %q, want %q and its reference", m.To[0], firstLine(b), salutation)
		}
		id := header(t, m.Data, "Message-Id")
		if id == "" || ids[id] {
			t.Errorf("Message-ID %q empty or repeated", id)
		}
		ids[id] = true
	}
	if len(refs) != 55 {
		t.Errorf("%d distinct references, want 55", len(refs))
	}
	for ref, r := range status(t, e) {
		if r.State != "sent" || r.SentAt == "" || r.Due == "" {
			t.Errorf("%s: state %s sent %q due %q, want sent with times", ref, r.State, r.SentAt, r.Due)
		}
	}
	// The Sent folder holds the 55 letters, byte for byte.
	sent := fetchFolder(t, e.mail, "Sent")
	if len(sent) != 55 {
		t.Fatalf("Sent folder has %d messages, want 55", len(sent))
	}
	byID := map[string][]byte{}
	for _, m := range got {
		byID[header(t, m.Data, "Message-Id")] = m.Data
	}
	for _, s := range sent {
		if string(byID[header(t, s, "Message-Id")]) != string(s) {
			t.Errorf("Sent copy of %s differs from what was sent", header(t, s, "Message-Id"))
		}
	}

	// A second run sends nothing.
	if err := json.Unmarshal([]byte(e.must("send", "LXP7", "--json")), &sum); err != nil {
		t.Fatal(err)
	}
	if sum.Sent != 0 || len(e.mail.Received()) != 55 || len(fetchFolder(t, e.mail, "Sent")) != 55 {
		t.Errorf("second send: summary %+v, server has %d, want nothing more", sum, len(e.mail.Received()))
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

func TestSendTemporaryAndPermanentRefusals(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	setupCampaign(t, e, 10)
	var mu sync.Mutex
	attempts := map[string]int{}
	e.mail.OnRcpt(func(from, to string) error {
		mu.Lock()
		defer mu.Unlock()
		attempts[to]++
		switch {
		case (to == "foi@trust03.nhs.test" || to == "foi@trust07.nhs.test") && attempts[to] <= 2:
			return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Greylisted, try again later"}
		case to == "foi@trust05.nhs.test":
			return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user here"}
		}
		return nil
	})
	var sum struct {
		Sent, Failed, Retried int
		Failures              []struct{ Ref, Reason string }
	}
	if err := json.Unmarshal([]byte(e.must("send", "LXP7", "--json")), &sum); err != nil {
		t.Fatal(err)
	}
	if sum.Sent != 9 || sum.Failed != 1 || sum.Retried != 2 {
		t.Errorf("summary = %+v, want 9 sent (2 after retries), 1 failed", sum)
	}
	delivered := map[string]int{}
	for _, m := range e.mail.Received() {
		delivered[m.To[0]]++
	}
	for i := 1; i <= 10; i++ {
		addr := fmt.Sprintf("foi@trust%02d.nhs.test", i)
		want := 1
		if i == 5 {
			want = 0
		}
		if delivered[addr] != want {
			t.Errorf("%s received %d letters, want %d", addr, delivered[addr], want)
		}
	}
	mu.Lock()
	if attempts["foi@trust03.nhs.test"] != 3 || attempts["foi@trust05.nhs.test"] != 1 {
		t.Errorf("RCPT attempts: trust03 %d (want 3), trust05 %d (want 1: never retried)", attempts["foi@trust03.nhs.test"], attempts["foi@trust05.nhs.test"])
	}
	mu.Unlock()
	st := status(t, e)
	if r := st["LXP7-005"]; r.State != "delivery_failed" || !strings.Contains(r.LastError, "No such user here") {
		t.Errorf("LXP7-005 = %+v, want delivery_failed with the server's text", r)
	}
	if r := st["LXP7-003"]; r.State != "sent" {
		t.Errorf("LXP7-003 = %+v, want sent after retries", r)
	}
	// A rerun does not retry the refused letter.
	e.must("send", "LXP7")
	mu.Lock()
	if attempts["foi@trust05.nhs.test"] != 1 {
		t.Errorf("refused letter was retried: %d attempts", attempts["foi@trust05.nhs.test"])
	}
	mu.Unlock()
	if n := len(e.mail.Received()); n != 9 {
		t.Errorf("after rerun the server has %d messages, want 9", n)
	}
}

func TestSendSurvivesDroppedConnection(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	setupCampaign(t, e, 20)
	e.mail.DropAfter(7)
	e.must("send", "LXP7")
	count := map[string]int{}
	for _, m := range e.mail.Received() {
		count[m.To[0]]++
	}
	if len(count) != 20 {
		t.Errorf("%d authorities got a letter, want 20", len(count))
	}
	for to, n := range count {
		if n != 1 {
			t.Errorf("%s got %d letters, want 1", to, n)
		}
	}
}

func TestSendConnectionLostBeforeReplyIsSettledBySentFolder(t *testing.T) {
	t.Parallel()
	// The provider files sent mail itself (as Gmail does): a letter whose
	// acceptance was never heard is found in Sent and not sent again.
	e := newEnv(t, envOptions{fileSent: true, sentCopy: "auto"})
	setupCampaign(t, e, 12)
	e.mail.DropInData(4)
	e.must("send", "LXP7")
	count := map[string]int{}
	for _, m := range e.mail.Received() {
		count[m.To[0]]++
	}
	if len(count) != 12 {
		t.Errorf("%d authorities got a letter, want 12", len(count))
	}
	for to, n := range count {
		if n != 1 {
			t.Errorf("%s got %d letters, want 1", to, n)
		}
	}
	if n := len(fetchFolder(t, e.mail, "Sent")); n != 12 {
		t.Errorf("Sent folder has %d, want 12 (no second copy appended)", n)
	}
}
