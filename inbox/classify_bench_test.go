package inbox

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"foi/extract/extracttest"
)

// classifyInput is a message as ClassifyWith sees it at filing: parsed,
// with the first letterHead bytes of its files' text.
type classifyInput struct {
	name    string
	m       *Message
	letters []string
}

// classifyInputs are the messages of the corpus, replies carrying the real
// files of testdata/files two at a time with a spreadsheet of posts (as
// e2e/cmd/bench makes them), and replies carrying a 20-page PDF letter
// (as BenchmarkSyncWithFiles), each with the text its files give.
func classifyInputs(tb testing.TB) []classifyInput {
	tb.Helper()
	var out []classifyInput
	add := func(name string, raw []byte) {
		m, _ := Parse(raw)
		if m == nil {
			tb.Fatalf("%s: Parse returned nil", name)
		}
		out = append(out, classifyInput{name: name, m: m, letters: readTexts(m, nil).letters()})
	}
	paths, err := filepath.Glob(filepath.Join("testdata", "corpus", "*.eml"))
	if err != nil || len(paths) == 0 {
		tb.Fatalf("corpus: %v", err)
	}
	for _, p := range paths {
		raw, err := os.ReadFile(p)
		if err != nil {
			tb.Fatal(err)
		}
		add(filepath.Base(p), raw)
	}

	files, _ := filepath.Glob(filepath.Join("testdata", "files", "*"))
	sort.Strings(files)
	types := map[string]string{".pdf": "application/pdf", ".csv": "text/csv", ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
		".zip": "application/zip", ".png": "image/png", ".dat": "application/ms-tnef", ".msg": "application/vnd.ms-outlook"}
	type file struct {
		name, ctype string
		data        []byte
	}
	var all []file
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		ct := types[filepath.Ext(f)]
		if ct == "" {
			ct = "application/octet-stream"
		}
		all = append(all, file{filepath.Base(f), ct, data})
	}
	for i := range all {
		var b bytes.Buffer
		fmt.Fprintf(&b, "From: FOI Team <foi@trust1.test>\r\nTo: campaign@foi.test\r\nSubject: RE: Freedom of Information request [LXP7-%03d]: Band 7 roles\r\n"+
			"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"B\"\r\n\r\n"+
			"--B\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nDear LXP Revolution,\r\n\r\nPlease find attached our response to your request.\r\n"+
			"Section 1(1)(a): we hold the information. Section 1(1)(b): it is attached.\r\n\r\nInformation Governance\r\n", i)
		var csv strings.Builder
		csv.WriteString("post,band,directorate,wte,lived experience required\r\n")
		for r := 0; r < 300+i*13; r++ {
			fmt.Fprintf(&csv, "Peer Support Worker %d,%d,Adult Mental Health,%.1f,yes\r\n", r, 3+r%5, 0.5+float64(r%3)/2)
		}
		for _, f := range []file{all[i], all[(i*7+3)%len(all)], {"posts.csv", "text/csv", []byte(csv.String())}} {
			fmt.Fprintf(&b, "--B\r\nContent-Type: %s; name=\"%s\"\r\nContent-Disposition: attachment; filename=\"%s\"\r\nContent-Transfer-Encoding: base64\r\n\r\n%s\r\n",
				f.ctype, f.name, f.name, base64.StdEncoding.EncodeToString(f.data))
		}
		b.WriteString("--B--\r\n")
		add("files-"+all[i].name, b.Bytes())
	}

	line := "The Trust did not apply for the funding; an Equality Impact Assessment was not carried out."
	for j := 0; j < 3; j++ {
		var pages []string
		for p := 0; p < 20; p++ {
			pages = append(pages, strings.Repeat(fmt.Sprintf("%d-%d ", j, p)+line+"\n", 45))
		}
		data := extracttest.PDF(true, pages...)
		raw := fmt.Sprintf("From: <foi@trust1.test>\r\nTo: campaign@foi.test\r\nSubject: RE: request\r\nMIME-Version: 1.0\r\n"+
			"Content-Type: multipart/mixed; boundary=XYZ\r\n\r\n--XYZ\r\nContent-Type: text/plain\r\n\r\nPlease find our response attached.\r\n"+
			"--XYZ\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"response.pdf\"\r\n"+
			"Content-Transfer-Encoding: base64\r\n\r\n%s\r\n--XYZ--\r\n", base64.StdEncoding.EncodeToString(data))
		add(fmt.Sprintf("pdf-letter-%d", j), []byte(raw))
	}
	return out
}

// BenchmarkClassify classifies the messages of classifyInputs, with the
// text of their files, as filing does:
//
//	go test ./inbox -run '^$' -bench Classify -benchmem
func BenchmarkClassify(b *testing.B) {
	in := classifyInputs(b)
	for _, set := range []struct {
		name string
		pick func(classifyInput) bool
	}{
		{"corpus", func(c classifyInput) bool { return strings.HasSuffix(c.name, ".eml") }},
		{"files", func(c classifyInput) bool { return strings.HasPrefix(c.name, "files-") }},
		{"pdf-letter", func(c classifyInput) bool { return strings.HasPrefix(c.name, "pdf-letter") }},
	} {
		var msgs []classifyInput
		for _, c := range in {
			if set.pick(c) {
				msgs = append(msgs, c)
			}
		}
		b.Run(set.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				for _, c := range msgs {
					ClassifyWith(c.m, c.letters)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*len(msgs)), "µs/msg")
		})
	}
}
