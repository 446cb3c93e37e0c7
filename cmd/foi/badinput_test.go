package main

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"foi/store"
)

// fingerprint hashes every row of every table, to prove a failed command
// changed nothing.
func fingerprint(t *testing.T, e *env) string {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(e.dir, "data"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	h := sha256.New()
	for _, table := range []string{"authorities", "authority_tags", "campaigns", "requests", "messages", "attachments", "events", "outbox", "settings"} {
		rows, err := st.DB().Query("SELECT * FROM " + table + " ORDER BY 1")
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		vals := make([]sql.RawBytes, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for _, v := range vals {
				fmt.Fprintf(h, "%s|%q|", table, v)
			}
		}
		rows.Close()
	}
	return hex.EncodeToString(h.Sum(nil))
}

func TestBadInputChangesNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	e.must("authorities", "import", e.writeFile("good.csv", trustsCSV(8)))
	before := fingerprint(t, e)

	// A CSV whose line 7 has a malformed address.
	bad := strings.Split(trustsCSV(9), "\n")
	bad[6] = "Trust Bad NHS Trust,foi-at-trust-bad.nhs.test,foia,applied,Bad"
	code, _, stderr := e.foi("authorities", "import", e.writeFile("bad.csv", strings.Join(bad, "\n")))
	if code != 1 || !strings.Contains(stderr, "line 7, field email") || !strings.Contains(stderr, "foi-at-trust-bad.nhs.test") {
		t.Errorf("import bad.csv: exit %d, stderr %q; want exit 1 naming line 7, field email and the address", code, stderr)
	}
	if fingerprint(t, e) != before {
		t.Error("the database changed after a rejected import")
	}

	// An unknown jurisdiction and a duplicate name, reported together.
	code, _, stderr = e.foi("authorities", "import", e.writeFile("bad2.csv",
		"name,email,jurisdiction\nA Trust,foi@a.nhs.test,wales\nB Trust,foi@b.nhs.test,foia\nA Trust,foi@a2.nhs.test,foia\n"))
	if code != 1 || !strings.Contains(stderr, `line 2, field jurisdiction: "wales"`) || !strings.Contains(stderr, "line 4, field name") {
		t.Errorf("import bad2.csv: exit %d, stderr %q; want both bad rows named", code, stderr)
	}

	// A letter with a field that does not exist.
	tmpl := e.writeFile("typo.txt", "Dear {{.Authority.Name}},\n\nOur ref {{.Request.Ref}}.\n{{.Requester.Nmae}}\n")
	code, _, stderr = e.foi("campaign", "new", "TYPO", "--title", "T", "--letter", tmpl, "--authorities", "all")
	if code != 1 || !strings.Contains(stderr, "template typo.txt, line 4") || !strings.Contains(stderr, `unknown field "Nmae"`) {
		t.Errorf("campaign new with typo: exit %d, stderr %q; want the template, line 4 and the field", code, stderr)
	}
	if fingerprint(t, e) != before {
		t.Error("the database changed after a rejected campaign")
	}

	// An empty requester name: no letter can be valid (FOIA s.8).
	e.writeConfig(envOptions{})
	cfg := strings.Replace(readFile(t, e.cfg), `name: "LXP Revolution"`, `name: ""`, 1)
	e.writeFile("foi.yaml", cfg)
	code, _, stderr = e.foi("campaign", "new", "NONAME", "--title", "T", "--letter", e.writeFile("ok.txt", letter), "--authorities", "all")
	if code != 1 || !strings.Contains(stderr, "requester.name") || !strings.Contains(stderr, "s.8") {
		t.Errorf("campaign new without a requester name: exit %d, stderr %q", code, stderr)
	}
	if fingerprint(t, e) != before {
		t.Error("the database changed after a refused command")
	}
}
