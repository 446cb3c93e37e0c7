package mailer

import (
	"context"
	"strings"
	"testing"

	"foi/lifecycle"
)

// TestDrainUnwritableLetterBlocksOnlyItself (issue 9, finding 7): a letter
// whose stored fields cannot be made into a message waits, with the reason
// and never failed, and the other letters of the campaign still go.
func TestDrainUnwritableLetterBlocksOnlyItself(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t, 3)
	var bad int64
	for _, it := range w.items() {
		if it.Ref == "LXP7-002" {
			bad = it.ID
		}
	}
	// Fields no letter can be composed from: an address with a line break.
	if _, err := w.st.DB().Exec(`UPDATE outbox SET letter = json_set(letter, '$.To', 'foi@trust02.nhs.test' || char(13, 10) || 'Bcc: x@evil.test') WHERE id = ?`, bad); err != nil {
		t.Fatal(err)
	}
	sum, err := w.outbox(sending, w.srv.pass).Drain(ctx, "LXP7", 0)
	if err != nil || sum.Sent != 2 || sum.Unwritable != 1 || sum.Failed != 0 {
		t.Fatalf("Drain = %+v, %v; want 2 sent and LXP7-002 waiting as unwritable", sum, err)
	}
	for _, it := range w.items() {
		switch {
		case it.Ref == "LXP7-002" && (it.State != lifecycle.OutboxPending || !strings.Contains(it.LastError, "cannot write this letter")):
			t.Errorf("LXP7-002: %s %q, want pending with the reason", it.State, it.LastError)
		case it.Ref != "LXP7-002" && it.State != lifecycle.OutboxSent:
			t.Errorf("%s: %s, want sent", it.Ref, it.State)
		}
	}
	if r, _ := w.st.Request(ctx, "LXP7-002"); r.State == lifecycle.DeliveryFailed {
		t.Errorf("LXP7-002 was failed for a fault of ours")
	}
	if n := len(w.srv.got()); n != 2 {
		t.Errorf("the server received %d letters, want 2", n)
	}
}
