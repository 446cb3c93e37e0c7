package mailer

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"foi/lifecycle"
	"foi/store"
)

// Fri 1 Jan 2027 is a bank holiday: a letter planned then goes on Tue 5 Jan.
var (
	planned = time.Date(2027, 1, 1, 10, 0, 0, 0, time.UTC)
	sending = time.Date(2027, 1, 5, 9, 30, 15, 700_000_000, time.UTC)
)

func testLetter(i int, date time.Time) Letter {
	return Letter{
		FromName: "LXP Revolution", FromAddress: "campaign@foi.test",
		To:        fmt.Sprintf("foi@trust%02d.nhs.test", i),
		Subject:   fmt.Sprintf("Freedom of Information request [LXP7-%03d]: Band 7 roles", i),
		Body:      fmt.Sprintf("Dear Trust %02d,\n\nPlease tell us about Band 7 roles.\n\nYours faithfully,\nLXP Revolution\n", i),
		MessageID: fmt.Sprintf("lxp7-%03d.test@foi.test", i),
		Date:      date,
		Ref:       fmt.Sprintf("LXP7-%03d", i),
	}
}

// world is a real store in a temporary folder with n letters queued at
// planned, and a server to send them to.
type world struct {
	t   *testing.T
	dir string
	st  *store.Store
	srv *server
}

func newWorld(t *testing.T, n int) *world {
	t.Helper()
	var to []string
	for i := 1; i <= n; i++ {
		to = append(to, fmt.Sprintf("foi@trust%02d.nhs.test", i))
	}
	return newWorldTo(t, to)
}

