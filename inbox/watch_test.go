package inbox

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"foi/campaign"
	"foi/config"
	"foi/lifecycle"
	"foi/localmail"
	"foi/store"
)

// world is a store holding a sent campaign, and an IMAP server.
type world struct {
	t     testing.TB
	st    *store.Store
	srv   *localmail.Server
	cfg   config.IMAP
	reqs  []store.Request
	mu    sync.Mutex
	stats []Stats
}

func newWorld(t testing.TB, opts localmail.Options) *world {
	t.Helper()
	ctx := context.Background()
	opts.Dir = t.TempDir()
	srv, err := localmail.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	st, err := store.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	var list []store.Authority
	for i := 1; i <= 5; i++ {
		list = append(list, store.Authority{Name: fmt.Sprintf("Trust %d", i), Email: fmt.Sprintf("foi@trust%d.nhs.test", i), Jurisdiction: "foia"})
	}
	if _, _, err := st.UpsertAuthorities(ctx, list, now); err != nil {
		t.Fatal(err)
	}
	if _, err := campaign.Create(ctx, st, campaign.Spec{Slug: "LXP7", Title: "Band 7 roles", LetterName: "l.txt",
		Letter: "Dear {{.Authority.Name}}", Selector: "all"}, campaign.Requester{Name: "LXP", Email: "campaign@foi.test"}, now, rand.Reader); err != nil {
		t.Fatal(err)
	}
	if _, err := campaign.Queue(ctx, st, "LXP7", campaign.Env{Now: now}, 0); err != nil {
		t.Fatal(err)
	}
	items, _ := st.Outbox(ctx, "LXP7")
	for _, it := range items {
		if err := st.Claim(ctx, it.ID, now); err != nil {
			t.Fatal(err)
		}
		if err := st.MarkSent(ctx, it.ID, now, ""); err != nil {
			t.Fatal(err)
		}
	}
	reqs, _ := st.Requests(ctx, "LXP7")
	cfg := config.Default().IMAP
	cfg.Host, cfg.Port, cfg.Security, cfg.Username, cfg.CAFile = "127.0.0.1", srv.IMAPPort(), "starttls", srv.User, srv.CAFile
	t.Setenv("FOI_TEST_IMAP_PW", srv.Password)
	cfg.PasswordEnv = "FOI_TEST_IMAP_PW"
	cfg.PollInterval = 200 * time.Millisecond
	return &world{t: t, st: st, srv: srv, cfg: cfg, reqs: reqs}
}

func (w *world) watcher() *Watcher {
	return &Watcher{Cfg: w.cfg, Store: w.st, Proc: &Processor{Store: w.st}, Backoff: 50 * time.Millisecond, BackoffMax: 200 * time.Millisecond,
		OnPass: func(s Stats) { w.mu.Lock(); w.stats = append(w.stats, s); w.mu.Unlock() }}
}

// reply is an answer from request i's authority to our letter.
func (w *world) reply(i int, id string) []byte {
	r := w.reqs[i]
	return []byte(fmt.Sprintf("From: FOI Team <%s>\r\nTo: campaign@foi.test\r\nSubject: RE: Freedom of Information request\r\n"+
		"Message-ID: <%s@trust.nhs.test>\r\nIn-Reply-To: <%s>\r\nDate: Tue, 3 Mar 2026 10:00:00 +0000\r\n\r\n"+
		"Thank you for your request. We acknowledge receipt and will respond within 20 working days.\r\n", r.ToAddress, id, r.MessageID))
}

func (w *world) deliver(raw []byte) {
	w.t.Helper()
	if _, err := w.srv.Deliver("INBOX", raw, time.Now()); err != nil {
		w.t.Fatal(err)
	}
}

// replies counts the stored replies of each request.
func (w *world) replies() map[string]int {
	w.t.Helper()
	out := map[string]int{}
	for _, r := range w.reqs {
		msgs, err := w.st.Thread(context.Background(), r.ID)
		if err != nil {
			w.t.Fatal(err)
		}
		for _, m := range msgs {
			if m.Direction == "in" {
				out[r.Ref]++
			}
		}
	}
	return out
}

