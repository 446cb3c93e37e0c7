package main

import (
	"context"
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"foi/lifecycle"
	"foi/store"
)

// buildFoi builds the foi binary for tests that need a real process.
func buildFoi(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "foi")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestSendKilledAtRandom kills `foi send` with SIGKILL at a random moment,
// then runs it again to completion, many times over, and reports what the
// kills did. No letter may arrive twice: a letter the kill left "sending"
// is found in the Sent folder (when the provider files sent mail itself) or
// held in doubt, never resent by itself. The test then decides each letter
// in doubt as a person would, knowing what the server holds: foi mark-sent
// if it arrived, foi resend if not; after that every letter has arrived
// exactly once. The figures go in the README ("Never twice"):
//
//	go test ./cmd/foi -run TestSendKilledAtRandom -v
func TestSendKilledAtRandom(t *testing.T) {
	bin := buildFoi(t)
	const runs, letters = 40, 10
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	var duplicates, held, heldArrived, found, midSend int
	for run := 0; run < runs; run++ {
		provider := run%2 == 0
		opts := envOptions{rate: "20ms", sentCopy: "always"}
		if provider {
			opts.fileSent, opts.sentCopy = true, "auto"
		}
		e := newEnv(t, opts)
		setupCampaign(t, e, letters)

		cmd := exec.Command(bin, "--config", e.cfg, "send", "LXP7")
		cmd.Stdout, cmd.Stderr = nil, nil
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(80+rng.IntN(320)) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()

		// What the kill left "sending", and what the server had accepted.
		sendingAtKill := map[string]bool{}
		for _, it := range outboxIn(t, e, lifecycle.OutboxSending) {
			sendingAtKill[it.MessageID] = true
		}
		acceptedBeforeKill := map[string]bool{}
		for _, m := range e.mail.Received() {
			acceptedBeforeKill[strings.Trim(header(t, m.Data, "Message-Id"), "<>")] = true
		}

		if n := len(acceptedBeforeKill); n > 0 && n < letters {
			midSend++
		}

		rerun := exec.Command(bin, "--config", e.cfg, "send", "LXP7")
		if out, err := rerun.CombinedOutput(); err != nil {
			t.Fatalf("run %d: rerun failed: %v\n%s", run, err, out)
		}
		for id := range sendingAtKill {
			if acceptedBeforeKill[id] && provider {
				found++
			}
		}
		// A person decides each letter in doubt.
		for _, it := range outboxIn(t, e, lifecycle.OutboxInDoubt) {
			held++
			if !sendingAtKill[it.MessageID] {
				t.Errorf("run %d: %s in doubt, but it was not being sent at the kill", run, it.Ref)
			}
			if provider && acceptedBeforeKill[it.MessageID] {
				t.Errorf("run %d: %s in doubt though the provider filed it in Sent", run, it.Ref)
			}
			if acceptedBeforeKill[it.MessageID] {
				heldArrived++
				e.must("mark-sent", it.Ref)
			} else {
				e.must("resend", it.Ref)
			}
		}

		count := map[string]int{}
		for _, m := range e.mail.Received() {
			count[header(t, m.Data, "Message-Id")]++
		}
		if len(count) != letters {
			t.Errorf("run %d: %d distinct letters arrived, want %d", run, len(count), letters)
		}
		for id, n := range count {
			if n != 1 {
				duplicates++
				t.Errorf("run %d (provider files sent mail: %v): %s arrived %d times", run, provider, id, n)
			}
		}
		for ref, r := range status(t, e) {
			if r.State != "sent" {
				t.Errorf("run %d: %s is %s after the rerun, want sent", run, ref, r.State)
			}
		}
	}
	t.Logf("%d kills of foi send (%d letters each, rate 20ms; %d kills fell between its first and last letter): %d duplicates; %d letters killed after the server's 250 and before the commit were found in the Sent folder (provider files sent mail); %d were held in doubt for a person, %d of them had in fact arrived (the same window, no Sent copy) and %d had not",
		runs, letters, midSend, duplicates, found, held, heldArrived, held-heldArrived)
}

// outboxIn lists the outbox entries in one state, opening the store briefly.
func outboxIn(t *testing.T, e *env, state lifecycle.OutboxState) []store.OutboxItem {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(e.dir, "data"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	items, err := st.Outbox(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	var list []store.OutboxItem
	for _, it := range items {
		if it.State == state {
			list = append(list, it)
		}
	}
	return list
}
