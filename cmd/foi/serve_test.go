package main

import (
	"bytes"
	"context"
	"testing"
	"time"
)

func TestServeWatchesAndStops(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	setupCampaign(t, e, 3)
	e.must("send", "LXP7")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var out, errOut bytes.Buffer
	go func() { done <- run(ctx, []string{"--config", e.cfg, "serve"}, &out, &errOut) }()
	time.Sleep(300 * time.Millisecond)
	e.mail.Deliver("INBOX", replyTo(e.mail.Received()[1].Data, t, 1, "We acknowledge receipt of your request; it has been logged."), time.Now())
	waitFor(t, 5*time.Second, "the reply to be filed by foi serve", func() bool {
		return status(t, e)["LXP7-002"].State == "acknowledged"
	})
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("serve exited %d: %s", code, errOut.String())
		}
	case <-time.After(5 * time.Second):
		t.Fatal("serve did not stop on cancel")
	}
}