func (w *world) wait(d time.Duration, what string, f func() bool) {
	w.t.Helper()
	deadline := time.Now().Add(d)
	for !f() {
		if time.Now().After(deadline) {
			w.t.Fatalf("not within %s: %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func runWatcher(t *testing.T, w *Watcher) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	return func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Error("Run did not stop")
		}
	}
}

func TestSyncFilesRepliesOnce(t *testing.T) {
	w := newWorld(t, localmail.Options{})
	w.deliver(w.reply(0, "a1"))
	w.deliver([]byte("From: news@charity.example\r\nTo: campaign@foi.test\r\nSubject: Our newsletter\r\nMessage-ID: <n1@charity.example>\r\n\r\nHello all\r\n"))
	stats, err := w.watcher().Sync(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if stats.Seen != 2 || stats.Filed != 1 || stats.Ignored != 1 {
		t.Errorf("first sync = %+v, want 2 seen, 1 filed, 1 left alone", stats)
	}
	r, _ := w.st.Request(context.Background(), w.reqs[0].Ref)
	if r.State != lifecycle.Acknowledged {
		t.Errorf("%s state = %s, want acknowledged", r.Ref, r.State)
	}
	stats, err = w.watcher().Sync(context.Background())
	if err != nil || stats.Seen != 0 {
		t.Errorf("second sync = %+v, %v, want nothing new", stats, err)
	}
}

func TestWatcherIdleSeesNewMailQuickly(t *testing.T) {
	w := newWorld(t, localmail.Options{})
	stop := runWatcher(t, w.watcher())
	defer stop()
	time.Sleep(300 * time.Millisecond) // let it reach IDLE
	start := time.Now()
	w.deliver(w.reply(1, "b1"))
	w.wait(2*time.Second, "reply filed while in IDLE", func() bool { return w.replies()[w.reqs[1].Ref] == 1 })
	t.Logf("filed %v after delivery", time.Since(start).Round(time.Millisecond))
}

func TestWatcherSurvivesDroppedConnection(t *testing.T) {
	w := newWorld(t, localmail.Options{})
	stop := runWatcher(t, w.watcher())
	defer stop()
	w.deliver(w.reply(0, "c1"))
	w.wait(3*time.Second, "first reply", func() bool { return w.replies()[w.reqs[0].Ref] == 1 })
	w.srv.DropConnections()
	w.deliver(w.reply(2, "c2")) // arrives while the watcher is disconnected
	w.wait(5*time.Second, "reply delivered during the outage", func() bool { return w.replies()[w.reqs[2].Ref] == 1 })
	if got := w.replies(); got[w.reqs[0].Ref] != 1 {
		t.Errorf("replies after reconnect = %v, want no duplicates", got)
	}
}

func TestUIDValidityChangeResyncsWithoutDuplicates(t *testing.T) {
	w := newWorld(t, localmail.Options{})
	ctx := context.Background()
	first, second := w.reply(0, "d1"), w.reply(1, "d2")
	w.deliver(first)
	if _, err := w.watcher().Sync(ctx); err != nil {
		t.Fatal(err)
	}
	// The mailbox is recreated (new UIDVALIDITY) and holds the old reply
	// again plus a new one.
	if err := w.srv.RecreateFolder("INBOX"); err != nil {
		t.Fatal(err)
	}
	w.deliver(first)
	w.deliver(second)
	stats, err := w.watcher().Sync(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !stats.Resync || stats.Seen != 2 || stats.Duplicate != 1 || stats.Filed != 1 {
		t.Errorf("sync after UIDVALIDITY change = %+v, want a resync of 2 with 1 duplicate", stats)
	}
	if got := w.replies(); got[w.reqs[0].Ref] != 1 || got[w.reqs[1].Ref] != 1 {
		t.Errorf("replies = %v, want one each", got)
	}
}

func TestWatcherPollsWithoutIdle(t *testing.T) {
	w := newWorld(t, localmail.Options{NoIdle: true})
	stop := runWatcher(t, w.watcher())
	defer stop()
	time.Sleep(100 * time.Millisecond)
	w.deliver(w.reply(3, "e1"))
	w.wait(3*time.Second, "reply found by polling", func() bool { return w.replies()[w.reqs[3].Ref] == 1 })
}

func TestOversizeMessageKeptByHeader(t *testing.T) {
	w := newWorld(t, localmail.Options{})
	w.cfg.MaxMessageSize = 64 << 10
	big := string(w.reply(4, "f1")) + strings.Repeat("x", 200<<10) + "\r\n"
	w.deliver([]byte(big))
	stats, err := w.watcher().Sync(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if stats.Oversize != 1 || stats.Filed != 1 {
		t.Fatalf("stats = %+v, want one oversize message filed", stats)
	}
	msgs, _ := w.st.Thread(context.Background(), w.reqs[4].ID)
	last := msgs[len(msgs)-1]
	if !strings.Contains(last.Flags, "oversize") || last.Size > 64<<10 {
		t.Errorf("stored %d bytes with flags %q, want the header only, flagged oversize", last.Size, last.Flags)
	}
}

func TestProcessedFolderGetsFiledMailOnly(t *testing.T) {
	w := newWorld(t, localmail.Options{})
	if err := w.srv.CreateFolder("Filed"); err != nil {
		t.Fatal(err)
	}
	w.cfg.ProcessedFolder = "Filed"
	w.deliver(w.reply(0, "g1"))
	w.deliver([]byte("From: news@charity.example\r\nTo: campaign@foi.test\r\nSubject: Newsletter\r\nMessage-ID: <n2@charity.example>\r\n\r\nHi\r\n"))
	if _, err := w.watcher().Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	inbox, _ := w.srv.Count("INBOX")
	filed, _ := w.srv.Count("Filed")
	if inbox != 1 || filed != 1 {
		t.Errorf("INBOX has %d, Filed has %d; want the newsletter left in INBOX and the reply moved", inbox, filed)
	}
	if got := w.replies()[w.reqs[0].Ref]; got != 1 {
		t.Errorf("reply stored %d times, want 1", got)
	}
}
