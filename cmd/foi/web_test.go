package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestServeServesTheDashboard: foi serve starts the dashboard with the
// watcher and the scheduler, says where it is, and stops it with them.
func TestServeServesTheDashboard(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	setupCampaign(t, e, 3)
	e.must("send", "LXP7")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	var out, errOut syncBuffer
	go func() { done <- run(ctx, []string{"--config", e.cfg, "serve"}, &out, &errOut) }()
	var url string
	waitFor(t, 10*time.Second, "serve to say where the dashboard is", func() bool {
		m := regexp.MustCompile(`dashboard is at (http://127\.0\.0\.1:\d+/)`).FindStringSubmatch(out.String())
		if m != nil {
			url = m[1]
		}
		return m != nil
	})
	resp, err := http.Get(url + "campaigns/LXP7")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `data-ref="LXP7-001"`) {
		t.Errorf("the board from foi serve: %d, %d bytes", resp.StatusCode, len(body))
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("serve exited %d: %s", code, errOut.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop on cancel")
	}
	if _, err := http.Get(url); err == nil {
		t.Errorf("the dashboard still answers after serve stopped")
	}
}

// TestWebBeyondLoopbackNeedsAccounts: foi web and foi serve refuse a
// non-loopback web.listen until a volunteer has an account, and say how.
func TestWebBeyondLoopbackNeedsAccounts(t *testing.T) {
	e := newEnv(t, envOptions{extra: "web:\n"})
	cfg, _ := os.ReadFile(e.cfg)
	os.WriteFile(e.cfg, bytes.Replace(cfg, []byte(`listen: "127.0.0.1:0"`), []byte(`listen: "0.0.0.0:0"`), 1), 0o600)
	for _, cmd := range []string{"web", "serve"} {
		code, _, stderr := e.foiAsUser(cmd)
		if code != 1 || !strings.Contains(stderr, "no volunteer has an account") || !strings.Contains(stderr, "foi users add") {
			t.Errorf("foi %s on 0.0.0.0 without accounts: %d %q; want a refusal naming foi users add", cmd, code, stderr)
		}
	}
	// Add one, reading the password from standard input.
	r, w, _ := os.Pipe()
	w.WriteString("correct horse battery\n")
	w.Close()
	old := os.Stdin
	os.Stdin = r
	code, stdout, stderr := e.foiAsUser("users", "add", "Asha Patel")
	os.Stdin = old
	if code != 0 || !strings.Contains(stdout, "Asha Patel can now log in") {
		t.Fatalf("users add: %d %q %q", code, stdout, stderr)
	}
	if code, stdout, _ := e.foiAsUser("users", "list"); code != 0 || !strings.Contains(stdout, "Asha Patel") {
		t.Errorf("users list: %d %q", code, stdout)
	}
	if code, _, stderr := e.foiAsUser("users", "add", "foi"); code != 2 || !strings.Contains(stderr, "reserved") {
		t.Errorf("users add foi: %d %q, want a usage error", code, stderr)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var out, errOut syncBuffer
	go func() { done <- run(ctx, []string{"--config", e.cfg, "web"}, &out, &errOut) }()
	waitFor(t, 10*time.Second, "foi web to start with an account", func() bool { return strings.Contains(out.String(), "dashboard is at") })
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("foi web exited %d: %s", code, errOut.String())
	}
	if code, stdout, _ := e.foiAsUser("users", "remove", "Asha Patel"); code != 0 || !strings.Contains(stdout, "can no longer log in") {
		t.Errorf("users remove: %d %q", code, stdout)
	}
	if code, _, stderr := e.foiAsUser("users", "remove", "Asha Patel"); code != 1 || !strings.Contains(stderr, "no volunteer called") {
		t.Errorf("users remove twice: %d %q", code, stderr)
	}
}
