package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// replyTo builds an authority's answer to a sent letter.
func replyTo(sent []byte, t *testing.T, n int, body string) []byte {
	to := strings.Trim(header(t, sent, "To"), "<>")
	id := header(t, sent, "Message-Id")
	return []byte(fmt.Sprintf("From: FOI Officer <%s>\r\nTo: campaign@foi.test\r\nSubject: RE: your request\r\n"+
		"Message-ID: <reply-%d-%d@nhs.test>\r\nIn-Reply-To: %s\r\nDate: Tue, 3 Mar 2026 10:00:00 +0000\r\n\r\n%s\r\n",
		to, n, time.Now().UnixNano(), id, body))
}

func TestSyncShowMarkAssign(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	setupCampaign(t, e, 4)
	e.must("send", "LXP7")
	sent := e.mail.Received()
	// Trust 02 gets a second request, so mail from it alone is ambiguous.
	e.must("campaign", "new", "LXP8", "--title", "More", "--letter", e.writeFile("l8.txt", letter), "--authorities", "Trust 02 NHS Foundation Trust")
	e.must("send", "LXP8")
	e.mail.Deliver("INBOX", replyTo(sent[0].Data, t, 1, "Our ref: FOI/26/0456\r\n\r\nWe do not hold the information you asked for."), time.Now())
	// From a known authority's address, but with nothing to tie it to a
	// request of the several open there.
	e.mail.Deliver("INBOX", []byte("From: foi@trust02.nhs.test\r\nTo: campaign@foi.test\r\nSubject: Query\r\nMessage-ID: <q1@nhs.test>\r\n\r\nCould you call us?\r\n"), time.Now())
	var stats struct{ Seen, Filed, Unmatched, Ignored int }
	if err := json.Unmarshal([]byte(e.must("sync", "--json")), &stats); err != nil {
		t.Fatal(err)
	}
	if stats.Seen != 2 || stats.Filed+stats.Unmatched != 2 {
		t.Errorf("sync = %+v", stats)
	}
	st := status(t, e)
	if st["LXP7-001"].State != "responded" {
		t.Errorf("LXP7-001 = %s, want responded", st["LXP7-001"].State)
	}
	show := e.must("show", "LXP7-001")
	for _, want := range []string{"← reply", "Matched by: in-reply-to", "We do not hold", "their ref: FOI/26/0456", "→ letter"} {
		if !strings.Contains(show, want) {
			t.Errorf("show lacks %q:\n%s", want, show)
		}
	}
	var unmatched []struct {
		ID          int64
		From        string
		Suggestions []struct{ Ref, Why string }
	}
	if err := json.Unmarshal([]byte(e.must("unmatched", "--json")), &unmatched); err != nil {
		t.Fatal(err)
	}
	if len(unmatched) != 1 || unmatched[0].From != "foi@trust02.nhs.test" || len(unmatched[0].Suggestions) != 2 {
		t.Fatalf("unmatched = %+v, want the query from trust02", unmatched)
	}
	e.must("assign", fmt.Sprint(unmatched[0].ID), "LXP7-002")
	if out := e.must("unmatched"); strings.Contains(out, "trust02") {
		t.Errorf("still unmatched after assign: %s", out)
	}
	if !strings.Contains(e.must("show", "LXP7-002"), "Could you call us?") {
		t.Error("assigned message not in LXP7-002's thread")
	}
	e.must("mark", "LXP7-001", "not_held", "--note", "confirmed by reading")
	if st := status(t, e); st["LXP7-001"].State != "not_held" {
		t.Errorf("after mark: %s", st["LXP7-001"].State)
	}
	if code, _, stderr := e.foi("mark", "LXP7-001", "bogus"); code != 2 || !strings.Contains(stderr, "valid states") {
		t.Errorf("mark with a bad state: %d %q", code, stderr)
	}
}

// TestSyncKilledAtRandom kills `foi sync` at random moments while it files
// many replies, then runs a final sync: every message is stored exactly once.
func TestSyncKilledAtRandom(t *testing.T) {
	bin := buildFoi(t)
	e := newEnv(t, envOptions{})
	setupCampaign(t, e, 10)
	e.must("send", "LXP7")
	sent := e.mail.Received()
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 3))
	total := 0
	for run := 0; run < 22; run++ {
		for i := 0; i < 6; i++ {
			e.mail.Deliver("INBOX", replyTo(sent[rng.IntN(len(sent))].Data, t, total, "We acknowledge receipt of your request."), time.Now())
			total++
		}
		cmd := exec.Command(bin, "--config", e.cfg, "sync")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(rng.IntN(120)) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
	}
	if out, err := exec.Command(bin, "--config", e.cfg, "sync").CombinedOutput(); err != nil {
		t.Fatalf("final sync: %v\n%s", err, out)
	}
	st := openStore(t, e)
	var n, distinct int
	st.DB().QueryRow(`SELECT count(*), count(DISTINCT message_id) FROM messages WHERE direction = 'in'`).Scan(&n, &distinct)
	if n != total || distinct != total {
		t.Errorf("%d replies delivered; stored %d rows for %d distinct Message-IDs, want exactly %d", total, n, distinct, total)
	}
}
