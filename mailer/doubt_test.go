package mailer

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"foi/lifecycle"
	"foi/store"
)

// memSent is a Sent folder in memory: it holds what was appended, and
// whatever a test puts in it (as a provider that files sent mail would).
type memSent struct {
	mu  sync.Mutex
	ids map[string]bool
	err error // non-nil: the folder cannot be searched
}

func (m *memSent) Has(_ context.Context, id string) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.err != nil {
		return false, m.err
	}
	return m.ids[id], nil
}

func (m *memSent) Append(_ context.Context, raw []byte, _ time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.ids == nil {
		m.ids = map[string]bool{}
	}
	m.ids["appended"] = true
	return nil
}

func (m *memSent) put(id string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.ids == nil {
		m.ids = map[string]bool{}
	}
	m.ids[id] = true
}

// faultOutbox sends the world's letters to a fakeSMTP in the given mode,
// with a short smtp.timeout.
func (w *world) faultOutbox(f *fakeSMTP, sent SentFolder) *Outbox {
	ob := w.outbox(sending, "")
	cfg := smtpConfig(w.t, w.dir, "", f.port(), "")
	cfg.Auth, cfg.Timeout = "none", 300*time.Millisecond
	ob.Transport, ob.Sent, ob.SentCopy, ob.NoWait = NewSMTP(cfg, w.dir), sent, CopyAlways, true
	return ob
}

func acceptedTwice(ids []string) []string {
	seen := map[string]int{}
	var twice []string
	for _, id := range ids {
		if seen[id]++; seen[id] == 2 {
			twice = append(twice, id)
		}
	}
	return twice
}

// Once the server has said 250 to DATA the letter is sent, whatever fails
// after: a 421 or 554 to the RSET go-mail sends next, or the connection
// dropped then. No letter is sent twice or marked failed.
func TestDrainAfter250IsSent(t *testing.T) {
	t.Parallel()
	for _, mode := range []faultMode{behave, rset421, rset554, dropAfter250} {
		t.Run(mode.String(), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			w := newWorld(t, 4)
			f := startFakeSMTP(t, mode, 0)
			for run := 1; run <= 2; run++ {
				sum, err := w.faultOutbox(f, &memSent{}).Drain(ctx, "LXP7", 0)
				want := 4
				if run == 2 {
					want = 0
				}
				if err != nil || sum.Sent != want || sum.Failed != 0 || sum.Waiting != 0 || sum.InDoubt != 0 {
					t.Fatalf("run %d: Drain = %+v, %v; want %d sent, none failed, waiting or in doubt", run, sum, err, want)
				}
			}
			if got := f.got(); len(got) != 4 || len(acceptedTwice(got)) != 0 {
				t.Errorf("server accepted %v, want each of 4 letters once", got)
			}
			for _, it := range w.items() {
				if it.State != lifecycle.OutboxSent {
					t.Errorf("%s: %s (%q), want sent", it.Ref, it.State, it.LastError)
				}
				if r, _ := w.st.Request(ctx, it.Ref); r.State != lifecycle.Sent {
					t.Errorf("%s: request %s, want sent", it.Ref, r.State)
				}
				if ev := w.events(it.Ref, lifecycle.EventSendFailed); len(ev) != 0 {
					t.Errorf("%s: send_failed events %v, want none", it.Ref, ev)
				}
			}
		})
	}
}

// Nothing is said on the connection between the 250 to a letter's data and
// its record as sent: after DATA the next command is the next letter's NOOP,
// or QUIT, never an RSET whose failure or delay could come first.
func TestSendSaysNothingAfterTheDataReply(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 3)
	f := startFakeSMTP(t, behave, 0)
	if sum, err := w.faultOutbox(f, nil).Drain(context.Background(), "LXP7", 0); err != nil || sum.Sent != 3 {
		t.Fatalf("Drain = %+v, %v; want 3 sent", sum, err)
	}
	verbs := f.commands()
	for i, v := range verbs {
		if v != "DATA" {
			continue
		}
		if i+1 >= len(verbs) || (verbs[i+1] != "NOOP" && verbs[i+1] != "QUIT") {
			t.Errorf("commands %v: after DATA #%d comes %v, want NOOP (the next letter) or QUIT", verbs, i, verbs[i+1:])
		}
	}
}

