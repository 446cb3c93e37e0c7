package report

import (
	"context"
	"fmt"
	"testing"
	"time"

	"foi/lifecycle"
	"foi/store"
)

// benchStore makes a campaign of n requests sent on Mon 2 Mar 2026, each
// with its letter and two events; every third has an acknowledgement and
// every other a substantive reply (a refusal citing s.12), as a campaign
// looks a few weeks in.
func benchStore(b *testing.B, n int) *store.Store {
	b.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	sent := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	auths := make([]store.Authority, n)
	for i := range auths {
		auths[i] = store.Authority{Name: fmt.Sprintf("Trust %05d NHS Foundation Trust", i+1), Email: fmt.Sprintf("foi@trust%05d.nhs.test", i+1), Jurisdiction: "foia", Tags: []string{"mental-health"}}
	}
	if _, _, err := st.UpsertAuthorities(ctx, auths, sent); err != nil {
		b.Fatal(err)
	}
	list, err := st.Authorities(ctx)
	if err != nil {
		b.Fatal(err)
	}
	reqs := make([]store.NewRequest, n)
	for i, a := range list {
		reqs[i] = store.NewRequest{AuthorityID: a.ID, Seq: i + 1, Ref: fmt.Sprintf("BIG-%05d", i+1), ToAddress: a.Email, MessageID: fmt.Sprintf("big-%d@foi.test", i+1)}
	}
	if _, err := st.CreateCampaign(ctx, store.Campaign{Slug: "BIG", Title: "Band 7 roles", Letter: "Dear {{.Authority.Name}}", RequesterName: "LXP Revolution", RequesterEmail: "lxp@example.org"}, reqs, sent); err != nil {
		b.Fatal(err)
	}
	tx, err := st.DB().Begin()
	if err != nil {
		b.Fatal(err)
	}
	at := func(d int) string { return sent.AddDate(0, 0, d).Format(time.RFC3339Nano) }
	verdict := `{"Kind":"substantive","Evidence":["refusal: \"exceed the appropriate limit\""],"Sections":["s.12"],"Outcome":"refused"}`
	for i := 1; i <= n; i++ {
		must := func(_ any, err error) {
			if err != nil {
				b.Fatal(err)
			}
		}
		must(tx.Exec(`UPDATE requests SET state = 'sent', sent_at = ? WHERE id = ?`, at(0), i))
		res, err := tx.Exec(`INSERT INTO messages (request_id, direction, message_id, sha256, size, subject, kind, created_at)
			VALUES (?, 'out', ?, ?, 1000, 'Freedom of Information request', 'letter', ?)`, i, fmt.Sprintf("big-%d@foi.test", i), fmt.Sprintf("out%d", i), at(0))
		must(res, err)
		mid, _ := res.LastInsertId()
		must(tx.Exec(`INSERT INTO outbox (request_id, message_id, step, letter, state, next_attempt_at, sent_at, created_at, updated_at)
			VALUES (?, ?, 'letter', '{}', 'sent', ?, ?, ?, ?)`, i, mid, at(0), at(0), at(0), at(0)))
		must(tx.Exec(`INSERT INTO events (request_id, at, kind, actor, detail) VALUES (?, ?, 'queued', 'foi', 'letter queued'), (?, ?, 'sent', 'foi', 'letter sent')`, i, at(0), i, at(0)))
		if i%3 == 0 {
			must(tx.Exec(`INSERT INTO messages (request_id, direction, message_id, sha256, size, subject, kind, created_at, classification)
				VALUES (?, 'in', ?, ?, 2000, 'Acknowledgement', 'acknowledgement', ?, '{"Kind":"acknowledgement"}')`, i, fmt.Sprintf("ack-%d@trust.test", i), fmt.Sprintf("ack%d", i), at(1)))
			must(tx.Exec(`UPDATE requests SET state = 'acknowledged' WHERE id = ?`, i))
		}
		if i%2 == 0 {
			must(tx.Exec(`INSERT INTO messages (request_id, direction, message_id, sha256, size, subject, kind, created_at, classification, body_text)
				VALUES (?, 'in', ?, ?, 50000, 'Your request', 'substantive', ?, ?, ?)`, i, fmt.Sprintf("ans-%d@trust.test", i), fmt.Sprintf("ans%d", i), at(9), verdict, string(make([]byte, 4000))))
			must(tx.Exec(`UPDATE requests SET state = ? WHERE id = ?`, lifecycle.Responded, i))
			must(tx.Exec(`INSERT INTO events (request_id, at, kind, actor, detail) VALUES (?, ?, 'reply', 'foi', 'reply matched')`, i, at(9)))
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	return st
}

// BenchmarkBoard measures building every row of a campaign's board, which
// is what `foi status` does. Run:
//
//	go test ./report -run '^$' -bench Board -benchtime 5x
func BenchmarkBoard(b *testing.B) {
	for _, n := range []int{2000, 20000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			st := benchStore(b, n)
			sch := testScheduler(b)
			sch.Store = st
			now := time.Date(2026, 4, 15, 12, 0, 0, 0, time.UTC)
			b.ResetTimer()
			for b.Loop() {
				rows, err := Board(context.Background(), sch, "BIG", now)
				if err != nil {
					b.Fatal(err)
				}
				if len(rows) != n {
					b.Fatalf("%d rows, want %d", len(rows), n)
				}
			}
		})
	}
}