// newWorldTo is newWorld with one letter to each of these addresses.
func newWorldTo(t *testing.T, to []string) *world {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	st, err := store.Open(ctx, filepath.Join(dir, "data"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	var auths []store.Authority
	for i, addr := range to {
		auths = append(auths, store.Authority{Name: fmt.Sprintf("Trust %02d", i+1), Email: addr, Jurisdiction: "foia"})
	}
	if _, _, err := st.UpsertAuthorities(ctx, auths, planned); err != nil {
		t.Fatal(err)
	}
	stored, err := st.Authorities(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var reqs []store.NewRequest
	for i, a := range stored {
		l := testLetter(i+1, planned)
		reqs = append(reqs, store.NewRequest{AuthorityID: a.ID, Seq: i + 1, Ref: l.Ref, ToAddress: a.Email, MessageID: l.MessageID})
	}
	if _, err := st.CreateCampaign(ctx, store.Campaign{Slug: "LXP7", Title: "Band 7 roles", LetterName: "l.txt", Letter: "Dear",
		Selector: "all", RequesterName: "LXP Revolution", RequesterEmail: "campaign@foi.test"}, reqs, planned); err != nil {
		t.Fatal(err)
	}
	rs, err := st.Requests(ctx, "LXP7")
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rs {
		l := testLetter(i+1, planned)
		l.To = r.ToAddress
		raw, err := Render(l)
		if err != nil {
			t.Fatal(err)
		}
		sum, err := st.PutMail(raw)
		if err != nil {
			t.Fatal(err)
		}
		js, _ := json.Marshal(l)
		if _, err := st.Enqueue(ctx, r.ID, store.Queued{Step: lifecycle.StepLetter, Letter: string(js)}, store.Message{MessageID: l.MessageID,
			SHA256: sum, Size: int64(len(raw)), Subject: l.Subject, From: l.FromAddress, To: l.To, Date: l.Date, BodyText: l.Body}, planned); err != nil {
			t.Fatal(err)
		}
	}
	return &world{t: t, dir: dir, st: st, srv: startServer(t)}
}

// outbox sends to the world's server at the moment now (a clock that runs
// on from it), with the password given ("" leaves the file missing).
func (w *world) outbox(now time.Time, password string) *Outbox {
	start := time.Now()
	return &Outbox{
		Store: w.st, Transport: NewSMTP(w.srv.config(w.t, w.dir, password), w.dir),
		Backoff: 10 * time.Millisecond, BackoffMax: 40 * time.Millisecond, MaxAttempts: 3,
		Now: func() time.Time { return now.Add(time.Since(start)) },
	}
}

func (w *world) items() []store.OutboxItem {
	w.t.Helper()
	items, err := w.st.Outbox(context.Background(), "LXP7")
	if err != nil {
		w.t.Fatal(err)
	}
	return items
}

func (w *world) events(ref string, kind lifecycle.EventKind) []store.Event {
	w.t.Helper()
	r, err := w.st.Request(context.Background(), ref)
	if err != nil {
		w.t.Fatal(err)
	}
	all, err := w.st.Events(context.Background(), r.ID)
	if err != nil {
		w.t.Fatal(err)
	}
	var list []store.Event
	for _, e := range all {
		if e.Kind == kind {
			list = append(list, e)
		}
	}
	return list
}

func TestDrainDatesTheLetterWhenItGoes(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 2)
	ob := w.outbox(sending, w.srv.pass)
	ob.Now = func() time.Time { return sending } // a stopped clock: the Date is exact
	ob.NoWait = true
	sum, err := ob.Drain(context.Background(), "LXP7", 0)
	if err != nil || sum.Sent != 2 {
		t.Fatalf("Drain = %+v, %v; want 2 sent", sum, err)
	}
	got := w.srv.got()
	if len(got) != 2 {
		t.Fatalf("server received %d letters, want 2", len(got))
	}
	byID := map[string][]byte{}
	for _, d := range got {
		m, err := mail.ReadMessage(bytes.NewReader(d.Data))
		if err != nil {
			t.Fatal(err)
		}
		if date, want := m.Header.Get("Date"), "Tue, 05 Jan 2027 09:30:15 +0000"; date != want {
			t.Errorf("letter to %v has Date %q, want %q (the moment it was sent)", d.To, date, want)
		}
		byID[strings.Trim(m.Header.Get("Message-Id"), "<>")] = d.Data
	}
	for _, it := range w.items() {
		wire, ok := byID[it.MessageID]
		if !ok {
			t.Errorf("%s: Message-ID %s changed or never arrived", it.Ref, it.MessageID)
			continue
		}
		stored, err := w.st.ReadMail(it.SHA256)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(stored, wire) {
			t.Errorf("%s: stored bytes differ from what the server received:\nstored %q\nwire   %q", it.Ref, stored, wire)
		}
		if h := sha256.Sum256(wire); hex.EncodeToString(h[:]) != it.SHA256 {
			t.Errorf("%s: row names %s, the wire bytes hash to %x", it.Ref, it.SHA256, h)
		}
		var l Letter
		if err := json.Unmarshal([]byte(it.Letter), &l); err != nil || !l.Date.Equal(sending.Truncate(time.Second)) {
			t.Errorf("%s: stored letter dated %s (%v), want %s", it.Ref, l.Date, err, sending.Truncate(time.Second))
		}
		thread, err := w.st.Thread(context.Background(), it.RequestID)
		if err != nil || len(thread) != 1 {
			t.Fatalf("%s: thread %d messages, %v; want 1", it.Ref, len(thread), err)
		}
		if m := thread[0]; !m.Date.Equal(sending.Truncate(time.Second)) || m.Size != int64(len(wire)) {
			t.Errorf("%s: message row dated %s with %d bytes, want %s with %d", it.Ref, m.Date, m.Size, sending.Truncate(time.Second), len(wire))
		}
	}
}

func TestDrainDatesInTheOutboxZone(t *testing.T) {
	t.Parallel()
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	w := newWorld(t, 1)
	ob := w.outbox(sending, w.srv.pass)
	ob.Now = func() time.Time { return time.Date(2027, 7, 5, 8, 30, 15, 0, time.UTC) }
	ob.NoWait, ob.Zone = true, london
	if sum, err := ob.Drain(context.Background(), "LXP7", 0); err != nil || sum.Sent != 1 {
		t.Fatalf("Drain = %+v, %v; want 1 sent", sum, err)
	}
	m, err := mail.ReadMessage(bytes.NewReader(w.srv.got()[0].Data))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := m.Header.Get("Date"), "Mon, 05 Jul 2027 09:30:15 +0100"; got != want {
		t.Errorf("Date = %q, want %q", got, want)
	}
}

func TestDrainBlockedByMissingSecretLeavesEveryLetterWaiting(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t, 3)
	for run := 1; run <= 2; run++ {
		sum, err := w.outbox(sending, "").Drain(ctx, "LXP7", 0)
		var be *BlockedError
		if !errors.As(err, &be) {
			t.Fatalf("run %d: Drain = %+v, %v; want a *BlockedError", run, sum, err)
		}
		if be.Reason != "smtp.password_file pass: no such file" || be.Fix == "" || be.Waiting != 3 || sum.Sent != 0 || sum.Failed != 0 {
			t.Errorf("run %d: blocked %q (fix %q), %d waiting, summary %+v; want the file named, a fix, 3 waiting, nothing sent or failed", run, be.Reason, be.Fix, be.Waiting, sum)
		}
	}
	for _, it := range w.items() {
		if it.State != lifecycle.OutboxPending || it.Attempts != 0 || it.NextAttemptAt.After(sending.Add(time.Minute)) || !strings.Contains(it.LastError, "pass: no such file") {
			t.Errorf("%s: %s, %d attempts, next %s, last error %q; want pending, no attempt, due now, the reason", it.Ref, it.State, it.Attempts, it.NextAttemptAt, it.LastError)
		}
		if ev := w.events(it.Ref, lifecycle.EventSendBlocked); len(ev) != 1 {
			t.Errorf("%s: %d send_blocked events after two runs, want 1", it.Ref, len(ev))
		}
		if r, _ := w.st.Request(ctx, it.Ref); r.State != lifecycle.Queued {
			t.Errorf("%s: request %s, want queued", it.Ref, r.State)
		}
	}
	// The file restored, the next run sends everything at once.
	sum, err := w.outbox(sending.Add(time.Minute), w.srv.pass).Drain(ctx, "LXP7", 0)
	if err != nil || sum.Sent != 3 || len(w.srv.got()) != 3 {
		t.Errorf("after the fix: Drain = %+v, %v, server has %d; want 3 sent", sum, err, len(w.srv.got()))
	}
}

func TestDrainBlockedByAuthRefusal(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t, 3)
	_, err := w.outbox(sending, "wrong").Drain(ctx, "LXP7", 0)
	var be *BlockedError
	if !errors.As(err, &be) || !strings.Contains(be.Reason, "535") {
		t.Fatalf("Drain = %v, want blocked by the 535", err)
	}
	for _, it := range w.items() {
		if it.State != lifecycle.OutboxPending || it.Attempts != 0 {
			t.Errorf("%s: %s after %d attempts, want pending, untouched", it.Ref, it.State, it.Attempts)
		}
	}
	sum, err := w.outbox(sending, w.srv.pass).Drain(ctx, "LXP7", 0)
	if err != nil || sum.Sent != 3 {
		t.Errorf("with the right password: %+v, %v; want 3 sent", sum, err)
	}
}

