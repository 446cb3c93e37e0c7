package inbox

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"math"
	mrand "math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// parseBoth parses raw with every base64 run decoded by parse_elide.go and
// with none (enmime reading everything), and fails t when the two Messages
// differ in anything.
func parseBoth(t *testing.T, name string, raw []byte) {
	t.Helper()
	old := minElide
	defer func() { minElide = old }()
	minElide = math.MaxInt
	want, wantErr := Parse(raw)
	minElide = 0
	got, gotErr := Parse(raw)
	if (wantErr == nil) != (gotErr == nil) {
		t.Fatalf("%s: error %v with runs decoded here, %v without", name, gotErr, wantErr)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s: Parse differs when base64 runs are decoded here:\n got %s\nwant %s", name, describe(got), describe(want))
	}
}

// describe is a Message in short, for a failure.
func describe(m *Message) string {
	var b strings.Builder
	fmt.Fprintf(&b, "text %q flags %v", cut(m.Text, 80), m.Flags)
	for _, a := range m.Attachments {
		fmt.Fprintf(&b, "\n  [%d] %s %s %s parent %d size %d sha %.12s", a.Index, a.PartID, a.Name, a.ContentType, a.Parent, a.Size, a.SHA256)
	}
	return b.String()
}

func cut(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

// b64Lines is data in base64 lines of width w, each ended by eol.
func b64Lines(data []byte, w int, eol string) string {
	enc := base64.StdEncoding.EncodeToString(data)
	var b strings.Builder
	for len(enc) > w {
		b.WriteString(enc[:w] + eol)
		enc = enc[w:]
	}
	b.WriteString(enc + eol)
	return b.String()
}

func randBytes(seed uint64, n int) []byte {
	rng := mrand.New(mrand.NewPCG(seed, 7))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

// elideCases are messages that reach every branch of parse_elide.go: runs
// that end at a delimiter, at junk, at the end of input; remainders of 0 to
// 3 characters; stray '=' and blanks; runs inside an embedded message (put
// back and parsed there); text, message and repeated-header parts (left to
// enmime); a lone body; preamble and epilogue look-alikes.
func elideCases() map[string][]byte {
	hdr := "From: FOI <foi@trust1.nhs.test>\r\nTo: campaign@foi.test\r\nSubject: RE: [LXP7-001]\r\nMIME-Version: 1.0\r\n"
	mixed := func(parts ...string) []byte {
		s := hdr + "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\npreamble\r\n--b1\r\nContent-Type: text/plain\r\n\r\nPlease see attached.\r\n"
		for _, p := range parts {
			s += "--b1\r\n" + p
		}
		return []byte(s + "--b1--\r\n")
	}
	att := func(ctype, name, body string) string {
		return fmt.Sprintf("Content-Type: %s; name=\"%s\"\r\nContent-Disposition: attachment; filename=\"%s\"\r\nContent-Transfer-Encoding: base64\r\n\r\n%s", ctype, name, name, body)
	}
	d := randBytes(1, 100_000) // long enough for its run to be replaced
	cases := map[string][]byte{}
	for name, body := range map[string]string{ // what is left after the last group of four
		"remainder-0": base64.RawStdEncoding.EncodeToString(d[:99_999]),
		"remainder-2": base64.RawStdEncoding.EncodeToString(d),
		"remainder-3": base64.RawStdEncoding.EncodeToString(d[:99_998]),
		"corrupt-1":   base64.RawStdEncoding.EncodeToString(d[:99_999]) + "A",
	} {
		cases[name] = mixed(att("application/pdf", "a.pdf", body+"\r\n"))
	}
	cases["crlf"] = mixed(att("application/pdf", "a.pdf", b64Lines(d, 76, "\r\n")), att("application/zip", "b.zip", b64Lines(d[:99], 60, "\r\n")))
	cases["lf"] = bytes.ReplaceAll(cases["crlf"], []byte("\r\n"), []byte("\n"))
	cases["blank-lines-before-delimiter"] = mixed(att("application/pdf", "a.pdf", b64Lines(d, 76, "\r\n")+"\r\n\r\n"))
	cases["padding-inside"] = mixed(att("application/pdf", "a.pdf", "QUJD==REVG\r\n=\r\n"+b64Lines(d, 76, "\r\n")))
	cases["blanks-in-lines"] = mixed(att("application/pdf", "a.pdf", strings.ReplaceAll(b64Lines(d, 76, "\r\n"), "A", " A\t")))
	cases["junk-after-run"] = mixed(att("application/pdf", "a.pdf", b64Lines(d, 76, "\r\n")+"not base64!\r\n"+b64Lines(d[:50], 76, "\r\n")))
	cases["dashes-after-run"] = mixed(att("application/pdf", "a.pdf", b64Lines(d, 76, "\r\n")+"--\r\n"))
	cases["other-boundary-after-run"] = mixed(att("application/pdf", "a.pdf", b64Lines(d, 76, "\r\n")+"--b2\r\nQUJD\r\n"))
	cases["no-terminator"] = bytes.TrimSuffix(mixed(att("application/pdf", "a.pdf", b64Lines(d, 76, "\r\n"))), []byte("--b1--\r\n"))
	cases["no-final-newline"] = bytes.TrimSuffix(cases["no-terminator"], []byte("\r\n"))
	cases["text-part"] = mixed(att("text/csv", "a.csv", b64Lines([]byte("a,b\r\n1,\xe9\r\n"), 76, "\r\n")), att("application/pdf", "a.pdf", b64Lines(d, 76, "\r\n")))
	cases["repeated-cte"] = mixed("Content-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\nContent-Transfer-Encoding: 7bit\r\n\r\n" + b64Lines(d, 76, "\r\n"))
	cases["folded-type"] = mixed("Content-Type: application/pdf;\r\n\tname=\"folded.pdf\"\r\nContent-Transfer-Encoding:\r\n BASE64\r\n\r\n" + b64Lines(d, 76, "\r\n"))
	cases["no-type"] = mixed("Content-Transfer-Encoding: base64\r\n\r\n" + b64Lines(d, 76, "\r\n"))
	cases["empty-body"] = mixed(att("application/pdf", "a.pdf", ""), att("application/pdf", "b.pdf", "\r\n"))
	cases["lone-body"] = []byte(hdr + "Content-Type: application/pdf; name=\"a.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" + b64Lines(d, 76, "\r\n"))
	inner := "From: x@y.test\r\nSubject: inner\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"in\"\r\n\r\n--in\r\nContent-Type: text/plain\r\n\r\nhello\r\n--in\r\n" +
		att("application/pdf", "inner.pdf", b64Lines(d, 76, "\r\n")) + "--in--\r\n"
	cases["embedded"] = mixed("Content-Type: message/rfc822\r\n\r\n"+inner, att("application/zip", "outer.zip", b64Lines(d, 76, "\r\n")))
	cases["embedded-base64"] = mixed("Content-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n" + b64Lines([]byte(inner), 76, "\r\n"))
	cases["nested-alternative"] = []byte(hdr + "Content-Type: multipart/mixed; boundary=\"o\"\r\n\r\n--o\r\nContent-Type: multipart/alternative; boundary=\"a\"\r\n\r\n--a\r\nContent-Type: text/plain\r\n\r\nhi\r\n--a\r\n" +
		att("image/png", "p.png", b64Lines(d, 76, "\r\n")) + "--a--\r\n--o\r\n" + att("application/pdf", "a.pdf", b64Lines(d[:77], 76, "\r\n")) + "--o--\r\n")
	cases["fake-part-in-preamble-and-epilogue"] = []byte(hdr + "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--x\r\n" + att("application/pdf", "fake.pdf", b64Lines(d, 76, "\r\n")) +
		"--b1\r\n" + att("application/pdf", "a.pdf", b64Lines(d[:10], 76, "\r\n")) + "--b1--\r\n--y\r\n" + att("application/pdf", "late.pdf", b64Lines(d, 76, "\r\n")))
	cases["boundary-prefix-in-run"] = []byte(hdr + "Content-Type: multipart/mixed; boundary=\"QUJD\"\r\n\r\n--QUJD\r\n" + att("application/pdf", "a.pdf", "QUJDQUJD\r\n"+b64Lines(d, 76, "\r\n")) + "--QUJD--\r\n")
	// Text parts: a CSV of UTF-8 (declared, or not) is read here; one whose
	// bytes want enmime's guess (Latin-1, an ISO-2022 escape), one with a
	// fault in its base64, HTML and other declared charsets are left to
	// enmime; a base64 text body is put back into the body text.
	csv := csvRows(400, "Band 7 posts, Trust Board \u2014 refus\u00e9, \u00a3")
	latin1 := csvRows(400, "refus\xe9") // é in Latin-1: not UTF-8
	cases["csv-undeclared"] = mixed(att("text/csv", "posts.csv", b64Lines(csv, 76, "\r\n")))
	cases["csv-utf8"] = mixed(att("text/csv; charset=\"UTF-8\"", "posts.csv", b64Lines(csv, 76, "\r\n")), att("application/pdf", "a.pdf", b64Lines(d[:9000], 76, "\r\n")))
	cases["csv-latin1-undeclared"] = mixed(att("text/csv", "posts.csv", b64Lines(latin1, 76, "\r\n")))
	cases["csv-latin1-undeclared-and-pdf"] = mixed(att("text/csv", "posts.csv", b64Lines(latin1, 76, "\r\n")), att("application/pdf", "a.pdf", b64Lines(d[:9000], 76, "\r\n")))
	cases["csv-latin1-declared"] = mixed(att("text/csv; charset=iso-8859-1", "posts.csv", b64Lines(latin1, 76, "\r\n")))
	cases["csv-escape"] = mixed(att("text/csv", "posts.csv", b64Lines(append(append([]byte{}, csv[:9000]...), append([]byte("\x1b$B"), csv[9000:]...)...), 76, "\r\n")))
	cases["csv-fault-in-head"] = mixed(att("text/csv", "posts.csv", "QUJD*\r\n"+b64Lines(csv, 76, "\r\n")))
	cases["html-base64"] = mixed(att("text/html; charset=utf-8", "page.html", b64Lines(append([]byte("<html><body><p>"), csv...), 76, "\r\n")))
	cases["text-body-base64"] = []byte(hdr + "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n" + b64Lines(csv, 76, "\r\n"))
	cases["mixed-text-bodies-base64"] = []byte(hdr + "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		b64Lines(csv, 76, "\r\n") + "--b1\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n" + b64Lines(csv[100:], 60, "\n") + "--b1--\r\n")
	cases["csv-utf8-beside-latin1"] = mixed(att("text/csv", "small-latin1.csv", b64Lines(latin1[:300], 76, "\r\n")), att("text/csv", "posts.csv", b64Lines(csv, 76, "\r\n")))
	sameType := "Content-Type: text/csv\r\nContent-Transfer-Encoding: base64\r\n\r\n"
	cases["csv-utf8-beside-latin1-same-type"] = mixed(sameType+b64Lines(latin1[:300], 76, "\r\n"), sameType+b64Lines(csv, 76, "\r\n"))
	cases["csv-utf8-beside-declared-latin1"] = mixed("Content-Type: text/plain; charset=iso-8859-1\r\n\r\nrefus\xe9\r\n", att("text/csv", "posts.csv", b64Lines(csv, 76, "\r\n")))
	// After a run with a short tail: a delimiter look-alike inside a line
	// of the same part ("!!--b1 ": enmime's first read of a part, checking
	// every byte, ends the part there, and the run's content is the same
	// with the junk bytes dropped, so only shortTailSafe tells),
	// the end of input with no final line end, a boundary longer than the
	// short tail, and a parent part that ends just after the run.
	cases["dashes-mid-line-after-run"] = mixed(att("application/pdf", "a.pdf", b64Lines(d[:20000], 76, "\r\n")+"!!--b1 \r\n"+b64Lines(d[:300], 76, "\r\n")))
	cases["no-final-newline-short"] = []byte(strings.TrimSuffix(string(mixed(att("application/pdf", "a.pdf", b64Lines(d[:20000], 76, "\r\n")))), "--b1--\r\n") + "QUJD")
	long := strings.Repeat("L", 300)
	cases["long-boundary"] = []byte(hdr + "Content-Type: multipart/mixed;\r\n boundary=\"" + long + "\"\r\n\r\n--" + long + "\r\n" + att("application/pdf", "a.pdf", b64Lines(d[:20000], 76, "\r\n")) + "--" + long + "--\r\n")
	cases["parent-ends-after-run"] = []byte(hdr + "Content-Type: multipart/mixed; boundary=\"o\"\r\n\r\n--o\r\nContent-Type: multipart/mixed; boundary=\"i\"\r\n\r\n--i\r\n" +
		att("application/pdf", "a.pdf", b64Lines(d[:20000], 76, "\r\n")) + "--o--\r\n")
	cases["bench"] = nil // filled by the caller with bigMessage
	return cases
}

// csvRows is a CSV of n rows, each ending in cell, as UTF-8.
func csvRows(n int, cell string) []byte {
	var b bytes.Buffer
	b.WriteString("trust,post,decision\r\n")
	for i := range n {
		fmt.Fprintf(&b, "Trust %d,post %d,%s\r\n", i, i*7, cell)
	}
	return b.Bytes()
}

// TestElideSameResult: decoding base64 runs here must give exactly the
// Message enmime gives, on the corpus and on the edge cases above.
func TestElideSameResult(t *testing.T) {
	paths, _ := filepath.Glob(filepath.Join("testdata", "corpus", "*.eml"))
	fuzzed, _ := filepath.Glob(filepath.Join("testdata", "fuzz", "*", "*"))
	if len(paths) < 50 {
		t.Fatalf("corpus has %d messages", len(paths))
	}
	for _, p := range append(paths, fuzzed...) {
		raw, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(p, string(filepath.Separator)+"fuzz"+string(filepath.Separator)) {
			raw = fuzzInput(raw)
		}
		parseBoth(t, p, raw)
	}
	// The cases whose runs enmime would not read as parse_elide.go assumes
	// (a run inside a preamble, followed by more of the same part) are
	// parsed whole; the rest take the fast path.
	whole := map[string]bool{"embedded-base64": true, "empty-body": true, "fake-part-in-preamble-and-epilogue": true,
		"junk-after-run": true, "no-type": true, "other-boundary-after-run": true, "repeated-cte": true, "corrupt-1": true,
		"csv-latin1-undeclared": true, "csv-latin1-declared": true, "csv-escape": true, "csv-fault-in-head": true, "html-base64": true,
		"csv-utf8-beside-latin1-same-type": true, "csv-utf8-beside-declared-latin1": true, "dashes-mid-line-after-run": true,
	}
	for name, raw := range elideCases() {
		if raw == nil {
			raw = bigMessage(t)
		}
		parseBoth(t, name, raw)
		if _, short, err := readEnvelopeFast(raw); err != nil || (len(short) < len(raw)) == whole[name] {
			t.Errorf("%s: readEnvelopeFast: %v, fast path taken %v, want %v", name, err, len(short) < len(raw), !whole[name])
		}
	}
}

// TestElideShortTail: a run's tail is short where the bytes after it
// allow, long where they do not, and long again when the short message
// reports a boundary not closed.
func TestElideShortTail(t *testing.T) {
	cases := elideCases()
	for name, want := range map[string]bool{"crlf": true, "csv-undeclared": true, "long-boundary": true, "parent-ends-after-run": true,
		"no-final-newline-short": true, "dashes-mid-line-after-run": false, "dashes-after-run": true} {
		runs := findB64Runs(cases[name])
		if len(runs) == 0 {
			t.Fatalf("%s: no run found", name)
		}
		if got := runs[0].shortTail; got != want {
			t.Errorf("%s: short tail %v, want %v", name, got, want)
		}
		if tail := runs[0].end - runs[0].midEnd; name == "long-boundary" && tail < 300 {
			t.Errorf("long-boundary: tail of %d bytes, shorter than the boundary", tail)
		}
	}
	// The end of input just after the run: the message read with short
	// tails reports a boundary not closed, which the whole one does not
	// (parseBoth checks that), so it is read again with long tails.
	raw := cases["no-final-newline-short"]
	runs := findB64Runs(raw)
	var nonce [16]byte
	short, _ := elideRuns(raw, runs, nonce)
	if env, err := readEnvelopeWith(short, false, false, nil); err != nil || !shortTailDoubt(env) {
		t.Fatalf("no-final-newline-short: short tails read without doubt (%v)", err)
	}
	long, _ := elideRuns(raw, longTails(raw, runs), nonce)
	if _, got, err := readEnvelopeFast(raw); err != nil || len(got) != len(long) {
		t.Errorf("no-final-newline-short: read %d bytes (%v), want the %d of long tails", len(got), err, len(long))
	}
}

// fuzzInput reads a file of the fuzz corpus (go test fuzz v1, one []byte).
func fuzzInput(b []byte) []byte {
	s := string(b)
	i := strings.Index(s, "[]byte(")
	if i < 0 || !strings.HasSuffix(strings.TrimSpace(s), ")") {
		return b
	}
	var out string
	if _, err := fmt.Sscanf(strings.TrimSuffix(strings.TrimSpace(s[i+len("[]byte("):]), ")"), "%q", &out); err != nil {
		return b
	}
	return []byte(out)
}

// TestElideUsed: the large attachments of a 30 MB reply are decoded here,
// and a run inside an embedded message is put back for the embedded
// message's own parse.
func TestElideUsed(t *testing.T) {
	raw := bigMessage(t)
	runs := findB64Runs(raw)
	if len(runs) != 3 {
		t.Fatalf("found %d runs in the 30 MB reply, want 3", len(runs))
	}
	_, short, err := readEnvelopeFast(raw)
	if err != nil || len(short) > 200_000 {
		t.Fatalf("readEnvelopeFast: %v, %d bytes parsed by enmime (want the short message)", err, len(short))
	}
	old := minElide
	defer func() { minElide = old }()
	minElide = 0
	emb := elideCases()["embedded"]
	if n := len(findB64Runs(emb)); n != 2 {
		t.Fatalf("found %d runs in the embedded case, want 2", n)
	}
	_, short, err = readEnvelopeFast(emb)
	if err != nil || len(short) >= len(emb) || !bytes.Contains(short, []byte("inner.pdf")) {
		t.Fatalf("embedded: %v, short %d of %d bytes", err, len(short), len(emb))
	}
	inner := strings.Index(string(emb), "name=\"inner.pdf\"")
	if !bytes.Contains(short, emb[inner:inner+2000]) {
		t.Error("the run inside the embedded message was not put back")
	}
}

// FuzzParseElide: any message around a long base64 run parses to the same
// Message whether the run is decoded here or by enmime. The fuzzer writes
// the bytes before the run (headers, boundaries) and after it (delimiters,
// junk, further parts); the run is fixed, long enough to be replaced: random
// bytes, or (text) a CSV in UTF-8.
//
//	go test ./inbox -run '^$' -fuzz '^FuzzParseElide$' -fuzztime 20000x
func FuzzParseElide(f *testing.F) {
	run := b64Lines(randBytes(3, 80_000), 76, "\r\n")
	textRun := b64Lines(csvRows(300, "refus\u00e9 \u2014 \u00a3"), 76, "\r\n")
	for name, raw := range elideCases() {
		if raw == nil {
			continue
		}
		// split each case around its first run
		if rs := findB64Runs(raw); len(rs) > 0 {
			f.Add(raw[:rs[0].start], raw[rs[0].end:], strings.HasPrefix(name, "csv") || strings.Contains(name, "text"))
		}
	}
	f.Add([]byte("Content-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n"), []byte(""), false)
	f.Add([]byte("Content-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n"), []byte(""), true)
	f.Add([]byte("Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\n"), []byte("--x--\r\n"), false)
	f.Add([]byte("Content-Type: multipart/alternative; boundary=x\r\n\r\n--x\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"), []byte("--x\r\nContent-Type: text/html\r\n\r\n<p>hi</p>\r\n--x--\r\n"), true)
	f.Fuzz(func(t *testing.T, before, after []byte, text bool) {
		if len(before) > 4096 || len(after) > 4096 {
			return
		}
		r := run
		if text {
			r = textRun
		}
		raw := append(append(append([]byte{}, before...), r...), after...)
		parseBoth(t, "input", raw)
	})
}
