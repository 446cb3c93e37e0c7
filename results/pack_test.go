package results

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"foi/store"
)

func readZip(t *testing.T, data []byte) map[string]string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		out[f.Name] = string(b)
	}
	return out
}

func TestRequestPack(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, sch := newFixture(t, 9)
	if err := st.SetQuestions(ctx, "LXP7N", []string{"Was an EIA done?", "How many?"}); err != nil {
		t.Fatal(err)
	}
	if err := st.SetAnswer(ctx, store.Answer{Ref: "LXP7N-001", Question: 1, Kind: store.AnswerYes, Quote: "An EIA was done", CodedAt: fixtureNow}); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteRequestPack(ctx, &b, st, sch, "lxp7n-001", fixtureNow); err != nil {
		t.Fatal(err)
	}
	files := readZip(t, b.Bytes())
	var names []string
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	want := []string{"README.txt", "answers.csv", "files/Band 7 LXP job description.pdf", "files/_workforce.csv",
		"messages/01-2026-03-02-letter.txt", "messages/02-2026-03-06-reply.txt"}
	if strings.Join(names, "|") != strings.Join(want, "|") {
		t.Fatalf("the pack holds %q, want %q", names, want)
	}
	if files["files/Band 7 LXP job description.pdf"] != "file 1 of LXP7N-001" {
		t.Errorf("the PDF holds %q", files["files/Band 7 LXP job description.pdf"])
	}
	for name, body := range files {
		for _, secret := range []string{"lxp@example.org", "lxp+tag@example.org", "LXP Revolution"} {
			if strings.Contains(body, secret) {
				t.Errorf("%s still holds the requester's %q:\n%s", name, secret, body)
			}
		}
	}
	letter := files["messages/01-2026-03-02-letter.txt"]
	if !strings.Contains(letter, "Yours faithfully,\n[requester's signature removed]") || !strings.Contains(letter, "Please tell us.") {
		t.Errorf("the letter:\n%s", letter)
	}
	if !strings.Contains(files["messages/02-2026-03-06-reply.txt"], "Dear [requester], ...") {
		t.Errorf("the reply:\n%s", files["messages/02-2026-03-06-reply.txt"])
	}
	rows, err := csv.NewReader(strings.NewReader(files["answers.csv"])).ReadAll()
	if err != nil || len(rows) != 3 || rows[1][0] != "Q1 Was an EIA done?" || rows[1][1] != "yes" || rows[1][3] != "An EIA was done" || rows[2][1] != "" {
		t.Errorf("answers.csv: %q, %v", rows, err)
	}
	for _, w := range []string{"LXP7N-001: Trust 001 NHS Foundation Trust", "On time: yes", "files/_workforce.csv", "signature have been"} {
		if !strings.Contains(files["README.txt"], w) {
			t.Errorf("the README lacks %q:\n%s", w, files["README.txt"])
		}
	}
}

func TestCampaignFiles(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, _ := newFixture(t, 9)
	var b bytes.Buffer
	if err := WriteCampaignFiles(ctx, &b, st, "lxp7n", fixtureNow, time.UTC); err != nil {
		t.Fatal(err)
	}
	files := readZip(t, b.Bytes())
	dir := "LXP7N-001 Trust 001 NHS Foundation Trust/"
	if files[dir+"Band 7 LXP job description.pdf"] != "file 1 of LXP7N-001" || files[dir+"_workforce.csv"] != "file 2 of LXP7N-001" {
		t.Errorf("the zip holds %v", keys(files))
	}
	rows, err := csv.NewReader(strings.NewReader(files["index.csv"])).ReadAll()
	if err != nil || len(rows) != 3 { // the bounce's returned header is no reply's file
		t.Fatalf("index.csv: %q, %v", rows, err)
	}
	if r := rows[2]; r[0] != "LXP7N-001" || r[2] != dir+"_workforce.csv" || r[3] != "../workforce.csv" || r[7] != "2026-03-06 10:00" {
		t.Errorf("index row %q", r)
	}
	if _, ok := files["README.txt"]; !ok {
		t.Errorf("no README.txt")
	}
}

func keys(m map[string]string) []string {
	var k []string
	for n := range m {
		k = append(k, n)
	}
	slices.Sort(k)
	return k
}

// BenchmarkExport20k measures a whole export of a campaign of 20,000
// requests: reading the store, building the table, writing the CSV and
// the HTML league table. Run:
//
//	go test ./results -run '^$' -bench Export20k -benchtime 3x
func BenchmarkExport20k(b *testing.B) {
	st, sch := newFixture(b, 20000)
	if err := st.SetQuestions(context.Background(), "LXP7N", []string{"One?", "Two?", "Three?"}); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	before := cpuTime()
	b.ResetTimer()
	for b.Loop() {
		tab, err := Load(ctx, st, sch, Scope{Slug: "LXP7N"}, fixtureNow)
		if err != nil {
			b.Fatal(err)
		}
		if len(tab.Rows) != 20000 {
			b.Fatalf("%d rows", len(tab.Rows))
		}
		var csvOut, htmlOut bytes.Buffer
		if err := WriteCSV(&csvOut, tab, sch.Cal, CSVOptions{}); err != nil {
			b.Fatal(err)
		}
		if err := WriteHTML(&htmlOut, tab); err != nil {
			b.Fatal(err)
		}
		if n := bytes.Count(csvOut.Bytes(), []byte("\r\n")); n != 20001 {
			b.Fatalf("%d CSV lines", n)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/export")
	// The processor time (user and system, every thread) per export: what
	// the export costs whatever else the machine is doing meanwhile.
	b.ReportMetric(float64((cpuTime()-before).Milliseconds())/float64(b.N), "cpu-ms/export")
}

// cpuTime is the processor time this process has used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
