package digest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"foi/calendar"
	"foi/config"
	"foi/lifecycle"
	"foi/localmail"
	"foi/mailer"
	"foi/schedule"
	"foi/store"
)

// world is a store, the in-process SMTP server and a Notifier that sends
// through the campaign's real SMTP code (mailer.SMTP) to it.
type world struct {
	t    *testing.T
	st   *store.Store
	mail *localmail.Server
	n    *Notifier
	seq  int
}

func newWorld(t *testing.T) *world {
	t.Helper()
	dir := t.TempDir()
	st, err := store.Open(t.Context(), filepath.Join(dir, "data"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	srv, err := localmail.Start(localmail.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	if err := os.WriteFile(filepath.Join(dir, "pass"), []byte(srv.Password+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := config.Default().SMTP
	cfg.Host, cfg.Port, cfg.Security, cfg.Auth = "127.0.0.1", srv.SMTPPort(), "starttls", "plain"
	cfg.Username, cfg.PasswordFile, cfg.CAFile, cfg.Timeout = srv.User, "pass", srv.CAFile, 5*time.Second
	pol, err := schedule.PolicyFrom(config.Default().Schedule)
	if err != nil {
		t.Fatal(err)
	}
	cal := calendar.New()
	sch := &schedule.Scheduler{Store: st, Cal: cal, Policy: pol}
	return &world{t: t, st: st, mail: srv, n: &Notifier{
		Scheduler: sch,
		Sender:    mailer.NewSMTP(cfg, dir),
		Envelope:  Envelope{FromName: "foi", From: "campaign@foi.test", To: []string{"a@helpers.test", "b@helpers.test"}},
		Zone:      cal.Location(),
		DailyAt:   8 * time.Hour,
	}}
}

// arrive stores a received message that no request claims (the unmatched
// queue), of the given kind.
func (w *world) arrive(kind lifecycle.Kind, at time.Time) {
	w.t.Helper()
	w.seq++
	m := store.Message{Direction: "in", MessageID: fmt.Sprintf("m%d@authority.test", w.seq), SHA256: fmt.Sprintf("%064d", w.seq),
		Subject: fmt.Sprintf("message %d", w.seq), From: "foi@authority.test", Kind: kind, Date: at}
	if _, _, err := w.st.SaveIncoming(w.t.Context(), store.Incoming{Message: m, Folder: "INBOX", UID: uint32(w.seq), ReceivedAt: at}, at); err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) step(at time.Time) []Digest {
	w.t.Helper()
	sent, _, err := w.n.Step(w.t.Context(), at)
	if err != nil {
		w.t.Fatalf("Step(%s): %v", at, err)
	}
	return sent
}

func london(t *testing.T, s string) time.Time {
	t.Helper()
	at, err := time.ParseInLocation("2006-01-02 15:04", s, calendar.New().Location())
	if err != nil {
		t.Fatal(err)
	}
	return at
}

// TestNotifierOncePerDayAndUrgentAtOnce walks two days: the daily digest
// waits for daily_at, goes once, and the next one says only what is new; a
// bounce goes at once, on its own, and only once.
func TestNotifierOncePerDayAndUrgentAtOnce(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.arrive(lifecycle.KindAcknowledgement, london(t, "2026-03-02 18:00"))

	// Before daily_at: nothing urgent, nothing sent.
	if sent := w.step(london(t, "2026-03-03 07:59")); len(sent) != 0 {
		t.Fatalf("at 07:59 sent %d digests, want none before daily_at", len(sent))
	}
	if _, next, _ := w.n.Step(t.Context(), london(t, "2026-03-03 07:59")); !next.Equal(london(t, "2026-03-03 08:00")) {
		t.Errorf("next = %s, want 08:00 the same day", next)
	}
	// At daily_at: the daily digest, to every address.
	sent := w.step(london(t, "2026-03-03 08:00"))
	if len(sent) != 1 || sent[0].Kind != store.DigestDaily || len(sent[0].Arrived) != 1 {
		t.Fatalf("at 08:00 sent %+v, want one daily digest of one reply", sent)
	}
	got := w.mail.Received()
	if len(got) != 1 || strings.Join(got[0].To, ",") != "a@helpers.test,b@helpers.test" {
		t.Fatalf("delivered %d messages (%v), want one to both volunteers", len(got), got)
	}
	// Later the same day, even with news: no second daily digest.
	w.arrive(lifecycle.KindSubstantive, london(t, "2026-03-03 11:00"))
	if sent := w.step(london(t, "2026-03-03 12:00")); len(sent) != 0 {
		t.Errorf("a second digest the same day: %+v", sent)
	}
	// A bounce: at once, alone.
	w.arrive(lifecycle.KindBounce, london(t, "2026-03-03 13:00"))
	sent = w.step(london(t, "2026-03-03 13:01"))
	if len(sent) != 1 || sent[0].Kind != store.DigestUrgent || len(sent[0].Arrived) != 1 || !strings.HasPrefix(sent[0].Arrived[0].Words, "not filed: from foi@authority.test") {
		t.Fatalf("after a bounce sent %+v, want one urgent digest of the bounce", sent)
	}
	if sent := w.step(london(t, "2026-03-03 13:30")); len(sent) != 0 {
		t.Errorf("the bounce was told twice: %+v", sent)
	}
	// The next morning: what arrived since yesterday's digest (the answer
	// and the bounce), not the acknowledgement told yesterday.
	sent = w.step(london(t, "2026-03-04 08:05"))
	if len(sent) != 1 || sent[0].Kind != store.DigestDaily || len(sent[0].Arrived) != 2 {
		t.Fatalf("the next morning sent %+v, want one daily digest of two replies", sent)
	}
	if n := len(w.mail.Received()); n != 3 {
		t.Errorf("%d digests delivered in all, want 3", n)
	}
	text := string(w.mail.Received()[2].Data)
	for _, want := range []string{"Subject: foi digest for Wed 4 Mar: 2 replies, 1 thing needs a person", "Auto-Submitted: auto-generated", "message 2", "message 3"} {
		if !strings.Contains(text, want) {
			t.Errorf("the second daily digest lacks %q:\n%s", want, text)
		}
	}
}

// TestNotifierQuietDay: a day with nothing to say sends nothing, and a
// digest that cannot be sent is not recorded, so it goes when it can.
func TestNotifierQuietDayAndRefusal(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	if sent := w.step(london(t, "2026-03-03 09:00")); len(sent) != 0 || len(w.mail.Received()) != 0 {
		t.Fatalf("an empty day sent %d digests", len(w.mail.Received()))
	}
	w.arrive(lifecycle.KindBounce, london(t, "2026-03-03 10:00"))
	w.mail.OnRcpt(func(from, to string) error { return fmt.Errorf("451 try later") })
	_, _, err := w.n.Step(t.Context(), london(t, "2026-03-03 10:01"))
	if err == nil {
		t.Fatal("Step with the server refusing: no error")
	}
	if _, ok, _ := w.st.LastDigest(t.Context(), store.DigestUrgent); ok {
		t.Error("an urgent digest that was refused is recorded as sent")
	}
	w.mail.OnRcpt(nil)
	if sent := w.step(london(t, "2026-03-03 10:11")); len(sent) != 1 || sent[0].Kind != store.DigestUrgent {
		t.Errorf("after the refusal sent %+v, want the urgent digest", sent)
	}
}

// TestRunSendsWhenKicked: Run sends an urgent digest when the watcher
// kicks it, without waiting for its timer.
func TestRunSendsWhenKicked(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	kick := make(chan struct{}, 1)
	w.n.Kick, w.n.Now = kick, time.Now
	w.n.DailyAt = 0
	// Today's daily digest is out of the way, so only urgent mail goes.
	now := time.Now()
	if err := w.st.RecordDigest(t.Context(), store.Digest{Kind: store.DigestDaily, Day: w.n.day(now), Recipients: []string{"x@y.test"}, MessageID: "d@x", SentAt: now}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- w.n.Run(ctx) }()
	time.Sleep(100 * time.Millisecond)
	w.arrive(lifecycle.KindBounce, time.Now())
	kick <- struct{}{}
	deadline := time.Now().Add(5 * time.Second)
	for len(w.mail.Received()) == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run = %v", err)
	}
	if n := len(w.mail.Received()); n != 1 {
		t.Errorf("%d digests after a kick, want 1", n)
	}
}

// TestIdentityChallengeIsUrgent: an authority asking for a real name is
// told at once, and an out-of-office is not.
func TestIdentityChallengeIsUrgent(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.n.DailyAt = 23 * time.Hour
	w.arrive(lifecycle.KindAutoReply, london(t, "2026-03-03 09:00"))
	if sent := w.step(london(t, "2026-03-03 09:01")); len(sent) != 0 {
		t.Fatalf("an out-of-office sent %+v at once", sent)
	}
	w.arrive(lifecycle.KindIdentity, london(t, "2026-03-03 10:00"))
	sent := w.step(london(t, "2026-03-03 10:01"))
	if len(sent) != 1 || sent[0].Kind != store.DigestUrgent || len(sent[0].Arrived) != 1 || !strings.Contains(sent[0].Arrived[0].Words, "message 2") {
		t.Fatalf("an identity challenge sent %+v, want one urgent digest of it alone", sent)
	}
}