func TestDrainBlockedByRefusalOfOurSender(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t, 4)
	var mu sync.Mutex
	mails := 0
	w.srv.set(func(s *server) {
		s.onMail = func(string) error {
			mu.Lock()
			defer mu.Unlock()
			mails++
			if mails > 1 {
				return &smtp.SMTPError{Code: 553, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "Sender address rejected: not owned by user"}
			}
			return nil
		}
	})
	sum, err := w.outbox(sending, w.srv.pass).Drain(ctx, "LXP7", 0)
	var be *BlockedError
	if !errors.As(err, &be) || !strings.Contains(be.Reason, "campaign@foi.test") || !strings.Contains(be.Reason, "553") || !strings.Contains(be.Fix, "requester.email") {
		t.Fatalf("Drain = %v, want blocked, naming our address, the 553 and requester.email", err)
	}
	if sum.Sent != 1 || sum.Failed != 0 || be.Waiting != 3 {
		t.Errorf("summary %+v, %d waiting; want 1 sent before the refusal, none failed, 3 waiting", sum, be.Waiting)
	}
	mu.Lock()
	if mails != 2 {
		t.Errorf("%d MAIL FROM commands, want 2: the run stops at the first refusal", mails)
	}
	mu.Unlock()
	for _, it := range w.items()[1:] {
		if it.State != lifecycle.OutboxPending || !strings.Contains(it.LastError, "553") {
			t.Errorf("%s: %s (%q), want pending with the reason", it.Ref, it.State, it.LastError)
		}
		if ev := w.events(it.Ref, lifecycle.EventSendFailed); len(ev) != 0 {
			t.Errorf("%s: send_failed events %v, want none", it.Ref, ev)
		}
	}
}

