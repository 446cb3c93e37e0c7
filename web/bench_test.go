package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"foi"
	"foi/calendar"
	"foi/campaign"
	"foi/config"
	"foi/schedule"
	"foi/store"
	"foi/templates"
)

// bigWorld is a campaign of n requests built as the command line builds
// one (campaign.Create, campaign.Queue, the outbox's store calls, the
// inbox's processor): every request sent, every tenth answered with a
// refusal waiting for confirmation.
func bigWorld(b *testing.B, n int) *world {
	b.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	pol, _ := schedule.PolicyFrom(config.Default().Schedule)
	w := &world{t: b, ctx: ctx, st: st, at: on("2026-02-27 16:00"),
		sch: &schedule.Scheduler{Store: st, Cal: calendar.New(), Letters: templates.New(""), Policy: pol}}
	auths := make([]store.Authority, n)
	for i := range auths {
		auths[i] = store.Authority{Name: fmt.Sprintf("Trust %04d NHS Foundation Trust", i+1), Email: fmt.Sprintf("foi@trust%04d.nhs.test", i+1),
			Jurisdiction: "foia", Tags: []string{"mental-health", []string{"north", "south"}[i%2]}}
	}
	if _, _, err := st.UpsertAuthorities(ctx, auths, w.now()); err != nil {
		b.Fatal(err)
	}
	letter, _ := foi.Examples.ReadFile("examples/stage2-did-not-apply.txt")
	spec := campaign.Spec{Slug: "BIG", Title: "Band 7 roles", LetterName: "stage2", Letter: string(letter), Selector: "all"}
	if _, err := campaign.Create(ctx, st, spec, campaign.Requester{Name: "LXP Revolution", Email: "campaign@foi.test"}, w.now(), strings.NewReader(strings.Repeat("x", 1<<20))); err != nil {
		b.Fatal(err)
	}
	w.setNow(on("2026-03-02 10:04"))
	if _, err := campaign.Queue(ctx, st, "BIG", campaign.Env{Now: w.now()}, 0); err != nil {
		b.Fatal(err)
	}
	items, _ := st.Outbox(ctx, "BIG")
	for _, it := range items {
		if err := st.Claim(ctx, it.ID, w.now()); err != nil {
			b.Fatal(err)
		}
		if err := st.MarkSent(ctx, it.ID, w.now(), ""); err != nil {
			b.Fatal(err)
		}
	}
	w.setNow(on("2026-03-20 11:00"))
	reqs, err := st.Requests(ctx, "BIG")
	if err != nil || len(reqs) != n {
		b.Fatalf("%d requests, %v; want %d", len(reqs), err, n)
	}
	for i := 2; i < n; i += 10 {
		w.reply(reqs[i].Ref, refusal)
	}
	w.setNow(on("2026-04-20 11:00"))
	return w
}

// BenchmarkBoard3000: the board of a 3,000-request campaign, rendered
// through the whole handler (session, rows from report.RowOf, template).
// Issue 10 asks for under 300 ms.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func BenchmarkBoard3000(b *testing.B) {
	w := bigWorld(b, 3000)
	srv, err := New(Options{Store: w.st, Scheduler: w.sch, Now: w.now, Listen: "127.0.0.1:8025"})
	if err != nil {
		b.Fatal(err)
	}
	h := srv.Handler()
	// A session first, as a browser has.
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "http://127.0.0.1:8025/", nil)
	h.ServeHTTP(rec, req)
	cookie := rec.Result().Cookies()[0]
	runtime.GC() // the setup's garbage is not the board's
	b.ResetTimer()
	start, cpu0 := time.Now(), cpuTime()
	for i := 0; i < b.N; i++ {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, "http://127.0.0.1:8025/campaigns/BIG", nil)
		req.AddCookie(cookie)
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK || strings.Count(rec.Body.String(), `<tr data-ref="`) != 3000 {
			b.Fatalf("board = %d with %d rows", rec.Code, strings.Count(rec.Body.String(), `<tr data-ref="`))
		}
	}
	per := time.Since(start) / time.Duration(b.N)
	cpu := (cpuTime() - cpu0) / time.Duration(b.N)
	b.ReportMetric(float64(per.Milliseconds()), "wall-ms/board")
	b.ReportMetric(float64(cpu.Milliseconds()), "cpu-ms/board")
	// The work a board costs is its CPU time (every thread of the process:
	// the store's parallel reads, the template, the GC). The wall clock is
	// reported too; on a machine shared with other jobs it includes the
	// time spent waiting for a core.
	if cpu > 300*time.Millisecond {
		b.Errorf("the board of 3,000 requests took %s of CPU (%s wall), want under 300 ms", cpu, per)
	}
}
