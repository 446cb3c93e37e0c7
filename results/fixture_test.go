package results

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"foi/calendar"
	"foi/config"
	"foi/schedule"
	"foi/store"
)

// The shapes of the demo's simulated authorities (demo.Roles), and two it
// lacks, as one campaign sent on Mon 2 Mar 2026 (due Tue 31 Mar under FOIA,
// 17 March being a bank holiday in Northern Ireland), seen on Wed 20 May:
//
//	001 prompt: answers on Fri 6 Mar with two files (4 working days)
//	002 extended: acknowledges, extends on Fri 20 Mar, answers Mon 20 Apr
//	    (32 working days, on time: due Thu 30 Apr)
//	003 clarification: asks on Wed 4 Mar, we clarify Mon 9 Mar, answer
//	    Wed 8 Apr (19 working days from the clarification: on time)
//	004 refused after review: refuses (s.12) Fri 20 Mar, confirmed; review
//	    asked Mon 23 Mar, upheld Wed 15 Apr
//	005 silent: two chasers, no answer
//	006 bounced
//	007 late, with a formula in its reply's subject: answers Thu 2 Apr
//	008 extension claimed too late (Wed 1 Apr), answers Mon 20 Apr: late
//	009 refused (s.40) Tue 10 Mar, review asked Wed 1 Apr, not answered
//	012 (if there are 12) Scottish, claims an extension, answers Mon 20 Apr:
//	    late (FOISA has none; due Mon 30 Mar)
var fixtureNow = time.Date(2026, 5, 20, 12, 0, 0, 0, time.UTC)

const hyperlink = `=HYPERLINK("http://evil.example/x","Click me")`

func testScheduler(t testing.TB, st *store.Store) *schedule.Scheduler {
	t.Helper()
	pol, err := schedule.PolicyFrom(config.Default().Schedule)
	if err != nil {
		t.Fatal(err)
	}
	return &schedule.Scheduler{Store: st, Cal: calendar.New(), Policy: pol}
}

// on is 10:00 London on a day of 2026.
func on(month time.Month, day int) time.Time {
	loc, _ := time.LoadLocation("Europe/London")
	return time.Date(2026, month, day, 10, 0, 0, 0, loc)
}

type fixture struct {
	t   testing.TB
	tx  *sql.Tx
	seq int
}

func (f *fixture) exec(q string, args ...any) int64 {
	f.t.Helper()
	res, err := f.tx.Exec(q, args...)
	if err != nil {
		f.t.Fatalf("%s: %v", q, err)
	}
	id, _ := res.LastInsertId()
	return id
}