func TestDrainRefusedRecipientFailsOnlyItsLetter(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t, 4)
	w.srv.set(func(s *server) {
		s.onRcpt = func(to string) error {
			if to == "foi@trust02.nhs.test" {
				return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user here"}
			}
			return nil
		}
	})
	sum, err := w.outbox(sending, w.srv.pass).Drain(ctx, "LXP7", 0)
	if err != nil || sum.Sent != 3 || sum.Failed != 1 || len(sum.Failures) != 1 || !strings.Contains(sum.Failures[0].Reason, "No such user here") {
		t.Fatalf("Drain = %+v, %v; want 3 sent and LXP7-002 refused with the server's words", sum, err)
	}
	for _, it := range w.items() {
		want := lifecycle.OutboxSent
		if it.Ref == "LXP7-002" {
			want = lifecycle.OutboxFailed
		}
		if it.State != want {
			t.Errorf("%s: %s, want %s", it.Ref, it.State, want)
		}
	}
	if r, _ := w.st.Request(ctx, "LXP7-002"); r.State != lifecycle.DeliveryFailed {
		t.Errorf("LXP7-002: request %s, want delivery_failed", r.State)
	}
}

// A server nobody answers at: the run tries the server, not every letter.
func TestDrainUnreachableServerTouchesOneLetter(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, noWait := range []bool{true, false} {
		w := newWorld(t, 5)
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := ln.Addr().(*net.TCPAddr).Port
		ln.Close()
		ob := w.outbox(sending, w.srv.pass)
		ob.Transport.(*SMTP).cfg.Port = port
		ob.NoWait = noWait
		sum, err := ob.Drain(ctx, "LXP7", 0)
		if err != nil || sum.Sent != 0 || sum.Waiting != 5 {
			t.Errorf("NoWait %v: Drain = %+v, %v; want nothing sent and 5 waiting", noWait, sum, err)
		}
		items := w.items()
		if it := items[0]; it.State != lifecycle.OutboxTempFailed || !it.NextAttemptAt.After(sending) || !strings.Contains(it.LastError, "connect") {
			t.Errorf("NoWait %v: %s: %s, next %s, %q; want temp_failed with backoff and the reason", noWait, it.Ref, it.State, it.NextAttemptAt, it.LastError)
		}
		for _, it := range items[1:] {
			if it.State != lifecycle.OutboxPending || it.LastError != "" || !it.NextAttemptAt.Equal(planned) {
				t.Errorf("NoWait %v: %s: %s, next %s, %q; want pending and untouched", noWait, it.Ref, it.State, it.NextAttemptAt, it.LastError)
			}
		}
		// The server back, the letters go.
		sum, err = w.outbox(sending.Add(time.Hour), w.srv.pass).Drain(ctx, "LXP7", 0)
		if err != nil || sum.Sent != 5 {
			t.Errorf("NoWait %v: server back: %+v, %v; want 5 sent", noWait, sum, err)
		}
	}
}

