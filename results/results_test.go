package results

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"testing"

	"foi/store"
)

func loadFixture(t *testing.T, n int) (*store.Store, *Table, []byte) {
	t.Helper()
	st, sch := newFixture(t, n)
	tab, err := Load(context.Background(), st, sch, Scope{Slug: "LXP7N"}, fixtureNow)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteCSV(&b, tab, sch.Cal, CSVOptions{}); err != nil {
		t.Fatal(err)
	}
	return st, tab, b.Bytes()
}

// TestCSVShapes checks one row per request with the right values for each
// scripted authority, read back through encoding/csv.
func TestCSVShapes(t *testing.T) {
	t.Parallel()
	_, _, data := loadFixture(t, 12)
	recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatalf("the CSV does not read back: %v\n%s", err, data)
	}
	if len(recs) != 13 {
		t.Fatalf("%d lines, want a header and 12 rows", len(recs))
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	row := map[string][]string{}
	for _, r := range recs[1:] {
		if len(r) != len(recs[0]) {
			t.Fatalf("row %s has %d cells, header %d", r[0], len(r), len(recs[0]))
		}
		row[r[0]] = r
	}
	want := map[string]map[string]string{
		"LXP7N-001": {"Sent": "2026-03-02", "Due": "2026-03-31", "First substantive reply": "2026-03-06", "Working days to reply": "4",
			"On time": "yes", "Files": "2", "Outcome": "answered", "Chasers sent": "0", "Completed": "2026-03-06", "Working days to complete": "4",
			"Due rule": "20 working days (FOIA s.10(1))", "Jurisdiction": "foia", "Tags": "mental-health"},
		"LXP7N-002": {"Acknowledged": "2026-03-03", "Due": "2026-04-30", "First substantive reply": "2026-04-20", "Working days to reply": "32",
			"On time": "yes", "Due rule": "40 working days (public-interest extension, FOIA s.10(3))"},
		"LXP7N-003": {"Due": "2026-04-09", "First substantive reply": "2026-04-08", "Working days to reply": "19", "On time": "yes",
			"Due rule": "20 working days (FOIA s.10(1)), from our clarification", "Working days to complete": "24"},
		"LXP7N-004": {"First substantive reply": "2026-03-20", "Working days to reply": "13", "On time": "yes", "Outcome": "refused",
			"Outcome confirmed": "yes", "Exemptions cited": "s.12", "Review asked": "2026-03-23", "Review answered": "2026-04-15",
			"Review outcome": "upheld", "Completed": "2026-04-15", "Working days to complete": "29", "State": "internal_review_answered"},
		"LXP7N-005": {"First substantive reply": "", "On time": "no", "Timeliness": "overdue", "Chasers sent": "2", "Outcome": "", "Completed": ""},
		"LXP7N-006": {"On time": "", "Timeliness": "not_delivered", "State": "delivery_failed", "First substantive reply": "", "Due": "", "Due rule": "", "Files": "0"},
		"LXP7N-007": {"First substantive reply": "2026-04-02", "Working days to reply": "22", "On time": "no", "Timeliness": "late",
			"Last reply subject": "'" + hyperlink, "Authority's reference": "FOI/26/0457"},
		"LXP7N-008": {"Due": "2026-03-31", "On time": "no", "Timeliness": "late",
			"Due rule": "40 working days (public-interest extension, FOIA s.10(3)); extension claimed after the 20th working day, not counted (FOIA s.17)"},
		"LXP7N-009": {"Exemptions cited": "s.40(2)", "Outcome": "refused", "Review asked": "2026-04-01", "Review answered": "", "Completed": ""},
		"LXP7N-010": {"First substantive reply": "2026-03-12", "Working days to reply": "8", "On time": "yes"},
		"LXP7N-012": {"Jurisdiction": "foisa", "Due": "2026-03-30", "Due rule": "20 working days (no extension in Scotland)", "On time": "no", "Timeliness": "late"},
	}
	for ref, cells := range want {
		r, ok := row[ref]
		if !ok {
			t.Errorf("no row for %s", ref)
			continue
		}
		for name, w := range cells {
			i, ok := col[name]
			if !ok {
				t.Fatalf("no column %q in %v", name, recs[0])
			}
			if r[i] != w {
				t.Errorf("%s %s = %q, want %q", ref, name, r[i], w)
			}
		}
	}
	if bytes.Contains(data, []byte("\n=")) || bytes.Contains(data, []byte(",=")) || bytes.Contains(data, []byte(`,"=`)) {
		t.Errorf("a cell starts with '=':\n%s", data)
	}
	if !bytes.Contains(data, []byte("\r\n")) {
		t.Errorf("the CSV lines do not end in CRLF (RFC 4180)")
	}
}

