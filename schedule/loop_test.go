package schedule

import (
	"context"
	"errors"
	"testing"
	"time"

	"foi/store"
)

// TestLoop: a pass runs at once, again when kicked, a failing Send does not
// stop the loop, and cancelling ends Run.
func TestLoop(t *testing.T) {
	st, err := store.Open(t.Context(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	s := testScheduler(t)
	s.Store = st
	kick := make(chan struct{})
	passes := make(chan int, 10)
	n := 0
	l := &Loop{Scheduler: s, Now: time.Now, Kick: kick, MaxWait: time.Hour,
		Send: func(ctx context.Context) error {
			n++
			passes <- n
			return errors.New("smtp: the password file is missing")
		}}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- l.Run(ctx) }()
	wait := func(want int) {
		t.Helper()
		select {
		case got := <-passes:
			if got != want {
				t.Fatalf("pass %d, want %d", got, want)
			}
		case err := <-done:
			t.Fatalf("Run returned %v during pass %d", err, want)
		case <-time.After(5 * time.Second):
			t.Fatalf("no pass %d", want)
		}
	}
	wait(1)
	kick <- struct{}{}
	wait(2)
	select {
	case p := <-passes:
		t.Fatalf("pass %d without a kick or a due moment", p)
	case <-time.After(200 * time.Millisecond):
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Run = %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not end when cancelled")
	}
}
