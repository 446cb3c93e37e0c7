package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// TestDemoHeadless runs the whole demo and checks that every simulated
// authority ends in the state its script implies.
func TestDemoHeadless(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"demo", "--headless", "--json", "--dir", dir}, &out, &errOut); code != 0 {
		t.Fatalf("demo: exit %d: %s", code, errOut.String())
	}
	var res struct {
		Config   string
		Now      string
		Requests []statusJSON
		Roles    map[string]string
		Expect   map[string]string
	}
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatalf("demo --json output: %v\n%s", err, out.String())
	}
	if len(res.Requests) != 55 {
		t.Fatalf("demo has %d requests, want 55", len(res.Requests))
	}
	want := map[string]string{
		"LXP7N-001": "responded", "LXP7N-002": "responded", "LXP7N-003": "responded",
		"LXP7N-004": "internal_review_answered", "LXP7N-005": "ico_complaint_ready", "LXP7N-006": "delivery_failed",
		"LXP7N-007": "responded", "LXP7N-008": "responded",
	}
	for _, r := range res.Requests {
		w, ok := want[r.Ref]
		if !ok {
			w = "responded" // every other trust answers in time
		}
		if r.State != w {
			t.Errorf("%s (%s): %s, want %s", r.Ref, res.Roles[r.Ref], r.State, w)
		}
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
	}
	if s := run1("show", "LXP7N-008"); !strings.Contains(s, "Matched by: authority-ref") {
		t.Errorf("LXP7N-008's answer with only its own reference was not matched by it:\n%s", s)
	}
	if s := run1("show", "LXP7N-007"); !strings.Contains(s, "auto_reply") {
		t.Errorf("LXP7N-007 has no auto-reply in its thread:\n%s", s)
	}
	s := run1("show", "LXP7N-005")
	for _, step := range []string{"first_chaser", "final_chaser", "review_on_silence", "ico_complaint"} {
		if !strings.Contains(s, step) {
			t.Errorf("LXP7N-005 (silent) thread lacks %s:\n%s", step, s)
		}
	}
	pack := filepath.Join(dir, "pack.zip")
	run1("ico-pack", "LXP7N-005", "--out", pack)
	names, err := zipNames(pack)
	if err != nil || len(names) < 6 {
		t.Errorf("ICO pack: %v, %v", names, err)
	}
}