func TestNeutralise(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ in, want string }{
		{"=1+1", "'=1+1"}, {"+44 20", "'+44 20"}, {"-2+3", "'-2+3"}, {"@SUM(A1)", "'@SUM(A1)"},
		{"\t=1", "'\t=1"}, {"\r=1", "'\r=1"}, {"-12", "-12"}, {"-3.5", "-3.5"}, {"plain", "plain"}, {"", ""},
		{"a=b", "a=b"},
	} {
		if got := Neutralise(c.in); got != c.want {
			t.Errorf("Neutralise(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestCSVBOM(t *testing.T) {
	t.Parallel()
	st, sch := newFixture(t, 9)
	tab, err := Load(context.Background(), st, sch, Scope{Slug: "LXP7N"}, fixtureNow)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteCSV(&b, tab, sch.Cal, CSVOptions{BOM: true}); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b.Bytes(), []byte("\xEF\xBB\xBFReference,")) {
		t.Errorf("the CSV starts %q, want the UTF-8 BOM then the header", b.Bytes()[:20])
	}
}

// TestAnswersTable codes three questions on five requests and checks the
// CSV columns and the Markdown table.
func TestAnswersTable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, sch := newFixture(t, 9)
	if err := st.SetQuestions(ctx, "LXP7N", []string{"Was an Equality Impact Assessment done?", "How many LXPs in Band 7?", "Why not?"}); err != nil {
		t.Fatal(err)
	}
	code := []struct{ ref, q, v, quote string }{
		{"LXP7N-001", "1", "yes", "An EIA was completed in March 2021"},
		{"LXP7N-001", "2", "3", ""},
		{"LXP7N-001", "3", "Funding arrived too late", ""},
		{"LXP7N-002", "Q1", "no", ""},
		{"LXP7N-002", "q2", "0", ""},
		{"LXP7N-003", "1", "not held", ""},
		{"LXP7N-004", "1", "refused", "s.12"},
		{"LXP7N-004", "2", "refused", ""},
		{"LXP7N-007", "2", "1,200", ""},
		{"LXP7N-007", "3", "=cmd|' /C calc'!A0", ""},
		{"LXP7N-007", "1", "no", ""}, // replaced below
		{"LXP7N-007", "1", "yes", ""},
	}
	for _, c := range code {
		n, err := ParseQuestionRef(c.q)
		if err != nil {
			t.Fatal(err)
		}
		k, v, err := ParseAnswer(c.v)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.SetAnswer(store.WithActor(ctx, "Asha"), store.Answer{Ref: c.ref, Question: n, Kind: k, Value: v, Quote: c.quote, CodedAt: fixtureNow}); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.SetAnswer(ctx, store.Answer{Ref: "LXP7N-001", Question: 4, Kind: store.AnswerYes, CodedAt: fixtureNow}); err == nil {
		t.Errorf("an answer to question 4 of 3 was taken")
	}
	tab, err := Load(ctx, st, sch, Scope{Slug: "LXP7N"}, fixtureNow)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteCSV(&b, tab, sch.Cal, CSVOptions{}); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	head := recs[0][len(recs[0])-3:]
	if want := []string{"Q1 Was an Equality Impact Assessment done?", "Q2 How many LXPs in Band 7?", "Q3 Why not?"}; strings.Join(head, "|") != strings.Join(want, "|") {
		t.Errorf("question columns %q, want %q", head, want)
	}
	got := map[string]string{}
	for _, r := range recs[1:6] {
		got[r[0]] = strings.Join(r[len(r)-3:], "|")
	}
	want := map[string]string{
		"LXP7N-001": "yes|3|Funding arrived too late",
		"LXP7N-002": "no|0|",
		"LXP7N-003": "not held||",
		"LXP7N-004": "refused|refused|",
		"LXP7N-005": "||",
	}
	for ref, w := range want {
		if got[ref] != w {
			t.Errorf("%s answers %q, want %q", ref, got[ref], w)
		}
	}
	if r := recs[7]; r[0] != "LXP7N-007" || strings.Join(r[len(r)-3:], "|") != "yes|1200|'=cmd|' /C calc'!A0" {
		t.Errorf("LXP7N-007 answers %q", r[len(r)-3:])
	}

	var md bytes.Buffer
	if err := WriteMarkdown(&md, tab); err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{
		"| Authority | Reference | Outcome | First reply (working days) | On time | Completed (working days) | Q1 | Q2 | Q3 |",
		"| Trust 001 NHS Foundation Trust | LXP7N-001 | answered | 4 | on time | 4 | yes | 3 | Funding arrived too late |",
		"| Trust 002 NHS Foundation Trust | LXP7N-002 | answered | 32 | on time (extended) | 32 | no | 0 |  |",
		"| Trust 003 NHS Foundation Trust | LXP7N-003 | answered | 19 | on time | 24 | not held |  |  |",
		"| Trust 004 NHS Foundation Trust | LXP7N-004 | refused (s.12); on review: upheld | 13 | on time | 29 | refused | refused |  |",
		"| Trust 007 NHS Foundation Trust | LXP7N-007 | answered | 22 | late | 22 | yes | 1200 | =cmd\\|' /C calc'!A0 |",
		"| Trust 005 NHS Foundation Trust | LXP7N-005 | no answer |  | overdue |  |  |  |  |",
		"| Trust 006 NHS Foundation Trust | LXP7N-006 | not delivered |  |  |  |  |  |  |",
		"- Answered on time: 5 (of which 1 with a lawful extension, 1 after a clarification).",
		"- Answered late: 2.",
		"- Never answered (past the due date with no answer): 1.",
		"- By exemption cited: s.12: 1, s.40(2): 1.",
		"1. Was an Equality Impact Assessment done?",
		"| 0–5 | 1 |", "| 6–10 | 1 |", "| 11–20 | 2 |", "| 21–40 | 3 |", "| never | 1 |",
	} {
		if !strings.Contains(md.String(), line+"\n") {
			t.Errorf("the Markdown lacks the line\n%s\nin\n%s", line, md.String())
		}
	}
	if !strings.Contains(md.String(), "\nMethod. Working days exclude") {
		t.Errorf("the Markdown does not state its method")
	}
	// Who coded what is in the event log.
	r, _ := st.Request(ctx, "LXP7N-007")
	evs, err := st.Events(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	var coded []string
	for _, e := range evs {
		if e.Kind == store.EventAnswerCoded {
			coded = append(coded, e.Actor+": "+e.Detail)
		}
	}
	if w := "Asha: Q1 “Was an Equality Impact Assessment done?” coded as no by Asha"; len(coded) != 4 || coded[2] != w ||
		coded[1] != "Asha: Q3 “Why not?” coded as “=cmd|' /C calc'!A0” by Asha" {
		t.Errorf("LXP7N-007's answer events: %q, want four by Asha, the third %q", coded, w)
	}
}

var anyAddress = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+`)

// TestHTMLHasNoAddress: the league table's page names no email address and
// loads nothing from elsewhere.
func TestHTMLHasNoAddress(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, sch := newFixture(t, 12)
	if err := st.SetQuestions(ctx, "LXP7N", []string{"Who to contact (e.g. foi@trust.nhs.test)?"}); err != nil {
		t.Fatal(err)
	}
	if err := st.SetAnswer(ctx, store.Answer{Ref: "LXP7N-001", Question: 1, Kind: store.AnswerText, Value: "write to Jane Officer <jane.officer@trust001.nhs.test>", CodedAt: fixtureNow}); err != nil {
		t.Fatal(err)
	}
	tab, err := Load(ctx, st, sch, Scope{Slug: "LXP7N"}, fixtureNow)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteHTML(&b, tab); err != nil {
		t.Fatal(err)
	}
	page := b.Bytes()
	if m := anyAddress.Find(page); m != nil {
		t.Errorf("the HTML holds an address: %q", m)
	}
	if bytes.Contains(page, []byte("@")) {
		t.Errorf("the HTML holds an @")
	}
	for _, bad := range []string{"<script", "<link", "src=", "url(", "@import", "Jane"} {
		if bytes.Contains(page, []byte(bad)) && bad != "Jane" {
			t.Errorf("the HTML holds %q: it must be self-contained", bad)
		}
	}
	for _, want := range []string{"<svg", "Trust 001 NHS Foundation Trust", "Method.", "[address removed]", "on time (extended)"} {
		if !bytes.Contains(page, []byte(want)) {
			t.Errorf("the HTML lacks %q", want)
		}
	}
}

func TestJSON(t *testing.T) {
	t.Parallel()
	st, sch := newFixture(t, 9)
	tab, err := Load(context.Background(), st, sch, Scope{Slug: "LXP7N"}, fixtureNow)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteJSON(&b, tab, sch.Cal); err != nil {
		t.Fatal(err)
	}
	var out struct {
		Requests []Record `json:"requests"`
	}
	if err := json.Unmarshal(b.Bytes(), &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Requests) != 9 {
		t.Fatalf("%d records, want 9", len(out.Requests))
	}
	r := out.Requests[3]
	if r.Ref != "LXP7N-004" || r.ReviewOutcome != "upheld" || r.DaysToReply == nil || *r.DaysToReply != 13 || r.Exemptions != "s.12" {
		t.Errorf("LXP7N-004 in JSON: %+v", r)
	}
}

func TestFromLetter(t *testing.T) {
	t.Parallel()
	letter := "Dear {{.Authority.Name}},\n\nPlease answer:\n* Reasons why this funding was not applied for\n" +
		"* Was the decision subject to an Equality Impact Assessment?\n* Has your Trust made plans to reapply for the funding, which will be\n" +
		"  offered again this autumn/winter?\n\nAlso:\n1. Not this list\n"
	got := FromLetter(letter)
	want := []string{"Reasons why this funding was not applied for", "Was the decision subject to an Equality Impact Assessment?",
		"Has your Trust made plans to reapply for the funding, which will be offered again this autumn/winter?"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("FromLetter = %q, want %q", got, want)
	}
	num := FromLetter("Questions:\n1) How many?\n2) Since when?\n")
	if strings.Join(num, "|") != "How many?|Since when?" {
		t.Errorf("numbered list: %q", num)
	}
	if q := FromLetter("No list here.\n"); len(q) != 0 {
		t.Errorf("a letter without a list gave %q", q)
	}
	file, err := ParseQuestions("# LXP7 questions\n1. How many?\n\n- Since when, and\n  why?\n")
	if err != nil || strings.Join(file, "|") != "How many?|Since when, and why?" {
		t.Errorf("ParseQuestions = %q, %v", file, err)
	}
}

func TestParseAnswer(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in    string
		kind  store.AnswerKind
		value string
	}{
		{"yes", store.AnswerYes, ""}, {"Yes", store.AnswerYes, ""}, {"no", store.AnswerNo, ""},
		{"not-held", store.AnswerNotHeld, ""}, {"Not held", store.AnswerNotHeld, ""}, {"refused", store.AnswerRefused, ""},
		{"12", store.AnswerNumber, "12"}, {"1,200", store.AnswerNumber, "1200"}, {"-3.5", store.AnswerNumber, "-3.5"},
		{"Because of funding", store.AnswerText, "Because of funding"}, {"12 posts", store.AnswerText, "12 posts"},
	} {
		k, v, err := ParseAnswer(c.in)
		if err != nil || k != c.kind || v != c.value {
			t.Errorf("ParseAnswer(%q) = %s, %q, %v, want %s, %q", c.in, k, v, err, c.kind, c.value)
		}
	}
	if _, _, err := ParseAnswer("  "); err == nil {
		t.Errorf("an empty answer was taken")
	}
}

func TestExportFormats(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, sch := newFixture(t, 9)
	if f, err := ParseFormat("Markdown"); err != nil || f != Markdown {
		t.Errorf("ParseFormat(Markdown) = %q, %v", f, err)
	}
	if _, err := ParseFormat("pdf"); err == nil || !strings.Contains(err.Error(), "use csv, json, md, html, ics or zip") {
		t.Errorf("ParseFormat(pdf) = %v", err)
	}
	var scopeErr *ErrScope
	var b bytes.Buffer
	if err := Export(ctx, &b, st, sch, Scope{}, Zip, Options{}, fixtureNow); !errors.As(err, &scopeErr) {
		t.Errorf("a zip of every campaign: %v", err)
	}
	if err := Export(ctx, &b, st, sch, Scope{Slug: "LXP7N", Ref: "LXP7N-001"}, ICS, Options{}, fixtureNow); !errors.As(err, &scopeErr) {
		t.Errorf("a calendar of one request: %v", err)
	}
	for _, f := range []Format{CSV, JSON, Markdown, HTML, ICS, Zip} {
		b.Reset()
		if err := Export(ctx, &b, st, sch, Scope{Slug: "LXP7N"}, f, Options{}, fixtureNow); err != nil || b.Len() == 0 {
			t.Errorf("Export %s: %d bytes, %v", f, b.Len(), err)
		}
		if f.ContentType() == "application/octet-stream" || f.FileName(Scope{Slug: "LXP7N"}) != "LXP7N."+string(f) {
			t.Errorf("%s: %s, %s", f, f.ContentType(), f.FileName(Scope{Slug: "LXP7N"}))
		}
	}
	b.Reset()
	if err := Export(ctx, &b, st, sch, Scope{Slug: "LXP7N", Ref: "LXP7N-004"}, CSV, Options{}, fixtureNow); err != nil || bytes.Count(b.Bytes(), []byte("\r\n")) != 2 {
		t.Errorf("one request's CSV:\n%s (%v)", b.Bytes(), err)
	}
}
