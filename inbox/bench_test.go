package inbox

import (
	"context"
	"crypto/rand"
	"fmt"
	"testing"
	"time"

	"foi/campaign"
	"foi/config"
	"foi/localmail"
	"foi/store"
)

// benchWorld is a store holding a sent campaign of n requests and an IMAP
// server, for the matching and sync benchmarks.
func benchWorld(b testing.TB, n int) *world {
	b.Helper()
	ctx := context.Background()
	srv, err := localmail.Start(localmail.Options{Dir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { srv.Close() })
	st, err := store.Open(ctx, b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	var list []store.Authority
	for i := 1; i <= n; i++ {
		list = append(list, store.Authority{Name: fmt.Sprintf("Trust %d", i), Email: fmt.Sprintf("foi@trust%d.nhs.test", i), Jurisdiction: "foia"})
	}
	if _, _, err := st.UpsertAuthorities(ctx, list, now); err != nil {
		b.Fatal(err)
	}
	if _, err := campaign.Create(ctx, st, campaign.Spec{Slug: "LXP7", Title: "Band 7 roles", LetterName: "l.txt",
		Letter: "Dear {{.Authority.Name}}", Selector: "all"}, campaign.Requester{Name: "LXP", Email: "campaign@foi.test"}, now, rand.Reader); err != nil {
		b.Fatal(err)
	}
	if _, err := campaign.Queue(ctx, st, "LXP7", campaign.Env{Now: now}, 0); err != nil {
		b.Fatal(err)
	}
	items, _ := st.Outbox(ctx, "LXP7")
	for _, it := range items {
		if err := st.Claim(ctx, it.ID, now); err != nil {
			b.Fatal(err)
		}
		if err := st.MarkSent(ctx, it.ID, now, ""); err != nil {
			b.Fatal(err)
		}
	}
	reqs, _ := st.Requests(ctx, "LXP7")
	cfg := config.Default().IMAP
	cfg.Host, cfg.Port, cfg.Security, cfg.Username, cfg.CAFile = "127.0.0.1", srv.IMAPPort(), "starttls", srv.User, srv.CAFile
	b.Setenv("FOI_TEST_IMAP_PW", srv.Password)
	cfg.PasswordEnv = "FOI_TEST_IMAP_PW"
	return &world{t: b, st: st, srv: srv, cfg: cfg, reqs: reqs}
}

// BenchmarkSync500 files 500 replies into campaigns of 300 and of 20,000
// requests; the two must take about the same time (issue 12: within 1.5x):
//
//	go test ./inbox -run '^$' -bench Sync500 -benchtime 3x
func BenchmarkSync500(b *testing.B) {
	for _, n := range []int{300, 20000} {
		b.Run(fmt.Sprintf("requests=%d", n), func(b *testing.B) {
			w := benchWorld(b, n)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				if err := w.srv.RecreateFolder("INBOX"); err != nil {
					b.Fatal(err)
				}
				for j := 0; j < 500; j++ {
					w.deliver(w.reply((j*37)%len(w.reqs), fmt.Sprintf("bench-%d-%d", i, j)))
				}
				b.StartTimer()
				st, err := w.watcher().Sync(context.Background())
				if err != nil {
					b.Fatal(err)
				}
				if st.Filed != 500 {
					b.Fatalf("filed %d of 500: %+v", st.Filed, st)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/sync")
		})
	}
}
