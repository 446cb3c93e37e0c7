package inbox

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"foi/localmail"
)

func TestCountParts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, raw string
		want      int
	}{
		{"no MIME", "Subject: x\r\n\r\n-- \r\nsignature\r\n", 0},
		{"two parts, closing not counted", "Content-Type: multipart/mixed; boundary=XYZ\r\n\r\n--XYZ\r\n\r\na\r\n--XYZ\r\n\r\nb\r\n--XYZ--\r\n", 2},
		{"quoted, upper case, spaces", "Content-Type: multipart/mixed; BOUNDARY = \"a b\"\r\n\r\n--a b\r\n\r\na\r\n--a b  \r\n\r\nb\r\n--a b--\r\n", 2},
		{"folded value", "Content-Type: multipart/mixed; boundary=\r\n \"=_fold\"\r\n\r\n--=_fold\r\n\r\na\r\n--=_fold--\r\n", 1},
		{"nested", "Content-Type: multipart/mixed; boundary=o\r\n\r\n--o\r\nContent-Type: multipart/alternative; boundary=i\r\n\r\n--i\r\n\r\nt\r\n--i\r\n\r\nh\r\n--i--\r\n--o\r\n\r\nf\r\n--o--\r\n", 4},
		{"undeclared dashes", "Content-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\n\r\n-----Original Message-----\r\n--C\r\n--B--\r\n", 1},
	}
	for _, tt := range tests {
		if got := countParts([]byte(tt.raw), 100); got.parts != tt.want || got.over {
			t.Errorf("countParts(%s) = %d parts (over %v), want %d", tt.name, got.parts, got.over, tt.want)
		}
	}
	if got := countParts(manyParts("", 50), 40); !got.over {
		t.Errorf("countParts(50 parts, limit 40) = %+v, want over", got)
	}
}

// manyParts is a multipart/mixed reply with a text part and n tiny files,
// about 110 bytes each.
func manyParts(header string, n int) []byte {
	var b bytes.Buffer
	b.WriteString(header)
	b.WriteString("From: FOI Team <foi@trust1.nhs.test>\r\nTo: campaign@foi.test\r\nSubject: RE: Freedom of Information request\r\n" +
		"Message-ID: <many@trust.nhs.test>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"=_b\"\r\n\r\n" +
		"--=_b\r\nContent-Type: text/plain\r\n\r\nPlease find our response to your request attached.\r\n")
	for i := range n {
		fmt.Fprintf(&b, "--=_b\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; filename=f%06d.txt\r\n\r\nrow %06d of the bundle\r\n", i, i)
	}
	b.WriteString("--=_b--\r\n")
	return b.Bytes()
}

