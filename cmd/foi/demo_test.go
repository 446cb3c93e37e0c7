package main

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
)

func TestDemoHeadless(t *testing.T) {
	t.Parallel()
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"demo", "--headless", "--json", "--dir", t.TempDir()}, &out, &errOut); code != 0 {
		t.Fatalf("demo: exit %d: %s", code, errOut.String())
	}
	var rows []statusJSON
	if err := json.Unmarshal(out.Bytes(), &rows); err != nil {
		t.Fatalf("demo --json output: %v\n%s", err, out.String())
	}
	if len(rows) != 55 {
		t.Fatalf("demo has %d requests, want 55", len(rows))
	}
	for _, r := range rows {
		if r.State != "sent" || r.Due == "" {
			t.Errorf("%s: %s due %q, want sent with a due date", r.Ref, r.State, r.Due)
		}
	}
}
