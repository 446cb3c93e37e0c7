package main

import (
	"archive/zip"
	"encoding/csv"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"foi"
)

// TestAnswerAndExport: the questions come from the letter's list when the
// campaign is made, can be set from a file, and answers coded for three
// questions on five requests come out in the CSV and the Markdown.
func TestAnswerAndExport(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	letter, err := foi.Examples.ReadFile("examples/stage2-did-not-apply.txt")
	if err != nil {
		t.Fatal(err)
	}
	e.must("authorities", "import", e.writeFile("trusts.csv", trustsCSV(5)))
	out := e.must("campaign", "new", "LXP7", "--title", "Band 7 roles", "--letter", e.writeFile("letter.txt", string(letter)), "--authorities", "all")
	for _, w := range []string{"Questions of LXP7", "  1. Reasons why this funding was not applied for\n",
		"  3. Has your Trust made plans to reapply for the funding, which will be offered again this autumn/winter?\n",
		"  5. If you do not employ LXPs", "foi campaign questions LXP7 --file FILE"} {
		if !strings.Contains(out, w) {
			t.Errorf("campaign new does not show %q:\n%s", w, out)
		}
	}
	out = e.must("campaign", "questions", "LXP7", "--file", e.writeFile("q.txt", "# ours\n1. Was an EIA done?\n2. How many LXPs in Band 7?\n3. Why not?\n"))
	if !strings.Contains(out, "  3. Why not?\n") || strings.Contains(out, "  4.") {
		t.Errorf("campaign questions --file:\n%s", out)
	}
	code := [][]string{
		{"LXP7-001", "1", "yes", "--quote", "An EIA was completed in March 2021"}, {"LXP7-001", "2", "3"}, {"LXP7-001", "3", "Funding came too late"},
		{"LXP7-002", "Q1", "no"}, {"LXP7-002", "2", "0"}, {"LXP7-002", "3", "=HYPERLINK(\"http://x.example\")"},
		{"LXP7-003", "1", "not-held"},
		{"LXP7-004", "1", "refused"}, {"LXP7-004", "2", "1,200"},
		{"LXP7-005", "3", "No budget"},
		{"LXP7-005", "2", "--", "-2"},
	}
	for _, c := range code {
		e.must(append([]string{"answer"}, c...)...)
	}
	if got := e.must("answer", "lxp7-001"); !strings.Contains(got, "Q1 Was an EIA done?\n     yes — \"An EIA was completed in March 2021\" [user,") {
		t.Errorf("answer REF lists:\n%s", got)
	}
	if c, _, errOut := e.foi("answer", "LXP7-001", "4", "yes"); c != 1 || !strings.Contains(errOut, "questions 1 to 3, not 4") {
		t.Errorf("answer to question 4: exit %d, %s", c, errOut)
	}
	if c, _, errOut := e.foi("answer", "LXP7-001", "x", "yes"); c != 2 || !strings.Contains(errOut, `"x" is not a question number`) {
		t.Errorf("answer to question x: exit %d, %s", c, errOut)
	}

	csvOut := e.must("export", "LXP7", "--format", "csv")
	recs, err := csv.NewReader(strings.NewReader(csvOut)).ReadAll()
	if err != nil {
		t.Fatalf("the CSV does not read back: %v\n%s", err, csvOut)
	}
	if len(recs) != 6 {
		t.Fatalf("%d CSV lines, want 6:\n%s", len(recs), csvOut)
	}
	last3 := func(r []string) string { return strings.Join(r[len(r)-3:], "|") }
	want := []string{
		"Q1 Was an EIA done?|Q2 How many LXPs in Band 7?|Q3 Why not?",
		"yes|3|Funding came too late",
		"no|0|'=HYPERLINK(\"http://x.example\")",
		"not held||",
		"refused|1200|",
		"|-2|No budget",
	}
	for i, w := range want {
		if got := last3(recs[i]); got != w {
			t.Errorf("CSV line %d ends %q, want %q", i+1, got, w)
		}
	}
	md := e.must("export", "LXP7", "--format", "md")
	for _, w := range []string{
		"| Authority | Reference | Outcome | First reply (working days) | On time | Completed (working days) | Q1 | Q2 | Q3 |\n",
		"| Trust 01 NHS Foundation Trust | LXP7-001 | not sent |  |  |  | yes | 3 | Funding came too late |\n",
		"| Trust 04 NHS Foundation Trust | LXP7-004 | not sent |  |  |  | refused | 1200 |  |\n",
		"1. Was an EIA done?\n",
	} {
		if !strings.Contains(md, w) {
			t.Errorf("the Markdown lacks %q:\n%s", w, md)
		}
	}

	// --out never overwrites; zip needs --out; a wrong name is named.
	path := filepath.Join(e.dir, "lxp7.csv")
	if got := e.must("export", "LXP7", "--out", path, "--bom"); !strings.Contains(got, "Wrote "+path) {
		t.Errorf("export --out: %s", got)
	}
	if b, _ := os.ReadFile(path); !strings.HasPrefix(string(b), "\uFEFFReference,") {
		t.Errorf("the saved CSV starts %q", string(b[:min(len(b), 20)]))
	}
	os.WriteFile(path, []byte("mine"), 0o600)
	if got := e.must("export", "LXP7", "--out", path); !strings.Contains(got, "lxp7 (2).csv") {
		t.Errorf("a second export over a changed file: %s", got)
	}
	if b, _ := os.ReadFile(path); string(b) != "mine" {
		t.Errorf("the first file was overwritten")
	}
	if c, _, errOut := e.foi("export", "LXP7", "--format", "zip"); c != 2 || !strings.Contains(errOut, "needs --out") {
		t.Errorf("zip without --out: exit %d, %s", c, errOut)
	}
	if c, _, errOut := e.foi("export", "NOPE", "--format", "csv"); c != 1 || !strings.Contains(errOut, `"NOPE" is neither a campaign nor a request`) {
		t.Errorf("export NOPE: exit %d, %s", c, errOut)
	}
	if c, _, errOut := e.foi("export", "LXP7", "--format", "pdf"); c != 2 || !strings.Contains(errOut, `--format "pdf"`) {
		t.Errorf("--format pdf: exit %d, %s", c, errOut)
	}
	if got := e.must("export", "LXP7", "--format", "ics", "--feed"); !regexp.MustCompile(`^http://127\.0\.0\.1:[0-9]+/calendar/[0-9a-f]{32}\.ics\n$`).MatchString(got) {
		t.Errorf("export --feed: %q", got)
	}
	if ics := e.must("export", "LXP7", "--format", "ics"); !strings.HasPrefix(ics, "BEGIN:VCALENDAR\r\n") {
		t.Errorf("export --format ics: %q", ics)
	}
	zpath := filepath.Join(e.dir, "LXP7-001.zip")
	e.must("export", "LXP7-001", "--format", "zip", "--out", zpath)
	zr, err := zip.OpenReader(zpath)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	if strings.Join(names, ",") != "README.txt,answers.csv" {
		t.Errorf("the unsent request's zip holds %q", names)
	}
}
