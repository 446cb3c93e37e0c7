package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"foi/demo"
)

// TestDemoHeadless runs the whole demo and checks that every simulated
// authority ends in the state its script and the scripted volunteer imply.
func TestDemoHeadless(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"demo", "--headless", "--json", "--dir", dir}, &out, &errOut); code != 0 {
		t.Fatalf("demo: exit %d: %s", code, errOut.String())
	}
	var res struct {
		Config    string
		Now       string
		Dashboard string
		Requests  []struct {
			statusJSON
			Phase string `json:"phase"`
		}
		Roles map[string]string
	}
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatalf("demo --json output: %v\n%s", err, out.String())
	}
	if len(res.Requests) != 55 {
		t.Fatalf("demo has %d requests, want 55", len(res.Requests))
	}
	if !strings.HasPrefix(res.Dashboard, "http://127.0.0.1:") {
		t.Errorf("the demo's dashboard is at %q, want a loopback URL", res.Dashboard)
	}
	overdue := 0
	for _, r := range res.Requests {
		if want := demo.ExpectOf(r.Ref); r.State != want {
			t.Errorf("%s (%s): %s, want %s", r.Ref, demo.RoleOf(r.Ref), r.State, want)
		}
		if r.Phase == "overdue" {
			overdue++
		}
	}
	if overdue != 3 {
		t.Errorf("%d requests are overdue at the end, want 3 (LXP7A-002, -003, and -005 until its reply is filed)", overdue)
	}
	// Look closer, as a user would after the demo.
	cfg := res.Config
	run1 := func(args ...string) string {
		var o, e bytes.Buffer
		if code := run(context.Background(), append([]string{"--config", cfg, "--now", res.Now}, args...), &o, &e); code != 0 {
			t.Fatalf("foi %s: exit %d: %s", strings.Join(args, " "), code, e.String())
		}
		return o.String()
	}
	if s := run1("show", "LXP7N-001"); !strings.Contains(s, "Attachment: Band 7 LXP job description.pdf") || !strings.Contains(s, "Attachment: workforce.csv") {
		t.Errorf("LXP7N-001 thread lacks its attachments:\n%s", s)
	} else if !strings.Contains(s, demoVolunteer+" marked the request") {
		t.Errorf("LXP7N-001's confirmation is not recorded under the volunteer's name %s:\n%s", demoVolunteer, s)
	}
	if s := run1("show", "LXP7N-008"); !strings.Contains(s, "Matched by: authority-ref") {
		t.Errorf("LXP7N-008's answer with only its own reference was not matched by it:\n%s", s)
	}
	if s := run1("show", "LXP7N-007"); !strings.Contains(s, "auto_reply") {
		t.Errorf("LXP7N-007 has no auto-reply in its thread:\n%s", s)
	}
	if s := run1("show", "LXP7N-004"); !strings.Contains(s, "review_after_refusal") || strings.Count(s, "marked the request refused") != 2 {
		t.Errorf("LXP7N-004 should be refused, reviewed, and refused again on review:\n%s", s)
	}
	if s := run1("show", "LXP7N-011"); !strings.Contains(s, "could not be delivered") || !strings.Contains(s, "goes again to information.governance@") ||
		!strings.Contains(s, demoVolunteer+" marked the request answered") {
		t.Errorf("LXP7N-011 should bounce, go again to the corrected address and be answered:\n%s", s)
	}
	s := run1("show", "LXP7N-005")
	for _, step := range []string{"first_chaser", "final_chaser", "review_on_silence", "ico_complaint"} {
		if !strings.Contains(s, step) {
			t.Errorf("LXP7N-005 (silent) thread lacks %s:\n%s", step, s)
		}
	}
	if s := run1("show", "LXP7A-002"); !strings.Contains(s, "first_chaser") || !strings.Contains(s, "final_chaser") {
		t.Errorf("LXP7A-002 (silent, overdue at the end) was not chased twice:\n%s", s)
	}
	pack := filepath.Join(dir, "pack.zip")
	run1("ico-pack", "LXP7N-005", "--out", pack)
	names, err := zipNames(pack)
	if err != nil || len(names) < 6 {
		t.Errorf("ICO pack: %v, %v", names, err)
	}
}