// TestProcessHundredThousandParts is finding 9 of issue 9: a reply of
// 100,000 parts (about 11 MB, under the size limit) took 85 s and 398 MB and
// wrote a file per part. It is refused before enmime parses it: stored raw,
// flagged too-many-parts, filed under its request with the text of its first
// part and no files.
func TestProcessHundredThousandParts(t *testing.T) {
	w := newWorld(t, localmail.Options{})
	ctx := context.Background()
	r := w.reqs[0]
	raw := manyParts(fmt.Sprintf("In-Reply-To: <%s>\r\n", r.MessageID), 100_000)
	if len(raw) < 10<<20 {
		t.Fatalf("message is %d bytes, want about 11 MB", len(raw))
	}
	p := &Processor{Store: w.st}
	out, err := p.Process(ctx, raw, "INBOX", 1, false)
	if err != nil {
		t.Fatal(err)
	}
	if !out.Taken || out.Ref != r.Ref {
		t.Fatalf("outcome %+v, want filed under %s", out, r.Ref)
	}
	m, err := w.st.MessageByID(ctx, out.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(m.Flags, "too-many-parts") {
		t.Errorf("flags = %q, want too-many-parts", m.Flags)
	}
	if !strings.Contains(m.BodyText, "Please find our response") {
		t.Errorf("body = %q, want the first part's text", m.BodyText)
	}
	if atts, err := w.st.Attachments(ctx, out.ID); err != nil || len(atts) != 0 {
		t.Errorf("%d attachments stored (%v), want none", len(atts), err)
	}
	if got, err := w.st.ReadMail(m.SHA256); err != nil || !bytes.Equal(got, raw) {
		t.Errorf("raw message kept: %d bytes (%v), want the %d bytes received", len(got), err, len(raw))
	}
	// At the limit, a message is parsed and its files listed.
	pm, _ := Parse(manyParts("", maxParts-1))
	if pm.HasFlag("too-many-parts") || len(pm.Attachments) != maxParts-1 {
		t.Errorf("a message of %d parts: %d files, flags %v; want every file and no flag", maxParts, len(pm.Attachments), pm.Flags)
	}
}

// TestParseSharedPartBudget: parts hidden from the count inside
// base64-encoded embedded messages share the message's budget.
func TestParseSharedPartBudget(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	b.WriteString("From: <foi@trust1.nhs.test>\r\nSubject: bundle\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=OUT\r\n\r\n" +
		"--OUT\r\nContent-Type: text/plain\r\n\r\nForwarded cases.\r\n")
	for i := range 600 {
		inner := fmt.Sprintf("From: <x@y.test>\r\nSubject: case %d\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=IN\r\n\r\n"+
			"--IN\r\nContent-Type: text/plain\r\n\r\ncase\r\n--IN\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=c%d.pdf\r\n\r\n%%PDF-%d\r\n--IN--\r\n", i, i, i)
		fmt.Fprintf(&b, "--OUT\r\nContent-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n%s\r\n", base64.StdEncoding.EncodeToString([]byte(inner)))
	}
	b.WriteString("--OUT--\r\n")
	m, err := Parse(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if !m.HasFlag("too-many-parts") {
		t.Errorf("flags = %v, want too-many-parts from the embedded messages", m.Flags)
	}
	if len(m.Attachments) < 600 || len(m.Attachments) > maxFiles {
		t.Errorf("%d files listed, want the 600 embedded messages and at most %d in all", len(m.Attachments), maxFiles)
	}
}

// TestParseTooManyFiles: a winmail.dat of 1,500 files in one part lists
// maxFiles files in all and flags the rest.
func TestParseTooManyFiles(t *testing.T) {
	t.Parallel()
	attr := func(level byte, id uint16, typ uint16, data []byte) []byte {
		b := []byte{level, byte(id), byte(id >> 8), byte(typ), byte(typ >> 8)}
		n := len(data)
		b = append(b, byte(n), byte(n>>8), byte(n>>16), byte(n>>24))
		b = append(b, data...)
		var sum uint16
		for _, c := range data {
			sum += uint16(c)
		}
		return append(b, byte(sum), byte(sum>>8))
	}
	tnef := []byte{0x78, 0x9f, 0x3e, 0x22, 0x01, 0x00}
	for i := range 1500 {
		tnef = append(tnef, attr(2, 0x9002, 6, make([]byte, 14))...)
		tnef = append(tnef, attr(2, 0x8010, 1, []byte(fmt.Sprintf("f%04d.txt\x00", i)))...)
		tnef = append(tnef, attr(2, 0x800f, 6, []byte(fmt.Sprintf("file %d", i)))...)
	}
	raw := "From: <foi@trust1.nhs.test>\r\nSubject: files\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n" +
		"--B\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n--B\r\nContent-Type: application/ms-tnef; name=winmail.dat\r\n" +
		"Content-Disposition: attachment; filename=winmail.dat\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		base64.StdEncoding.EncodeToString(tnef) + "\r\n--B--\r\n"
	m, err := Parse([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Attachments) != maxFiles || !m.HasFlag("too-many-files") {
		t.Errorf("%d files listed, flags %v; want %d and too-many-files", len(m.Attachments), m.Flags, maxFiles)
	}
}

func BenchmarkParseHundredThousandParts(b *testing.B) {
	raw := manyParts("", 100_000)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if m, _ := Parse(raw); !m.HasFlag("too-many-parts") {
			b.Fatal("not flagged")
		}
	}
}