// A connection cut before the data is temporary: the letter goes on the
// next attempt and nobody gets two.
func TestDrainConnectionCutBeforeData(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 3)
	w.srv.set(func(s *server) { s.dropAtMail = true })
	sum, err := w.outbox(sending, w.srv.pass).Drain(context.Background(), "LXP7", 0)
	if err != nil || sum.Sent != 3 || sum.Retried != 1 {
		t.Fatalf("Drain = %+v, %v; want 3 sent, 1 after a retry", sum, err)
	}
	count := map[string]int{}
	for _, d := range w.srv.got() {
		count[d.To[0]]++
	}
	for i := 1; i <= 3; i++ {
		if to := fmt.Sprintf("foi@trust%02d.nhs.test", i); count[to] != 1 {
			t.Errorf("%s received %d letters, want 1", to, count[to])
		}
	}
}

func TestDrainGuardVerdicts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t, 4)
	later := sending.Add(24 * time.Hour)
	ob := w.outbox(sending, w.srv.pass)
	ob.NoWait = true
	ob.Guard = func(_ context.Context, it store.OutboxItem, now time.Time) (Verdict, error) {
		switch it.Ref {
		case "LXP7-001":
			return Verdict{Cancel: "the request is now answered"}, nil
		case "LXP7-002":
			return Verdict{Later: later}, nil
		case "LXP7-003":
			l := testLetter(3, now)
			l.Body = "Dear Trust 03,\n\nRe-written at the last moment.\n"
			return Verdict{Letter: &l}, nil
		}
		return Verdict{}, nil
	}
	sum, err := ob.Drain(ctx, "LXP7", 0)
	if err != nil || sum.Sent != 2 {
		t.Fatalf("Drain = %+v, %v; want 2 sent", sum, err)
	}
	items := w.items()
	if items[0].State != lifecycle.OutboxCancelled || items[0].LastError != "the request is now answered" {
		t.Errorf("LXP7-001: %s (%q), want cancelled with the reason", items[0].State, items[0].LastError)
	}
	if items[1].State != lifecycle.OutboxPending || !items[1].NextAttemptAt.Equal(later) {
		t.Errorf("LXP7-002: %s at %s, want pending at %s", items[1].State, items[1].NextAttemptAt, later)
	}
	var wire []byte
	for _, d := range w.srv.got() {
		if d.To[0] == "foi@trust03.nhs.test" {
			wire = d.Data
		}
	}
	stored, _ := w.st.ReadMail(items[2].SHA256)
	if !bytes.Contains(wire, []byte("Re-written at the last moment.")) || !bytes.Equal(stored, wire) {
		t.Errorf("LXP7-003: server got %q, stored %q; want the replacement, stored as sent", wire, stored)
	}
	if thread, _ := w.st.Thread(ctx, items[2].RequestID); len(thread) != 1 || !strings.Contains(thread[0].BodyText, "Re-written") {
		t.Errorf("LXP7-003: message row %+v, want the replacement's body", thread)
	}
}

func TestDrainRefusesAReplacementWithAnotherMessageID(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 1)
	ob := w.outbox(sending, w.srv.pass)
	ob.Guard = func(_ context.Context, it store.OutboxItem, now time.Time) (Verdict, error) {
		l := testLetter(1, now)
		l.MessageID = "someone-else@foi.test"
		return Verdict{Letter: &l}, nil
	}
	if _, err := ob.Drain(context.Background(), "LXP7", 0); err == nil || !strings.Contains(err.Error(), "someone-else@foi.test") {
		t.Errorf("Drain = %v, want the replacement refused", err)
	}
	if n := len(w.srv.got()); n != 0 {
		t.Errorf("server received %d letters, want none", n)
	}
	if it := w.items()[0]; it.State != lifecycle.OutboxPending {
		t.Errorf("%s: %s, want pending", it.Ref, it.State)
	}
}
