package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	"foi/lifecycle"
)

// twoRequests makes campaign C1 with requests C1-001 and C1-002, sent.
func twoRequests(t *testing.T, st *Store) {
	t.Helper()
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	if _, _, err := st.UpsertAuthorities(ctx, []Authority{{Name: "A", Email: "a@a.test", Jurisdiction: "foia"}, {Name: "B", Email: "b@b.test", Jurisdiction: "foia"}}, now); err != nil {
		t.Fatal(err)
	}
	all, _ := st.Authorities(ctx)
	var reqs []NewRequest
	for i, a := range all {
		reqs = append(reqs, NewRequest{AuthorityID: a.ID, Seq: i + 1, Ref: fmt.Sprintf("C1-%03d", i+1), ToAddress: a.Email, MessageID: fmt.Sprintf("c1-%d@r.test", i+1)})
	}
	if _, err := st.CreateCampaign(ctx, Campaign{Slug: "C1", Title: "t", Letter: "x", RequesterName: "n", RequesterEmail: "r@r.test"}, reqs, now); err != nil {
		t.Fatal(err)
	}
	for _, r := range []string{"C1-001", "C1-002"} {
		if err := st.SetState(ctx, r, lifecycle.Sent, "foi", "sent", now); err != nil {
			t.Fatal(err)
		}
	}
}

func incoming(ref, msgID, body string, kind lifecycle.Kind) Incoming {
	sum := fmt.Sprintf("%x", len(body)) + msgID + body // distinct per content, like a hash
	return Incoming{Message: Message{MessageID: msgID, SHA256: sum, Size: int64(len(body)), Kind: kind, From: "foi@a.test", BodyText: body},
		Ref: ref, Classification: `{"Kind":"` + string(kind) + `","Evidence":["seen"]}`, Effect: &Effect{Kind: kind}, SearchBody: body}
}

// TestSaveIncomingDedupAndEffect: the same message twice is stored once;
// a reply moves its request by the transition table; the verdict comes
// back typed.
func TestSaveIncomingDedupAndEffect(t *testing.T) {
	st := open(t, t.TempDir())
	twoRequests(t, st)
	ctx := context.Background()
	now := time.Date(2026, 3, 3, 10, 0, 0, 0, time.UTC)
	ack := incoming("C1-001", "ack-1@a.test", "We acknowledge receipt.", lifecycle.KindAcknowledgement)
	id, dup, err := st.SaveIncoming(ctx, ack, now)
	if err != nil || dup || id == 0 {
		t.Fatalf("SaveIncoming = %d, %v, %v", id, dup, err)
	}
	if _, dup, err := st.SaveIncoming(ctx, ack, now); err != nil || !dup {
		t.Errorf("the same message again: dup %v, err %v; want a duplicate", dup, err)
	}
	r, _ := st.Request(ctx, "C1-001")
	if r.State != lifecycle.Acknowledged {
		t.Errorf("after an acknowledgement C1-001 is %s, want acknowledged", r.State)
	}
	m, err := st.MessageByID(ctx, id)
	if err != nil || m.Verdict == nil || m.Verdict.Kind != lifecycle.KindAcknowledgement || len(m.Verdict.Evidence) != 1 {
		t.Errorf("MessageByID verdict = %+v, %v", m.Verdict, err)
	}
	// A late acknowledgement does not undo an answer.
	ans := incoming("C1-001", "ans-1@a.test", "Please find the information.", lifecycle.KindSubstantive)
	if _, _, err := st.SaveIncoming(ctx, ans, now); err != nil {
		t.Fatal(err)
	}
	late := incoming("C1-001", "ack-2@a.test", "We acknowledge receipt (again).", lifecycle.KindAcknowledgement)
	if _, _, err := st.SaveIncoming(ctx, late, now); err != nil {
		t.Fatal(err)
	}
	if r, _ := st.Request(ctx, "C1-001"); r.State != lifecycle.Responded {
		t.Errorf("after an answer and a late acknowledgement C1-001 is %s, want responded", r.State)
	}
}

// TestAssign: an unmatched reply filed by hand leaves the queue and moves
// its request.
func TestAssign(t *testing.T) {
	st := open(t, t.TempDir())
	twoRequests(t, st)
	ctx := context.Background()
	now := time.Date(2026, 3, 3, 10, 0, 0, 0, time.UTC)
	in := incoming("", "who-1@b.test", "An answer to something.", lifecycle.KindSubstantive)
	id, _, err := st.SaveIncoming(ctx, in, now)
	if err != nil {
		t.Fatal(err)
	}
	if u, _ := st.Unmatched(ctx); len(u) != 1 {
		t.Fatalf("%d unmatched, want 1", len(u))
	}
	if err := st.Assign(ctx, id, "c1-002", &Effect{Kind: lifecycle.KindSubstantive}, now); err != nil {
		t.Fatal(err)
	}
	if u, _ := st.Unmatched(ctx); len(u) != 0 {
		t.Errorf("%d unmatched after assigning, want 0", len(u))
	}
	if r, _ := st.Request(ctx, "C1-002"); r.State != lifecycle.Responded {
		t.Errorf("C1-002 is %s after assigning an answer, want responded", r.State)
	}
	if err := st.Assign(ctx, id, "C1-999", nil, now); err == nil {
		t.Error("assigning to a request that does not exist: no error")
	}
}

// TestHistories: each request's messages, outbox and events of the kinds
// asked for, grouped, in order, without the body text.
func TestHistories(t *testing.T) {
	st := open(t, t.TempDir())
	twoRequests(t, st)
	ctx := context.Background()
	now := time.Date(2026, 3, 3, 10, 0, 0, 0, time.UTC)
	for i, ref := range []string{"C1-002", "C1-001", "C1-002"} {
		in := incoming(ref, fmt.Sprintf("m%d@a.test", i), fmt.Sprintf("body %d", i), lifecycle.KindAutoReply)
		in.Effect = nil
		if _, _, err := st.SaveIncoming(ctx, in, now.Add(time.Duration(i)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	hs, err := st.Histories(ctx, "C1", lifecycle.EventState)
	if err != nil {
		t.Fatal(err)
	}
	if len(hs) != 2 || hs[0].Request.Ref != "C1-001" || hs[1].Request.Ref != "C1-002" {
		t.Fatalf("histories %+v", hs)
	}
	if got := len(hs[0].Thread); got != 1 {
		t.Errorf("C1-001 has %d messages, want 1", got)
	}
	if got := len(hs[1].Thread); got != 2 || hs[1].Thread[0].MessageID != "m0@a.test" || hs[1].Thread[1].BodyText != "" {
		t.Errorf("C1-002 thread %+v, want m0 then m2, no body text", hs[1].Thread)
	}
	for _, h := range hs {
		if len(h.Events) != 1 || h.Events[0].Kind != lifecycle.EventState {
			t.Errorf("%s events %+v, want the one state change", h.Request.Ref, h.Events)
		}
	}
	if all, err := st.Histories(ctx, ""); err != nil || len(all) != 2 || all[0].Events != nil {
		t.Errorf("Histories(all, no kinds) = %d, %v; events %v", len(all), err, all[0].Events)
	}
}