// A letter whose fate is unknown (the connection dropped before the reply
// to its data, or the reply came later than smtp.timeout) is held in doubt
// and never sent again by itself, with or without a Sent folder, until the
// folder proves it sent or a person decides.
func TestDrainHoldsUnknownFateInDoubt(t *testing.T) {
	t.Parallel()
	type sentCase struct {
		name string
		sent func() *memSent // nil result: no Sent folder
	}
	for _, mode := range []faultMode{dropBeforeReply, delayDataPast} {
		for _, sc := range []sentCase{
			{"no Sent folder", func() *memSent { return nil }},
			{"not in the Sent folder", func() *memSent { return &memSent{} }},
			{"Sent folder unsearchable", func() *memSent { return &memSent{err: errors.New("imap: connection refused")} }},
		} {
			t.Run(mode.String()+"/"+sc.name, func(t *testing.T) {
				t.Parallel()
				ctx := context.Background()
				w := newWorld(t, 3)
				f := startFakeSMTP(t, mode, 800*time.Millisecond)
				var sent SentFolder
				ms := sc.sent()
				if ms != nil {
					sent = ms
				}
				for run := 1; run <= 3; run++ {
					sum, err := w.faultOutbox(f, sent).Drain(ctx, "LXP7", 0)
					if err != nil || sum.Sent != 0 || sum.Failed != 0 || sum.InDoubt != 3 {
						t.Fatalf("run %d: Drain = %+v, %v; want 3 in doubt, none sent or failed", run, sum, err)
					}
				}
				if got := f.got(); len(got) != 3 || len(acceptedTwice(got)) != 0 {
					t.Fatalf("server accepted %v, want each of 3 letters once", got)
				}
				for _, it := range w.items() {
					unsearchable := ms != nil && ms.err != nil
					if it.State != lifecycle.OutboxInDoubt || (!unsearchable && !strings.Contains(it.LastError, "foi resend "+it.Ref)) {
						t.Errorf("%s: %s (%q), want in_doubt saying what to do", it.Ref, it.State, it.LastError)
					}
					if r, _ := w.st.Request(ctx, it.Ref); r.State != lifecycle.Queued {
						t.Errorf("%s: request %s, want queued", it.Ref, r.State)
					}
					if ev := w.events(it.Ref, lifecycle.EventSendDeferred); len(ev) != 1 {
						t.Errorf("%s: %d send_deferred events after 3 runs, want 1 (when it fell in doubt)", it.Ref, len(ev))
					}
				}
				if ms == nil || ms.err != nil {
					return
				}
				// The provider files its copy after all: the next run settles it.
				items := w.items()
				ms.put(items[0].MessageID)
				sum, err := w.faultOutbox(f, ms).Drain(ctx, "LXP7", 0)
				if err != nil || sum.InDoubt != 2 {
					t.Fatalf("after the copy appeared: Drain = %+v, %v; want 2 still in doubt", sum, err)
				}
				if it := w.items()[0]; it.State != lifecycle.OutboxSent || it.SentCopy != "found" {
					t.Errorf("%s: %s, copy %q; want sent, found in the Sent folder", it.Ref, it.State, it.SentCopy)
				}
				if len(f.got()) != 3 {
					t.Errorf("server accepted %d letters, want still 3", len(f.got()))
				}
			})
		}
	}
}

// A person decides: one letter is sent again with the same Message-ID (the
// run sends that one alone), another is recorded as sent.
func TestResendAndMarkSentByHand(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t, 3)
	f := startFakeSMTP(t, dropBeforeReply, 0)
	if sum, err := w.faultOutbox(f, nil).Drain(ctx, "LXP7", 0); err != nil || sum.InDoubt != 3 {
		t.Fatalf("Drain = %+v, %v; want 3 in doubt", sum, err)
	}
	items := w.items()
	if err := w.st.Resend(ctx, items[0].ID, sending); err != nil {
		t.Fatal(err)
	}
	if err := w.st.MarkSentByHand(ctx, items[1].ID, sending); err != nil {
		t.Fatal(err)
	}
	if err := w.st.Resend(ctx, items[1].ID, sending); !errors.Is(err, store.ErrConflict) {
		t.Errorf("Resend of a letter marked sent = %v, want ErrConflict", err)
	}
	good := startFakeSMTP(t, behave, 0)
	ob := w.faultOutbox(good, nil)
	ob.Only = items[0].ID
	if sum, err := ob.Drain(ctx, "LXP7", 0); err != nil || sum.Sent != 1 || sum.InDoubt != 1 {
		t.Fatalf("resend: Drain = %+v, %v; want 1 sent, 1 still in doubt", sum, err)
	}
	if got := good.got(); len(got) != 1 || got[0] != items[0].MessageID {
		t.Errorf("resend: server got %v, want only %s (the same Message-ID)", got, items[0].MessageID)
	}
	want := []lifecycle.OutboxState{lifecycle.OutboxSent, lifecycle.OutboxSent, lifecycle.OutboxInDoubt}
	for i, it := range w.items() {
		if it.State != want[i] {
			t.Errorf("%s: %s, want %s", it.Ref, it.State, want[i])
		}
	}
}
