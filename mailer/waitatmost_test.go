package mailer

import (
	"context"
	"testing"
	"time"
)

// TestDrainDoesNotWaitForTomorrow: foi send waits out a retry, but a letter
// put off to a later sending window is counted as due later, not slept for.
func TestDrainDoesNotWaitForTomorrow(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 3)
	later := sending.Add(18 * time.Hour)
	ob := w.outbox(sending, w.srv.pass)
	ob.WaitAtMost = 15 * time.Minute
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// A letter planned for the next sending window, as the dashboard's
	// resend or the scheduler queue them.
	if err := w.st.Reschedule(ctx, w.items()[1].ID, later, sending); err != nil {
		t.Fatal(err)
	}
	sum, err := ob.Drain(ctx, "LXP7", 0)
	if err != nil || sum.Sent != 2 || sum.Later != 1 || !sum.LaterFrom.Equal(later) {
		t.Fatalf("Drain = %+v, %v; want 2 sent and 1 due later at %s, without waiting for it", sum, err, later)
	}
}