func ts(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// in files a reply of kind to request id at at.
func (f *fixture) in(id int64, kind, subject, verdict string, at time.Time) int64 {
	f.seq++
	if verdict == "" {
		verdict = fmt.Sprintf(`{"Kind":%q}`, kind)
	}
	return f.exec(`INSERT INTO messages (request_id, direction, message_id, sha256, size, subject, from_addr, kind, created_at, classification, body_text)
		VALUES (?, 'in', ?, ?, 1000, ?, 'Jane Officer <jane.officer@trust.nhs.test>', ?, ?, ?, 'Dear LXP Revolution, ...')`,
		id, fmt.Sprintf("in-%d@trust.test", f.seq), fmt.Sprintf("in%d", f.seq), subject, kind, ts(at), verdict)
}

// out records a letter of ours of step and kind sent at at.
func (f *fixture) out(id int64, step, kind string, at time.Time) {
	f.seq++
	mid := f.exec(`INSERT INTO messages (request_id, direction, message_id, sha256, size, subject, kind, created_at, body_text)
		VALUES (?, 'out', ?, ?, 1000, 'Freedom of Information request', ?, ?, ?)`,
		id, fmt.Sprintf("out-%d@foi.test", f.seq), fmt.Sprintf("out%d", f.seq), kind, ts(at),
		"Dear Trust,\n\nPlease tell us.\n\nYours faithfully,\nLXP Revolution\nlxp+tag@example.org\n")
	f.exec(`INSERT INTO outbox (request_id, message_id, step, letter, state, next_attempt_at, sent_at, created_at, updated_at)
		VALUES (?, ?, ?, '{}', 'sent', ?, ?, ?, ?)`, id, mid, step, ts(at), ts(at), ts(at), ts(at))
}

func (f *fixture) state(id int64, from, to string, at time.Time) {
	f.exec(`UPDATE requests SET state = ?, updated_at = ? WHERE id = ?`, to, ts(at), id)
	f.exec(`INSERT INTO events (request_id, at, kind, actor, detail, from_state, to_state) VALUES (?, ?, 'state', 'user', '', ?, ?)`, id, ts(at), from, to)
}

// newFixture makes the campaign LXP7N of n requests (at least 9) with the
// shapes above; the others answer on Thu 12 Mar (8 working days).
func newFixture(t testing.TB, n int) (*store.Store, *schedule.Scheduler) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	sent := on(3, 2)
	auths := make([]store.Authority, n)
	for i := range auths {
		auths[i] = store.Authority{Name: fmt.Sprintf("Trust %03d NHS Foundation Trust", i+1), Email: fmt.Sprintf("foi@trust%03d.nhs.test", i+1),
			Jurisdiction: "foia", Tags: []string{"mental-health"}}
		if i+1 == 12 {
			auths[i].Jurisdiction = "foisa"
		}
	}
	if _, _, err := st.UpsertAuthorities(ctx, auths, sent); err != nil {
		t.Fatal(err)
	}
	list, err := st.Authorities(ctx)
	if err != nil {
		t.Fatal(err)
	}
	reqs := make([]store.NewRequest, n)
	for i, a := range list {
		reqs[i] = store.NewRequest{AuthorityID: a.ID, Seq: i + 1, Ref: fmt.Sprintf("LXP7N-%03d", i+1), ToAddress: a.Email, MessageID: fmt.Sprintf("lxp-%d@foi.test", i+1)}
	}
	if _, err := st.CreateCampaign(ctx, store.Campaign{Slug: "LXP7N", Title: "Band 7 LXP roles", Letter: "Dear {{.Authority.Name}}",
		RequesterName: "LXP Revolution", RequesterEmail: "lxp@example.org"}, reqs, sent); err != nil {
		t.Fatal(err)
	}
	tx, err := st.DB().Begin()
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, tx: tx}
	for i := int64(1); i <= int64(n); i++ {
		f.exec(`UPDATE requests SET state = 'sent', sent_at = ? WHERE id = ?`, ts(sent), i)
		f.out(i, "letter", "letter", sent)
	}
	const refusedS12 = `{"Kind":"substantive","Sections":["s.12"],"Outcome":"refused"}`
	// 001 prompt, with two files.
	m := f.in(1, "substantive", "RE: Freedom of Information request [LXP7N-001]", "", on(3, 6))
	for i, name := range []string{"Band 7 LXP job description.pdf", "../workforce.csv"} {
		body := fmt.Sprintf("file %d of LXP7N-001", i+1)
		sum, err := st.PutFile([]byte(body))
		if err != nil {
			t.Fatal(err)
		}
		f.exec(`INSERT INTO attachments (message_id, seq, name, content_type, size, sha256, source) VALUES (?, ?, ?, 'application/octet-stream', ?, ?, 'attachment')`,
			m, i, name, len(body), sum)
	}
	f.state(1, "sent", "responded", on(3, 6))
	// 002 extended.
	f.in(2, "acknowledgement", "Acknowledgement", "", on(3, 3))
	f.in(2, "extension", "Extension", "", on(3, 20))
	f.state(2, "sent", "extended", on(3, 20))
	f.in(2, "substantive", "Your request", "", on(4, 20))
	f.state(2, "extended", "responded", on(4, 20))
	// 003 clarification.
	f.in(3, "clarification", "What do you mean?", "", on(3, 4))
	f.out(3, "", "clarification", on(3, 9))
	f.in(3, "substantive", "Your request", "", on(4, 8))
	f.state(3, "sent", "responded", on(4, 8))
	// 004 refused, upheld on review.
	f.in(4, "substantive", "Refusal", refusedS12, on(3, 20))
	f.state(4, "responded", "refused", on(3, 21))
	f.out(4, "review_after_refusal", "review_after_refusal", on(3, 23))
	f.state(4, "refused", "internal_review_requested", on(3, 23))
	f.in(4, "substantive", "Internal review", refusedS12, on(4, 15))
	f.state(4, "internal_review_requested", "internal_review_answered", on(4, 15))
	// 005 silent.
	f.out(5, "first_chaser", "first_chaser", on(4, 1))
	f.out(5, "final_chaser", "final_chaser", on(4, 15))
	// 006 bounced.
	b := f.in(6, "bounce", "Undelivered Mail Returned to Sender", "", on(3, 2).Add(time.Minute))
	f.exec(`INSERT INTO attachments (message_id, seq, name, content_type, size, sha256, source) VALUES (?, 0, 'returned-headers.txt', 'text/rfc822-headers', 10, ?, 'attachment')`,
		b, fmt.Sprintf("%064d", 6))
	f.state(6, "sent", "delivery_failed", on(3, 2).Add(time.Minute))
	// 007 late, formula in the subject.
	f.in(7, "substantive", hyperlink, "", on(4, 2))
	f.state(7, "sent", "responded", on(4, 2))
	f.exec(`UPDATE requests SET authority_ref = 'FOI/26/0457' WHERE id = 7`)
	// 008 extension too late.
	f.in(8, "extension", "Extension", "", on(4, 1))
	f.in(8, "substantive", "Your request", "", on(4, 20))
	f.state(8, "sent", "responded", on(4, 20))
	// 009 refused (s.40), review not answered.
	f.in(9, "substantive", "Refusal", `{"Kind":"substantive","Sections":["s.40(2)"],"Outcome":"refused"}`, on(3, 10))
	f.state(9, "responded", "refused", on(3, 11))
	f.out(9, "review_after_refusal", "review_after_refusal", on(4, 1))
	f.state(9, "refused", "internal_review_requested", on(4, 1))
	// The others answer on Thu 12 Mar.
	for i := int64(10); i <= int64(n); i++ {
		if i == 12 {
			// 012 Scottish: FOISA allows no extension, so one claimed on
			// Fri 20 Mar does not move the due date (Mon 30 Mar).
			f.in(i, "extension", "Extension", "", on(3, 20))
			f.in(i, "substantive", "Your request", "", on(4, 20))
			f.state(i, "sent", "responded", on(4, 20))
			continue
		}
		f.in(i, "substantive", "Your request", "", on(3, 12))
		f.state(i, "sent", "responded", on(3, 12))
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	return st, testScheduler(t, st)
}