// syncBuffer is a bytes.Buffer safe to read while the demo writes it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestDemoTerminal watches the live demo as a person in an 80-column
// terminal would (issue 14, finding 9): the first line explains the wait
// for the compiler, the dashboard's URL is given, every line of the board
// fits 80 columns, the board shows lateness, chasers and what happens next,
// and the end names every campaign. Piped output is taken as 80 columns.
func TestDemoTerminal(t *testing.T) {
	t.Parallel()
	out := &syncBuffer{}
	var errOut bytes.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"demo", "--day", "0", "--days", "42", "--dir", t.TempDir()}, out, &errOut)
	}()
	deadline := time.After(2 * time.Minute)
	for !strings.Contains(out.String(), "until you press Ctrl-C") {
		select {
		case code := <-done:
			t.Fatalf("demo ended (exit %d) before it said the dashboard stays up:\n%s\n%s", code, out.String(), errOut.String())
		case <-deadline:
			t.Fatalf("demo did not finish 42 days within 2 minutes:\n%s", out.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
	cancel() // Ctrl-C
	if code := <-done; code != 0 {
		t.Errorf("demo after Ctrl-C: exit %d: %s", code, errOut.String())
	}
	text := out.String()
	if first, _, _ := strings.Cut(text, "\n"); !strings.Contains(first, "Go spent about a minute compiling") {
		t.Errorf("the first line does not explain the first run's wait: %q", first)
	}
	if !strings.Contains(text, "dashboard http://127.0.0.1:") {
		t.Errorf("the board does not say where the dashboard is:\n%s", text)
	}
	screens := strings.Split(text, "\033[H\033[2J")
	if len(screens) < 43 {
		t.Fatalf("%d screens for 42 days, want one a day and the last", len(screens)-1)
	}
	last := screens[len(screens)-1]
	board, end, _ := strings.Cut(last, "The demo ran from")
	for _, screen := range screens[1:] {
		b, _, _ := strings.Cut(screen, "The demo ran from")
		lines := strings.Split(strings.TrimRight(b, "\n"), "\n")
		for _, line := range lines {
			if n := len([]rune(line)); n > 80 {
				t.Errorf("a board line is %d columns wide, more than the terminal's 80:\n%s", n, line)
			}
		}
		if len(lines) > 24 {
			t.Errorf("a board is %d lines high, more than an 80x24 terminal shows:\n%s", len(lines), b)
		}
	}
	// Day 42 is Sun 12 April 2026: LXP7N's letters were due on Tue 31
	// March; the silent trust is late and was chased on Wed 1 April.
	for _, want := range []string{"CHASERS", "NEXT", "LXP7N-005", "wd late", "final chaser"} {
		if !strings.Contains(board, want) {
			t.Errorf("the last board lacks %q:\n%s", want, board)
		}
	}
	var silent string
	for _, line := range strings.Split(board, "\n") {
		if strings.HasPrefix(line, "LXP7N-005") {
			silent = line
		}
	}
	if f := strings.Fields(silent); len(f) < 5 || !strings.Contains(silent, " 1 ") {
		t.Errorf("LXP7N-005's row does not count its one chaser: %q", silent)
	}
	for _, slug := range []string{"LXP7N", "LXP7A"} {
		if !strings.Contains(end, slug+":") || !strings.Contains(end, "status "+slug) {
			t.Errorf("the end does not name campaign %s and how to see it:\n%s", slug, end)
		}
	}
	for line := range strings.SplitSeq(end, "\n") {
		if n := len([]rune(line)); n > 80 && !strings.Contains(line, "go run ./cmd/foi") {
			t.Errorf("a line of the end's text is %d columns wide, more than 80:\n%s", n, line)
		}
	}
}

// TestDemoCtrlC stops the live demo in the middle: it says where it
// stopped and where the data is, with no error.
func TestDemoCtrlC(t *testing.T) {
	t.Parallel()
	out := &syncBuffer{}
	var errOut bytes.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"demo", "--day", "20ms", "--dir", t.TempDir()}, out, &errOut)
	}()
	for strings.Count(out.String(), "\033[H\033[2J") < 3 {
		select {
		case code := <-done:
			t.Fatalf("demo ended (exit %d) before its third day:\n%s\n%s", code, out.String(), errOut.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	cancel()
	if code := <-done; code != 0 || errOut.Len() > 0 {
		t.Errorf("demo after Ctrl-C: exit %d, stderr %q", code, errOut.String())
	}
	if !strings.Contains(out.String(), "Stopped on ") || !strings.Contains(out.String(), "status") {
		t.Errorf("the demo stopped without saying where and how to look:\n%s", out.String())
	}
}

// TestDemoListensOnLoopbackOnly: the demo's dashboard has no accounts, so
// it never listens where other machines can reach it.
func TestDemoListensOnLoopbackOnly(t *testing.T) {
	t.Parallel()
	for _, addr := range []string{"0.0.0.0:8025", "192.0.2.1:8025", "localhost"} {
		var out, errOut bytes.Buffer
		code := run(context.Background(), []string{"demo", "--headless", "--listen", addr, "--dir", t.TempDir()}, &out, &errOut)
		if code != 2 || !strings.Contains(errOut.String(), "loopback") {
			t.Errorf("demo --listen %s: exit %d, %q; want a usage error naming loopback", addr, code, errOut.String())
		}
	}
}

// TestReadmeDemoLine: the README's demo line warns of the first run's
// compile (issue 14, finding 9).
func TestReadmeDemoLine(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if strings.HasPrefix(line, "go run ./cmd/foi demo") {
			if !strings.Contains(line, "compil") {
				t.Errorf("the README's demo line does not say the first run compiles first: %q", line)
			}
			return
		}
	}
	t.Error("the README has no `go run ./cmd/foi demo` line")
}
