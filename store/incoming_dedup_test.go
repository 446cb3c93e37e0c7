package store

import (
	"context"
	"testing"
	"time"

	"foi/lifecycle"
)

// TestSaveIncomingReusedMessageID: a mail system that reuses Message-IDs
// sends an acknowledgement, then the answer, under one ID. Both are kept and
// the answer moves the request; the same bytes again (a re-read after a
// crash or a UIDVALIDITY change) are a duplicate.
func TestSaveIncomingReusedMessageID(t *testing.T) {
	t.Parallel()
	st := open(t, t.TempDir())
	twoRequests(t, st)
	ctx := context.Background()
	now := time.Date(2026, 3, 3, 10, 0, 0, 0, time.UTC)
	ack := incoming("C1-001", "case-77@a.test", "We acknowledge receipt.", lifecycle.KindAcknowledgement)
	ans := incoming("C1-001", "case-77@a.test", "Please find the information attached.", lifecycle.KindSubstantive)
	if ack.SHA256 == ans.SHA256 {
		t.Fatal("test messages must differ in content")
	}
	if n, err := st.ReceivedWithMessageID(ctx, "case-77@a.test"); err != nil || n != 0 {
		t.Fatalf("ReceivedWithMessageID before any = %d, %v, want 0", n, err)
	}
	ackID, dup, err := st.SaveIncoming(ctx, ack, now)
	if err != nil || dup {
		t.Fatalf("SaveIncoming(ack) = %d, %v, %v", ackID, dup, err)
	}
	if n, err := st.ReceivedWithMessageID(ctx, "case-77@a.test"); err != nil || n != 1 {
		t.Errorf("ReceivedWithMessageID after the ack = %d, %v, want 1", n, err)
	}
	ansID, dup, err := st.SaveIncoming(ctx, ans, now.Add(time.Hour))
	if err != nil || dup || ansID == ackID {
		t.Fatalf("SaveIncoming(answer, same Message-ID, other bytes) = %d, dup %v, %v; want a new message", ansID, dup, err)
	}
	if r, _ := st.Request(ctx, "C1-001"); r.State != lifecycle.Responded {
		t.Errorf("after the answer C1-001 is %s, want responded", r.State)
	}
	for _, again := range []Incoming{ack, ans} {
		if _, dup, err := st.SaveIncoming(ctx, again, now.Add(2*time.Hour)); err != nil || !dup {
			t.Errorf("the same bytes again (%s): dup %v, err %v; want a duplicate", again.BodyText, dup, err)
		}
		if dup, err := st.IncomingExists(ctx, again.SHA256); err != nil || !dup {
			t.Errorf("IncomingExists(%s) = %v, %v, want true", again.SHA256, dup, err)
		}
	}
	r, _ := st.Request(ctx, "C1-001")
	msgs, _ := st.Thread(ctx, r.ID)
	in := 0
	for _, m := range msgs {
		if m.Direction == "in" {
			in++
		}
	}
	if in != 2 {
		t.Errorf("C1-001 has %d received messages, want 2 (the ack and the answer)", in)
	}
}
